"""Steps 1–2: initiation by anyone entitled to it, refusal with a reason, consent and menprövning."""

import pytest

from engine.services import cases
from engine.services.errors import InvalidData
from tests.routine.walk import KOMMUN, CaseWalk


@pytest.mark.parametrize("initierad_av", ["kommun", "oppenvard", "den_enskilde", "narstaende"])
def test_any_entitled_party_initiates_and_consent_is_asked(app, initierad_av):
    walk = CaseWalk.start().initiate(initierad_av)
    assert walk.names() == ["inhamta_samtycke"]
    assert walk.task("inhamta_samtycke").candidate_group == "samordningsansvarig"
    assert walk.case.status == "active"


def test_a_case_starts_with_the_assessment_for_the_coordinator(app):
    walk = CaseWalk.start()
    task = walk.task("bedom_behov_av_sip")
    assert task.title == "Bedöm behov av SIP"
    assert task.form_schema == "bedom_behov_av_sip.schema.json"
    assert walk.case.definition.version == 1


def test_refusing_a_sip_needs_a_documented_reason(app):
    walk = CaseWalk.start()
    refusal = {"initierad_av": "den_enskilde", "huvudperson": {"namn": "Anna Andersson"},
               "samordningsansvarig": KOMMUN, "sip_behovs": False}
    with pytest.raises(InvalidData) as err:
        walk.do("bedom_behov_av_sip", refusal)
    assert [e["field"] for e in err.value.errors] == ["skal_att_neka"]
    assert walk.names() == ["bedom_behov_av_sip"]

    walk.do("bedom_behov_av_sip", refusal | {"skal_att_neka": "Behoven tillgodoses redan av en huvudman"})
    case = walk.case
    assert (case.status, case.closure_reason) == ("declined", "sip_nekad")
    assert case.data["skal_att_neka"] == "Behoven tillgodoses redan av en huvudman"
    assert walk.tasks() == []


def test_consent_given_continues_to_preparation(app):
    walk = CaseWalk.start().initiate().consent()
    assert walk.names() == ["forbered_sip"]
    assert walk.case.data["samtycke"] == "givet"


def test_declined_consent_is_documented_and_ends_the_case_as_declined(app):
    walk = CaseWalk.start().initiate()
    declined = {"samtycke": "avbojer", "samtycke_datum": "2026-11-27"}
    with pytest.raises(InvalidData) as err:
        walk.do("inhamta_samtycke", declined)
    assert [e["field"] for e in err.value.errors] == ["samtycke_kommentar"]

    walk.do("inhamta_samtycke", declined | {"samtycke_kommentar": "Vill inte att huvudmännen samverkar"})
    case = walk.case
    assert (case.status, case.closure_reason) == ("declined", "samtycke_avbojt")
    assert case.data["samtycke_kommentar"] == "Vill inte att huvudmännen samverkar"


def test_person_who_cannot_consent_gets_a_sip_after_menprovning(app):
    walk = CaseWalk.start().initiate()
    walk.do("inhamta_samtycke", {"samtycke": "kan_inte_samtycka", "samtycke_datum": "2026-11-27"})
    assert walk.names() == ["genomfor_menprovning"]
    walk.do("genomfor_menprovning", {"menprovning_resultat": "sip_genomfors",
                                     "narstaende_tillfragade": "Sonen Erik",
                                     "menprovning_motivering": "Uppgifterna kan lämnas utan men"})
    assert walk.names() == ["forbered_sip"]
    assert walk.case.data["menprovning_motivering"] == "Uppgifterna kan lämnas utan men"


def test_menprovning_can_end_the_case(app):
    walk = CaseWalk.start().initiate()
    walk.do("inhamta_samtycke", {"samtycke": "kan_inte_samtycka", "samtycke_datum": "2026-11-27"})
    walk.do("genomfor_menprovning", {"menprovning_resultat": "sip_genomfors_inte",
                                     "menprovning_motivering": "Men för den enskilde"})
    assert (walk.case.status, walk.case.closure_reason) == ("declined", "menprovning")


def test_consent_cannot_be_withdrawn_before_it_was_given(app):
    walk = CaseWalk.start().initiate()
    from engine.services.errors import Conflict

    with pytest.raises(Conflict):
        cases.send_message(walk.case_id, "samtycke_aterkallat")
    assert walk.names() == ["inhamta_samtycke"]
