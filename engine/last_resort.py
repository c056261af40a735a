"""The outermost layer of the WSGI app: an error that escapes Flask's own handling (an error while a request's
context is torn down, or while an error handler runs) is answered with a problem document like every other,
not with the server's HTML error page. While the database cannot be reached, that is a 503 with Retry-After."""

from __future__ import annotations

import json
import logging

from .database import database_unavailable

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# As engine.api.problems writes them: the same type, title and Retry-After.
UNAVAILABLE = ("503 Service Unavailable", {
    "type": "/problems/unavailable", "title": "Tjänsten är tillfälligt otillgänglig", "status": 503,
    "detail": "The database cannot be reached just now; try again shortly"})
INTERNAL = ("500 Internal Server Error", {
    "type": "/problems/internal", "title": "Internt fel", "status": 500,
    "detail": "An unexpected error occurred; it has been logged"})
RETRY_AFTER = "5"


class LastResort:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = []

        def start(status, headers, exc_info=None):
            started.append(status)
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        except Exception as err:
            down = database_unavailable(err)
            if down:
                log.warning("the database cannot be reached: %s", err)
            else:
                log.exception("an error escaped the app's error handlers")
            status, body = UNAVAILABLE if down else INTERNAL
            payload = json.dumps(body, ensure_ascii=False).encode()
            headers = [("Content-Type", PROBLEM_JSON), ("Content-Length", str(len(payload))),
                       ("Cache-Control", "no-store")]
            if down:
                headers.append(("Retry-After", RETRY_AFTER))
            # An answer the app had begun is replaced (start_response again, with the error); one already sent
            # cannot be: start_response raises, and the server closes the connection.
            start_response(status, headers, _exc_info(err) if started else None)
            return [payload]


def _exc_info(err: Exception):
    return (type(err), err, err.__traceback__)
