"""Webhooks to a real HTTP receiver on 127.0.0.1 that verifies each signature as Standard Webhooks says: an
organisation's admin subscribes, the summons arrives once, signed, carrying ids and nothing about the person; an
endpoint that keeps failing is retried with backoff for a day and then disabled with the reason shown."""

from __future__ import annotations

from datetime import UTC, timedelta

import sqlalchemy as sa
import time_machine

from engine.database import db
from engine.notifications import webhooks
from engine.notifications.sender import sweep
from engine.store import Notification
from engine.store.models import utcnow
from tests.api.conftest import signed_in, user_token
from tests.notifications.conftest import assert_nothing_personal
from tests.notifications.test_email import summoned
from tests.routine.walk import VARDCENTRAL

VC = (VARDCENTRAL["organisation"], "primarvard", "base")


def subscribe(app, receiver, kinds=("summons", "task_created")):
    admin = signed_in(app, user_token("vc-admin", VC, roles=("staff", "admin")))
    answer = admin.post("/api/v1/webhooks", json={"url": receiver.url, "event_kinds": list(kinds)})
    assert answer.status_code == 201, answer.json
    receiver.secret = answer.json["secret"]
    return admin, answer.json


def test_only_admins_and_process_owners_manage_webhooks_and_the_secret_is_shown_once(sending, receiver):
    staff = signed_in(sending, user_token("vc-staff", VC))
    refused = staff.post("/api/v1/webhooks", json={"url": receiver.url, "event_kinds": ["summons"]})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"

    admin, created = subscribe(sending, receiver)
    assert created["secret"].startswith("whsec_")
    listed = admin.get("/api/v1/webhooks").json["items"]
    assert [item["id"] for item in listed] == [created["id"]]
    assert "secret" not in listed[0] and listed[0]["active"] is True

    wrong = admin.post("/api/v1/webhooks", json={"url": "ftp://x", "event_kinds": ["summons", "ingenting"]})
    assert wrong.status_code == 400
    assert {e["field"] for e in wrong.json["errors"]} == {"url", "event_kinds/1"}
    assert all(e["message"] for e in wrong.json["errors"])
    broken = admin.post("/api/v1/webhooks", json={"url": "https://[", "event_kinds": ["summons"]})
    assert broken.status_code == 400 and [e["field"] for e in broken.json["errors"]] == ["url"]

    other = signed_in(sending, user_token("kommun-admin", roles=("staff", "admin")))
    assert other.delete(f"/api/v1/webhooks/{created['id']}").status_code == 404, "another organisation's"
    assert admin.delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert admin.get("/api/v1/webhooks").json["items"] == []


def test_the_summons_arrives_once_signed_with_ids_only(sending, staff, receiver):
    subscribe(sending, receiver)
    walk = summoned(place="Hemma hos Anna")
    sweep()
    sweep()

    assert receiver.refused == []
    assert len(receiver.received) == 1, "the summons, once"
    delivery = receiver.received[0]
    task = walk.task("kvittera_kallelse", VARDCENTRAL["organisation"])
    assert delivery["json"]["type"] == "summons"
    assert delivery["json"]["data"] == {"event_id": delivery["json"]["data"]["event_id"], "case_id": walk.case_id,
                                        "task_id": task.id, "organisation": VARDCENTRAL["organisation"]}
    assert_nothing_personal(delivery["body"].decode())
    row = db.session.scalars(sa.select(Notification).where(Notification.channel == "webhook")).one()
    assert delivery["headers"]["webhook-id"] == "msg_" + row.idempotency_key
    assert row.status == "sent"


def test_a_failing_endpoint_is_retried_for_a_day_then_disabled_with_the_reason_shown(sending, staff, receiver):
    admin, created = subscribe(sending, receiver)
    receiver.statuses = [500]
    summoned(place="Näsby vårdcentral")
    sweep()
    row = db.session.scalars(sa.select(Notification).where(Notification.channel == "webhook")).one()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "mottagaren svarade HTTP 500")
    waits = []
    with time_machine.travel(utcnow(), tick=True) as clock:
        for _ in range(len(webhooks.RETRY_DELAYS)):
            db.session.expire_all()
            row = db.session.get(Notification, row.id)
            due = row.next_attempt_at.replace(tzinfo=UTC)  # as stored: UTC
            waits.append(due - utcnow())
            clock.move_to(due + timedelta(seconds=1))
            sweep()
    assert len(receiver.refused) == 1 + len(webhooks.RETRY_DELAYS)
    assert len({r["headers"]["webhook-id"] for r in receiver.refused}) == 1, "every retry is the same message"
    assert [round(w.total_seconds() / 60) for w in waits] == [0, 5, 30, 120, 300, 600, 600]
    assert sum(webhooks.RETRY_DELAYS) >= 24 * 3600

    db.session.expire_all()
    assert db.session.get(Notification, row.id).status == "failed"
    listed = admin.get("/api/v1/webhooks").json["items"][0]
    assert listed["active"] is False
    assert listed["disabled_reason"] == ("Leveranserna misslyckades i ett dygn; senast: mottagaren svarade "
                                         "HTTP 500")
