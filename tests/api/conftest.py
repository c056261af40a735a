"""HTTP fixtures: Flask's test client, and a real gunicorn serving the app on a free local port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PERSON = {"personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}


KOMMUN_ORG = ("Kristianstads kommun, hemtjänst Norr", "kommun_sol", "kristianstad")


def user_token(username: str, organisation: tuple[str, str, str] | None = KOMMUN_ORG,
               roles=("staff",)) -> str:
    """A user of the organisation (name, huvudman kind, region) with a fresh API token."""
    from engine.database import db
    from engine.identity import ensure_organisation, ensure_user, issue_token

    org = ensure_organisation(*organisation) if organisation else None
    ensure_user(username, username.title(), org, list(roles))
    token = issue_token(username)
    db.session.commit()
    return token


def signed_in(app, token: str):
    """Flask's test client sending `Authorization: Bearer <token>` with every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.fixture
def client(app):
    """Signed in as eva, staff of the coordinating organisation of the routine's walks."""
    return signed_in(app, user_token("eva"))


@pytest.fixture
def other_client(app):
    """Signed in as per, staff of the same organisation as eva."""
    return signed_in(app, user_token("per"))


@pytest.fixture
def start(client):
    def _start(region="kristianstad", **variables):
        response = client.post("/api/v1/cases", json={"region": region, "person": PERSON, "variables": variables})
        assert response.status_code == 201, response.json
        return response.json
    return _start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn_server(app, migrated):
    """gunicorn with several workers on the test database, as `docker-compose.yml` runs it."""
    port = free_port()
    env = dict(os.environ, SIP_DATABASE_URL=migrated, SIP_WORKERS="4", SIP_BIND=f"127.0.0.1:{port}")
    log = tempfile.TemporaryFile()  # not a pipe: one nobody reads fills up and stops the server
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "engine:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        log.seek(0)
        raise RuntimeError("gunicorn did not start: " + log.read().decode()[-2000:])
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
