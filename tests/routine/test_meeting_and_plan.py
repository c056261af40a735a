"""Step 7: meeting, documentation within 2 Swedish working days, approval, the printed plan."""

from datetime import UTC, datetime

import pytest

from engine.services.errors import InvalidData
from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk


def at_meeting():
    return CaseWalk.start().initiate().consent().prepare().acknowledge_all().premeeting()


def local_day(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo("Europe/Stockholm")).date().isoformat()


@pytest.mark.parametrize("motesdatum, due", [
    ("2026-12-10", "2026-12-14"),  # Thursday -> Monday
    ("2026-06-18", "2026-06-23"),  # Thursday before midsommarafton (Friday 19 June) -> Tuesday
    ("2026-12-22", "2026-12-28"),  # Tuesday; julafton, juldagen, annandag jul -> Monday 28th
    ("2026-12-30", "2027-01-05"),  # nyårsafton and nyårsdagen off -> Monday 4th is day one
    ("2027-03-24", "2027-03-30"),  # Wednesday before långfredag/påsk 2027 -> Tuesday after annandag påsk
])
def test_documentation_is_due_two_swedish_working_days_after_the_meeting(app, motesdatum, due):
    walk = at_meeting().meeting(motesdatum=motesdatum, uppfoljningsdatum=motesdatum)
    tasks = [t for t in walk.tasks() if t.name == "dokumentera_ataganden"]
    assert sorted(t.candidate_group for t in tasks) == sorted([KOMMUN["organisation"], VARDCENTRAL["organisation"]])
    assert {local_day(t.due_at) for t in tasks} == {due}


def test_each_participant_documents_actions_or_no_action(app):
    walk = at_meeting().meeting()
    with pytest.raises(InvalidData) as err:
        walk.do("dokumentera_ataganden", {}, KOMMUN["organisation"])
    assert [e["field"] for e in err.value.errors] == ["insatser"]
    with pytest.raises(InvalidData) as err:
        walk.do("dokumentera_ataganden", {"ingen_insats": True}, VARDCENTRAL["organisation"])
    assert [e["field"] for e in err.value.errors] == ["ingen_insats_motivering"]
    walk.document_all()
    assert walk.names() == ["godkann_plan", "godkann_plan"]


def test_plan_is_approved_by_everyone_then_printed(app):
    walk = at_meeting().meeting().document_all()
    walk.do("godkann_plan", {"godkand": True}, KOMMUN["organisation"])
    assert walk.names() == ["godkann_plan"], "the plan waits for every participant's approval"
    walk.do("godkann_plan", {"godkand": True}, VARDCENTRAL["organisation"])
    assert walk.names() == ["skriv_ut_plan"]
    walk.print_plan()
    assert walk.case.data["plan_klar"] is True
    assert walk.case.status == "active"


def test_the_case_keeps_its_coordinator_and_plan_at_the_step_after_the_approvals(app):
    # The print step follows the approvals (one per participant): the case's data is still the whole case's there,
    # so the coordinator still coordinates, sees the step and prints the plan as agreed.
    walk = at_meeting().meeting().document_all().approve_all()
    assert walk.names() == ["skriv_ut_plan"]
    assert walk.case.data["samordningsansvarig"]["organisation"] == KOMMUN["organisation"]
    assert walk.case.data["plan"]["huvudmal"] == "Anna bor kvar hemma och känner sig trygg"


def test_the_plan_is_agreed_once_everyone_has_approved_it_and_so_printed(app):
    from engine.services.plans import plan_document

    walk = at_meeting().meeting().document_all()
    walk.do("godkann_plan", {"godkand": True}, KOMMUN["organisation"])
    assert plan_document(walk.case)["ready"] is False, "the vårdcentral has not approved it yet"
    walk.do("godkann_plan", {"godkand": True}, VARDCENTRAL["organisation"])
    assert walk.names() == ["skriv_ut_plan"]
    assert plan_document(walk.case)["ready"] is True, "the copy printed now is the agreed plan"


def test_plan_answers_the_four_legal_questions(app):
    walk = at_meeting().meeting().document_all().approve_all().print_plan()
    plan = walk.case.data["plan"]
    # 1 and 2: which interventions, and which huvudman provides each
    assert [(i["insats"], i["huvudman"]) for i in plan["insatser"]] == [
        ("Hemtjänst morgon och kväll", KOMMUN["organisation"])]
    assert plan["insatser"][0]["hur_ofta"] == "Dagligen"
    # 3: what others than municipality and region do
    assert [(i["aktor"], i["insats"]) for i in plan["ovriga_insatser"]] == [("Dottern Maria", "Handlar mat")]
    # 4: which huvudman has overall responsibility
    assert plan["overgripande_ansvar"] == KOMMUN["organisation"]
    # "no action" is documented too, with who said it
    no_action = [a for a in plan["aktorer"] if a["ingen_insats"]]
    assert [a["organisation"] for a in no_action] == [VARDCENTRAL["organisation"]]
    assert plan["huvudmal"].startswith("Anna bor kvar")


def test_follow_up_date_is_never_more_than_twelve_months_after_the_meeting(app):
    walk = at_meeting().meeting(motesdatum="2026-12-10", uppfoljningsdatum="2028-03-01")
    assert walk.case.data["uppfoljningsdatum"] == "2027-12-10"
    walk.document_all().approve_all().print_plan()
    assert walk.case.data["plan"]["uppfoljningsdatum"] == "2027-12-10"
