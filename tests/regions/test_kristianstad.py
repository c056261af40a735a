"""Kristianstad (Skåne): the officials' pre-meeting is always held, and the mobile care team check is always
made (Kristianstads kommun's routine)."""

import pytest

from engine.services.errors import InvalidData
from tests.regions.walks import ELIGIBLE, KristianstadWalk
from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk


@pytest.fixture(autouse=True)
def _deployed(kristianstad):
    return kristianstad


def at_premeeting():
    return KristianstadWalk.start().initiate().consent().prepare().acknowledge_all()


def test_the_pre_meeting_cannot_be_skipped(app):
    walk = KristianstadWalk.start().initiate().consent()
    with pytest.raises(InvalidData) as err:
        walk.prepare(tjanstemannamote_behovs=False)
    assert [e["field"] for e in err.value.errors] == ["tjanstemannamote_behovs"]
    walk.prepare().acknowledge_all()
    assert walk.names() == ["genomfor_tjanstemannamote"]
    assert walk.task("genomfor_tjanstemannamote").process == "tjanstemannamote"


def test_the_pre_meeting_always_asks_for_the_mobile_care_team_criteria(app):
    walk = at_premeeting()
    with pytest.raises(InvalidData) as err:
        walk.do("genomfor_tjanstemannamote", {"ordforande": {"namn": "Eva Ek", "organisation": "Kommunen"},
                                              "samordning_flyttas": False})
    assert {e["field"] for e in err.value.errors} == {
        "kroniska_diagnoser", "inlaggningar_12_man", "staende_lakemedel", "klarar_personlig_omvardnad", "alder",
        "hemsjukvard"}
    with pytest.raises(InvalidData) as err:
        walk.premeeting(mobilt_vardteam_aktuellt=False)
    assert [e["field"] for e in err.value.errors] == ["mobilt_vardteam_aktuellt"]


def test_eligible_person_gets_a_primary_care_decision_without_anyone_asking_for_it(app):
    walk = at_premeeting().premeeting(**ELIGIBLE)
    assert (walk.case.data["antal_kriterier"], walk.case.data["uppfyller_kriterier"]) == (4, True)
    assert walk.task("besluta_mobilt_vardteam").candidate_group == "primarvard"
    walk.do("besluta_mobilt_vardteam", {"mobilt_vardteam_beslut": "avslag", "avslagsorsak": "annat",
                                        "avslag_motivering": "Teamet har inte kapacitet"})
    walk.do("informera_mas", {"mas_informerad": True, "mas_namn": "Maja MAS", "informerad_datum": "2026-12-08"})
    assert walk.names() == ["genomfor_sip_mote"]


def test_person_below_the_criteria_goes_straight_to_the_meeting(app):
    walk = at_premeeting().premeeting()
    assert (walk.case.data["antal_kriterier"], walk.case.data["uppfyller_kriterier"]) == (3, False)
    assert walk.names() == ["genomfor_sip_mote"]


def test_a_kristianstad_case_runs_to_a_printed_plan(app):
    walk = at_premeeting().premeeting().meeting().document_all().approve_all().print_plan()
    plan = walk.case.data["plan"]
    assert walk.case.data["plan_klar"] is True
    assert {a["organisation"] for a in plan["aktorer"]} == {KOMMUN["organisation"], VARDCENTRAL["organisation"]}
    assert walk.case.definition.region == "kristianstad"


def test_the_base_routine_still_lets_the_pre_meeting_be_skipped(app):
    walk = CaseWalk.start().initiate().consent().prepare(tjanstemannamote=False).acknowledge_all()
    assert walk.names() == ["genomfor_sip_mote"]
