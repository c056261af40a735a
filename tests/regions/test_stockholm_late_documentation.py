"""Stockholm: each service documents its commitments within two working days of the meeting; when one has not,
the coordinator is given a follow-up naming the late service, as in the base routine."""

from datetime import UTC, datetime

import pytest
import time_machine

from engine.database import db
from engine.services import cases
from tests.regions.walks import BUP, SKOLA_STHLM, SOCIALTJANST_BARN, StockholmWalk, local_day


@pytest.fixture(autouse=True)
def _deployed(stockholm):
    return stockholm


def at(moment: str):
    return time_machine.travel(datetime.fromisoformat(moment).replace(tzinfo=UTC), tick=False)


def after_the_meeting() -> StockholmWalk:
    """A Stockholm case past its meeting on Thursday 10 December 2026: documentation due Monday 14 December."""
    with at("2026-11-27T09:00"):
        walk = StockholmWalk.start().initiate().family_premeeting().acknowledge_all()
        return walk.meeting(motesdatum="2026-12-10")


def documented(group: str) -> dict:
    return {
        "insatser": [
            {
                "insats": "Samtal varje vecka",
                "hur_ofta": "Varje vecka",
                "nar": "Tisdagar",
                "var": "På skolan",
                "ansvarig": group,
            }
        ]
    }


def test_a_late_service_is_named_in_the_coordinators_follow_up(app):
    walk = after_the_meeting()
    assert {local_day(t.due_at) for t in walk.tasks() if t.name == "dokumentera_ataganden"} == {"2026-12-14"}
    with at("2026-11-30T09:00"):
        for service in (SOCIALTJANST_BARN, SKOLA_STHLM):
            walk.do("dokumentera_ataganden", documented(service["organisation"]), service["organisation"])

    with at("2026-12-14T20:00"):  # the last of the two working days: not late yet
        assert cases.fire_due_timers() == []
    db.session.expire_all()
    assert "folj_upp_forsenad_dokumentation" not in walk.names()

    with at("2026-12-15T07:00"):
        assert cases.fire_due_timers() == [walk.case_id]
    db.session.expire_all()
    follow_up = walk.task("folj_upp_forsenad_dokumentation")
    assert follow_up.candidate_group == "samordningsansvarig"
    instructions = cases.instructions_of(follow_up, walk.case)
    assert f"**{BUP['organisation']}** har ännu inte dokumenterat" in instructions
    assert "10 december 2026" in instructions and "Maja Lind" in instructions
    assert SOCIALTJANST_BARN["organisation"] not in instructions
    assert SKOLA_STHLM["organisation"] not in instructions
    assert walk.task("dokumentera_ataganden").candidate_group == BUP["organisation"], "still open for BUP"

    with at("2026-12-15T09:00"):
        walk.do("folj_upp_forsenad_dokumentation", {"atgard": "Ringde BUP", "kontaktade": [BUP["organisation"]]})
        walk.do("dokumentera_ataganden", documented(BUP["organisation"]), BUP["organisation"])
    assert walk.names() == ["godkann_plan"] * 3 + ["sip_kollen"]


def test_documentation_in_time_gets_no_follow_up(app):
    walk = after_the_meeting()
    with at("2026-12-14T10:00"):
        walk.document_all()
    with at("2026-12-16T07:00"):
        cases.fire_due_timers()
    db.session.expire_all()
    assert walk.names() == ["godkann_plan"] * 3 + ["sip_kollen"]
    assert walk.case.next_timer_at is None or local_day(walk.case.next_timer_at) > "2026-12-16"
