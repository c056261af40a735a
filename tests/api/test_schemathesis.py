"""Schemathesis against the real server: every phase (the OpenAPI document's examples, coverage of each
schema's edges, fuzzing, and stateful sequences that follow the document's links), signed in as a demo user,
against gunicorn on the database of the test run (SQLite, or PostgreSQL with SIP_TEST_DATABASE_URL).

It fails on any 5xx, on an answer that does not match the document (status, content type, headers, body
schema), on a method the document does not give that is not answered 405 with `Allow`, on an operation that
answers without authentication though the document asks for it, and on a request the document calls invalid
that the server accepts. A valid request the server still refuses is not a failure: the server checks more
than a JSON Schema says (a personal number's check digit, a task's own form), and the document says so.

`SIP_SCHEMATHESIS_EXAMPLES` (default 25 per operation) and `SIP_SCHEMATHESIS_SEED` change the run's size and
seed; the report, with a `st replay` command per failure, is in the failure message."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.servers import gunicorn

CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "unsupported_method", "ignored_auth",
          "negative_data_rejection"]


def demo_user(app, region: str = "kristianstad", kind: str = "kommun_sol") -> dict:
    """A user `flask --app engine demo` makes, with its API token."""
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    users = json.loads(result.output)["users"]
    return next(u for u in users if u["region"] == region and u["kind"] == kind)


def test_schemathesis_finds_no_server_error_and_no_answer_off_the_document(app, migrated, tmp_path):
    user = demo_user(app)
    examples = os.environ.get("SIP_SCHEMATHESIS_EXAMPLES", "25")
    seed = os.environ.get("SIP_SCHEMATHESIS_SEED", "9457")
    with gunicorn(migrated, WORKERS=2) as base:
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/api/v1/openapi.json",
             "--header", f"Authorization: Bearer {user['token']}",
             "--phases", "examples,coverage,fuzzing,stateful", "--checks", ",".join(CHECKS),
             "--max-examples", examples, "--seed", seed,
             # One worker: Hypothesis's lambda descriptions are not safe to build in several threads at once.
             "--workers", "1",
             # No field takes a NUL character, as the document's description says; a NUL is refused with 400.
             "--generation-allow-x00", "false",
             "--generation-database", "none", "--request-timeout", "30", "--no-color"],
            cwd=tmp_path, capture_output=True, text=True, timeout=400, env={**os.environ, "COLUMNS": "160"})
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-12000:]
    summary = report[report.rfind("SUMMARY"):]
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in summary, summary
    assert "passed" in summary and "failure" not in summary, summary
