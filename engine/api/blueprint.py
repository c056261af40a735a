"""The API's blueprints: flask-smorest's, refusing query parameters they do not know.

webargs drops unknown query parameters by default, so a misspelt filter (`candidate_grup=…`) would silently
widen a list instead of answering 400 naming the parameter."""

from __future__ import annotations

from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE, "querystring": RAISE}


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = StrictParser()
