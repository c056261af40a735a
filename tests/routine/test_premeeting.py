"""Step 6: the officials' pre-meeting and the mobile care team check (decision `mobilt_vardteam`)."""

import pytest

from engine.services.errors import InvalidData
from tests.routine.walk import HEMSJUKVARD, KOMMUN, CaseWalk

ELIGIBLE = {"kroniska_diagnoser": 4, "inlaggningar_12_man": 3, "staende_lakemedel": 8,
            "klarar_personlig_omvardnad": False, "alder": 74, "hemsjukvard": False}  # exactly 4 of 6


def at_premeeting():
    return CaseWalk.start().initiate().consent().prepare().acknowledge_all()


def test_premeeting_appoints_chair_and_can_move_coordination(app):
    walk = at_premeeting()
    walk.premeeting(samordning_flyttas=True, ny_samordningsansvarig=HEMSJUKVARD,
                    ansvarsfordelning="Hemsjukvården samordnar", skriver_huvudmal="Eva Ek")
    data = walk.case.data
    assert data["ordforande"]["namn"] == "Eva Ek"
    assert data["samordningsansvarig"] == HEMSJUKVARD
    assert walk.names() == ["genomfor_sip_mote"]


def test_coordination_stays_unless_moved(app):
    walk = at_premeeting().premeeting()
    assert walk.case.data["samordningsansvarig"] == KOMMUN


def test_moving_coordination_needs_the_new_coordinator(app):
    walk = at_premeeting()
    with pytest.raises(InvalidData) as err:
        walk.premeeting(samordning_flyttas=True)
    assert [e["field"] for e in err.value.errors] == ["ny_samordningsansvarig"]


def test_premeeting_can_be_skipped_in_the_base_routine(app):
    walk = CaseWalk.start().initiate().consent().prepare(tjanstemannamote=False).acknowledge_all()
    assert walk.names() == ["genomfor_sip_mote"]


def test_eligible_for_mobile_care_team_gives_primary_care_a_decision(app):
    walk = at_premeeting().premeeting(mobilt_vardteam_aktuellt=True, **ELIGIBLE)
    assert walk.case.data["antal_kriterier"] == 4
    assert walk.case.data["uppfyller_kriterier"] is True
    assert walk.task("besluta_mobilt_vardteam").candidate_group == "primarvard"


def test_three_criteria_are_not_enough(app):
    walk = at_premeeting().premeeting(mobilt_vardteam_aktuellt=True, **(ELIGIBLE | {"kroniska_diagnoser": 2}))
    assert walk.case.data["antal_kriterier"] == 3
    assert walk.case.data["uppfyller_kriterier"] is False
    assert walk.names() == ["genomfor_sip_mote"]


def test_mobile_care_team_criteria_must_be_given_when_checked(app):
    walk = at_premeeting()
    with pytest.raises(InvalidData) as err:
        walk.premeeting(mobilt_vardteam_aktuellt=True, alder=80)
    fields = {e["field"] for e in err.value.errors}
    assert fields == {"kroniska_diagnoser", "inlaggningar_12_man", "staende_lakemedel",
                      "klarar_personlig_omvardnad", "hemsjukvard"}


def test_refusal_for_another_reason_is_documented_and_mas_informed(app):
    walk = at_premeeting().premeeting(mobilt_vardteam_aktuellt=True, **ELIGIBLE)
    with pytest.raises(InvalidData):
        walk.do("besluta_mobilt_vardteam", {"mobilt_vardteam_beslut": "avslag", "avslagsorsak": "annat"})
    walk.do("besluta_mobilt_vardteam", {"mobilt_vardteam_beslut": "avslag", "avslagsorsak": "annat",
                                        "avslag_motivering": "Teamet har inte kapacitet"})
    assert walk.task("informera_mas").candidate_group == "primarvard"
    walk.do("informera_mas", {"mas_informerad": True, "mas_namn": "Maja MAS", "informerad_datum": "2026-12-08"})
    assert walk.case.data["avslag_motivering"] == "Teamet har inte kapacitet"
    assert walk.names() == ["genomfor_sip_mote"]


@pytest.mark.parametrize("beslut", [
    {"mobilt_vardteam_beslut": "beviljas"},
    {"mobilt_vardteam_beslut": "avslag", "avslagsorsak": "kriterier_ej_uppfyllda"},
    {"mobilt_vardteam_beslut": "avslag", "avslagsorsak": "inget_behov"},
])
def test_grant_or_refusal_on_criteria_or_need_does_not_involve_mas(app, beslut):
    walk = at_premeeting().premeeting(mobilt_vardteam_aktuellt=True, **ELIGIBLE)
    walk.do("besluta_mobilt_vardteam", beslut)
    assert walk.names() == ["genomfor_sip_mote"]
