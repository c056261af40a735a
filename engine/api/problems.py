"""Every error as an RFC 9457 problem document (application/problem+json)."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from ..database import UNAVAILABLE, database_unavailable
from ..services.errors import ServiceError
from .schemas import ProblemDocument

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Felaktig begäran",
    401: "Inte inloggad",
    403: "Åtkomst nekad",
    404: "Finns inte",
    405: "Metoden stöds inte",
    409: "Konflikt",
    413: "För stor begäran",
    415: "Fel innehållstyp",
    422: "Uppgifterna kan inte behandlas",
    500: "Internt fel",
    503: "Tjänsten är tillfälligt otillgänglig",
}
SLUGS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
         409: "conflict", 413: "too-large", 415: "unsupported-media-type", 422: "unprocessable", 500: "internal",
         503: "unavailable"}
# Seconds a client is asked to wait before it tries again while the database cannot be reached.
RETRY_AFTER = 5


def problem(status: int, detail: str, type_: str | None = None, title: str | None = None, **extra):
    body = {
        "type": f"/problems/{type_ or SLUGS.get(status, 'error')}",
        "title": title or TITLES.get(status, "Fel"),
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def problem_response(blueprint, status: int, description: str):
    """Documents, in the OpenAPI document, an error a view answers with: a problem document."""
    return blueprint.alt_response(status, schema=ProblemDocument, content_type=PROBLEM_JSON,
                                  description=description)


def field_errors(messages, prefix: str = "") -> list[dict]:
    """Flatten marshmallow/webargs messages into [{field, message}]."""
    found = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "form", "files", "view_args") and not prefix:
                found.extend(field_errors(value, ""))
                continue
            name = f"{prefix}/{key}" if prefix else str(key)
            found.extend(field_errors(value, name))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        found.extend({"field": prefix or "(body)", "message": m} for m in messages)
    elif isinstance(messages, list):
        for value in messages:
            found.extend(field_errors(value, prefix))
    else:
        found.append({"field": prefix or "(body)", "message": str(messages)})
    return found


def unavailable():
    """The answer while the database cannot be reached: nothing of the request was stored (a change that
    failed on its commit was rolled back), and the same request may be sent again after Retry-After."""
    response = problem(503, "The database cannot be reached just now; try again shortly", type_="unavailable")
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def register_problem_handlers(app: Flask) -> None:
    def database_down(err: Exception):
        if not database_unavailable(err):
            return unexpected(err)
        log.warning("the database cannot be reached: %s", err)
        return unavailable()

    for kind in UNAVAILABLE:
        app.register_error_handler(kind, database_down)

    @app.errorhandler(ServiceError)
    def service_error(err: ServiceError):
        extra = dict(err.extra)
        return problem(err.status, err.detail, type_=err.type, title=err.title, **extra)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        status = err.code or 500
        if status == 500 and database_unavailable(err):  # raised in an after-request hook, say
            log.warning("the database cannot be reached: %s", getattr(err, "original_exception", err))
            return unavailable()
        data = getattr(err, "data", None) or {}
        messages = data.get("messages")
        if messages is not None:
            errors = field_errors(messages)
            return problem(400, "The request does not have the expected shape", type_="invalid-request",
                           errors=errors)
        detail = err.description or TITLES.get(status, "")
        if status == 400 and "JSON" in (detail or ""):
            detail = "The body is not valid JSON"
        response = problem(status, detail)
        if getattr(err, "valid_methods", None):  # a 405 says which methods the resource has (RFC 9110)
            response.headers["Allow"] = ", ".join(sorted(err.valid_methods))
        return response

    @app.errorhandler(DataError)
    def unstorable(err: DataError):
        # A value the checks let through and the database refuses (PostgreSQL: a NUL character in text, a
        # number out of range): the change was rolled back; the request, not the server, is at fault.
        log.warning("a value of the request could not be stored: %s", err.orig)
        return problem(400, "A value of the request cannot be stored")

    @app.errorhandler(RecursionError)
    def too_deep(err: RecursionError):
        # Request bodies are limited in depth where they enter (guards.py): what recurses too deeply here is
        # the server's own work on data it holds, not the request.
        log.exception("recursion too deep while serving the request")
        return problem(500, "The server could not process data nested this deeply; it has been logged",
                       type_="too-deeply-nested")

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        if database_unavailable(err):
            log.warning("the database cannot be reached: %s", err)
            return unavailable()
        log.exception("unexpected error")
        return problem(500, "An unexpected error occurred; it has been logged")
