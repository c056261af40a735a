"""The routine's events as staff of several organisations meet them over HTTP: the coordinator closes the plan at
any time, or cancels the meeting, and every summoned party is told and acknowledges; the meeting records who came
and a huvudman absent without a substitute becomes a deviation naming it; what each profession mapped before the
meeting is shown to the meeting; a follow-up asked for early is due soon and opens with the plan as it stands;
the summons is due within days of the consent, with a reminder."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from engine.services import cases
from tests.api.conftest import signed_in, user_token
from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk, in_sweden

VARDCENTRAL_ORG = (VARDCENTRAL["organisation"], "primarvard", "kristianstad")


@pytest.fixture
def staff(app):
    """The coordinating kommun's eva and the vårdcentral's vera, each signed in with a token of their own."""
    return {"eva": signed_in(app, user_token("eva")), "vera": signed_in(app, user_token("vera", VARDCENTRAL_ORG))}


def tasks_of(client, case_id: str, state: str = "open") -> list[dict]:
    response = client.get("/api/v1/tasks", query_string={"case_id": case_id, "state": state})
    assert response.status_code == 200, response.json
    return response.json["items"]


def only_task(client, case_id: str, name: str) -> dict:
    found = [t for t in tasks_of(client, case_id) if t["name"] == name]
    assert len(found) == 1, (name, [t["name"] for t in tasks_of(client, case_id)])
    response = client.get(f"/api/v1/tasks/{found[0]['id']}")
    assert response.status_code == 200, response.json
    return response.json


def complete(client, task: dict, data: dict) -> dict:
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.json
    return response.json


def send(client, case_id: str, name: str, payload: dict | None = None):
    return client.post(f"/api/v1/cases/{case_id}/messages/{name}", json={"payload": payload or {}})


def offered(client, case_id: str) -> list[str]:
    return [m["name"] for m in client.get(f"/api/v1/cases/{case_id}").json["available_messages"]]


# -- closure at any time --------------------------------------------------------------------------------------
@pytest.mark.parametrize("stage", ["summons", "documentation", "waiting_for_follow_up"])
def test_the_coordinator_closes_the_plan_at_any_time_and_every_party_acknowledges(staff, stage):
    eva, vera = staff["eva"], staff["vera"]
    walk = CaseWalk.start().initiate().consent().prepare()
    if stage != "summons":
        walk.acknowledge_all().premeeting().meeting()
    if stage == "waiting_for_follow_up":
        walk.document_all().approve_all().print_plan()
    assert "avslut_begart" in offered(eva, walk.case_id)

    assert send(eva, walk.case_id, "avslut_begart").status_code == 200
    assert [t["name"] for t in tasks_of(vera, walk.case_id)] == [], "what the vårdcentral had to do has ended"
    documenting = only_task(eva, walk.case_id, "dokumentera_avslut")
    assert "orsak" in documenting["instructions"].lower()
    reasons = {o["const"] for o in documenting["form"]["schema"]["properties"]["avslutsorsak"]["oneOf"]}
    assert {"avliden", "samordning_behovs_inte"} <= reasons
    complete(eva, documenting, {"avslutsorsak": "avliden", "avslutsdatum": "2027-02-01",
                                "den_enskilde_informerad": False, "kommentar": "Anna dog i hemmet den 30 januari."})
    assert walk.case.status == "active", "not closed before every party has acknowledged"

    told = only_task(vera, walk.case_id, "kvittera_avslut")
    assert told["data"]["orsak_till_avslut"] == "Den enskilde har avlidit. Anna dog i hemmet den 30 januari."
    assert told["form"]["schema"]["properties"]["orsak_till_avslut"]["readOnly"] is True
    assert "avslutas: Den enskilde har avlidit. Anna dog i hemmet den 30 januari." in told["instructions"]
    complete(vera, told, {"kvitterat": True, "orsak_till_avslut": "något annat"})
    assert walk.case.status == "active"
    complete(eva, only_task(eva, walk.case_id, "kvittera_avslut"), {"kvitterat": True})
    case = eva.get(f"/api/v1/cases/{walk.case_id}").json
    assert (case["status"], case["closure_reason"]) == ("closed", "avliden")
    assert walk.case.data["avslutsorsak"] == "avliden"


def test_a_closure_reason_sent_with_the_message_is_filled_in(staff):
    eva = staff["eva"]
    walk = CaseWalk.start().to_plan()
    assert send(eva, walk.case_id, "avslut_begart", {"orsak": "samordning_behovs_inte"}).status_code == 200
    documenting = only_task(eva, walk.case_id, "dokumentera_avslut")
    assert documenting["data"]["avslutsorsak"] == "samordning_behovs_inte"


def test_closing_for_a_new_sip_starts_one(staff):
    eva = staff["eva"]
    walk = CaseWalk.start().to_plan()
    send(eva, walk.case_id, "avslut_begart")
    complete(eva, only_task(eva, walk.case_id, "dokumentera_avslut"),
             {"avslutsorsak": "ny_sip", "avslutsdatum": "2027-02-01", "den_enskilde_informerad": True})
    walk.each("kvittera_avslut", lambda group: {"kvitterat": True})
    assert (walk.case.status, walk.case.closure_reason) == ("closed", "ny_sip")
    assert walk.case.data["utfall"] == "ny_sip"


# -- cancelling the meeting -----------------------------------------------------------------------------------
@pytest.mark.parametrize("stage", ["acknowledgements", "premeeting"])
def test_cancelling_the_meeting_is_acknowledged_by_each_summoned_party_who_sees_why(staff, stage):
    eva, vera = staff["eva"], staff["vera"]
    walk = CaseWalk.start().initiate().consent().prepare()
    if stage == "premeeting":
        walk.acknowledge_all()
    had = [t["name"] for t in tasks_of(vera, walk.case_id)]

    reason = "Anna har flyttat till sin dotter i Malmö"
    assert send(eva, walk.case_id, "mote_installt", {"orsak": reason}).status_code == 200
    assert [t["name"] for t in tasks_of(vera, walk.case_id)] == []
    if had:
        ended = tasks_of(vera, walk.case_id, state="cancelled")
        assert [t["name"] for t in ended] == had
    documenting = only_task(eva, walk.case_id, "dokumentera_installt_mote")
    assert documenting["instructions"]
    complete(eva, documenting, {"installt_orsak": "Anna har flyttat till sin dotter i Malmö",
                                "parterna_informerade": True, "den_enskilde_informerad": True})
    assert walk.case.status == "active", "not cancelled before the summoned parties have acknowledged"

    told = only_task(vera, walk.case_id, "kvittera_installt_mote")
    assert told["data"]["orsak_till_installt"] == "Anna har flyttat till sin dotter i Malmö"
    assert told["form"]["schema"]["properties"]["orsak_till_installt"]["title"] == "Varför mötet ställdes in"
    assert told["instructions"].startswith("Mötet ställdes in: Anna har flyttat till sin dotter i Malmö")
    assert "avslutats" in told["instructions"]
    complete(vera, told, {"kvitterat": True})
    complete(eva, only_task(eva, walk.case_id, "kvittera_installt_mote"), {"kvitterat": True})
    case = eva.get(f"/api/v1/cases/{walk.case_id}").json
    assert (case["status"], case["closure_reason"]) == ("cancelled", "mote_installt")
    assert sorted(k["organisation"] for k in walk.case.data["installt_kvitteringar"]) == \
        sorted([KOMMUN["organisation"], VARDCENTRAL["organisation"]])


def at(day: str):
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=8, tzinfo=UTC), tick=False)



# -- the summons without delay ----------------------------------------------------------------------------------
def test_the_summons_is_due_within_five_working_days_and_its_delay_reminds_the_coordinator(staff):
    eva = staff["eva"]
    with at("2026-12-04"):  # a Friday
        walk = CaseWalk.start().initiate().consent()
    summons = only_task(eva, walk.case_id, "forbered_sip")
    assert summons["due_at"] and in_sweden(datetime.fromisoformat(summons["due_at"]))[:10] == "2026-12-11"
    with at("2026-12-12"):  # the weekend: no working day has passed since it was due
        assert cases.fire_due_timers() == []
    assert [t["name"] for t in tasks_of(eva, walk.case_id)] == ["forbered_sip"]
    with at("2026-12-14"):
        assert cases.fire_due_timers() == [walk.case_id]
    reminder = only_task(eva, walk.case_id, "folj_upp_sen_kallelse")
    assert "11 december 2026" in reminder["instructions"] and "4 december 2026" in reminder["instructions"]
    complete(eva, reminder, {"orsak_till_drojsmal": "Anna är på korttidsboende till måndag",
                             "kallelse_skickas_senast": "2026-12-15"})
    assert [t["name"] for t in tasks_of(eva, walk.case_id)] == ["forbered_sip"], "the summons itself is still due"
    walk.prepare()
    assert "forbered_sip" not in [t["name"] for t in tasks_of(eva, walk.case_id)]


def test_a_summons_sent_in_time_brings_no_reminder(staff):
    eva = staff["eva"]
    with at("2026-12-04"):
        walk = CaseWalk.start().initiate().consent().prepare()
    with at("2026-12-15"):
        cases.fire_due_timers()
    assert "folj_upp_sen_kallelse" not in [t["name"] for t in tasks_of(eva, walk.case_id)]


def test_closing_cancelling_and_early_follow_ups_are_the_coordinators_to_send(staff):
    eva, vera = staff["eva"], staff["vera"]
    walk = CaseWalk.start().initiate().consent().prepare()
    assert offered(eva, walk.case_id) == ["avslut_begart", "mote_installt", "samtycke_aterkallat"]
    assert offered(vera, walk.case_id) == ["samtycke_aterkallat"]
    for name in ("avslut_begart", "mote_installt"):
        refused = send(vera, walk.case_id, name)
        assert refused.status_code == 403, refused.json
    assert walk.names() == ["kvittera_kallelse", "kvittera_kallelse"], "nothing changed"


# -- follow-up --------------------------------------------------------------------------------------------------
def test_an_early_follow_up_is_due_soon_tells_the_participants_and_opens_with_the_plan_as_it_stands(staff):
    eva, vera = staff["eva"], staff["vera"]
    walk = CaseWalk.start().to_plan(uppfoljningsdatum="2027-06-10")
    with at("2027-01-11"):  # a Monday
        assert send(eva, walk.case_id, "uppfoljning_begard", {"orsak": "Anna har fallit i hemmet"}).status_code == 200
    follow_up = only_task(eva, walk.case_id, "genomfor_uppfoljning")
    assert in_sweden(datetime.fromisoformat(follow_up["due_at"]))[:10] == "2027-01-25", "within two weeks"
    assert "Anna har fallit i hemmet" in follow_up["instructions"]

    told = only_task(vera, walk.case_id, "kvittera_uppfoljning")
    assert in_sweden(datetime.fromisoformat(told["due_at"]))[:10] == "2027-01-25"
    assert "25 januari 2027" in told["instructions"] and "Anna har fallit i hemmet" in told["instructions"]

    # The form opens with the plan's goals and interventions, and offers the participants to choose from.
    data, schema = follow_up["data"], follow_up["form"]["schema"]["properties"]
    assert data["uppdaterade_mal"] == [{"mal": "Trygg i hemmet", "delmal": ["Larm installerat"]}]
    assert [(i["huvudman"], i["insats"]) for i in data["insatser_i_planen"]] == [
        (KOMMUN["organisation"], "Hemtjänst morgon och kväll")]
    participants = [KOMMUN["organisation"], VARDCENTRAL["organisation"]]
    assert sorted(o["const"] for o in schema["deltagare_som_utgar"]["items"]["oneOf"]) == sorted(participants)
    answers = {"uppfoljning_genomford": "2027-01-20", "mal_uppfyllda": False, "behov_av_samordning": True,
               "avliden": False, "samtycke_aterkallat": False, "nya_risker_eller_mal": False,
               "uppdaterade_mal": [*data["uppdaterade_mal"], {"mal": "Gå ut varje dag", "delmal": []}],
               "insatser_i_planen": [{**data["insatser_i_planen"][0], "hur_ofta": "Tre gånger om dagen"}]}
    typed = client_post_complete(eva, follow_up, {**answers, "deltagare_som_utgar": ["Vårdcentralen"]})
    assert typed.status_code == 422 and typed.json["errors"][0]["field"].startswith("deltagare_som_utgar")
    complete(eva, follow_up, {**answers, "deltagare_som_utgar": [VARDCENTRAL["organisation"]]})
    assert walk.case.data["utfall"] == "", "the plan waits until every participant knows of the follow-up"
    complete(vera, told, {"kvitterat": True, "att_ta_upp": "Vi behöver inte vara med längre"})
    complete(eva, only_task(eva, walk.case_id, "kvittera_uppfoljning"), {"kvitterat": True})

    plan = eva.get(f"/api/v1/cases/{walk.case_id}/plan").json
    assert [p["organisation"] for p in plan["participants"]] == [KOMMUN["organisation"]]
    assert [g["mal"] for g in plan["goals"]][-1] == "Gå ut varje dag"
    assert walk.case.data["plan"]["insatser"][0]["hur_ofta"] == "Tre gånger om dagen"
    assert "uppfoljning_senast" not in walk.case.data, "the next follow-up is due on its own date"
    assert in_sweden(walk.case.next_timer_at)[:10] == "2028-01-20", "a year after this follow-up"


def client_post_complete(client, task: dict, data: dict):
    return client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data})


# -- the meeting: attendance, deviations, the mapping beforehand --------------------------------------------------
def test_the_meeting_shows_each_professions_mapping_and_records_who_came(staff):
    eva, vera = staff["eva"], staff["vera"]
    walk = CaseWalk.start().initiate().consent().prepare()
    complete(vera, only_task(vera, walk.case_id, "kvittera_kallelse"),
             {"kommer": True, "namn": "Per Berg", "kartlaggning": "Tre kroniska diagnoser, åtta läkemedel"})
    complete(eva, only_task(eva, walk.case_id, "kvittera_kallelse"),
             {"kommer": True, "namn": "Eva Ek", "kartlaggning": "Hemtjänst två gånger om dagen"})
    walk.premeeting()

    meeting = only_task(eva, walk.case_id, "genomfor_sip_mote")
    shown = meeting["instructions"]
    assert f"**{VARDCENTRAL['organisation']}** (Per Berg kommer): Tre kroniska diagnoser, åtta läkemedel" in shown
    assert f"**{KOMMUN['organisation']}** (Eva Ek kommer): Hemtjänst två gånger om dagen" in shown
    # who came is chosen among those summoned, filled in from who said they would come
    options = meeting["form"]["schema"]["properties"]["narvarande"]["items"]["oneOf"]
    assert sorted(o["const"] for o in options) == sorted([KOMMUN["organisation"], VARDCENTRAL["organisation"]])
    assert sorted(meeting["data"]["narvarande"]) == sorted([KOMMUN["organisation"], VARDCENTRAL["organisation"]])
    answers = {"motesdatum": "2026-12-10", "huvudmal": "Anna bor kvar hemma", "overgripande_ansvar":
               KOMMUN["organisation"], "uppfoljningsdatum": "2027-06-10", "den_enskilde_informerad": True}
    typed = client_post_complete(eva, meeting, {**answers, "narvarande": ["Vårdcentralen"]})
    assert typed.status_code == 422 and typed.json["errors"][0]["field"].startswith("narvarande")

    # the vårdcentral did not come after all, and sent no one
    complete(eva, meeting, {**answers, "narvarande": [KOMMUN["organisation"]]})
    deviation = only_task(eva, walk.case_id, "registrera_avvikelse_vid_motet")
    assert deviation["instructions"].startswith(f"{VARDCENTRAL['organisation']} var kallad till SIP-mötet")
    assert in_sweden(datetime.fromisoformat(deviation["due_at"]))[:10] == "2026-12-14"
    assert "registrera_avvikelse_vid_motet" not in [t["name"] for t in tasks_of(vera, walk.case_id)]
    complete(eva, deviation, {"beskrivning": "Vårdcentralen uteblev utan att meddela förhinder."})
    # the plan is documented as ever, the absent huvudman too, and the case keeps the deviation
    assert sorted(t["name"] for t in tasks_of(vera, walk.case_id)) == ["dokumentera_ataganden"]
    walk.document_all().approve_all().print_plan()
    assert walk.case.data["avvikelser_vid_motet"] == [{
        "organisation": VARDCENTRAL["organisation"], "motesdatum": "2026-12-10",
        "beskrivning": "Vårdcentralen uteblev utan att meddela förhinder."}]


def test_no_deviation_when_every_summoned_huvudman_came(staff):
    walk = CaseWalk.start().initiate().consent().prepare().acknowledge_all().premeeting().meeting()
    assert "registrera_avvikelse_vid_motet" not in walk.names()
    walk.document_all().approve_all().print_plan()
    assert walk.case.data["uteblivna_vid_motet"] == [] and "avvikelser_vid_motet" not in walk.case.data
