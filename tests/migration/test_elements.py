"""A case waiting at each kind of element, moved to a version where that element is unchanged, changed, renamed
(with a mapping, and without one) and removed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from engine.services import case_migration as service
from engine.services import cases
from engine.store import Task

from .conftest import DUE, REGION, Walk, deploy_version, edited, removed, renamed, routine

FLYTT = "bpmn/flytt.bpmn"
DELSTEG = "bpmn/delsteg.bpmn"


def plan(**request) -> dict:
    return service.plan(service.Request(REGION, **request))


def migrate(**request):
    return service.run_out(service.migrate(service.Request(REGION, **request), actor="agare"))


def only_case(report: dict) -> dict:
    [found] = report["cases"]
    return found


def unrelated_change():
    """A new version where nothing a waiting case stands at changed: only the end's name."""
    return deploy_version(edited(routine(), FLYTT, 'name="Klart"', 'name="Färdigt"'))


def open_rows(walk: Walk) -> list[tuple]:
    return sorted((t.id, t.name, t.title, t.candidate_group, t.assignee) for t in walk.tasks())


# -- a user task, with and without a draft ----------------------------------------------------------------------
def test_a_user_task_moves_to_a_version_that_did_not_change_it_with_its_id_claim_and_draft(first):
    walk = Walk()
    task = walk.task("fyll_i")
    cases.claim_task(task.id, "eva")
    cases.save_draft(task.id, {"antal": 3}, user="eva")
    unrelated_change()

    report = migrate()

    assert only_case(report)["moved"] is True
    row = walk.task("fyll_i")
    assert (row.id, row.assignee, row.draft) == (task.id, "eva", {"antal": 3})
    assert walk.case.definition.version == 2
    assert walk.history()[-1] == "migrated"


def test_a_changed_form_refuses_a_draft_that_no_longer_fits_naming_the_field(first):
    walk = Walk()
    task = walk.task("fyll_i")
    cases.save_draft(task.id, {"antal": 3}, user="eva")
    deploy_version(edited(routine(), "forms/fyll_i.schema.json", '"antal": {"type": "integer"',
                          '"antal": {"type": "string"'))

    verdict = only_case(plan())

    assert verdict["can_move"] is False
    [reason] = verdict["reasons"]
    assert reason["element"] == "fyll_i"
    assert "utkastet till uppgiften 'Fyll i'" in reason["message"] and "antal" in reason["message"]
    report = migrate()
    assert only_case(report)["moved"] is False
    assert walk.case.definition.version == 1, "a case that cannot move stays where it was"
    assert "migrated" not in walk.history()


def test_a_changed_form_and_title_move_a_task_without_a_draft_and_the_new_form_checks_it(first):
    walk = Walk()
    task = walk.task("fyll_i")
    files = edited(routine(), "forms/fyll_i.schema.json", '"antal": {"type": "integer"', '"antal": {"type": "string"')
    deploy_version(edited(files, FLYTT, 'name="Fyll i"', 'name="Fyll i uppgifterna"'))

    assert only_case(migrate())["moved"] is True

    row = walk.task("fyll_i")
    assert (row.id, row.title) == (task.id, "Fyll i uppgifterna")
    cases.save_draft(task.id, {"antal": "tre"}, user="eva")  # the new form: text; the old one refused it
    walk.do("fyll_i", {"antal": "tre"})
    assert sorted(t.name for t in walk.tasks()) == ["kvittera", "kvittera"]


def test_a_draft_that_still_fits_the_changed_form_is_kept(first):
    walk = Walk()
    task = walk.task("fyll_i")
    cases.save_draft(task.id, {"anteckning": "Påbörjad"}, user="eva")
    deploy_version(edited(routine(), "forms/fyll_i.schema.json", '"antal": {"type": "integer"',
                          '"antal": {"type": "string"'))

    assert only_case(migrate())["moved"] is True
    assert cases.open_tasks(walk.case_id)[0].draft == {"anteckning": "Påbörjad"}


def test_a_renamed_user_task_moves_with_a_mapping_and_is_refused_without_one(first):
    walk = Walk()
    task = walk.task("fyll_i")
    deploy_version(renamed(routine(), FLYTT, "fyll_i", "fyll_i_nu"))

    refused = only_case(plan())
    assert refused["can_move"] is False
    assert refused["reasons"] == [{"element": "fyll_i", "message":
                                   "Uppgiften 'Fyll i' är öppen, men 'fyll_i' finns inte i version 2"}]

    assert only_case(migrate(mapping={"fyll_i": "fyll_i_nu"}))["moved"] is True
    row = walk.task("fyll_i_nu")
    assert row.id == task.id
    walk.do("fyll_i_nu", {"antal": 1})
    assert [t.name for t in walk.tasks()] == ["kvittera", "kvittera"]


def test_a_removed_user_task_is_refused_with_the_reason(first):
    walk = Walk()
    deploy_version(removed(routine(), FLYTT, "fyll_i"))

    verdict = only_case(plan())

    assert verdict["can_move"] is False
    assert verdict["reasons"][0]["element"] == "fyll_i"
    assert "finns inte i version 2" in verdict["reasons"][0]["message"]
    assert only_case(migrate())["moved"] is False
    assert walk.case.definition.version == 1


def test_a_mapping_to_an_element_the_new_version_does_not_have_is_bad_input(first):
    Walk()
    unrelated_change()
    with pytest.raises(service.InvalidRequest) as refused:
        plan(mapping={"fyll_i": "finns_inte"})
    assert refused.value.extra["errors"] == [{"field": "mapping/fyll_i",
                                              "message": "'finns_inte' finns inte i version 2"}]


# -- a multi-instance task half done ----------------------------------------------------------------------------
def test_a_half_done_multi_instance_task_keeps_its_open_instance_and_goes_on_after_it(first):
    walk = Walk().half_acknowledged()
    before = open_rows(walk)
    deploy_version(edited(routine(), FLYTT, 'name="Kvittera"', 'name="Kvittera kallelsen"'))

    assert only_case(migrate())["moved"] is True

    [(task_id, name, title, group, _)] = open_rows(walk)
    assert (task_id, name, group) == before[0][:2] + (before[0][3],)
    assert title == "Kvittera kallelsen"
    walk.do("kvittera")
    assert walk.tasks() == [] and walk.case.next_timer_at is not None, "the one left done, the case waits for its date"


def test_a_half_done_multi_instance_task_unchanged_renamed_and_removed(first):
    walk = Walk().half_acknowledged()
    [before] = open_rows(walk)
    deploy_version(renamed(routine(), FLYTT, "kvittera", "kvittera_alla"))
    assert only_case(plan())["reasons"][0]["element"] == "kvittera"

    assert only_case(migrate(mapping={"kvittera": "kvittera_alla"}))["moved"] is True
    [after] = open_rows(walk)
    assert (after[0], after[1]) == (before[0], "kvittera_alla")

    deploy_version(removed(renamed(routine(), FLYTT, "kvittera", "kvittera_alla"), FLYTT, "kvittera_alla"))
    verdict = only_case(plan())
    assert verdict["can_move"] is False and verdict["reasons"][0]["element"] == "kvittera_alla"

    walk.do("kvittera_alla")
    assert walk.case.next_timer_at is not None


# -- a timer ---------------------------------------------------------------------------------------------------
def test_a_timer_keeps_its_due_moment_and_fires_once_after_the_move(first):
    walk = Walk().at_timer()
    due = walk.case.next_timer_at
    unrelated_change()

    assert only_case(migrate())["moved"] is True

    assert walk.case.next_timer_at == due
    with time_machine.travel(datetime(2027, 6, 9, 9, tzinfo=UTC), tick=False):
        assert cases.fire_due_timers() == []
    with time_machine.travel(DUE, tick=False):
        assert cases.fire_due_timers() == [walk.case_id]
        assert cases.fire_due_timers() == []
    assert walk.history().count("timer") == 1
    assert walk.case.waiting[0][0] == "besked_kommer"


def test_a_timer_whose_expression_changed_is_recalculated_as_the_plan_says(first):
    walk = Walk().at_timer()
    deploy_version(edited(routine(), FLYTT, ">uppfoljningsdatum<", '>"2027-09-01"<'))

    verdict = only_case(plan())
    assert verdict["can_move"] is True and verdict["retimed"] == ["vanta"]
    assert only_case(migrate())["moved"] is True

    assert walk.case.next_timer_at.date().isoformat() == "2027-08-31"  # the end of 1 September, Swedish time
    with time_machine.travel(DUE, tick=False):
        assert cases.fire_due_timers() == [], "not at the old date any more"
    with time_machine.travel(datetime(2027, 9, 2, 9, tzinfo=UTC), tick=False):
        assert cases.fire_due_timers() == [walk.case_id]
        assert cases.fire_due_timers() == []
    assert walk.history().count("timer") == 1


def test_a_timer_reading_a_variable_the_case_does_not_have_is_refused_naming_it(first):
    walk = Walk().at_timer()
    deploy_version(edited(routine(), FLYTT, ">uppfoljningsdatum<", ">nytt_datum<"))

    verdict = only_case(plan())

    assert verdict["can_move"] is False
    assert verdict["reasons"][0]["element"] == "vanta"
    assert "'nytt_datum'" in verdict["reasons"][0]["message"]
    assert only_case(migrate())["moved"] is False
    assert walk.case.definition.version == 1


def test_a_renamed_timer_keeps_its_moment_and_a_removed_one_is_refused(first):
    walk = Walk().at_timer()
    due = walk.case.next_timer_at
    deploy_version(renamed(routine(), FLYTT, "vanta", "vanta_pa_datum"))
    assert only_case(plan())["can_move"] is False

    assert only_case(migrate(mapping={"vanta": "vanta_pa_datum"}))["moved"] is True
    assert walk.case.next_timer_at == due

    deploy_version(removed(routine(), FLYTT, "vanta"))
    verdict = only_case(plan())
    assert verdict["can_move"] is False
    assert verdict["reasons"][0]["message"].startswith("Ärendet väntar på tiden vid 'Uppföljningsdatum nås'")


# -- a message wait -----------------------------------------------------------------------------------------------
def test_a_message_wait_stays_deliverable_after_a_move_that_did_not_change_it(first):
    walk = Walk().at_message()
    unrelated_change()

    assert only_case(migrate())["moved"] is True

    assert walk.case.waiting == [["besked_kommer", "sip", "besked"]]
    cases.send_message(walk.case_id, "besked_kommer", actor="test")
    assert [t.name for t in walk.tasks()] == ["inne_i_steget"]


def test_a_changed_message_is_waited_for_by_its_new_name(first):
    walk = Walk().at_message()
    files = edited(routine(), FLYTT, '<bpmn:message id="besked_kommer" name="besked_kommer"/>',
                   '<bpmn:message id="besked_kommer" name="beskedet_har_kommit"/>')
    deploy_version(files)

    assert only_case(migrate())["moved"] is True

    assert walk.case.waiting == [["beskedet_har_kommit", "sip", "besked"]]
    with pytest.raises(service.NotFound):
        cases.send_message(walk.case_id, "besked_kommer", actor="test")
    cases.send_message(walk.case_id, "beskedet_har_kommit", actor="test")
    assert [t.name for t in walk.tasks()] == ["inne_i_steget"]


def test_a_renamed_message_catch_moves_with_a_mapping_and_a_removed_one_is_refused(first):
    walk = Walk().at_message()
    deploy_version(renamed(routine(), FLYTT, "besked", "besked_tas_emot"))
    assert only_case(migrate(mapping={"besked": "besked_tas_emot"}))["moved"] is True
    assert walk.case.waiting == [["besked_kommer", "sip", "besked_tas_emot"]]

    deploy_version(removed(routine(), FLYTT, "besked"))
    verdict = only_case(plan())
    assert verdict["can_move"] is False
    assert verdict["reasons"][0]["message"].startswith("Ärendet väntar på meddelandet 'besked_kommer'")

    cases.send_message(walk.case_id, "besked_kommer", actor="test")
    assert [t.name for t in walk.tasks()] == ["inne_i_steget"]


# -- inside a called stage ----------------------------------------------------------------------------------------
def test_a_task_inside_a_called_stage_moves_unchanged_and_changed(first):
    walk = Walk().in_stage()
    [before] = open_rows(walk)
    unrelated_change()
    assert only_case(migrate())["moved"] is True
    assert open_rows(walk) == [before]

    deploy_version(edited(edited(routine(), FLYTT, 'name="Klart"', 'name="Färdigt"'), DELSTEG,
                          'name="Inne i steget"', 'name="Gör steget"'))
    assert only_case(migrate())["moved"] is True
    [after] = open_rows(walk)
    assert (after[0], after[2]) == (before[0], "Gör steget")
    walk.do("inne_i_steget")
    assert walk.case.status == "closed"


def test_a_task_inside_a_called_stage_renamed_with_a_mapping_and_removed(first):
    walk = Walk().in_stage()
    [before] = open_rows(walk)
    deploy_version(renamed(routine(), DELSTEG, "inne_i_steget", "inne_nu"))
    refused = only_case(plan())
    assert refused["reasons"][0]["element"] == "inne_i_steget"

    assert only_case(migrate(mapping={"inne_i_steget": "inne_nu"}))["moved"] is True
    assert open_rows(walk)[0][:2] == (before[0], "inne_nu")

    deploy_version(removed(routine(), DELSTEG, "inne_i_steget"))
    verdict = only_case(plan(mapping={}))
    assert verdict["can_move"] is False
    assert "Uppgiften 'Inne i steget' är öppen" in verdict["reasons"][0]["message"]


def test_a_called_stage_the_new_version_no_longer_has_is_refused(first):
    walk = Walk().in_stage()
    files = edited(routine(), FLYTT, 'calledElement="delsteg"', 'calledElement="annat_steg"')
    files = edited(files, DELSTEG, 'id="delsteg"', 'id="annat_steg"')
    deploy_version(files)

    verdict = only_case(plan())

    assert verdict["can_move"] is False
    assert "'delsteg'" in " ".join(r["message"] for r in verdict["reasons"])
    assert walk.case.definition.version == 1


def test_task_rows_are_the_tasks_the_workflow_has_after_a_move(first):
    walk = Walk().half_acknowledged()
    deploy_version(edited(routine(), FLYTT, 'name="Kvittera"', 'name="Kvittera nu"'))
    migrate()
    workflow = cases.read_workflow(walk.case)
    assert sorted(t.id for t in workflow.human_tasks()) == sorted(t.id for t in walk.tasks())
    assert Task.query.filter_by(case_id=walk.case_id, state="cancelled").count() == 0


# -- data the new version reads before it would be set ---------------------------------------------------------
BERAKNA = '''<bpmn:scriptTask id="berakna" name="Beräkna">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f2b</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2b" sourceRef="berakna" targetRef="kvittera"/>
    <bpmn:userTask id="kvittera" name="Kvittera">'''


def with_step_after_the_form(script: str) -> dict[str, str]:
    """A new version with a script step between the form and the acknowledgements."""
    files = edited(routine(), FLYTT, '<bpmn:userTask id="kvittera" name="Kvittera">', BERAKNA.format(script=script))
    files = edited(files, FLYTT, '<bpmn:sequenceFlow id="f2" sourceRef="fyll_i" targetRef="kvittera"/>',
                   '<bpmn:sequenceFlow id="f2" sourceRef="fyll_i" targetRef="berakna"/>')
    return edited(files, FLYTT, "<bpmn:incoming>f2</bpmn:incoming>\n      <bpmn:outgoing>f3</bpmn:outgoing>",
                  "<bpmn:incoming>f2b</bpmn:incoming>\n      <bpmn:outgoing>f3</bpmn:outgoing>")


def test_a_value_the_new_version_reads_before_any_step_sets_it_is_named(first):
    walk = Walk()
    deploy_version(with_step_after_the_form("dubbelt = antal_besok * 2"))

    verdict = only_case(plan())

    assert verdict["can_move"] is False
    assert verdict["reasons"] == [{"element": "berakna", "message": (
        "Den nya versionen läser 'antal_besok' vid 'berakna' innan något steg framför ärendet sätter det, "
        "och ärendet har inte det värdet")}]
    assert only_case(migrate())["moved"] is False
    assert walk.case.definition.version == 1


def test_a_value_the_open_form_or_the_case_sets_first_is_no_obstacle(first):
    walk = Walk()
    deploy_version(with_step_after_the_form(
        "dubbelt = antal * 2 if finns('antal') else 0\nalla = len(deltagare)"))

    assert only_case(migrate())["moved"] is True
    walk.do("fyll_i", {"antal": 2})
    assert walk.case.data["dubbelt"] == 4 and walk.case.data["alla"] == 2


def test_a_task_given_to_another_group_is_listed_for_it_after_the_move(first):
    import sqlalchemy as sa

    from engine.database import db
    from engine.identity import ensure_organisation, ensure_user, find_user
    from engine.identity.authenticate import principal_of
    from engine.store import TaskViewer

    organisation = ensure_organisation("Org A", "kommun_sol", REGION)
    ensure_user("eva", "Eva", organisation, ["staff"])
    db.session.commit()
    case = cases.start_case(REGION, {"deltagare": ["Org A"], "uppfoljningsdatum": "2027-06-10"},
                            principal=principal_of(find_user("eva"), None, "token"))
    [task] = cases.open_tasks(case.id)
    deploy_version(edited(routine(), FLYTT, 'value="&quot;Org A&quot;"', 'value="&quot;Org B&quot;"'))

    migrate()

    listed = db.session.execute(sa.select(TaskViewer.organisation, TaskViewer.candidate_group)
                                .where(TaskViewer.task_id == task.id)).all()
    assert listed == [("Org A", "Org B")], "the initiating organisation sees it, listed under its new group"
    assert cases.open_tasks(case.id)[0].candidate_group == "Org B"


def test_a_task_keeps_its_due_date_unless_the_new_version_computes_it_otherwise(first):
    walk = Walk()  # started on 1 December 2026: due ten days later
    due = walk.task("fyll_i").due_at
    assert due.date().isoformat() == "2026-12-11"
    unrelated_change()
    with time_machine.travel(datetime(2026, 12, 5, 9, tzinfo=UTC), tick=False):
        migrate()
    assert walk.task("fyll_i").due_at == due, "a move on 5 December does not make it due on the 15th"

    deploy_version(edited(routine(), FLYTT, "dagar_efter(idag(), 10)", "dagar_efter(idag(), 20)"))
    with time_machine.travel(datetime(2026, 12, 5, 9, tzinfo=UTC), tick=False):
        migrate()
    assert walk.task("fyll_i").due_at.date().isoformat() == "2026-12-25"

    service.undo(walk.case_id, actor="agare")
    assert walk.task("fyll_i").due_at == due
