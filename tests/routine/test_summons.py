"""Steps 3–5: preparation, the summons rule (a DMN table), acknowledgements, deviations, cancelling."""

import pytest

from engine.services import cases
from engine.services.errors import Conflict, InvalidData
from tests.routine.walk import HEMSJUKVARD, KOMMUN, PSYKIATRI, SKOLA, VARDCENTRAL, CaseWalk


def test_preparation_records_participants_relatives_place_and_time(app):
    walk = CaseWalk.start().initiate().consent()
    walk.do("forbered_sip", {
        "deltagare": [KOMMUN, VARDCENTRAL, SKOLA],
        "narstaende": [{"namn": "Maria Andersson", "relation": "Dotter"}],
        "motesdatum_planerat": "2026-12-10", "motestid": "13:30", "motesplats": "Hemma hos Anna",
        "stod_till_den_enskilde": ["lattlast", "bildstod"], "tjanstemannamote_behovs": True,
    })
    data = walk.case.data
    assert [d["huvudmannatyp"] for d in data["deltagare"]] == ["kommun_sol", "primarvard", "skola"]
    assert data["narstaende"][0]["relation"] == "Dotter"
    assert (data["motesplats"], data["motestid"]) == ("Hemma hos Anna", "13:30")


def test_unknown_kind_of_huvudman_is_refused_by_the_form(app):
    walk = CaseWalk.start().initiate().consent()
    with pytest.raises(InvalidData) as err:
        walk.prepare(deltagare=[KOMMUN | {"huvudmannatyp": "polisen"}, VARDCENTRAL])
    assert err.value.errors[0]["field"] == "deltagare/0/huvudmannatyp"


@pytest.mark.parametrize("deltagare, missing", [
    ([KOMMUN], "hälso- och sjukvården"),
    ([VARDCENTRAL, HEMSJUKVARD], "socialtjänsten"),
    ([KOMMUN, HEMSJUKVARD], "Öppenvården"),
])
def test_summons_must_hold_hsl_sol_lss_and_outpatient_care(app, deltagare, missing):
    walk = CaseWalk.start().initiate().consent().prepare(deltagare=deltagare)
    assert walk.names() == ["forbered_sip"], "an incomplete summons goes back to the coordinator"
    assert walk.case.data["kallelse_komplett"] is False
    assert missing.lower() in walk.case.data["kallelse_saknas"].lower()


@pytest.mark.parametrize("deltagare", [
    [KOMMUN, VARDCENTRAL],
    [KOMMUN | {"huvudmannatyp": "kommun_lss"}, PSYKIATRI],
    [KOMMUN, HEMSJUKVARD, PSYKIATRI, SKOLA],
])
def test_complete_summons_asks_each_participant_to_acknowledge(app, deltagare):
    walk = CaseWalk.start().initiate().consent().prepare(deltagare=deltagare)
    acks = [t for t in walk.tasks() if t.name == "kvittera_kallelse"]
    assert sorted(t.candidate_group for t in acks) == sorted(d["organisation"] for d in deltagare)
    assert walk.case.data["kallelse_komplett"] is True


def test_absent_participant_without_substitute_gives_a_deviation_task(app):
    walk = CaseWalk.start().initiate().consent().prepare(deltagare=[KOMMUN, VARDCENTRAL, HEMSJUKVARD])
    walk.do("kvittera_kallelse", {"kommer": True, "namn": "Eva Ek"}, KOMMUN["organisation"])
    walk.do("kvittera_kallelse", {"kommer": False, "ersattare": "Anders Ros"}, HEMSJUKVARD["organisation"])
    walk.do("kvittera_kallelse", {"kommer": False}, VARDCENTRAL["organisation"])
    assert walk.names() == ["registrera_avvikelse"]
    walk.do("registrera_avvikelse", {"beskrivning": "Vårdcentralen uteblev utan ersättare"})
    avvikelser = walk.case.data["avvikelser"]
    assert avvikelser == [{"organisation": VARDCENTRAL["organisation"],
                           "beskrivning": "Vårdcentralen uteblev utan ersättare"}]
    assert walk.names() == ["genomfor_tjanstemannamote"]


def test_everyone_attending_or_substituted_needs_no_deviation(app):
    walk = CaseWalk.start().initiate().consent().prepare()
    walk.do("kvittera_kallelse", {"kommer": True, "namn": "Eva Ek", "kartlaggning": "Behöver hjälp morgon och kväll"},
            KOMMUN["organisation"])
    walk.do("kvittera_kallelse", {"kommer": False, "ersattare": "Karin Al"}, VARDCENTRAL["organisation"])
    assert walk.names() == ["genomfor_tjanstemannamote"]
    kvitteringar = {k["organisation"]: k for k in walk.case.data["kvitteringar"]}
    assert kvitteringar[KOMMUN["organisation"]]["kartlaggning"] == "Behöver hjälp morgon och kväll"
    assert kvitteringar[VARDCENTRAL["organisation"]]["ersattare"] == "Karin Al"


def test_attending_participant_names_who_comes(app):
    walk = CaseWalk.start().initiate().consent().prepare()
    with pytest.raises(InvalidData) as err:
        walk.do("kvittera_kallelse", {"kommer": True}, KOMMUN["organisation"])
    assert [e["field"] for e in err.value.errors] == ["namn"]


@pytest.mark.parametrize("stage", ["preparation", "acknowledgements", "premeeting"])
def test_cancelling_before_the_meeting_ends_the_case_as_cancelled(app, stage):
    walk = CaseWalk.start().initiate().consent()
    if stage != "preparation":
        walk.prepare()
    if stage == "premeeting":
        walk.acknowledge_all()
    cases.send_message(walk.case_id, "mote_installt", {"orsak": "Behovet har försvunnit"})
    assert walk.names() == ["dokumentera_installt_mote"]
    walk.do("dokumentera_installt_mote", {"installt_orsak": "Anna klarar sig själv igen",
                                          "parterna_informerade": True, "den_enskilde_informerad": True})
    if stage != "preparation":  # the summoned parties acknowledge the cancellation first
        assert walk.names() == ["kvittera_installt_mote", "kvittera_installt_mote"]
        walk.each("kvittera_installt_mote", lambda group: {"kvitterat": True})
    case = walk.case
    assert (case.status, case.closure_reason) == ("cancelled", "mote_installt")
    assert walk.tasks() == []


def test_a_meeting_that_was_held_cannot_be_cancelled(app):
    walk = CaseWalk.start().initiate().consent().prepare().acknowledge_all().premeeting().meeting()
    with pytest.raises(Conflict) as err:
        cases.send_message(walk.case_id, "mote_installt")
    assert "samtycke_aterkallat" in err.value.extra["waiting_for"]
    assert walk.names() == ["dokumentera_ataganden", "dokumentera_ataganden"]
