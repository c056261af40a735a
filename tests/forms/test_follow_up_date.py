"""The next follow-up's date is a plain optional date: left out, the plan is followed up again 12 months on,
and a date given at one follow-up is not taken again at the next one."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from engine.services import cases
from tests.routine.walk import CaseWalk


def at(day: str):
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=8, tzinfo=UTC), tick=False)


def test_a_follow_up_without_a_next_date_comes_back_in_twelve_months(app):
    walk = CaseWalk.start().to_plan(uppfoljningsdatum="2027-06-10")
    with at("2027-06-10"):
        cases.fire_due_timers()
        walk.follow_up("2027-06-10")
    assert walk.case.data["uppfoljningsdatum"] == "2028-06-10"
    assert walk.case.data["plan"]["uppfoljningsdatum"] == "2028-06-10"


def test_a_date_given_at_one_follow_up_is_not_taken_again_at_the_next(app):
    walk = CaseWalk.start().to_plan(uppfoljningsdatum="2027-06-10")
    with at("2027-06-10"):
        cases.fire_due_timers()
        walk.follow_up("2027-06-10", nasta_uppfoljningsdatum="2027-09-01")
    assert walk.case.data["uppfoljningsdatum"] == "2027-09-01"
    assert "nasta_uppfoljningsdatum" not in walk.case.data
    with at("2027-09-01"):
        cases.fire_due_timers()
        walk.follow_up("2027-09-01")
    assert walk.case.data["uppfoljningsdatum"] == "2028-09-01"
