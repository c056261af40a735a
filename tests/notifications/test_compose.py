"""The `notify` service of `docker-compose.yml`, run as the file runs it (see tests/compose/): it sweeps, says
what it sent, and stops cleanly when told to, like the timer worker."""

from __future__ import annotations

import select
import signal
import subprocess
import time

from tests.compose.test_services import argv, exec_form, image, initialised, service  # noqa: F401 (fixtures)


def test_the_sender_sweeps_and_stops_cleanly_when_told_to(image, initialised):  # noqa: F811
    app, env = image
    assert initialised.returncode == 0, initialised.stderr[-3000:]
    command = exec_form(service("notify"), "command")
    assert command[:4] == ["flask", "--app", "engine", "notify"]
    sender = subprocess.Popen(argv(command), cwd=app, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        assert select.select([sender.stdout], [], [], 60)[0], "the sender printed nothing within a minute"
        first = sender.stdout.readline()
        assert first.startswith("notifications: sent 0, retrying 0, failed 0"), first
        told = time.monotonic()
        sender.send_signal(signal.SIGTERM)  # while it waits out its interval
        output, errors = sender.communicate(timeout=20)
    finally:
        if sender.poll() is None:
            sender.kill()
            sender.communicate()
    assert sender.returncode == 0, errors[-3000:]
    assert time.monotonic() - told < 10
    assert output.strip() == "stopped" and "Traceback" not in errors
