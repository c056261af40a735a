"""A case that would go round without end stops at the engine's limits and says where, instead of staying active
with nothing to do. The diagrams deploy (each loop has a user task in it), yet go round without waiting: the
user task is a multi-instance task over a list the script leaves empty, or the stage calls itself. A start that
runs into it is refused with a problem document and stores nothing; a completion or a timer that runs into it
leaves the case as it was, with the incident on it, in its history and in its answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from engine.services import case_migration, cases
from engine.services.process_sets import deploy, overlay, read_process_folder

from .conftest import FILES, PERSON, count

REVIEW_LOOP = "granskat ('Granskat av alla?') in process 'initiering_och_samtycke' ran more than 100 times"
SELF_CALL = ("more than 50 deep, at initiera_igen ('Initiera igen') in process 'initiering_och_samtycke' "
             "(a process calling itself without waiting?)")
KOMMUN = {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr", "huvudmannatyp": "kommun_sol"}
ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Anna Andersson", "alder": 82},
              "samordningsansvarig": KOMMUN, "sip_behovs": True}


@pytest.fixture
def deployed(upload):
    def _deployed(name: str, region: str = "kristianstad"):
        response = upload({name: (FILES / name).read_text(encoding="utf-8")}, region=region, deployed_by="tests")
        assert response.status_code == 201, response.json
    return _deployed


def stored() -> tuple[int, int, int]:
    return count("cases"), count("tasks"), count("case_events")


@pytest.mark.parametrize(("name", "where"), [
    pytest.param("slinga_tom_granskning_vid_start.bpmn", REVIEW_LOOP, id="loop"),
    pytest.param("anropar_sig_sjalv.bpmn", SELF_CALL, id="stage calling itself"),
])
def test_a_start_that_would_not_end_answers_a_problem_and_stores_nothing(client, deployed, name, where):
    deployed(name)
    before = stored()
    response = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON})

    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["type"] == "/problems/process-incident"
    assert body["title"] == "Processen kunde inte fortsätta"
    assert where in body["detail"] and "not stored" in body["detail"]
    assert stored() == before
    # The server goes on serving: another region's start is not held up.
    assert client.post("/api/v1/cases", json={"region": "jonkoping", "person": PERSON}).status_code == 201


def test_a_start_into_a_loop_deployed_before_loops_were_checked_answers_a_problem(app, client):
    """A parallel gateway whose branch flows back into it, deployed when that was not refused yet: SpiffWorkflow
    recurses without end as it looks ahead along the loop, when the stage that holds it is called."""
    base = read_process_folder(app.config["PROCESSES_DIR"], app.config["FORMS_DIR"])
    name = "slinga_parallell_gateway.bpmn"
    deploy(overlay(base, {f"bpmn/{name}": (FILES / name).read_text(encoding="utf-8")}), region="kristianstad",
           deployed_by="before loops were checked")
    before = stored()
    response = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON})

    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "/problems/process-incident"
    assert ("at dela_upp ('Bedöm och inhämta samtycke') in process 'initiering_och_samtycke': it recursed without "
            "end looking ahead along a loop that no gateway can leave") in response.json["detail"]
    assert stored() == before


def test_a_completion_that_would_not_end_leaves_the_case_as_it_was_with_the_incident(client, deployed):
    deployed("slinga_tom_granskning.bpmn")
    started = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON})
    assert started.status_code == 201, started.json
    case_id, task = started.json["id"], started.json["open_tasks"][0]
    before = client.get(f"/api/v1/cases/{case_id}").json
    assert before["incident"] is None

    for _ in range(2):  # the same again: the case does not move, and says why each time
        response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": ASSESSMENT})
        assert response.status_code == 422, response.json
        assert response.json["type"] == "/problems/process-incident"
        assert REVIEW_LOOP in response.json["detail"]

    case = client.get(f"/api/v1/cases/{case_id}").json
    assert case["status"] == "active" and REVIEW_LOOP in case["incident"]
    assert [t["id"] for t in case["open_tasks"]] == [task["id"]]  # still to do, by whoever can fix it
    incidents = [e for e in case["history"] if e["kind"] == "incident"]
    assert len(incidents) == 2 and REVIEW_LOOP in incidents[-1]["detail"]["message"]
    assert [e["kind"] for e in case["history"] if e["kind"] != "incident"] == \
        [e["kind"] for e in before["history"]]
    assert case["plan"] == before["plan"]


def test_a_timer_that_runs_into_the_loop_records_the_incident_once_and_parks_until_the_case_is_mended(
        app, client, deployed, upload):
    """The worker sweeps every few seconds: the case's incident is one row, not one a sweep, and the case is not
    tried again at every sweep. Moved to a version whose loop is mended, its timer fires and the case goes on."""
    name = "slinga_tom_granskning_efter_timer.bpmn"
    deployed(name)
    started = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON})
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    waiting = client.get(f"/api/v1/cases/{case_id}").json
    assert waiting["next_timer_at"] and waiting["open_tasks"] == []

    for hours in (48, 49, 60, 24 * 5):  # sweep after sweep, the same fault
        with time_machine.travel(cases.now() + timedelta(hours=hours), tick=False):
            assert cases.fire_due_timers() == []

    case = client.get(f"/api/v1/cases/{case_id}").json
    assert case["status"] == "active" and REVIEW_LOOP in case["incident"]
    assert case["next_timer_at"] is None  # parked: no sweep tries it again until someone mends the case
    incidents = [e for e in case["history"] if e["kind"] == "incident"]
    assert len(incidents) == 1 and REVIEW_LOOP in incidents[0]["detail"]["message"]
    assert incidents[0]["detail"]["timers_parked"]
    assert [e["kind"] for e in case["history"]][-1] == "incident"

    # The process owner mends the loop (someone to review) and moves the case onto that version.
    mended = (FILES / name).read_text(encoding="utf-8").replace("granskare = []", 'granskare = ["Eva"]')
    assert mended != (FILES / name).read_text(encoding="utf-8")
    answer = upload({name: mended}, region="kristianstad", deployed_by="tests")
    assert answer.status_code == 201, answer.json
    run = case_migration.migrate(case_migration.Request(region="kristianstad", case_ids=[case_id]), actor="olle")
    assert run.moved == 1, run.report
    moved = client.get(f"/api/v1/cases/{case_id}").json
    assert moved["next_timer_at"] == waiting["next_timer_at"]  # its timer is swept again

    with time_machine.travel(cases.now() + timedelta(days=6), tick=False):
        assert cases.fire_due_timers() == [case_id]
    case = client.get(f"/api/v1/cases/{case_id}").json
    assert case["incident"] is None and case["next_timer_at"] is None
    assert [t["name"] for t in case["open_tasks"]] == ["granska"]
    assert len([e for e in case["history"] if e["kind"] == "incident"]) == 1


def test_a_step_that_would_leave_the_case_with_nothing_to_move_it_is_an_incident(app, client):
    """A loop flowing back into a parallel gateway that waits for a flow from before the loop too, deployed when
    that was not refused yet: going round, the case would wait there for ever with nothing open."""
    base = read_process_folder(app.config["PROCESSES_DIR"], app.config["FORMS_DIR"])
    name = "slinga_parallell_via_gateway.bpmn"
    deploy(overlay(base, {f"bpmn/{name}": (FILES / name).read_text(encoding="utf-8")}), region="kristianstad",
           deployed_by="before loops were checked")
    case_id = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON}).json["id"]

    def task(name: str) -> str:
        tasks = client.get(f"/api/v1/cases/{case_id}").json["open_tasks"]
        return next(t["id"] for t in tasks if t["name"] == name)

    done = client.post(f"/api/v1/tasks/{task('bedom_behov_av_sip')}/complete", json={"data": ASSESSMENT})
    assert done.status_code == 200, done.json
    consent = task("inhamta_samtycke")
    response = client.post(f"/api/v1/tasks/{consent}/complete", json={"data": {
        "samtycke": "kan_inte_samtycka", "samtycke_datum": "2026-12-01"}})

    assert response.status_code == 422, response.json
    assert response.json["type"] == "/problems/process-incident"
    where = ("waiting at dela_upp ('Bedöm och inhämta samtycke') in process 'initiering_och_samtycke' with nothing "
             "that can move it")
    assert where in response.json["detail"]
    case = client.get(f"/api/v1/cases/{case_id}").json
    assert case["status"] == "active" and where in case["incident"]
    assert [t["id"] for t in case["open_tasks"]] == [consent]  # as it was: the consent can be asked again
