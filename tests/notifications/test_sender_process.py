"""The sender as it runs in production, `flask --app engine notify`, in processes of its own: killed with
SIGKILL in the middle of a batch and started again, it delivers every notification exactly once; two senders at
once never deliver one notification twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from engine.database import db
from engine.store import Notification
from tests.notifications.conftest import mail_settings
from tests.notifications.test_email import summoned

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sender(database_url: str, mailbox, *options: str) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIP_")}
    env.update({f"SIP_{key}": value for key, value in mail_settings(mailbox).items()},
               SIP_DATABASE_URL=database_url)
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "engine", "notify", "--once", *options],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def deliveries() -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).where(Notification.channel == "email")).all()


def assert_each_arrived_once(mailbox) -> None:
    rows = deliveries()
    assert rows and {row.status for row in rows} == {"sent"}
    arrived = Counter(mailbox.message_ids())
    expected = {f"<{row.idempotency_key}@notiser.example.se>" for row in rows}
    assert set(arrived) == expected, "every notification arrived, and nothing else"
    assert max(arrived.values()) == 1, [key for key, count in arrived.items() if count > 1]


def test_a_sender_killed_mid_batch_loses_nothing_and_sends_nothing_twice(app, staff, mailbox, migrated):
    for _ in range(3):
        summoned(place="Näsby vårdcentral")
    db.session.remove()
    mailbox.hold_at = 4  # the server holds back its answer to the fourth mail: the sender waits, mid-batch
    first = sender(migrated, mailbox, "--lease", "3")
    try:
        assert mailbox.holding.wait(120), first.stderr.read() if first.poll() is not None else "no fourth mail"
        first.kill()  # SIGKILL: no clean-up of any kind
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -9
    assert len(mailbox.messages) == 3, "three mails accepted before the kill, the fourth never"
    stuck = [row for row in deliveries() if row.status == "sending"]
    assert stuck, "the killed sender's claims are left behind"

    time.sleep(3.5)  # its lease runs out
    second = sender(migrated, mailbox, "--lease", "3")
    output, errors = second.communicate(timeout=120)
    assert second.returncode == 0, errors[-3000:]
    assert_each_arrived_once(mailbox)
    rows = deliveries()
    assert len(mailbox.messages) == len(rows)
    assert any(row.attempts == 2 for row in rows), "the claims the killed sender held were delivered by the next"


def test_two_senders_at_once_never_deliver_one_notification_twice(app, staff, mailbox, migrated):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two senders at once: PostgreSQL (SQLite takes one writer at a time)")
    for _ in range(6):
        summoned(place="Näsby vårdcentral")
    db.session.remove()
    senders = [sender(migrated, mailbox, "--batch", "2") for _ in range(2)]
    outputs = [process.communicate(timeout=180) for process in senders]
    for process, (_, errors) in zip(senders, outputs, strict=True):
        assert process.returncode == 0, errors[-3000:]
    assert_each_arrived_once(mailbox)
    sent = [int(output.split("sent ")[1].split(",")[0]) for output, _ in outputs]
    assert sum(sent) == len(deliveries())
    assert all(count > 0 for count in sent), f"both senders took part: {sent}"
