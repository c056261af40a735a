"""Cases of several regions running side by side, each by its own region's rules, in one database."""

import pytest

from engine.services.errors import InvalidData
from tests.regions.walks import BUP, ELIGIBLE, SOCIALTJANST_BARN, KristianstadWalk, StockholmWalk, VastbusWalk
from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk


@pytest.fixture
def regions(deploy_variant):
    return {region: deploy_variant(region) for region in ["kristianstad", "vastra_gotaland", "stockholm"]}


def test_three_regions_and_one_without_a_variant_interleaved(app, regions):
    skane = KristianstadWalk.start()
    vastbus = VastbusWalk.start()
    sthlm = StockholmWalk.start()
    gotland = CaseWalk.start("gotland")  # no variant deployed: runs the base routine

    for walk in (skane, vastbus, gotland):
        walk.initiate().consent()
    sthlm.initiate()
    assert sthlm.names() == ["formote_med_familjen"]
    assert {w.names()[0] for w in (skane, vastbus, gotland)} == {"forbered_sip"}

    # The same preparation answers: Skåne may not choose about the pre-meeting, the base may.
    with pytest.raises(InvalidData):
        skane.prepare(tjanstemannamote_behovs=True)
    skane.prepare()
    gotland.prepare(tjanstemannamote=False)
    # Västbus asks for guardians and the child's participation, and the school.
    with pytest.raises(InvalidData):
        CaseWalk.prepare(vastbus, deltagare=[SOCIALTJANST_BARN, BUP])
    vastbus.prepare(deltagare=[SOCIALTJANST_BARN, BUP])
    assert vastbus.names() == ["forbered_sip"] and "skolan" in vastbus.case.data["kallelse_saknas"]
    vastbus.prepare()
    sthlm.family_premeeting()

    for walk in (skane, vastbus, sthlm, gotland):
        walk.acknowledge_all()
    assert skane.names() == ["genomfor_tjanstemannamote"]
    assert gotland.names() == ["genomfor_sip_mote"]
    assert vastbus.names() == ["genomfor_sip_mote"]
    assert sthlm.names() == ["mote_inledning"]

    skane.premeeting(**ELIGIBLE)
    assert skane.names() == ["besluta_mobilt_vardteam"]

    assert [w.case.region for w in (skane, vastbus, sthlm, gotland)] == [
        "kristianstad", "vastra_gotaland", "stockholm", "gotland"]
    assert gotland.case.definition.region == "base"
    assert {w.case.definition.region for w in (skane, vastbus, sthlm)} == {
        "kristianstad", "vastra_gotaland", "stockholm"}


def test_each_region_lists_its_own_tasks_for_the_same_organisation(app, regions):
    skane = KristianstadWalk.start().initiate().consent().prepare().acknowledge_all()
    base = CaseWalk.start().initiate().consent().prepare().acknowledge_all()
    skane_task = skane.task("genomfor_tjanstemannamote")
    base_task = base.task("genomfor_tjanstemannamote")
    assert skane_task.region == "kristianstad" and base_task.region == "base"
    forms = (skane.case.definition.forms[skane_task.form_schema], base.case.definition.forms[base_task.form_schema])
    assert "mobilt_vardteam_aktuellt" not in forms[0]["properties"]
    assert "mobilt_vardteam_aktuellt" in forms[1]["properties"]
    assert {KOMMUN["organisation"], VARDCENTRAL["organisation"]} == {
        k["organisation"] for k in skane.case.data["kvitteringar"]}
