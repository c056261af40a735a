"""Moving many cases at once, some of which cannot move; a dry run first; and a move undone."""

from __future__ import annotations

import pytest
import time_machine

from engine import audit
from engine.database import db
from engine.services import case_migration as service
from engine.services import cases
from engine.store.case_migrations import MigrationRun

from .conftest import DUE, REGION, Walk, deploy_version, edited, removed, routine

CHANGED_FORM = ("forms/fyll_i.schema.json", '"antal": {"type": "integer"', '"antal": {"type": "string"')


def versions(walks) -> list[int]:
    return [walk.case.definition.version for walk in walks]


def test_a_bulk_run_moves_the_cases_that_can_move_and_reports_those_that_cannot(first):
    ended = Walk().in_stage().do("inne_i_steget")
    blocked = Walk()
    cases.save_draft(blocked.task("fyll_i").id, {"antal": 3}, user="eva")
    waiting = Walk().at_timer()
    acknowledging = Walk().half_acknowledged()
    deploy_version(edited(routine(), *CHANGED_FORM))

    planned = service.plan(service.Request(REGION, from_version=1))
    assert planned["summary"] == {"total": 3, "can_move": 2, "cannot_move": 1}, "the ended case is not selected"
    assert [c["case_id"] for c in planned["cases"] if not c["can_move"]] == [blocked.case_id]

    dry = service.migrate(service.Request(REGION, from_version=1), dry_run=True, actor="agare")
    assert dry.dry_run and dry.moved == 0 and dry.refused == 1
    assert versions([blocked, waiting, acknowledging]) == [1, 1, 1], "a dry run stores nothing of the cases"
    assert "migrated" not in waiting.history()

    run = service.migrate(service.Request(REGION, from_version=1), actor="agare")
    assert (run.total, run.moved, run.refused) == (3, 2, 1)
    assert versions([blocked, waiting, acknowledging]) == [1, 2, 2]
    assert ended.case.definition.version == 1

    stored = service.run_out(service.get_run(run.id))
    refused = [c for c in stored["cases"] if not c["moved"]]
    assert [c["case_id"] for c in refused] == [blocked.case_id]
    assert "antal" in refused[0]["reasons"][0]["message"]
    assert stored["summary"] == {"total": 3, "can_move": 2, "cannot_move": 1, "moved": 2}

    listed = service.plan(service.Request(REGION, case_ids=[ended.case_id, "finns-inte"]))
    assert [c["reasons"][0]["message"] for c in listed["cases"]] == [
        "Ärendet är avslutat och flyttas inte", "Inget ärende med detta id finns i regionen"]


def test_each_migration_is_in_the_case_history_and_audit_trail(first):
    walk = Walk().at_timer()
    deploy_version(edited(routine(), *CHANGED_FORM))
    run = service.migrate(service.Request(REGION, mapping={}), actor="agare")

    [event] = [e for e in cases.case_history(walk.case_id) if e.kind == "migrated"]
    assert event.actor == "agare"
    assert (event.detail["from_version"], event.detail["to_version"], event.detail["run"]) == (1, 2, run.id)
    [row] = [e for e in audit.case_events(walk.case_id) if e.action == "migrate_case"]
    assert row.user == "agare" and row.detail["mapping"] == {}


def test_a_move_back_restores_the_case_as_it_was_while_nothing_happened_since(first):
    walk = Walk().half_acknowledged()
    [before] = [(t.id, t.title) for t in walk.tasks()]
    deploy_version(edited(routine(), "bpmn/flytt.bpmn", 'name="Kvittera"', 'name="Kvittera nu"'))
    service.migrate(service.Request(REGION), actor="agare")
    assert [(t.id, t.title) for t in walk.tasks()] == [(before[0], "Kvittera nu")]

    service.undo(walk.case_id, actor="agare")

    assert walk.case.definition.version == 1
    assert [(t.id, t.title) for t in walk.tasks()] == [before]
    assert walk.history()[-2:] == ["migrated", "migration_undone"]
    with pytest.raises(service.NotMigrated):
        service.undo(walk.case_id, actor="agare")
    walk.do("kvittera")
    assert walk.case.next_timer_at is not None


def test_a_move_back_keeps_the_timer_and_it_fires_once(first):
    walk = Walk().at_timer()
    due = walk.case.next_timer_at
    deploy_version(edited(routine(), "bpmn/flytt.bpmn", ">uppfoljningsdatum<", '>"2027-09-01"<'))
    service.migrate(service.Request(REGION), actor="agare")
    assert walk.case.next_timer_at != due

    service.undo(walk.case_id, actor="agare")

    assert walk.case.next_timer_at == due
    with time_machine.travel(DUE, tick=False):
        assert cases.fire_due_timers() == [walk.case_id]
        assert cases.fire_due_timers() == []
    assert walk.history().count("timer") == 1


def test_no_move_back_once_something_happened_on_the_case(first):
    walk = Walk().half_acknowledged()
    deploy_version(edited(routine(), "bpmn/flytt.bpmn", 'name="Kvittera"', 'name="Kvittera nu"'))
    service.migrate(service.Request(REGION), actor="agare")
    walk.do("kvittera")

    with pytest.raises(service.NotMigrated) as refused:
        service.undo(walk.case_id, actor="agare")

    assert "Något har hänt i ärendet" in refused.value.detail
    assert walk.case.definition.version == 2


def test_a_draft_saved_after_the_move_blocks_the_move_back(first):
    walk = Walk()
    deploy_version(edited(routine(), *CHANGED_FORM))
    service.migrate(service.Request(REGION), actor="agare")
    cases.save_draft(walk.task("fyll_i").id, {"antal": "tre"}, user="eva")

    with pytest.raises(service.NotMigrated):
        service.undo(walk.case_id, actor="agare")
    assert walk.case.definition.version == 2


def test_runs_are_kept_with_their_reports(first):
    Walk()
    deploy_version(edited(routine(), *CHANGED_FORM))
    run = service.migrate(service.Request(REGION), dry_run=True, actor="agare")
    assert db.session.get(MigrationRun, run.id).report[0]["can_move"] is True


def test_a_run_judges_each_case_as_it_stands_under_its_lock_not_as_planned(first):
    walk = Walk()
    deploy_version(removed(routine(), "bpmn/flytt.bpmn", "kvittera"))
    assert service.plan(service.Request(REGION))["summary"]["can_move"] == 1, "at the form it can move"

    walk.do("fyll_i", {"antal": 1})  # now at the acknowledgements, which the new version no longer has
    run = service.migrate(service.Request(REGION), actor="agare")

    assert (run.moved, run.refused) == (0, 1)
    assert "'kvittera' finns inte i version 2" in run.report[0]["reasons"][0]["message"]
    assert walk.case.definition.version == 1 and len(walk.tasks()) == 2


def test_a_move_and_a_completion_at_the_same_moment_leave_the_case_whole(app, first, migrated):
    import threading

    from engine import create_app
    from engine.services.errors import Conflict

    walk = Walk()
    task_id = walk.task("fyll_i").id
    deploy_version(edited(routine(), "bpmn/flytt.bpmn", 'name="Klart"', 'name="Färdigt"'))
    barrier, outcomes = threading.Barrier(2), {}

    def moving():
        with create_app({"SQLALCHEMY_DATABASE_URI": migrated}).app_context():
            barrier.wait()
            outcomes["moved"] = service.migrate(service.Request(REGION, case_ids=[walk.case_id]), actor="agare").moved
            db.session.remove()

    def completing():
        with create_app({"SQLALCHEMY_DATABASE_URI": migrated}).app_context():
            barrier.wait()
            try:
                cases.complete_task(task_id, {"antal": 1}, actor="test")
                outcomes["completed"] = True
            except Conflict:
                outcomes["completed"] = False
            db.session.remove()

    threads = [threading.Thread(target=moving), threading.Thread(target=completing)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()

    history = walk.history()
    assert (walk.case.definition.version == 2) == bool(outcomes["moved"]) == ("migrated" in history)
    assert ("task_completed" in history) == outcomes["completed"]
    workflow = cases.read_workflow(walk.case)
    assert sorted(t.id for t in workflow.human_tasks()) == sorted(t.id for t in walk.tasks())
    expected = ["kvittera", "kvittera"] if outcomes["completed"] else ["fyll_i"]
    assert sorted(t.name for t in walk.tasks()) == expected
