"""Jönköping: all ages, the school as a huvudman, and a SIP at discharge from hospital (Lag 2017:612) called by
primary care, with the summons due within 3 days of the ready-for-discharge notice."""

import pytest

from engine.scripting.helpers import arbetsdagar_efter
from engine.services import cases
from engine.services.errors import InvalidData
from tests.regions.walks import local_day, local_time
from tests.routine.walk import KOMMUN, SKOLA, VARDCENTRAL, CaseWalk

VARDSAMORDNARE = VARDCENTRAL | {"namn": "Vera Samordnare", "yrke": "Vårdsamordnare",
                                "organisation": "Region Jönköpings län, vårdcentralen Ryhov"}


@pytest.fixture(autouse=True)
def _deployed(jonkoping):
    return jonkoping


def assess(walk, vid_utskrivning: bool, **extra):
    data = {"initierad_av": "slutenvard" if vid_utskrivning else "kommun",
            "huvudperson": {"namn": "Bo Ek", "alder": 88}, "samordningsansvarig": VARDSAMORDNARE,
            "sip_behovs": True, "sip_vid_utskrivning": vid_utskrivning}
    if vid_utskrivning:
        data |= {"utskrivningsklar": walk.case.data["utskrivningsklar"], "sjukhus_avdelning": "Ryhov, avd 5"}
    data.update(extra)
    walk.do("bedom_behov_av_sip", data)
    return walk


def discharge_case(utskrivningsklar: str = "2026-11-23"):
    walk = CaseWalk.start("jonkoping", huvudperson={"namn": "Bo Ek"}, sip_vid_utskrivning=True,
                          utskrivningsklar=utskrivningsklar)
    return assess(walk, True).consent()


@pytest.mark.parametrize("utskrivningsklar, due", [
    ("2026-11-23", "2026-11-26"),  # Monday -> Thursday
    ("2026-12-23", "2026-12-26"),  # calendar days, holidays included (annandag jul)
])
def test_at_discharge_primary_care_summons_within_three_days(app, utskrivningsklar, due):
    walk = discharge_case(utskrivningsklar)
    task = walk.task("forbered_sip")
    assert task.candidate_group == "primarvard"
    assert local_day(task.due_at) == due
    assert local_time(task.due_at) == "23:59"  # a date means the end of that day, Swedish time


def test_at_discharge_the_coordinator_is_primary_care(app):
    walk = CaseWalk.start("jonkoping", sip_vid_utskrivning=True, utskrivningsklar="2026-11-23")
    with pytest.raises(InvalidData) as err:
        assess(walk, True, samordningsansvarig=KOMMUN)
    assert [e["field"] for e in err.value.errors] == ["samordningsansvarig/huvudmannatyp"]


def test_at_discharge_the_ready_for_discharge_date_is_required(app):
    walk = CaseWalk.start("jonkoping")
    with pytest.raises(InvalidData) as err:
        assess(walk, False, sip_vid_utskrivning=True)
    assert [e["field"] for e in err.value.errors] == ["utskrivningsklar"]


def test_whether_it_is_a_discharge_must_be_stated(app):
    walk = CaseWalk.start("jonkoping")
    with pytest.raises(InvalidData) as err:
        walk.initiate()  # the base routine's answers lack sip_vid_utskrivning
    assert [e["field"] for e in err.value.errors] == ["sip_vid_utskrivning"]


def test_an_ordinary_sip_has_no_discharge_deadline_but_the_routines_own(app):
    walk = assess(CaseWalk.start("jonkoping"), False, samordningsansvarig=KOMMUN).consent()
    task = walk.task("forbered_sip")
    assert task.candidate_group == "samordningsansvarig"
    # not three days from a discharge, but without delay: five working days from when the case was opened
    assert local_day(task.due_at) == walk.case.data["kallelse_senast"] == \
        arbetsdagar_efter(walk.case.data["initierad_datum"], 5)


def test_a_child_with_the_school_as_huvudman(app):
    walk = CaseWalk.start("jonkoping", huvudperson={"namn": "Liv Ek"})
    assess(walk, False, huvudperson={"namn": "Liv Ek", "alder": 9}, samordningsansvarig=SKOLA,
           initierad_av="skola").consent()
    walk.prepare(deltagare=[KOMMUN, VARDCENTRAL, SKOLA]).acknowledge_all().premeeting().meeting()

    def data_for(group):
        return {"insatser": [{"insats": f"Stöd från {group}", "hur_ofta": "Varje vecka", "ansvarig": group}]}
    walk.each("dokumentera_ataganden", data_for)
    plan = walk.case.data["plan"]
    assert SKOLA["organisation"] in {i["huvudman"] for i in plan["insatser"]}
    assert [i["aktor"] for i in plan["ovriga_insatser"]] == ["Dottern Maria"]
    assert walk.case.data["huvudperson"]["alder"] == 9


def test_the_base_routine_lists_the_school_among_others(app):
    walk = CaseWalk.start().initiate().consent().prepare(deltagare=[KOMMUN, VARDCENTRAL, SKOLA]).acknowledge_all()
    walk.premeeting().meeting()
    walk.each("dokumentera_ataganden", lambda group: {"insatser": [{"insats": f"Stöd från {group}"}]})
    plan = walk.case.data["plan"]
    assert SKOLA["organisation"] not in {i["huvudman"] for i in plan["insatser"]}
    assert SKOLA["organisation"] in {i.get("huvudman") for i in plan["ovriga_insatser"]}


def test_a_summoned_huvudman_absent_from_the_meeting_gets_a_deviation_in_jonkoping_too(app):
    walk = assess(CaseWalk.start("jonkoping"), False, samordningsansvarig=KOMMUN).consent().prepare()
    walk.acknowledge_all().premeeting().meeting(narvarande=[KOMMUN["organisation"]])
    deviation = walk.task("registrera_avvikelse_vid_motet")
    assert deviation.candidate_group == "samordningsansvarig"
    assert cases.instructions_of(deviation, walk.case).startswith(f"{VARDCENTRAL['organisation']} var kallad")
