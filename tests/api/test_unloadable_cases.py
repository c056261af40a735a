"""A case stored with data nested deeper than the workflow engine loads again (stored before requests were limited
in depth, or written straight into the database): every read of it answers, never 500. What needs the case's
workflow (a task, the diagram, a change) answers a problem document titled "Ärendet kan inte läsas in"; the case,
its plan, the lists and the person's pages show what they can; the case carries one incident saying so, however
often it is read, and the timer worker parks it instead of failing on it at every sweep."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from engine.database import db
from engine.services import cases
from engine.store import Case, CaseEvent
from tests.access.conftest import ASSESSMENT
from tests.api.conftest import signed_in, user_token
from tests.api.test_person_view import make_link, open_link, text_of

TITLE = "Ärendet kan inte läsas in"
CANNOT_LOAD = "Ärendet kan inte läsas in: dess data är nästlade för djupt"
DEEP = '"__djupt__"'


def deep_text(depth: int) -> str:
    """A JSON value `depth` objects deep, written out as text (deeper than json.dumps goes)."""
    return '{"niva": ' * depth + '"x"' + "}" * depth


def store_too_deep(case_id: str, depth: int, keep_stage: bool) -> None:
    """Write the case's stored state anew with every task's data holding a value `depth` levels deep, straight into
    the database; `keep_stage`: the stage and what the case waits for stay kept with it (else it reads as a case not
    changed since they were kept)."""
    db.session.rollback()
    state = json.loads(db.session.scalar(sa.select(Case.state).where(Case.id == case_id)))
    for task in state["tasks"].values():
        task["data"] = {**task.get("data", {}), "djup": "__djupt__"}
    state["data"] = {**state.get("data", {}), "djup": "__djupt__"}
    text = json.dumps(state, separators=(",", ":")).replace(DEEP, deep_text(depth))
    values = {"state": text, "next_timer_at": datetime.now(UTC) - timedelta(minutes=1)}
    if not keep_stage:
        values.update(stage=None, waiting=None)
    db.session.execute(sa.update(Case).where(Case.id == case_id).values(**values))
    db.session.commit()


def incidents(case_id: str) -> list[CaseEvent]:
    db.session.rollback()
    return db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case_id,
                                                         CaseEvent.kind == "incident")).all()


def unloadable(response):
    assert response.status_code == 422, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["type"] == "/problems/process-incident" and problem["title"] == TITLE
    assert problem["detail"].startswith(CANNOT_LOAD)
    return problem


@pytest.mark.parametrize(("depth", "keep_stage"), [(600, True), (900, False), (5000, False)])
def test_every_read_of_a_case_too_deep_to_load_answers_and_the_case_names_the_incident(
        app, client, start, restart, depth, keep_stage):
    case = start()
    case_id, task = case["id"], case["open_tasks"][0]["id"]
    link = make_link(client, case_id)
    store_too_deep(case_id, depth, keep_stage)
    fresh = signed_in(restart(), user_token("eva"))  # a worker that never had the case in memory

    for _ in range(2):  # read again: still answered, and the incident is not recorded again
        unloadable(fresh.get(f"/api/v1/tasks/{task}"))
        unloadable(fresh.get(f"/api/v1/cases/{case_id}/diagram"))
        shown = fresh.get(f"/api/v1/cases/{case_id}")
        assert shown.status_code == 200, shown.get_data(as_text=True)[:300]
        assert shown.json["incident"].startswith(CANNOT_LOAD)
        assert shown.json["available_messages"] == []
        assert [t["id"] for t in shown.json["open_tasks"]] == [task]
        for path, accept in [("plan", "application/json"), ("plan", "text/html"), ("plan/easy-read", "text/html")]:
            page = fresh.get(f"/api/v1/cases/{case_id}/{path}", headers={"Accept": accept})
            assert page.status_code == 200, (path, accept, page.get_data(as_text=True)[:300])
        assert fresh.get(f"/api/v1/cases/{case_id}/audit").status_code == 200
        listed = fresh.get("/api/v1/cases")
        assert listed.status_code == 200 and case_id in [c["id"] for c in listed.json["items"]]
        tasks = fresh.get("/api/v1/tasks")
        assert tasks.status_code == 200 and task in [t["id"] for t in tasks.json["items"]]
        assert fresh.get("/api/v1/tasks/summary").status_code == 200

    # Changes are refused the same way, and leave the case as it was.
    unloadable(fresh.put(f"/api/v1/tasks/{task}/draft", json={"data": {}}))
    unloadable(fresh.post(f"/api/v1/tasks/{task}/complete", json={"data": ASSESSMENT}))
    unloadable(fresh.post(f"/api/v1/cases/{case_id}/messages/samtycke_aterkallat", json={}))

    # The person's own pages show what they can.
    person, page = open_link(app, link)
    assert page.status_code == 200, text_of(page)
    assert "Min plan" in text_of(page)
    assert person.get(f"/min-plan/{case_id}/plan").status_code == 200
    consent = person.get(f"/min-plan/{case_id}/samtycke")
    assert consent.status_code in (200, 303, 404, 409), consent.get_data(as_text=True)[:300]

    # The timer worker meets it once: the incident is not recorded again, and the case is parked.
    for minutes in (1, 30, 90):
        with time_machine.travel(datetime.now(UTC) + timedelta(minutes=minutes), tick=False):
            assert cases.fire_due_timers() == []
    db.session.rollback()
    assert db.session.get(Case, case_id).next_timer_at is None

    recorded = incidents(case_id)
    assert len(recorded) == 1, [e.detail for e in recorded]
    assert recorded[0].detail["message"].startswith(CANNOT_LOAD)
    assert db.session.get(Case, case_id).incident == recorded[0].detail["message"]
