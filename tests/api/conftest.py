"""HTTP fixtures: Flask's test client, and a real gunicorn serving the app on a free local port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PERSON = {"personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}


@pytest.fixture
def client(app):
    return app.test_client()


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
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "engine:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
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
        raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode()[-2000:])
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
