"""The outbox: a change writes its notifications in its own transaction (none for a change that fails), the
timer worker's sweep writes each deadline's notices once, and a meeting moved after its summons updates the
invitation in the calendars it was put in."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa

from engine.database import db
from engine.notifications import kinds
from engine.notifications.outbox import sweep_deadlines
from engine.notifications.sender import sweep
from engine.services import cases
from engine.services.errors import InvalidData
from engine.store import NotificationEvent
from engine.store.models import utcnow
from tests.notifications.test_email import body_of, invitation_of, started
from tests.routine.walk import KOMMUN, VARDCENTRAL


def events(**where) -> list[NotificationEvent]:
    return db.session.scalars(sa.select(NotificationEvent).filter_by(**where)
                              .order_by(NotificationEvent.created_at, NotificationEvent.key)).all()


def test_a_new_task_is_told_with_the_change_that_made_it_and_a_refused_change_tells_nothing(app):
    walk = started().initiate()
    assert events() == [], "before consent the case is nobody's but its initiator's, and the system started it"
    walk.consent()
    task = walk.task("forbered_sip")
    told = events(task_id=task.id)
    assert [(e.kind, e.organisation) for e in told] == [(kinds.TASK_CREATED, KOMMUN["organisation"])]

    before = len(events())
    with pytest.raises(InvalidData):
        walk.prepare(deltagare=[KOMMUN | {"huvudmannatyp": "polisen"}, VARDCENTRAL])
    assert len(events()) == before, "nothing of a refused change is stored, its notifications neither"


def test_each_deadline_is_told_once_the_day_before_and_once_when_it_has_passed(app, staff):
    walk = started().initiate().consent()
    task = walk.task("forbered_sip")
    due = task.due_at if task.due_at.tzinfo else task.due_at.replace(tzinfo=UTC)

    assert sweep_deadlines(at=due - timedelta(days=3)) == 0
    assert sweep_deadlines(at=due - timedelta(hours=20)) == 1
    assert sweep_deadlines(at=due - timedelta(hours=10)) == 0, "told once"
    cases.claim_task(task.id, user="eva")
    assert sweep_deadlines(at=due + timedelta(minutes=1)) == 1
    assert sweep_deadlines(at=due + timedelta(days=2)) == 0, "told once"
    tomorrow, passed = events(kind=kinds.DEADLINE_TOMORROW), events(kind=kinds.DEADLINE_PASSED)
    assert [(e.task_id, e.organisation, e.username) for e in tomorrow] == [(task.id, KOMMUN["organisation"], None)]
    assert [(e.task_id, e.username) for e in passed] == [(task.id, "eva")], "a claimed task's holder is told"


def test_the_deadline_mails_say_the_day_in_swedish_time(sending, staff, mailbox):
    walk = started().initiate().consent()
    task = walk.task("forbered_sip")
    due = task.due_at if task.due_at.tzinfo else task.due_at.replace(tzinfo=UTC)
    sweep_deadlines(at=due - timedelta(hours=20))
    sweep()
    mails = [m for m in mailbox.to(staff["eva"]) if m["Subject"] == "En uppgift i en SIP ska vara klar senast i morgon"]
    assert len(mails) == 1
    from engine.calendar import SWEDISH_TIME
    from engine.notifications.mail import swedish_date

    assert f"Sista dag: {swedish_date(due.astimezone(SWEDISH_TIME).date())}." in body_of(mails[0])
    assert f"/uppgifter/{task.id}" in body_of(mails[0])


# A routine whose meeting can be moved after the summons: the coordinator plans it, the summoned organisation
# acknowledges the summons, then the coordinator moves the meeting.
MOVABLE_MEETING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="sip" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="oppna" name="Öppna">
      <bpmn:script>samordningsansvarig = {{"organisation": "{kommun}"}}
deltagare = [{{"organisation": "{vc}", "huvudmannatyp": "primarvard"}}]
sip_delas = True</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="planera" name="Planera mötet">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="mote.schema.json" />
        <spiffworkflow:property name="candidateGroups" value="&quot;samordningsansvarig&quot;" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="kvittera_kallelse" name="Kvittera kallelse">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateGroups" value="deltagare[0][&quot;organisation&quot;]" />
        <spiffworkflow:property name="notification"
                                value="kallelse datum=motesdatum_planerat tid=motestid plats=motesplats" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="flytta_mote" name="Flytta mötet">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="mote.schema.json" />
        <spiffworkflow:property name="candidateGroups" value="&quot;samordningsansvarig&quot;" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="hall_motet" name="Håll mötet">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateGroups" value="&quot;samordningsansvarig&quot;" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="slut" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="oppna" />
    <bpmn:sequenceFlow id="f2" sourceRef="oppna" targetRef="planera" />
    <bpmn:sequenceFlow id="f3" sourceRef="planera" targetRef="kvittera_kallelse" />
    <bpmn:sequenceFlow id="f4" sourceRef="kvittera_kallelse" targetRef="flytta_mote" />
    <bpmn:sequenceFlow id="f5" sourceRef="flytta_mote" targetRef="hall_motet" />
    <bpmn:sequenceFlow id="f6" sourceRef="hall_motet" targetRef="slut" />
  </bpmn:process>
</bpmn:definitions>
""".format(kommun=KOMMUN["organisation"], vc=VARDCENTRAL["organisation"])
MEETING_FORM = {"type": "object", "properties": {"motesdatum_planerat": {"type": "string", "format": "date"},
                                                 "motestid": {"type": "string"}, "motesplats": {"type": "string"}},
                "required": ["motesdatum_planerat", "motestid", "motesplats"]}


def test_a_meeting_moved_after_its_summons_moves_in_the_calendar_it_was_put_in(sending, staff, mailbox):
    from engine.services.process_sets import deploy

    deploy({"bpmn/sip.bpmn": MOVABLE_MEETING, "forms/mote.schema.json": json.dumps(MEETING_FORM)}, region="flytt")
    case = cases.start_case("flytt", {})
    plan = next(t for t in cases.open_tasks(case.id) if t.name == "planera")
    cases.complete_task(plan.id, {"motesdatum_planerat": "2026-12-10", "motestid": "10:00", "motesplats": "Rum 1"})
    sweep()
    cases.complete_task(cases.open_tasks(case.id)[0].id, {})
    move = next(t for t in cases.open_tasks(case.id) if t.name == "flytta_mote")
    cases.complete_task(move.id, {"motesdatum_planerat": "2026-12-11", "motestid": "14:15", "motesplats": "Rum 2"})
    sweep()

    mails = mailbox.to(staff["per"])
    assert [m["Subject"] for m in mails] == ["Du har en ny uppgift i en SIP: en kallelse till SIP-möte",
                                             "Ett SIP-möte du är kallad till har ändrats"]
    first, moved = (invitation_of(m).walk("VEVENT")[0] for m in mails)
    assert invitation_of(mails[1])["METHOD"] == "REQUEST"
    assert str(moved["UID"]) == str(first["UID"]) and moved["SEQUENCE"] == first["SEQUENCE"] + 1
    assert moved.decoded("DTSTART").isoformat() == "2026-12-11T14:15:00+01:00"
    assert str(moved["LOCATION"]) == "Rum 2"
    assert "Mötet: 11 december 2026 klockan 14:15, plats: Rum 2." in body_of(mails[1])
    # The coordinator's organisation was not summoned: it gets its tasks, not the meeting's invitation.
    assert not [m for m in mailbox.to(staff["eva"]) if "möte" in m["Subject"].lower()]


def test_the_timer_workers_sweep_writes_the_notices_of_deadlines_passed(app, staff):
    from engine.store import Task

    walk = started().initiate().consent()
    task = walk.task("forbered_sip")
    db.session.execute(sa.update(Task).where(Task.id == task.id).values(due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()  # its day has passed
    runner = app.test_cli_runner()
    first = runner.invoke(args=["worker", "--once"])
    assert first.exit_code == 0, first.output
    assert first.output.strip().endswith("; 1 deadline notice(s)")
    assert runner.invoke(args=["worker", "--once"]).output.strip().endswith("; 0 deadline notice(s)")
    assert [(e.kind, e.task_id) for e in events(kind=kinds.DEADLINE_PASSED)] == [(kinds.DEADLINE_PASSED, task.id)]
