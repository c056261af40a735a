"""Västra Götaland (Västbus): SIP for children and youth; guardians take part, the child takes part by age and
maturity (recorded how), and the school is summoned when the SIP concerns Västbus's target group."""

import pytest

from engine.services.errors import InvalidData
from tests.regions.walks import BUP, SKOLA_STHLM, SOCIALTJANST_BARN, VastbusWalk


@pytest.fixture(autouse=True)
def _deployed(vastra_gotaland):
    return vastra_gotaland


def at_preparation():
    return VastbusWalk.start().initiate().consent()


def test_guardians_and_the_childs_participation_are_recorded(app):
    walk = at_preparation().prepare()
    data = walk.case.data
    assert data["vardnadshavare"] == [{"namn": "Sofia Strand", "relation": "Mamma"}]
    assert data["barnets_delaktighet"] == "del_av_motet"
    assert "12 år" in data["barnets_delaktighet_motivering"]
    assert sorted(t.candidate_group for t in walk.tasks()) == sorted(
        d["organisation"] for d in [SOCIALTJANST_BARN, BUP, SKOLA_STHLM])


def test_a_child_needs_guardians_and_a_judgement_of_age_and_maturity(app):
    walk = at_preparation()
    with pytest.raises(InvalidData) as err:
        walk.prepare(vardnadshavare=[], barnets_delaktighet_motivering="")
    assert {e["field"] for e in err.value.errors} == {"vardnadshavare", "barnets_delaktighet_motivering"}
    with pytest.raises(InvalidData) as err:
        walk.prepare(barnets_delaktighet="vet_inte")
    assert [e["field"] for e in err.value.errors] == ["barnets_delaktighet"]


def test_a_young_adult_takes_part_without_guardians(app):
    walk = at_preparation().prepare(under_18=False, vardnadshavare=[], barnets_delaktighet="hela_motet",
                                    barnets_delaktighet_motivering="Elias är 19 år och leder själv sin planering")
    assert walk.names() == ["kvittera_kallelse"] * 3


def test_vastbus_target_group_summons_the_school(app):
    walk = at_preparation().prepare(deltagare=[SOCIALTJANST_BARN, BUP])
    assert walk.names() == ["forbered_sip"], "the summons goes back to the coordinator"
    assert walk.case.data["kallelse_komplett"] is False
    assert "skolan" in walk.case.data["kallelse_saknas"]
    walk.prepare()
    assert walk.case.data["kallelse_komplett"] is True
    assert SKOLA_STHLM["organisation"] in {t.candidate_group for t in walk.tasks()}


def test_outside_the_vastbus_target_group_the_school_is_optional(app):
    walk = at_preparation().prepare(deltagare=[SOCIALTJANST_BARN, BUP], vastbus_malgrupp=False)
    assert walk.case.data["kallelse_komplett"] is True
    assert walk.names() == ["kvittera_kallelse", "kvittera_kallelse"]


def test_the_base_rules_of_the_summons_still_hold(app):
    walk = at_preparation().prepare(deltagare=[BUP, SKOLA_STHLM])
    assert walk.names() == ["forbered_sip"]
    assert "socialtjänsten" in walk.case.data["kallelse_saknas"]


def test_a_vastbus_case_runs_to_a_plan(app):
    walk = at_preparation().prepare().acknowledge_all()
    assert walk.names() == ["genomfor_sip_mote"], "the officials' pre-meeting was not asked for"
    walk.meeting(huvudmal="Elias trivs i skolan").document_all().approve_all().print_plan()
    assert walk.case.data["plan"]["huvudmal"] == "Elias trivs i skolan"
    assert walk.case.data["plan_klar"] is True
