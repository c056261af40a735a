"""A region changes a threshold of `mobilt_vardteam` by deploying one DMN file: new cases use the new table,
a running case keeps the table it started with."""

from tests.regions.conftest import ROOT
from tests.regions.walks import KristianstadWalk
from tests.routine.walk import CaseWalk

# Three criteria besides age: whether age counts decides eligibility.
THREE_AND_AGE_78 = {"kroniska_diagnoser": 4, "inlaggningar_12_man": 3, "staende_lakemedel": 8,
                    "klarar_personlig_omvardnad": True, "alder": 78, "hemsjukvard": False}


def age_80_table() -> str:
    text = (ROOT / "processes" / "dmn" / "mobilt_vardteam.dmn").read_text(encoding="utf-8")
    assert text.count("<text>&gt;= 75</text>") == 1 and text.count("75 år eller äldre") == 1
    return text.replace("<text>&gt;= 75</text>", "<text>&gt;= 80</text>").replace(
        "75 år eller äldre", "80 år eller äldre")


def at_premeeting():
    return KristianstadWalk.start().initiate().consent().prepare().acknowledge_all()


def test_new_cases_use_the_new_threshold_and_running_cases_keep_theirs(app, deploy_variant):
    first = deploy_variant("kristianstad")
    running = at_premeeting()

    second = deploy_variant("kristianstad", extra={"dmn/mobilt_vardteam.dmn": age_80_table()})
    assert (first.version, second.version) == (1, 2)
    changed = {f.path for f in second.files} & {f.path for f in first.files}
    assert {p for p in changed if next(f.content for f in second.files if f.path == p)
            != next(f.content for f in first.files if f.path == p)} == {"dmn/mobilt_vardteam.dmn"}
    new = at_premeeting()

    running.premeeting(**THREE_AND_AGE_78)
    new.premeeting(**THREE_AND_AGE_78)

    assert running.case.definition.version == 1
    assert (running.case.data["antal_kriterier"], running.case.data["uppfyller_kriterier"]) == (4, True)
    assert running.names() == ["besluta_mobilt_vardteam"]

    assert new.case.definition.version == 2
    assert (new.case.data["antal_kriterier"], new.case.data["uppfyller_kriterier"]) == (3, False)
    assert new.names() == ["genomfor_sip_mote"]


def test_the_changed_table_stays_in_its_region(app, deploy_variant):
    deploy_variant("kristianstad", extra={"dmn/mobilt_vardteam.dmn": age_80_table()})
    deploy_variant("vastra_gotaland")
    in_skane = at_premeeting().premeeting(**THREE_AND_AGE_78)
    in_base = CaseWalk.start("base").initiate().consent().prepare().acknowledge_all()
    in_base.premeeting(mobilt_vardteam_aktuellt=True, **THREE_AND_AGE_78)
    assert in_skane.case.data["uppfyller_kriterier"] is False
    assert in_base.case.data["uppfyller_kriterier"] is True
