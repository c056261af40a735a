"""HTTP: the task-list API under /api/v1, its OpenAPI document and an interactive page for it."""

from __future__ import annotations

from http import HTTPStatus

import swagger_ui_bundle
from flask import Flask, send_from_directory
from flask_smorest import Api

from .auth import register_authentication
from .deployments import deployments_v1
from .draft_walks import draft_walks_v1
from .easy_read import EasyReadPlanResource  # noqa: F401 (its route is on api_v1)
from .forms import forms_v1
from .guards import register_guards
from .me import me_v1
from .migrations import migrations_v1
from .notifications import notifications_v1
from .person_links import person_links_v1
from .problems import PROBLEM_JSON, register_problem_handlers
from .resources import api_v1
from .schemas import ProblemDocument
from .studio import studio_v1
from .studio_decisions import studio_decisions_v1
from .studio_files import studio_files_v1

API_SETTINGS = {
    "API_TITLE": "SIP — samordnad individuell plan",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/swagger-ui/",
    "API_SPEC_OPTIONS": {"info": {"description": (
        "The task-list API of SIP (samordnad individuell plan). Every error is an RFC 9457 problem document "
        "(`application/problem+json`) naming each failing field in `errors`.\n\n"
        "What every request is checked for beyond the schemas (400 `invalid-request`, naming the field): no NUL "
        "character anywhere (path, query, headers, body); in a JSON body no lone UTF-16 surrogate (`\\ud800` "
        "escaped alone) in any key or value, no `NaN` or `Infinity`, no integer beyond 64 bits, and no nesting "
        "deeper than 32 levels (the body itself is the first); a body larger than 2 MiB is refused with 413.")}},
}


class ProblemApi(Api):
    """flask-smorest with errors left to the problem-document handlers, and documented as they are sent."""

    ERROR_SCHEMA = ProblemDocument

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        """Every error response (the default one, and each status a view names) is a problem document."""
        for name, description in [("DEFAULT_ERROR", "Error (problem document)"),
                                  *((status.name, status.phrase) for status in HTTPStatus if status >= 400)]:
            self.spec.components.response(name, {
                "description": description,
                "content": {PROBLEM_JSON: {"schema": self.ERROR_SCHEMA}},
            }, lazy=True)


def register_api(app: Flask) -> None:
    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    app.config["MAX_CONTENT_LENGTH"] = app.config.get("MAX_CONTENT_LENGTH") or 2 * 1024 * 1024
    # Answers keep the order their members were written in: a form's fields show in the order of its schema.
    app.json.sort_keys = False
    api = ProblemApi(app)
    api.register_blueprint(api_v1)
    api.register_blueprint(deployments_v1)
    api.register_blueprint(draft_walks_v1)
    api.register_blueprint(forms_v1)
    api.register_blueprint(me_v1)
    api.register_blueprint(migrations_v1)
    api.register_blueprint(notifications_v1)
    api.register_blueprint(person_links_v1)
    api.register_blueprint(studio_v1)
    api.register_blueprint(studio_files_v1)
    api.register_blueprint(studio_decisions_v1)
    register_problem_handlers(app)
    register_guards(app)

    register_authentication(app, api)

    @app.get("/api/v1/swagger-ui/<path:filename>")
    def swagger_ui_assets(filename):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

    @app.get("/openapi.json")
    def openapi_root():
        return api.spec.to_dict()
