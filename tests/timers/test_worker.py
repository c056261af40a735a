"""The timer worker: deadlines, yearly follow-ups and messages over months, with the clock moved."""

from datetime import UTC, datetime

import time_machine

from engine.database import db
from engine.services import cases
from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk, in_sweden

TODAY = datetime(2026, 11, 27, 9, tzinfo=UTC)


def at(moment: str):
    return time_machine.travel(datetime.fromisoformat(moment).replace(tzinfo=UTC), tick=False)


def run_worker(app) -> str:
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_case_started_today_reaches_its_documentation_reminder(app):
    with at("2026-11-27T09:00"):
        walk = CaseWalk.start().initiate().consent().prepare().acknowledge_all().premeeting()
        walk.meeting(motesdatum="2026-12-10", uppfoljningsdatum="2027-12-10")
        walk.do("dokumentera_ataganden", {"insatser": [{"insats": "Hemtjänst"}]}, KOMMUN["organisation"])
    with at("2026-12-14T20:00"):  # the last day of the deadline: no reminder yet
        assert "fired timers of 0 case(s)" in run_worker(app)
    with at("2026-12-15T07:00"):
        assert "fired timers of 1 case(s)" in run_worker(app)
    db.session.expire_all()
    reminder = walk.task("folj_upp_forsenad_dokumentation")
    assert reminder.candidate_group == "samordningsansvarig"
    assert walk.task("dokumentera_ataganden").candidate_group == VARDCENTRAL["organisation"]
    walk.do("folj_upp_forsenad_dokumentation", {"atgard": "Ringde vårdcentralen", "kontaktade": ["Vårdcentralen"]})
    walk.do("dokumentera_ataganden", {"ingen_insats": True, "ingen_insats_motivering": "Inget behov"},
            VARDCENTRAL["organisation"])
    assert walk.names() == ["godkann_plan", "godkann_plan"]


def test_documentation_in_time_gets_no_reminder(app):
    with at("2026-11-27T09:00"):
        walk = CaseWalk.start().initiate().consent().prepare().acknowledge_all().premeeting()
        walk.meeting(motesdatum="2026-12-10", uppfoljningsdatum="2027-12-10").document_all()
    with at("2026-12-16T07:00"):
        run_worker(app)
    db.session.expire_all()
    assert walk.names() == ["godkann_plan", "godkann_plan"]


def test_a_case_started_today_reaches_its_yearly_follow_up_and_a_withdrawal(app):
    with at("2026-11-27T09:00"):
        walk = CaseWalk.start().to_plan(motesdatum="2026-12-10", uppfoljningsdatum="2027-12-10")
    with at("2027-12-09T22:59"):  # 23:59 in Sweden
        assert "fired timers of 0 case(s)" in run_worker(app)
    with at("2027-12-10T06:00"):
        assert "fired timers of 1 case(s)" in run_worker(app)
    db.session.expire_all()
    assert walk.names() == ["genomfor_uppfoljning", "kvittera_uppfoljning", "kvittera_uppfoljning"]
    with at("2027-12-11T10:00"):
        walk.follow_up("2027-12-11")
    assert in_sweden(walk.case.next_timer_at) == "2028-12-11T00:00:00+01:00"
    with at("2028-03-01T10:00"):
        cases.send_message(walk.case_id, "samtycke_aterkallat", {"datum": "2028-03-01"})
        walk.close()
    assert (walk.case.status, walk.case.closure_reason) == ("closed", "samtycke_aterkallat")
    assert walk.case.next_timer_at is None
    with at("2028-12-12T10:00"):
        assert "fired timers of 0 case(s)" in run_worker(app)


def test_a_follow_up_date_is_due_at_midnight_swedish_time_in_summer_and_winter(app):
    """Whatever the server's time zone: a date in a timer is the start of that day in Sweden."""
    with at("2026-11-27T09:00"):
        summer = CaseWalk.start().to_plan(motesdatum="2026-12-10", uppfoljningsdatum="2027-06-10")
        winter = CaseWalk.start().to_plan(motesdatum="2026-12-10", uppfoljningsdatum="2027-12-10")
    assert in_sweden(summer.case.next_timer_at) == "2027-06-10T00:00:00+02:00"
    assert in_sweden(winter.case.next_timer_at) == "2027-12-10T00:00:00+01:00"
    with at("2027-06-09T21:59"):
        assert "fired timers of 0 case(s)" in run_worker(app)
    with at("2027-06-09T22:01"):
        assert "fired timers of 1 case(s)" in run_worker(app)
    db.session.expire_all()
    assert summer.names() == ["genomfor_uppfoljning", "kvittera_uppfoljning", "kvittera_uppfoljning"]


def test_the_sweep_reads_only_due_cases(app):
    with at("2026-11-27T09:00"):
        walks = [CaseWalk.start().to_plan(uppfoljningsdatum=f"2027-0{m}-10") for m in (3, 4, 5)]
    with at("2027-04-20T09:00"):
        fired = cases.fire_due_timers()
    assert sorted(fired) == sorted(w.case_id for w in walks[:2])
    kinds = [[e.kind for e in cases.case_history(w.case_id)].count("timer") for w in walks]
    assert kinds == [1, 1, 0]


def test_an_acknowledgement_can_arrive_as_a_message(app):
    walk = CaseWalk.start().initiate().consent().prepare()
    cases.send_message(walk.case_id, "kallelse_kvitterad", {
        "organisation": VARDCENTRAL["organisation"],
        "data": {"kommer": True, "namn": "Per Berg", "kartlaggning": "Diabetes, insulin"}})
    assert [t.candidate_group for t in walk.tasks()] == [KOMMUN["organisation"]]
    import pytest

    from engine.services.errors import Conflict, InvalidData

    with pytest.raises(InvalidData):
        cases.send_message(walk.case_id, "kallelse_kvitterad",
                           {"organisation": KOMMUN["organisation"], "data": {"kommer": "kanske"}})
    with pytest.raises(Conflict):
        cases.send_message(walk.case_id, "kallelse_kvitterad", {"organisation": "Okänd enhet", "data": {}})
    cases.send_message(walk.case_id, "kallelse_kvitterad",
                       {"organisation": KOMMUN["organisation"], "data": {"kommer": True, "namn": "Eva Ek"}})
    assert walk.names() == ["genomfor_tjanstemannamote"]
    acks = {k["organisation"]: k for k in walk.case.data["kvitteringar"]}
    assert acks[VARDCENTRAL["organisation"]]["kartlaggning"] == "Diabetes, insulin"
