"""Stockholm: SIP for children and youth. A pre-meeting with the child and guardians (consent, the question,
participants, time and place), an optional pre-meeting of the services without the family, the meeting in five
parts with a secretary, and the SIP-kollen feedback after the meeting."""

import pytest

from engine.services import cases
from engine.services.errors import InvalidData
from tests.regions.walks import BUP, SKOLA_STHLM, SOCIALTJANST_BARN, StockholmWalk, local_day


@pytest.fixture(autouse=True)
def _deployed(stockholm):
    return stockholm


def acknowledge(walk):
    return walk.acknowledge_all()


def at_meeting(**premeeting):
    walk = StockholmWalk.start().initiate().family_premeeting(**premeeting)
    return acknowledge(walk)


def test_the_family_premeeting_plans_the_first_meeting(app):
    walk = StockholmWalk.start().initiate()
    assert walk.names() == ["formote_med_familjen"]
    assert walk.task("formote_med_familjen").candidate_group == "samordningsansvarig"
    walk.family_premeeting()
    data = walk.case.data
    assert data["samtycke"] == "givet" and data["samtycke_skriftligt"] is True
    assert data["fragestallning"] == "Hur kan Maja komma tillbaka till skolan?"
    assert (data["motesplats"], data["motestid"], data["motesform"]) == ("Eriksdalsskolan", "15:00", "fysiskt")
    acks = walk.tasks()
    assert {t.name for t in acks} == {"kvittera_kallelse"}
    assert sorted(t.candidate_group for t in acks) == sorted(
        d["organisation"] for d in [SOCIALTJANST_BARN, BUP, SKOLA_STHLM])


def test_positive_family_must_give_written_consent_question_and_guardians(app):
    walk = StockholmWalk.start().initiate()
    with pytest.raises(InvalidData) as err:
        walk.family_premeeting(samtycke_skriftligt=False, fragestallning="", vardnadshavare=[])
    assert {e["field"] for e in err.value.errors} == {"samtycke_skriftligt", "fragestallning", "vardnadshavare"}


def test_a_negative_family_is_motivated_again_then_the_sip_ends(app):
    walk = StockholmWalk.start().initiate()
    walk.do("formote_med_familjen", {"installning": "tveksam",
                                     "installning_kommentar": "Pappa vill veta mer om vad som delas"})
    assert walk.names() == ["formote_med_familjen"], "motivate and inform once more"
    walk.do("formote_med_familjen", {"installning": "negativ",
                                     "installning_kommentar": "Familjen vill inte ha en SIP"})
    case = walk.case
    assert (case.status, case.closure_reason) == ("declined", "samtycke_avbojt")
    assert walk.tasks() == []


def test_a_negative_answer_must_be_documented(app):
    walk = StockholmWalk.start().initiate()
    with pytest.raises(InvalidData) as err:
        walk.do("formote_med_familjen", {"installning": "negativ"})
    assert [e["field"] for e in err.value.errors] == ["installning_kommentar"]


def test_an_incomplete_summons_is_completed_by_the_coordinator_within_the_familys_consent(app):
    walk = StockholmWalk.start().initiate().family_premeeting(deltagare=[BUP, SKOLA_STHLM],
                                                              samtycke_ovriga_huvudman=["kommun_sol"])
    assert walk.names() == ["komplettera_kallelse"]
    assert "socialtjänsten" in walk.case.data["kallelse_saknas"]
    assert walk.case.data["samtycke_huvudman"] == ["kommun_sol", "psykiatri", "skola"]
    walk.do("komplettera_kallelse", {"deltagare": [SOCIALTJANST_BARN, BUP, SKOLA_STHLM]})
    assert walk.names() == ["kvittera_kallelse"] * 3


def test_a_service_the_family_never_consented_to_is_not_added_to_the_summons(app):
    # The family consents to primary care, so the coordinator completes the health care side, but not to BUP.
    walk = StockholmWalk.start().initiate().family_premeeting(deltagare=[SOCIALTJANST_BARN, SKOLA_STHLM],
                                                              samtycke_ovriga_huvudman=["primarvard"])
    with pytest.raises(InvalidData) as err:
        walk.do("komplettera_kallelse", {"deltagare": [SOCIALTJANST_BARN, BUP, SKOLA_STHLM]})
    assert [e["field"] for e in err.value.errors] == ["deltagare/1/huvudmannatyp"]
    assert walk.names() == ["komplettera_kallelse"]


def test_a_required_kind_the_family_does_not_consent_to_is_documented_instead_of_summoned(app):
    walk = StockholmWalk.start().initiate().family_premeeting(deltagare=[SOCIALTJANST_BARN, SKOLA_STHLM])
    assert walk.names() == ["stam_av_samtycke"], "no summons the family's consent cannot complete"
    assert [k["krav"] for k in walk.case.data["krav_utan_samtycke"]] == ["hsl", "oppenvard"]
    walk.do("stam_av_samtycke", {"familjens_svar": "samtycker_inte",
                                 "samtycke_saknas_motivering": "Familjen har en egen psykolog och vill inte ha BUP"})
    assert [(s["krav"], s["motivering"]) for s in walk.case.data["samtycke_saknas"]] == [
        ("hsl", "Familjen har en egen psykolog och vill inte ha BUP"),
        ("oppenvard", "Familjen har en egen psykolog och vill inte ha BUP")]
    assert walk.names() == ["kvittera_kallelse"] * 2
    acknowledge(walk)
    assert walk.names() == ["mote_inledning"]


def statuses(walk) -> tuple:
    data = walk.case.data
    return data["krav_hsl"], data["krav_sol_lss"], data["krav_oppenvard"]


def test_each_requirement_of_the_summons_gets_its_status_from_the_table_in_every_round(app):
    # Social services missing but consented to: the coordinator can summon them, and then they are summoned.
    walk = StockholmWalk.start().initiate().family_premeeting(deltagare=[BUP, SKOLA_STHLM],
                                                              samtycke_ovriga_huvudman=["kommun_sol"])
    assert statuses(walk) == ("kallad", "ej_kallad", "kallad")
    assert not {"kraven", "kravet", "kravstatus", "kravens_status"} & set(walk.case.data), "only the statuses stay"
    walk.do("komplettera_kallelse", {"deltagare": [SOCIALTJANST_BARN, BUP, SKOLA_STHLM]})
    assert statuses(walk) == ("kallad", "kallad", "kallad")

    # No health care the family consents to: without consent until the family's refusal is documented.
    walk = StockholmWalk.start().initiate().family_premeeting(deltagare=[SOCIALTJANST_BARN, SKOLA_STHLM])
    assert statuses(walk) == ("utan_samtycke", "kallad", "utan_samtycke")
    walk.do("stam_av_samtycke", {"familjens_svar": "samtycker_inte", "samtycke_saknas_motivering": "Egen psykolog"})
    assert statuses(walk) == ("samtycke_saknas", "kallad", "samtycke_saknas")
    assert walk.case.data["krav_utan_samtycke"] == []


def test_without_a_services_premeeting_the_meeting_comes_next(app):
    walk = at_meeting()
    assert walk.names() == ["mote_inledning"]


def test_the_services_premeeting_is_held_without_the_family_when_asked_for(app):
    walk = at_meeting(formote_verksamheter_behovs=True)
    assert walk.names() == ["formote_med_verksamheterna"]
    with pytest.raises(InvalidData) as err:
        walk.do("formote_med_verksamheterna", {"fragestallning_klar": True, "alla_har_mandat": False,
                                               "motesform": "digitalt"})
    assert [e["field"] for e in err.value.errors] == ["mandat_inhamtas_av"]
    walk.do("formote_med_verksamheterna", {
        "fragestallning_klar": True, "alla_har_mandat": False, "mandat_inhamtas_av": "BUP frågar sin chef",
        "mojliga_insatser": [{"insats": "Anpassad studiegång", "verksamhet": "Skolan", "turordning": 1}],
        "oenigheter_mellan_verksamheterna": "Vem som betalar skolskjuts", "motesform": "digitalt"})
    assert walk.names() == ["mote_inledning"]


PARTS = ["mote_inledning", "mote_aktuell_situation", "mote_behov", "mote_sammanfattning", "mote_avslutning"]


def test_the_meeting_has_five_parts_and_a_secretary(app):
    walk = at_meeting()
    with pytest.raises(InvalidData) as err:
        walk.do("mote_inledning", {"motesdatum": "2026-12-10",
                                   "ordforande": {"namn": "Ali Haddad", "organisation": "Socialtjänsten"},
                                   "huvudpersonen_deltar": "en_stund", "den_enskilde_informerad": True})
    assert [e["field"] for e in err.value.errors] == ["sekreterare"]
    seen = []
    original_do = walk.do

    def do(name, data, group=None):
        seen.append(walk.names())
        return original_do(name, data, group)
    walk.do = do
    walk.meeting()
    assert seen == [[part] for part in PARTS]
    titles = [e.task_name for e in cases.case_history(walk.case_id) if e.kind == "task_completed"][-5:]
    assert titles == PARTS
    assert walk.case.data["sekreterare"]["namn"] == "Lena Holm"
    assert {t.name for t in walk.tasks()} == {"dokumentera_ataganden", "sip_kollen"}


def test_goals_must_be_measurable(app):
    walk = at_meeting()
    walk.do("mote_inledning", {"motesdatum": "2026-12-10",
                               "ordforande": {"namn": "Ali Haddad", "organisation": "Socialtjänsten"},
                               "sekreterare": {"namn": "Lena Holm", "organisation": "Skolan"},
                               "huvudpersonen_deltar": "hela_motet", "den_enskilde_informerad": True})
    walk.do("mote_aktuell_situation", {"nuvarande_situation": "Hemma mest", "fungerar_bra": "Fotbollen"})
    with pytest.raises(InvalidData) as err:
        walk.do("mote_behov", {"huvudmal": "Maja mår bättre", "mal": [{"mal": "Må bättre", "sikt": "kort"}]})
    assert [e["field"] for e in err.value.errors] == ["mal/0/matbart"]


def test_sip_kollen_runs_beside_the_documentation_and_the_plan_holds_the_meeting(app):
    walk = at_meeting().meeting(motesdatum="2026-12-10")
    docs = [t for t in walk.tasks() if t.name == "dokumentera_ataganden"]
    assert {local_day(t.due_at) for t in docs} == {"2026-12-14"}
    assert walk.task("sip_kollen").candidate_group == "samordningsansvarig"
    walk.document_all().approve_all().print_plan()
    assert walk.names() == ["sip_kollen"], "the plan waits for the feedback to be recorded"
    assert "plan_klar" not in walk.case.data
    walk.do("sip_kollen", {"sip_kollen_erbjuden": True, "sip_kollen_besvarad": True,
                           "huvudpersonens_upplevelse": "Maja kände sig lyssnad på"})
    data = walk.case.data
    plan = data["plan"]
    assert data["plan_klar"] is True and plan["sip_kollen_erbjuden"] is True
    assert plan["fragestallning"] == "Hur kan Maja komma tillbaka till skolan?"
    assert plan["sekreterare"]["namn"] == "Lena Holm"
    assert plan["mal"][0]["matbart"] == "Närvaron i skolan i februari"
    assert plan["egna_insatser"] == "Mamma följer Maja till skolan på måndagar"
    assert plan["uppfoljningsdatum"] == "2027-03-10"
    assert walk.tasks() == [], "the case waits for the follow-up"
    assert data["huvudpersonens_upplevelse"] == "Maja kände sig lyssnad på"


def test_sip_kollen_first_then_the_plan(app):
    walk = at_meeting().meeting()
    walk.do("sip_kollen", {"sip_kollen_erbjuden": False})
    walk.document_all().approve_all().print_plan()
    assert walk.case.data["plan_klar"] is True
    assert walk.case.data["plan"]["sip_kollen_erbjuden"] is False


def test_a_stockholm_plan_is_followed_up_and_closed_by_the_base_routine(app):
    walk = at_meeting().meeting()
    walk.do("sip_kollen", {"sip_kollen_erbjuden": True})
    walk.document_all().approve_all().print_plan()
    cases.send_message(walk.case_id, "uppfoljning_begard", {"orsak": "Skolan ber om uppföljning"})
    walk.follow_up("2027-02-01", mal_uppfyllda=True, behov_av_samordning=False)
    walk.close()
    assert (walk.case.status, walk.case.closure_reason) == ("closed", "mal_uppfyllda")
