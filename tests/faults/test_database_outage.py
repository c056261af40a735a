"""While the database cannot be reached, every kind of request (the API signed in by token or by session, the
web app's pages, the sign-in page) is answered with a problem document: 503, a Swedish title, Retry-After.
Once the database is back, the same server answers again without a restart; on PostgreSQL also after the
server ended every connection the pool held (as a restart of PostgreSQL does)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa

from tests.servers import ROOT, gunicorn

TITLE = "Tjänsten är tillfälligt otillgänglig"
ORG = ("Kristianstads kommun, hemtjänst Norr", "kommun_sol", "kristianstad")


def call(base: str, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if data else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def requests_of_every_kind(token: str):
    bearer = {"Authorization": f"Bearer {token}"}
    cookie = {"Cookie": "sip_session=not-a-session-the-database-could-confirm"}
    return [
        ("GET", "/api/v1/health", None, {}),
        ("GET", "/api/v1/tasks", None, bearer),
        ("POST", "/api/v1/cases", {"personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}, bearer),
        ("GET", "/api/v1/me", None, cookie),
        ("GET", "/uppgifter", None, cookie),  # the web app's shell, for a browser with a session cookie
        ("GET", "/logga-in", None, {}),  # in development the page lists the demo users
    ]


def assert_unavailable(base: str, token: str) -> None:
    for method, path, body, headers in requests_of_every_kind(token):
        status, answer_headers, raw = call(base, method, path, body, headers)
        assert (method, path, status) == (method, path, 503), raw[:300]
        assert answer_headers["Content-Type"] == "application/problem+json", (path, raw[:300])
        problem = json.loads(raw)
        assert (problem["status"], problem["title"], problem["type"]) == (503, TITLE, "/problems/unavailable")
        assert int(answer_headers["Retry-After"]) > 0


def assert_available(base: str, token: str) -> None:
    status, _, raw = call(base, "GET", "/api/v1/health")
    assert status == 200, raw[:300]
    status, _, raw = call(base, "GET", "/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, raw[:300]
    assert "items" in json.loads(raw)


def flask(url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "engine", *args], cwd=ROOT, check=True,
                          capture_output=True, text=True, env=dict(os.environ, SIP_DATABASE_URL=url))
    return done.stdout


def server_admin(url: str):
    """A connection to the PostgreSQL server (its `postgres` database) that may create and drop databases."""
    admin = sa.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1)).set(database="postgres")
    return sa.create_engine(admin, isolation_level="AUTOCOMMIT")


@pytest.fixture
def missing_database(migrated, tmp_path):
    """The URL of a database that is not there yet, and a function that creates it, migrated and set up."""
    if migrated.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'not-yet' / 'sip.sqlite3'}"

        def create():
            # Set up aside, then put in place at once, as a restored volume comes back.
            (tmp_path / "aside").mkdir()
            flask(f"sqlite:///{tmp_path / 'aside' / 'sip.sqlite3'}", "init")
            (tmp_path / "aside").rename(tmp_path / "not-yet")

        yield url, create
        return
    name = sa.make_url(migrated).database + "_outage"
    url = sa.make_url(migrated).set(database=name).render_as_string(hide_password=False)
    admin = server_admin(migrated)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def create():
        # Set up under another name, then renamed at once, as a restored database comes back.
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}_aside" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}_aside"'))
        flask(sa.make_url(url).set(database=f"{name}_aside").render_as_string(hide_password=False), "init")
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}_aside" RENAME TO "{name}"'))

    yield url, create
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_every_request_is_a_problem_document_while_the_database_is_away(missing_database):
    url, create = missing_database
    with gunicorn(url, database_ready=False, WORKERS=1, ENVIRONMENT="development") as base:
        assert_unavailable(base, "sip_a-token-the-database-would-have-to-confirm")

        create()
        flask(url, "users", "add", "--user", "eva", "--organisation", ORG[0], "--kind", ORG[1], "--region", ORG[2])
        token = flask(url, "tokens", "issue", "--user", "eva").strip()
        assert_available(base, token)

        if not url.startswith("postgresql"):
            return
        name = sa.make_url(url).database
        admin = server_admin(url)
        try:
            # Every connection the server's pool holds is ended by the database server, as by its restart
            # (AdminShutdown): the next requests draw connections that are checked first, and are answered. The
            # termination is waited for (up to 5 s), as a restart is over before clients come back.
            with admin.connect() as conn:
                ended = conn.execute(sa.text("SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM "
                                             "pg_stat_activity WHERE datname = :name) AS t"), {"name": name}).scalar()
            assert ended >= 1
            for _ in range(3):
                assert_available(base, token)

            # The database refuses connections for a while, as during a restart: problem documents again.
            with admin.connect() as conn:
                conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                             {"name": name})
            assert_unavailable(base, token)
            with admin.connect() as conn:
                conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            assert_available(base, token)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            admin.dispose()


def test_the_timer_worker_waits_out_a_database_outage(missing_database, tmp_path):
    url, create = missing_database
    log = tmp_path / "worker.log"

    def wait_for(text: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while text not in log.read_text():
            assert worker.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.2)

    with open(log, "wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "engine", "worker", "--interval", "0.5"],
                                  cwd=ROOT, env=dict(os.environ, SIP_DATABASE_URL=url), stdout=out, stderr=out)
        try:
            wait_for("the database cannot be reached; trying again in 0.5 s")
            create()
            wait_for("fired timers of 0 case(s)")
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    assert log.read_text().rstrip().endswith("stopped")
