"""The real base routine, a new version of it made by changing a copy: cases in a called stage's multi-instance
task and cases waiting for their follow-up date move, and go on as the new version says."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import time_machine

from engine.services import case_migration as service
from engine.services import cases
from engine.services.process_sets import deploy, read_process_folder
from tests.routine.walk import CaseWalk

ROOT = Path(__file__).resolve().parents[2]
DUE = datetime(2027, 6, 11, 9, tzinfo=UTC)
FOLLOW_UP = ["genomfor_uppfoljning", "kvittera_uppfoljning", "kvittera_uppfoljning"]


def new_base_version(tmp_path: Path):
    """Version 2 of the base: the summons' acknowledgement renamed for staff, and its form asks one more thing."""
    shutil.copytree(ROOT / "processes", tmp_path / "processes")
    shutil.copytree(ROOT / "forms", tmp_path / "forms")
    diagram = tmp_path / "processes" / "bpmn" / "kallelse_och_forberedelse.bpmn"
    text = diagram.read_text(encoding="utf-8")
    assert 'name="Kvittera kallelse"' in text
    diagram.write_text(text.replace('name="Kvittera kallelse"', 'name="Kvittera kallelsen till SIP-mötet"'),
                       encoding="utf-8")
    form = tmp_path / "forms" / "kvittera_kallelse.schema.json"
    text = form.read_text(encoding="utf-8")
    assert '  "properties": {\n' in text
    form.write_text(text.replace('  "properties": {\n', '  "properties": {\n    "tolk_behovs": {"type": "boolean", '
                                 '"title": "Tolk behövs"},\n', 1), encoding="utf-8")
    definition, created = deploy(read_process_folder(tmp_path / "processes", tmp_path / "forms"), deployed_by="tests")
    assert created and definition.version == 2
    return definition


def test_a_half_acknowledged_summons_in_a_called_stage_moves_and_goes_on(app, tmp_path):
    walk = CaseWalk.start().initiate().consent().prepare()
    first, second = walk.tasks()
    cases.save_draft(second.id, {"kommer": True, "namn": "Per"}, user="per")
    cases.complete_task(first.id, {"kommer": True, "namn": "Eva", "kartlaggning": "Nuläge"}, actor="test")
    new_base_version(tmp_path)

    report = service.run_out(service.migrate(service.Request("base"), actor="agare"))

    assert report["summary"]["moved"] == 1, report
    [row] = walk.tasks()
    assert (row.id, row.title, row.candidate_group) == (second.id, "Kvittera kallelsen till SIP-mötet",
                                                        second.candidate_group)
    assert row.draft == {"kommer": True, "namn": "Per"}
    assert walk.case.definition.version == 2
    cases.complete_task(row.id, {"kommer": True, "namn": "Per", "tolk_behovs": True}, actor="test")
    assert walk.names() == ["genomfor_tjanstemannamote"]


def test_cases_waiting_for_their_follow_up_date_keep_it_and_their_timer_fires_once(app, tmp_path):
    with time_machine.travel(datetime(2026, 11, 27, 9, tzinfo=UTC), tick=False):
        walks = [CaseWalk.start().to_plan(uppfoljningsdatum="2027-06-10") for _ in range(3)]
    due = [walk.case.next_timer_at for walk in walks]
    new_base_version(tmp_path)

    run = service.migrate(service.Request("base", from_version=1), actor="agare")

    assert (run.moved, run.refused) == (3, 0)
    assert [walk.case.next_timer_at for walk in walks] == due
    assert all(walk.case.waiting for walk in walks), "the follow-up may still be asked for by message"
    with time_machine.travel(DUE, tick=False):
        assert sorted(cases.fire_due_timers()) == sorted(walk.case_id for walk in walks)
        assert cases.fire_due_timers() == []
    for walk in walks:
        assert [e.kind for e in cases.case_history(walk.case_id)].count("timer") == 1
        assert walk.names() == FOLLOW_UP


def test_a_follow_up_asked_for_by_message_after_the_move(app, tmp_path):
    with time_machine.travel(datetime(2026, 11, 27, 9, tzinfo=UTC), tick=False):
        walk = CaseWalk.start().to_plan(uppfoljningsdatum="2027-06-10")
    new_base_version(tmp_path)
    service.migrate(service.Request("base"), actor="agare")

    cases.send_message(walk.case_id, "uppfoljning_begard", actor="test")

    assert walk.names() == FOLLOW_UP
    assert walk.case.next_timer_at is None
