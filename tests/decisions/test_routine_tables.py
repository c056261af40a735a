"""The routine's decision tables in processes/dmn: their contracts, and that they open as DMN 1.3."""

import pytest
from lxml import etree

from .conftest import ROUTINE_DMN

ELIGIBLE = {"kroniska_diagnoser": 4, "inlaggningar_12_man": 3, "staende_lakemedel": 8,
            "klarar_personlig_omvardnad": False, "alder": 74, "hemsjukvard": False}  # exactly 4 of 6
NONE_MET = {"kroniska_diagnoser": 0, "inlaggningar_12_man": 0, "staende_lakemedel": 0,
            "klarar_personlig_omvardnad": True, "alder": 40, "hemsjukvard": False}


@pytest.mark.parametrize("name", ["mobilt_vardteam.dmn", "uppfoljning_utfall.dmn", "kallelse_krav.dmn"])
def test_files_are_dmn_13_with_a_shape_for_every_decision(name):
    root = etree.parse(str(ROUTINE_DMN / name)).getroot()
    ns = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/", "dmndi": "https://www.omg.org/spec/DMN/20191111/DMNDI/"}
    decisions = {d.get("id") for d in root.xpath("dmn:decision", namespaces=ns)}
    shapes = {s.get("dmnElementRef") for s in root.xpath(".//dmndi:DMNShape", namespaces=ns)}
    assert decisions and decisions == shapes


def test_all_routine_tables_are_feel(routine):
    for decision_id in ("mobilt_vardteam", "mobilt_vardteam_kriterier", "uppfoljning_utfall", "kallelse_krav"):
        assert routine.parser.get_decision_table(decision_id).language == "feel"


# -- mobilt_vardteam -------------------------------------------------------------------------------------

def test_exactly_four_criteria_are_enough(routine):
    assert routine("mobilt_vardteam", **ELIGIBLE) == {"antal_kriterier": 4, "uppfyller_kriterier": True}


def test_three_criteria_are_not(routine):
    assert routine("mobilt_vardteam", **(ELIGIBLE | {"kroniska_diagnoser": 2})) == {
        "antal_kriterier": 3, "uppfyller_kriterier": False}


@pytest.mark.parametrize("alder, antal", [(74, 0), (75, 1), (90, 1)])
def test_age_boundary(routine, alder, antal):
    assert routine("mobilt_vardteam", **(NONE_MET | {"alder": alder}))["antal_kriterier"] == antal


@pytest.mark.parametrize("change, antal", [
    ({"kroniska_diagnoser": 2}, 0), ({"kroniska_diagnoser": 3}, 1),
    ({"inlaggningar_12_man": 2}, 0), ({"inlaggningar_12_man": 3}, 1),
    ({"staende_lakemedel": 5}, 0), ({"staende_lakemedel": 6}, 1),
    ({"klarar_personlig_omvardnad": True}, 0), ({"klarar_personlig_omvardnad": False}, 1),
    ({"hemsjukvard": False}, 0), ({"hemsjukvard": True}, 1),
])
def test_each_criterion_and_its_threshold(routine, change, antal):
    assert routine("mobilt_vardteam", **(NONE_MET | change))["antal_kriterier"] == antal


def test_all_six_and_unknown_answers(routine):
    everything = {"kroniska_diagnoser": 5, "inlaggningar_12_man": 4, "staende_lakemedel": 10,
                  "klarar_personlig_omvardnad": False, "alder": 88, "hemsjukvard": True}
    assert routine("mobilt_vardteam", **everything) == {"antal_kriterier": 6, "uppfyller_kriterier": True}
    assert routine("mobilt_vardteam") == {"antal_kriterier": 0, "uppfyller_kriterier": False}


# -- uppfoljning_utfall ------------------------------------------------------------------------------------

BASE = {"mal_uppfyllda": False, "behov_av_samordning": True, "avliden": False, "samtycke_aterkallat": False,
        "nya_risker_eller_mal": False}


@pytest.mark.parametrize("answers, utfall", [
    ({}, "fortsatt"),
    ({"avliden": True}, "avslut"),
    ({"samtycke_aterkallat": True}, "avslut"),
    ({"nya_risker_eller_mal": True}, "ny_sip"),
    ({"mal_uppfyllda": True}, "avslut"),
    ({"behov_av_samordning": False}, "avslut"),
    ({"avliden": True, "nya_risker_eller_mal": True}, "avslut"),
    ({"samtycke_aterkallat": True, "nya_risker_eller_mal": True}, "avslut"),
    ({"nya_risker_eller_mal": True, "mal_uppfyllda": True}, "ny_sip"),
])
def test_follow_up_outcome(routine, answers, utfall):
    assert routine("uppfoljning_utfall", **(BASE | answers)) == {"utfall": utfall}


def test_follow_up_with_unanswered_questions_continues(routine):
    assert routine("uppfoljning_utfall") == {"utfall": "fortsatt"}


# -- kallelse_krav ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("hsl, sol_lss, oppenvard, missing", [
    (0, 1, 0, "hälso- och sjukvården"),
    (2, 0, 1, "socialtjänsten"),
    (1, 1, 0, "Öppenvården"),
    (0, 0, 0, "hälso- och sjukvården"),
])
def test_incomplete_summons_says_what_is_missing(routine, hsl, sol_lss, oppenvard, missing):
    result = routine("kallelse_krav", antal_hsl=hsl, antal_sol_lss=sol_lss, antal_oppenvard=oppenvard)
    assert result["kallelse_komplett"] is False
    assert missing in result["kallelse_saknas"]


@pytest.mark.parametrize("hsl, sol_lss, oppenvard", [(1, 1, 1), (3, 2, 2)])
def test_complete_summons(routine, hsl, sol_lss, oppenvard):
    assert routine("kallelse_krav", antal_hsl=hsl, antal_sol_lss=sol_lss, antal_oppenvard=oppenvard) == {
        "kallelse_komplett": True, "kallelse_saknas": ""}
