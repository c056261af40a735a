"""The product served by a real gunicorn (its own `gunicorn.conf.py`) on a free local port, for the tests that
talk to it over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, port: int | None = None, log: Path | None = None, database_ready: bool = True,
             **settings) -> Iterator[str]:
    """gunicorn on `database_url`, each of `settings` given as its ``SIP_*`` environment variable (``WORKERS=4``,
    ``ENVIRONMENT="development"``, …). Yields the base URL once the health check answers (with its database
    when `database_ready`, else answering at all); stops the server after. Its log goes to `log` if given."""
    port = port or free_port()
    env = dict(os.environ, SIP_DATABASE_URL=database_url, SIP_BIND=f"127.0.0.1:{port}",
               **{f"SIP_{key}": str(value) for key, value in settings.items()})
    # The server's log goes to a file: a pipe nobody reads during a long test fills up and stops the server.
    log = open(log, "w+b") if log is not None else tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "engine:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError as err:
                if isinstance(err, urllib.error.HTTPError) and not database_ready:
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError("gunicorn did not start: " + log.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
