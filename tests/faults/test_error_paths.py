"""A database error raised where Flask's error handlers do not reach (after the view: in an after-request hook,
or while the request's context is torn down) is still answered with a problem document, 503 with Retry-After,
never with a server's HTML error page."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server


def lost_connection():
    """What SQLAlchemy raises when PostgreSQL ends a connection under a statement (AdminShutdown)."""
    return sa.exc.OperationalError("SELECT 1", {}, Exception("terminating connection due to administrator command"))


def answer(app, path: str):
    """The app's answer to a GET over HTTP, served by werkzeug's server (which, as gunicorn, lets the app replace
    an answer it has begun but not yet sent)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", headers={"Cookie": "sip_session=x"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()
    finally:
        server.shutdown()
        thread.join()


@pytest.mark.parametrize("hook", ["after_request", "teardown_request", "teardown_appcontext"])
@pytest.mark.parametrize("path", ["/api/v1/health", "/logga-in", "/uppgifter"])
def test_a_database_error_after_the_view_is_a_problem_document(app, hook, path):
    app.config["ENVIRONMENT"] = "development"

    here = threading.current_thread()

    def fail(arg):
        if threading.current_thread() is not here:  # the server's, not the test's own app context
            raise lost_connection()
        return arg

    getattr(app, hook)(fail)
    status, headers, body = answer(app, path)
    assert status == 503, body[:300]
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert (problem["status"], problem["title"], problem["type"]) == (
        503, "Tjänsten är tillfälligt otillgänglig", "/problems/unavailable")
    assert int(headers["Retry-After"]) > 0



def test_a_mistake_in_a_statement_is_a_server_error_not_an_outage(app):
    """SQLite reports a statement it cannot run ("no such column") as an OperationalError, as it does a locked
    database: only the latter is an outage to wait out; the former is logged as the server's error."""
    import sqlite3

    here = threading.current_thread()

    @app.before_request
    def fail():
        if threading.current_thread() is not here:
            raise sa.exc.OperationalError("SELECT x", {}, sqlite3.OperationalError("no such column: x"))

    status, headers, body = answer(app, "/api/v1/health")
    assert (status, headers["Content-Type"], json.loads(body)["type"]) == (
        500, "application/problem+json", "/problems/internal")
    assert "Retry-After" not in headers
