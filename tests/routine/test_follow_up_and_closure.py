"""Steps 8–9: the yearly follow-up by timer, the decision `uppfoljning_utfall`, closure and its reasons."""

from datetime import UTC, datetime

import pytest
import time_machine

from engine.services import cases
from engine.services.errors import Conflict
from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk, in_sweden


def planned(uppfoljningsdatum="2027-06-10"):
    return CaseWalk.start().to_plan(uppfoljningsdatum=uppfoljningsdatum)


def at(day: str):
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=8, tzinfo=UTC), tick=False)


def test_follow_up_task_comes_by_itself_when_its_date_comes(app):
    walk = planned("2027-06-10")
    assert walk.tasks() == []
    assert in_sweden(walk.case.next_timer_at) == "2027-06-10T00:00:00+02:00"
    with at("2027-06-09"):
        assert cases.fire_due_timers() == []
    assert walk.tasks() == []
    with at("2027-06-10"):
        assert cases.fire_due_timers() == [walk.case_id]
    assert walk.names() == ["genomfor_uppfoljning", "kvittera_uppfoljning", "kvittera_uppfoljning"]
    assert walk.case.next_timer_at is None


def test_continuing_plan_updates_goals_and_waits_for_the_next_follow_up(app):
    walk = planned("2027-06-10")
    with at("2027-06-10"):
        cases.fire_due_timers()
        walk.follow_up("2027-06-10", uppdaterade_mal=[{"mal": "Promenera varje dag"}],
                       deltagare_som_utgar=[VARDCENTRAL["organisation"]], nasta_uppfoljningsdatum="2029-01-01")
    case = walk.case
    assert case.status == "active"
    assert case.data["utfall"] == "fortsatt"
    assert case.data["plan"]["mal"] == [{"mal": "Promenera varje dag"}]
    assert [d["organisation"] for d in case.data["deltagare"]] == [KOMMUN["organisation"]]
    assert case.data["uppfoljningsdatum"] == "2028-06-10", "never more than 12 months ahead"
    assert in_sweden(case.next_timer_at) == "2028-06-10T00:00:00+02:00"
    with at("2028-06-10"):
        cases.fire_due_timers()
    assert walk.names() == ["genomfor_uppfoljning", "kvittera_uppfoljning"], "the vårdcentral has left the plan"


def test_coordinator_can_call_a_follow_up_before_the_date(app):
    walk = planned("2027-06-10")
    cases.send_message(walk.case_id, "uppfoljning_begard", {"orsak": "Anna har fallit"})
    assert walk.names() == ["genomfor_uppfoljning", "kvittera_uppfoljning", "kvittera_uppfoljning"]


@pytest.mark.parametrize("answers, reason", [
    ({"mal_uppfyllda": True}, "mal_uppfyllda"),
    ({"behov_av_samordning": False}, "samordning_behovs_inte"),
    ({"avliden": True}, "avliden"),
    ({"samtycke_aterkallat": True}, "samtycke_aterkallat"),
    ({"avliden": True, "nya_risker_eller_mal": True}, "avliden"),
])
def test_follow_up_closes_the_plan_for_each_reason(app, answers, reason):
    walk = planned()
    with at("2027-06-10"):
        cases.fire_due_timers()
        walk.follow_up("2027-06-10", **answers)
    assert walk.case.data["utfall"] == "avslut"
    assert walk.names() == ["dokumentera_avslut"]
    walk.do("dokumentera_avslut", {"avslutsorsak": reason, "avslutsdatum": "2027-06-20",
                                   "den_enskilde_informerad": True})
    assert sorted(t.candidate_group for t in walk.tasks()) == sorted([KOMMUN["organisation"],
                                                                      VARDCENTRAL["organisation"]])
    walk.each("kvittera_avslut", lambda group: {"kvitterat": True})
    assert (walk.case.status, walk.case.closure_reason) == ("closed", reason)
    assert walk.case.next_timer_at is None


def test_new_risks_close_the_plan_and_start_a_new_sip_referring_to_it(app):
    walk = planned()
    with at("2027-06-10"):
        cases.fire_due_timers()
        walk.follow_up("2027-06-10", nya_risker_eller_mal=True)
    assert walk.case.data["utfall"] == "ny_sip"
    walk.close()
    old = walk.case
    assert (old.status, old.closure_reason) == ("closed", "ny_sip")
    from engine.database import db
    from engine.store import Case

    new = db.session.query(Case).filter(Case.parent_case_id == old.id).one()
    assert new.status == "active"
    assert new.data["foregaende_arende"] == old.id
    assert new.data["huvudperson"]["namn"] == "Anna Andersson"
    assert [t.name for t in cases.open_tasks(new.id)] == ["bedom_behov_av_sip"]


@pytest.mark.parametrize("stage", ["summons", "premeeting", "documentation", "waiting_for_follow_up", "follow_up"])
def test_consent_can_be_withdrawn_at_any_moment_after_it_was_given(app, stage):
    walk = CaseWalk.start().initiate().consent()
    if stage != "summons":
        walk.prepare().acknowledge_all()
    if stage in ("documentation", "waiting_for_follow_up", "follow_up"):
        walk.premeeting().meeting()
    if stage in ("waiting_for_follow_up", "follow_up"):
        walk.document_all().approve_all().print_plan()
    if stage == "follow_up":
        cases.send_message(walk.case_id, "uppfoljning_begard")
    cases.send_message(walk.case_id, "samtycke_aterkallat", {"datum": "2027-01-15"})
    assert walk.names() == ["dokumentera_avslut"]
    assert walk.case.data["aterkallelse"] == {"datum": "2027-01-15"}
    walk.close()
    assert (walk.case.status, walk.case.closure_reason) == ("closed", "samtycke_aterkallat")
    assert walk.tasks() == []


def test_a_closed_case_waits_for_no_message(app):
    walk = planned()
    cases.send_message(walk.case_id, "samtycke_aterkallat")
    walk.close()
    with pytest.raises(Conflict):
        cases.send_message(walk.case_id, "samtycke_aterkallat")
