"""Cases survive restarts at any step, each change is one transaction, bad input stores nothing."""

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from engine.database import db
from engine.services import cases
from engine.services.errors import Conflict, InvalidData, NotFound
from engine.store import Case, CaseEvent
from engine.store.direct_writes import update_now
from tests.routine.walk import KOMMUN, CaseWalk


def test_the_whole_routine_survives_a_restart_after_every_step(app, restart):
    walk = CaseWalk.start()
    steps = [
        lambda: walk.initiate(), lambda: walk.consent(), lambda: walk.prepare(), lambda: walk.acknowledge_all(),
        lambda: walk.premeeting(), lambda: walk.meeting(uppfoljningsdatum="2027-06-10"),
        lambda: walk.document_all(), lambda: walk.approve_all(), lambda: walk.print_plan(),
    ]
    for step in steps:
        restart()
        step()
    restart()
    with time_machine.travel(datetime(2027, 6, 10, 9, tzinfo=UTC), tick=False):
        cases.fire_due_timers()
    restart()
    walk.follow_up("2027-06-10", mal_uppfyllda=True)
    restart()
    walk.close()
    assert (walk.case.status, walk.case.closure_reason) == ("closed", "mal_uppfyllda")
    kinds = [e.kind for e in cases.case_history(walk.case_id)]
    assert kinds[0] == "started" and kinds[-1] == "status"
    assert kinds.count("task_completed") == 18


def test_stored_state_does_not_grow_with_follow_up_rounds(app):
    walk = CaseWalk.start().to_plan(uppfoljningsdatum="2027-06-10")
    sizes = []
    for year in range(2027, 2033):
        with time_machine.travel(datetime(year, 6, 10, 9, tzinfo=UTC), tick=False):
            cases.fire_due_timers()
            walk.follow_up(f"{year}-06-10")
        sizes.append(len(walk.case.state))
    # The first round leaves the follow-up's last run behind, as every later round does: from there on, equal.
    assert max(sizes[1:]) - min(sizes[1:]) < 200, sizes


def test_unknown_task_and_task_of_another_case_are_not_found(app):
    one, other = CaseWalk.start(), CaseWalk.start()
    with pytest.raises(NotFound):
        cases.complete_task("00000000-0000-0000-0000-000000000000", {})
    with pytest.raises(NotFound):
        cases.complete_task(one.task("bedom_behov_av_sip").id, {}, case_id=other.case_id)
    with pytest.raises(NotFound):
        cases.get_case("no-such-case")


def test_a_completed_task_cannot_be_completed_again(app):
    walk = CaseWalk.start()
    task_id = walk.task("bedom_behov_av_sip").id
    walk.initiate()
    revision = walk.case.revision
    with pytest.raises(Conflict):
        cases.complete_task(task_id, {})
    assert walk.case.revision == revision


def test_a_step_written_over_a_stale_read_of_its_case_is_a_conflict_and_stores_nothing(app):
    walk = CaseWalk.start()
    stale = db.session.get(Case, walk.case_id)
    with db.engine.begin() as other:  # someone else's change, committed after our read
        other.execute(sa.update(Case).where(Case.id == walk.case_id).values(revision=Case.revision + 1,
                                                                             person_name="Ändrad"))
    with pytest.raises(Conflict), cases.transaction(walk.case_id):
        cases.history(case_id=walk.case_id, kind="status", detail={"status": "closed"})
        update_now(db.session(), stale, status="closed", closure_reason="mal_uppfyllda")
    db.session.expire_all()
    case = walk.case
    assert (case.status, case.person_name, case.revision) == ("active", "Ändrad", 2)
    assert [e.kind for e in cases.case_history(walk.case_id)] == ["started"]


def test_invalid_data_names_each_field_and_stores_nothing(app):
    walk = CaseWalk.start()
    before = (walk.case.revision, walk.case.state, len(cases.case_history(walk.case_id)))
    with pytest.raises(InvalidData) as err:
        walk.do("bedom_behov_av_sip", {"initierad_av": "grannen", "huvudperson": {}, "sip_behovs": "ja",
                                       "okant_falt": 1})
    fields = {e["field"] for e in err.value.errors}
    assert fields == {"initierad_av", "huvudperson/namn", "sip_behovs", "samordningsansvarig", "okant_falt"}
    case = walk.case
    assert (case.revision, case.state, len(cases.case_history(walk.case_id))) == before
    assert walk.names() == ["bedom_behov_av_sip"]


def test_non_object_data_is_refused(app):
    walk = CaseWalk.start()
    with pytest.raises(InvalidData):
        cases.complete_task(walk.task("bedom_behov_av_sip").id, ["not", "an", "object"])


def test_a_failing_step_leaves_the_case_as_it_was_and_shows_an_incident(app, tmp_path):
    """A process whose script fails after a user task: the completion is rolled back whole."""
    from engine.services.process_sets import deploy

    bpmn = (tmp_path / "x.bpmn")
    bpmn.write_text(FAILING_PROCESS, encoding="utf-8")
    deploy({"bpmn/sip.bpmn": FAILING_PROCESS, "forms/fraga.schema.json": json.dumps(FORM)}, region="test")
    case = cases.start_case("test", {})
    task = cases.open_tasks(case.id)[0]
    before = (case.revision, case.state)
    from engine.services.errors import ProcessFailed

    with pytest.raises(ProcessFailed):
        cases.complete_task(task.id, {"tal": 0})
    db.session.expire_all()
    case = cases.get_case(case.id)
    assert (case.revision - 1, case.state) == before, "only the incident note was written"
    assert "division by zero" in case.incident
    assert [t.id for t in cases.open_tasks(case.id)] == [task.id]
    assert [e.kind for e in db.session.query(CaseEvent).filter_by(case_id=case.id)] == ["started", "incident"]
    cases.complete_task(task.id, {"tal": 4})
    assert cases.get_case(case.id).data["resultat"] == 25
    assert cases.get_case(case.id).incident is None


def test_regions_without_a_variant_run_the_base(app):
    walk = CaseWalk.start(region="ingen_variant")
    assert walk.case.definition.region == "base"
    assert walk.names() == ["bedom_behov_av_sip"]


def test_the_coordinator_is_recorded(app):
    walk = CaseWalk.start().initiate()
    assert walk.case.data["samordningsansvarig"] == KOMMUN


FORM = {"type": "object", "properties": {"tal": {"type": "integer"}}, "required": ["tal"],
        "additionalProperties": False}

FAILING_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="sip" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="fraga" name="Fråga">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="fraga.schema.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:scriptTask id="dela" name="Dela"><bpmn:script>resultat = 100 / tal</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="slut" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fraga" />
    <bpmn:sequenceFlow id="f2" sourceRef="fraga" targetRef="dela" />
    <bpmn:sequenceFlow id="f3" sourceRef="dela" targetRef="slut" />
  </bpmn:process>
</bpmn:definitions>
"""
