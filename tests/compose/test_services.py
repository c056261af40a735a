"""The services of `docker-compose.yml`, run as the file runs them: the image's files laid out as its inline
Dockerfile copies them, its environment, and each service's own command and health check. There is no Docker
engine here; what runs is the same commands on the same files."""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = (ROOT / "docker-compose.yml").read_text()
SECRETS = {"SIP_DB_PASSWORD": "secret", "SIP_PERSONAL_NUMBER_KEY": "a long secret for the hash of personal numbers",
           "SIP_PERSONAL_NUMBER_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode()}


def block(text: str, key: str) -> list[str]:
    """The lines indented below the first line `key:` (a YAML block: a mapping, or a literal `|`)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{key}:"))
    indent = len(lines[start]) - len(lines[start].lstrip())
    found = []
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        found.append(line)
    return found


def service(name: str) -> str:
    return "\n".join(block("\n".join(block(COMPOSE, "services")), name))


def exec_form(text: str, key: str) -> list[str]:
    """A command in exec form (`key: [...]`), a JSON list."""
    return json.loads(re.search(rf"^\s*{key}: (\[.*\])$", text, re.M).group(1))


def interpolated(value: str) -> str:
    """Compose's `${VAR:?message}` and `${VAR:-default}` with the secrets given and nothing else set."""
    def one(match):
        name, kind, rest = match.groups()
        if name in SECRETS:
            return SECRETS[name]
        if kind == ":?":
            raise AssertionError(f"{name} is required: {rest}")
        return rest
    return re.sub(r"\$\{(\w+)(:\?|:-)([^}]*)\}", one, value)


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """The image's /app as its Dockerfile builds it, and the environment a service of the app runs with (the
    database a SQLite file: there is no `db` host here)."""
    stages = dockerfile_stages()
    dockerfile = stages[None]
    app = tmp_path_factory.mktemp("image") / "app"
    app.mkdir()
    assert "WORKDIR /app" in dockerfile
    assert any(line.startswith("RUN pip install") and " . " in f"{line} " for line in dockerfile), dockerfile
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIP_")}
    for line in dockerfile:
        instruction, _, arguments = line.partition(" ")
        if instruction == "COPY" and arguments.startswith("--from="):
            stage, source, target = shlex.split(arguments.removeprefix("--from="))
            shutil.copytree(built_in_stage(stages[stage], source), app / target.removeprefix("./"))
        elif instruction == "COPY":
            *sources, target = shlex.split(arguments)
            for source in sources:
                destination = app / target.removeprefix("./") if target not in ("./", ".") else app
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, destination, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(ROOT / source, destination / source if destination == app else destination)
        elif instruction == "ENV":
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                env[key] = value.replace("/app", str(app))
    for line in block(COMPOSE, "environment"):
        key, _, value = line.strip().partition(": ")
        env[key] = interpolated(value)
    assert env["SIP_DATABASE_URL"] == "postgresql://sip:secret@db:5432/sip"
    env["SIP_DATABASE_URL"] = f"sqlite:///{app.parent / 'sip.sqlite3'}"
    return app, env


def dockerfile_stages() -> dict[str | None, list[str]]:
    """The inline Dockerfile's instructions by build stage: each named stage (`FROM … AS name`), and the final
    stage, the image, under None."""
    stages, name = {}, None
    for line in (line.strip() for line in block(COMPOSE, "dockerfile_inline")):
        if line.startswith("FROM "):
            parts = line.split()
            name = parts[3] if len(parts) == 4 and parts[2].upper() == "AS" else None
            stages[name] = []
        stages[name].append(line)
    return stages


def built_in_stage(stage: list[str], path: str) -> Path:
    """What `path` holds at the end of a build stage that copies `webapp/` to its WORKDIR and builds it there
    with npm: the web app as this repository builds it (`npm ci` and `npm run build`, which CI runs too)."""
    workdir = next(line.split()[1] for line in stage if line.startswith("WORKDIR "))
    assert "COPY webapp ./" in stage and "RUN npm ci --no-audit --no-fund" in stage and "RUN npm run build" in stage
    from tests.web.conftest import _build_webapp

    _build_webapp()
    built = ROOT / "webapp" / Path(path).relative_to(workdir)
    assert built.is_dir(), f"{path} is not built"
    return built


def argv(command: list[str]) -> list[str]:
    """A service's command (exec form) run with this interpreter's python, flask and gunicorn."""
    if command[0] == "python":
        return [sys.executable, *command[1:]]
    if command[0] in ("flask", "gunicorn"):
        return [sys.executable, "-m", *command]
    return command


@pytest.fixture(scope="module")
def initialised(image):
    """The `init` service run to its end, as the other services wait for it to be."""
    app, env = image
    return subprocess.run(argv(exec_form(service("init"), "command")), cwd=app, env=env, capture_output=True,
                          text=True, timeout=180)


def test_init_creates_the_database_and_deploys_the_base_routine_and_every_region(image, initialised):
    assert initialised.returncode == 0, initialised.stderr[-3000:]
    assert "base routine sip v1 deployed" in initialised.stdout
    with sqlite3.connect(image[1]["SIP_DATABASE_URL"].removeprefix("sqlite:///")) as db:
        regions = {row[0] for row in db.execute("SELECT region FROM process_definitions")}
    assert regions == {"base", *(p.name for p in (ROOT / "processes" / "regions").iterdir() if p.is_dir())}


def test_the_api_serves_and_passes_its_health_check(image, initialised):
    app, env = image
    port = free_port()
    server = subprocess.Popen(argv(exec_form(service("api"), "command")), cwd=app,
                              env={**env, "SIP_BIND": f"127.0.0.1:{port}"}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    check = exec_form(service("api"), "test")
    assert check[0] == "CMD"
    check = argv([part.replace(":8000/", f":{port}/") for part in check[1:]])
    try:
        deadline = time.monotonic() + 30
        while True:
            healthy = subprocess.run(check, cwd=app, env=env, capture_output=True, timeout=10).returncode == 0
            if healthy or time.monotonic() > deadline or server.poll() is not None:
                break
            time.sleep(0.3)
        assert healthy, "gunicorn did not answer its health check"
        assert_serves_the_web_app(f"http://127.0.0.1:{port}")
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert server.returncode == 0, errors.decode()[-3000:]  # gunicorn stops cleanly on SIGTERM (docker stop)


def assert_serves_the_web_app(base: str) -> None:
    """The image's web app: the sign-in page, and the built app's own scripts that its page loads."""
    import urllib.request

    with urllib.request.urlopen(f"{base}/logga-in", timeout=10) as response:
        assert response.status == 200 and "Logga in" in response.read().decode()
    index = (ROOT / "webapp" / "dist" / "index.html").read_text()
    script = re.search(r'src="(/assets/[^"]+\.js)"', index).group(1)
    with urllib.request.urlopen(f"{base}{script}", timeout=10) as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith(("text/javascript",
                                                                                         "application/javascript"))


def test_the_worker_sweeps_and_stops_cleanly_when_told_to(image, initialised):
    app, env = image
    worker = subprocess.Popen(argv(exec_form(service("worker"), "command")), cwd=app, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert select.select([worker.stdout], [], [], 60)[0], "the worker printed nothing within a minute"
        first = worker.stdout.readline()
        assert first.startswith("fired timers of 0 case(s)"), first
        told = time.monotonic()
        worker.send_signal(signal.SIGTERM)  # while it waits out its interval of 30 s
        output, errors = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, errors[-3000:]
    assert time.monotonic() - told < 10
    assert output.strip() == "stopped" and "Traceback" not in errors
