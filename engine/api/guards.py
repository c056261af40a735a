"""Checks every request passes before its view: its size, and no NUL character anywhere in it.

PostgreSQL cannot store a NUL character in text, and no field of the routine needs one. Refused here, such a
request gets a 400 naming where the character is, instead of failing in the database."""

from __future__ import annotations

import json

from flask import Flask, abort, request

from ..services.errors import InvalidRequest

NUL = "\x00"


def register_guards(app: Flask) -> None:
    @app.before_request
    def refuse_oversized_bodies():
        limit = app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and request.content_length > limit:
            abort(413, f"The body is larger than {limit} bytes")

    @app.before_request
    def refuse_nul_characters():
        where = nul_in_request()
        if where is not None:
            raise InvalidRequest("The request holds a NUL character, which no field may contain",
                                 errors=[{"field": where, "message": "contains a NUL character"}])


def nul_in_request() -> str | None:
    """Where the request holds a NUL character (`(path)`, `query/<name>`, `header/<name>`, or the field's
    path in a JSON body), or None."""
    if NUL in request.path:
        return "(path)"
    for name, values in request.args.lists():
        if NUL in name or any(NUL in value for value in values):
            return f"query/{name.replace(NUL, '')}"
    for name, value in request.headers.items():
        if NUL in value:
            return f"header/{name}"
    # In JSON a NUL can only be written as the escape \u0000: the body is parsed only when it holds that text.
    if request.is_json and b"\\u0000" in request.get_data(cache=True):
        try:
            return _nul_in(json.loads(request.get_data(cache=True)), "")
        except (ValueError, RecursionError):
            return None  # not JSON: the view answers that
    return None


def _nul_in(value, path: str) -> str | None:
    if isinstance(value, str):
        return (path or "(body)") if NUL in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        name = f"{path}/{key}" if path else str(key)
        if NUL in str(key):
            return name.replace(NUL, "")
        found = _nul_in(item, name)
        if found is not None:
            return found
    return None
