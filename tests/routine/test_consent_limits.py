"""What the person consented to bounds the routine after it: who is summoned, and to whom coordination may move."""

from __future__ import annotations

import pytest

from engine.services import cases
from engine.services.errors import InvalidData
from tests.routine.walk import KOMMUN, PSYKIATRI, VARDCENTRAL, CaseWalk

NOT_CONSENTED = ("Den enskilde har inte samtyckt till att den här huvudmannen deltar: samordningen kan bara flyttas "
                 "till en huvudman samtycket gäller")


def test_coordination_moves_only_to_a_huvudman_the_person_consented_to(app):
    walk = CaseWalk.start().initiate().consent(huvudman=["kommun_sol", "primarvard"]).prepare().acknowledge_all()
    moved = {"samordning_flyttas": True, "ny_samordningsansvarig": {
        "namn": PSYKIATRI["namn"], "organisation": PSYKIATRI["organisation"], "huvudmannatyp": "psykiatri"}}
    with pytest.raises(InvalidData) as refused:
        walk.premeeting(**moved)
    assert refused.value.errors == [{"field": "ny_samordningsansvarig/huvudmannatyp", "message": NOT_CONSENTED}]
    assert walk.names() == ["genomfor_tjanstemannamote"]

    walk.premeeting(samordning_flyttas=True, ny_samordningsansvarig={
        "namn": VARDCENTRAL["namn"], "organisation": VARDCENTRAL["organisation"], "huvudmannatyp": "primarvard"})
    assert walk.case.data["samordningsansvarig"]["organisation"] == VARDCENTRAL["organisation"]


def test_the_consent_documented_again_is_the_one_that_counts(app):
    """Refused information exchange, then consent on second thought: the summons follows the new consent."""
    walk = CaseWalk.start().initiate().consent(informationsutbyte=False)
    assert walk.names() == ["informationsutbyte_saknas"]
    assert walk.case.data["sip_delas"] is False
    walk.do("informationsutbyte_saknas", {"informationsutbyte_beslut": "samtycker_nu"})
    assert walk.names() == ["inhamta_samtycke"]
    walk.consent(huvudman=["kommun_sol", "primarvard", "psykiatri"])
    assert walk.case.data["sip_delas"] is True
    walk.prepare(deltagare=[KOMMUN, VARDCENTRAL, PSYKIATRI])
    assert sorted(t.candidate_group for t in walk.tasks()) == sorted(
        p["organisation"] for p in (KOMMUN, VARDCENTRAL, PSYKIATRI))


def test_after_a_menprovning_the_coordinator_chooses_among_every_huvudman(app):
    """The person could not name the huvudmän: the menprövning lets the SIP go ahead, and the summons offers all."""
    walk = CaseWalk.start().initiate()
    walk.do("inhamta_samtycke", {"samtycke": "kan_inte_samtycka", "samtycke_datum": "2026-11-27"})
    walk.do("genomfor_menprovning", {"menprovning_resultat": "sip_genomfors", "narstaende_tillfragade": "Sonen Erik",
                                     "menprovning_motivering": "Uppgifterna kan lämnas utan men"})
    assert "samtycke_huvudman" not in walk.case.data
    walk.prepare(deltagare=[KOMMUN, VARDCENTRAL, PSYKIATRI])
    assert len([t for t in cases.open_tasks(walk.case_id) if t.name == "kvittera_kallelse"]) == 3
