"""What the staff web app's case pages read over HTTP, walked through the routine on the real diagrams: the case
list with each case's stage, coordinator and next due date; the cases the organisation coordinates; a search by
personal number; the diagrams a case runs and where it stands in them; the messages it can take."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from lxml import etree

from engine.calendar import SWEDISH_TIME
from engine.database import db
from engine.people.personal_number import parse_personal_number
from engine.privacy import number_hash
from engine.scripting.helpers import arbetsdagar_efter, idag
from engine.store import AuditEvent, Case, CaseEvent
from tests.api.conftest import PERSON, signed_in, user_token
from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk

ROOT = Path(__file__).resolve().parents[2]
VARDCENTRAL_ORG = (VARDCENTRAL["organisation"], "primarvard", "kristianstad")
STOCKHOLM_ORG = ("Stockholms stad, socialtjänst Södermalm", "kommun_sol", "stockholm")
ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Tolvan"}, "sip_behovs": True,
              "samordningsansvarig": KOMMUN}
CALLED = ["initiering_och_samtycke", "kallelse_och_forberedelse", "tjanstemannamote", "mote_och_dokumentation",
          "uppfoljning", "avslut"]


@pytest.fixture
def staff(app):
    """A user of the coordinating kommun, one of the vårdcentral, one of a Stockholm organisation."""
    return {"eva": signed_in(app, user_token("eva")), "vera": signed_in(app, user_token("vera", VARDCENTRAL_ORG)),
            "sara": signed_in(app, user_token("sara", STOCKHOLM_ORG))}


def start(client, region: str = "base", name: str = PERSON["name"]) -> dict:
    response = client.post("/api/v1/cases", json={"region": region, "person": {**PERSON, "name": name}})
    assert response.status_code == 201, response.json
    return response.json


def row(client, case_id: str, **query) -> dict:
    items = client.get("/api/v1/cases", query_string=query).json["items"]
    found = [item for item in items if item["id"] == case_id]
    assert found, (case_id, items)
    return found[0]


def ids(client, **query) -> list[str]:
    body = client.get("/api/v1/cases", query_string=query).json
    assert body["total"] == len(body["items"]), body
    return [item["id"] for item in body["items"]]


def diagram(client, case_id: str) -> dict:
    response = client.get(f"/api/v1/cases/{case_id}/diagram")
    assert response.status_code == 200, response.json
    return response.json


def message_names(client, case_id: str) -> list[str]:
    return [m["name"] for m in client.get(f"/api/v1/cases/{case_id}").json["available_messages"]]


# -- the case list ------------------------------------------------------------------------------------
def test_the_case_list_shows_each_stage_its_coordinator_and_next_due_date(staff):
    eva = staff["eva"]
    case_id = start(eva)["id"]

    def shown():
        item = row(eva, case_id)
        assert eva.get(f"/api/v1/cases/{case_id}").json["stage"] == item["stage"]  # the case page says the same
        return item["stage"], item["coordinator"], item["next_due_at"]

    assert row(eva, case_id)["person_name"] == PERSON["name"]
    assert shown() == ("Initiering och samtycke", None, None)
    walk = CaseWalk(case_id).initiate()
    coordinator = {"organisation": KOMMUN["organisation"], "name": "Eva Ek"}
    assert shown() == ("Initiering och samtycke", coordinator, None)
    walk.consent()
    # The summons goes out without delay: by the end of the fifth working day after the case was opened.
    stage, who, due = shown()
    assert (stage, who) == ("Förberedelse och kallelse", coordinator)
    assert datetime.fromisoformat(due).astimezone(SWEDISH_TIME).date().isoformat() == arbetsdagar_efter(idag(), 5)
    walk.prepare().acknowledge_all()
    assert shown() == ("Tjänstemannamöte", coordinator, None)
    walk.premeeting()
    assert shown() == ("SIP-möte och dokumentation", coordinator, None)
    walk.meeting(motesdatum="2026-12-10", uppfoljningsdatum="2027-06-10")
    # Each participant documents within two working days: by the end of 2026-12-14, Swedish time.
    assert shown() == ("SIP-möte och dokumentation", coordinator, "2026-12-14T22:59:59+00:00")
    walk.document_all().approve_all().print_plan()
    assert shown() == ("SIP pågår", coordinator, None)  # waiting for the follow-up
    assert eva.post(f"/api/v1/cases/{case_id}/messages/uppfoljning_begard", json={}).status_code == 200
    # A follow-up asked for early is due within two weeks, not on the date planned.
    stage, who, due = shown()
    assert (stage, who) == ("Uppföljning", coordinator)
    assert datetime.fromisoformat(due).astimezone(SWEDISH_TIME).date().isoformat() == arbetsdagar_efter(idag(), 10)
    walk.follow_up("2027-06-10", mal_uppfyllda=True)
    assert shown()[0] == "Avslut"
    walk.close()
    item = row(eva, case_id)
    assert (item["status"], item["stage"], item["next_due_at"]) == ("closed", None, None)
    assert ids(eva, status="closed") == [case_id]


def test_a_case_stored_before_stages_were_kept_is_read_from_its_workflow(staff):
    eva = staff["eva"]
    case_id = start(eva)["id"]
    CaseWalk(case_id).initiate().consent()
    kept = message_names(eva, case_id)
    db.session.execute(sa.update(Case).where(Case.id == case_id).values(stage=None, waiting=None))
    db.session.commit()
    assert row(eva, case_id)["stage"] == "Förberedelse och kallelse"
    assert eva.get(f"/api/v1/tasks/{CaseWalk(case_id).tasks()[0].id}").json["case"]["stage"] == \
        "Förberedelse och kallelse"
    assert message_names(eva, case_id) == kept == ["avslut_begart", "mote_installt", "samtycke_aterkallat"]


def test_coordinated_by_me_follows_the_acting_coordinator(staff):
    eva, vera = staff["eva"], staff["vera"]
    case_id = start(vera)["id"]
    mine = start(eva)["id"]
    first = CaseWalk(case_id).tasks()[0].id
    assert vera.post(f"/api/v1/tasks/{first}/complete", json={"data": ASSESSMENT}).status_code == 200
    # Before consent the vårdcentral, which started the case, acts as its coordinator, and is alone to see it.
    assert ids(vera, coordinated_by="me") == [case_id]
    assert ids(eva) == [mine] and ids(eva, coordinated_by="me") == [mine]
    CaseWalk(case_id).consent()
    assert ids(vera, coordinated_by="me") == [] and ids(vera) == [case_id]
    assert set(ids(eva, coordinated_by="me")) == {case_id, mine}
    assert row(vera, case_id)["coordinator"] == {"organisation": KOMMUN["organisation"], "name": "Eva Ek"}
    bad = eva.get("/api/v1/cases", query_string={"coordinated_by": "them"})
    assert bad.status_code == 400 and bad.json["errors"][0]["field"] == "coordinated_by"


def test_cases_are_found_by_part_of_the_persons_name(staff):
    eva, sara = staff["eva"], staff["sara"]
    asa = start(eva, name="Åsa Öberg")["id"]
    tolvan = start(eva)["id"]
    theirs = start(sara, region="stockholm", name="Åsa Öberg")["id"]
    assert ids(eva, person="åsa ÖB") == [asa]
    assert ids(eva, person="TOLV") == [tolvan]
    assert ids(eva, person="%") == []
    assert ids(sara, person="Åsa") == [theirs]
    assert ids(eva, person="s", coordinated_by="me") == [tolvan, asa]  # newest first


def test_a_search_by_personal_number_is_audited_and_answers_only_what_the_organisation_sees(staff):
    eva, sara = staff["eva"], staff["sara"]
    mine = start(eva)["id"]
    start(sara, region="stockholm")  # the same person, in another organisation's case
    found = eva.get("/api/v1/cases", query_string={"personal_number": "191212121212"}).json
    assert [item["id"] for item in found["items"]] == [mine] and found["total"] == 1
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "find_person")
                               .order_by(AuditEvent.id.desc())).first()
    assert (event.user, event.organisation, event.outcome) == ("eva", KOMMUN["organisation"], "ok")
    assert event.subject_hash == number_hash(parse_personal_number(PERSON["personal_number"]).number)
    assert event.detail == {"total": 1, "cases": [mine]}
    for written in ("191212121212", "19121212-1212", "121212-1212", "1212121212"):
        assert written not in str(event.detail)  # (a case id may hold "1212" by chance)


# -- the diagram --------------------------------------------------------------------------------------
def test_the_diagram_marks_what_has_run_what_is_open_and_what_waits(staff):
    eva = staff["eva"]
    case_id = start(eva)["id"]
    walk = CaseWalk(case_id).initiate()
    before = diagram(eva, case_id)
    assert [p["id"] for p in before["processes"]] == ["sip", *CALLED]
    main = before["processes"][0]
    assert (main["name"], main["file"]) == ("Samordnad individuell plan", "sip.bpmn")
    assert main["xml"] == (ROOT / "processes" / "bpmn" / "sip.bpmn").read_text(encoding="utf-8")
    assert before["calls"]["sip"] == {"initiering": "initiering_och_samtycke", "kallelse": "kallelse_och_forberedelse",
                                      "tjanstemote": "tjanstemannamote", "mote": "mote_och_dokumentation",
                                      "uppfoljning_steg": "uppfoljning", "avslut_steg": "avslut"}
    assert before["calls"]["kallelse_och_forberedelse"] == {}
    assert before["states"]["initiering_och_samtycke"] == {
        "initiering_start": "completed", "bedom_behov_av_sip": "completed", "sip_behovs": "completed",
        "till_inhamta_samtycke": "completed", "inhamta_samtycke": "open"}
    assert before["states"]["sip"] == {"sip_start": "completed", "oppna_arendet": "completed", "initiering": "open"}

    walk.consent()  # consent given: the summons stage is open, the messages that can stop it wait
    after = diagram(eva, case_id)
    states = after["states"]
    assert states["initiering_och_samtycke"]["inhamta_samtycke"] == "completed"
    assert {k: states["sip"].get(k) for k in ("initiering", "fortsatter_sip", "sip_pagar", "fore_motet", "kallelse",
                                              "tjanstemote", "samtycke_aterkallas", "mote_installt_handelse")} == {
        "initiering": "completed", "fortsatter_sip": "completed", "sip_pagar": "open", "fore_motet": "open",
        "kallelse": "open", "tjanstemote": None, "samtycke_aterkallas": "waiting", "mote_installt_handelse": "waiting"}
    assert states["kallelse_och_forberedelse"] == {"kallelse_start": "completed", "till_forbered_sip": "completed",
                                                   "forbered_sip": "open", "kallelse_drojer": "waiting"}
    assert states["tjanstemannamote"] == states["mote_och_dokumentation"] == states["avslut"] == {}
    assert after["processes"] == before["processes"]  # the same diagrams, whoever and whenever

    walk.prepare()
    cancelled = eva.post(f"/api/v1/cases/{case_id}/messages/mote_installt",
                         json={"payload": {"orsak": "Behovet finns inte längre"}})
    assert cancelled.status_code == 200, cancelled.json
    states = diagram(eva, case_id)["states"]
    assert {k: states["sip"][k] for k in ("mote_installt_handelse", "fore_motet", "kallelse", "sip_pagar",
                                          "dokumentera_installt_mote", "samtycke_aterkallas")} == {
        "mote_installt_handelse": "completed", "fore_motet": "cancelled", "kallelse": "cancelled",
        "sip_pagar": "open", "dokumentera_installt_mote": "open", "samtycke_aterkallas": "waiting"}
    assert states["kallelse_och_forberedelse"]["forbered_sip"] == "completed"
    assert states["kallelse_och_forberedelse"]["kvittera_kallelse"] == "cancelled"


def test_a_finished_case_shows_its_whole_path_and_a_follow_up_waits(staff):
    eva = staff["eva"]
    case_id = start(eva)["id"]
    walk = CaseWalk(case_id).to_plan()
    states = diagram(eva, case_id)["states"]
    assert {k: states["sip"][k] for k in ("mote", "sip_pagar", "vanta_pa_uppfoljning", "uppfoljningsdatum_nas",
                                          "uppfoljning_begars", "samtycke_aterkallas")} == {
        "mote": "completed", "sip_pagar": "waiting", "vanta_pa_uppfoljning": "waiting",
        "uppfoljningsdatum_nas": "waiting", "uppfoljning_begars": "waiting", "samtycke_aterkallas": "waiting"}
    assert states["mote_och_dokumentation"]["skriv_ut_plan"] == "completed"
    assert "genomfor_uppfoljning" not in states["uppfoljning"]
    assert eva.post(f"/api/v1/cases/{case_id}/messages/uppfoljning_begard", json={}).status_code == 200
    walk.follow_up("2027-06-10", mal_uppfyllda=True).close()
    states = diagram(eva, case_id)["states"]
    assert states["sip"]["uppfoljning_begars"] == "completed" and states["sip"]["sip_avslutad"] == "completed"
    assert states["uppfoljning"]["genomfor_uppfoljning"] == "completed"
    assert states["avslut"]["kvittera_avslut"] == "completed"
    assert "open" not in {state for marks in states.values() for state in marks.values()}


def test_history_stored_before_elements_were_kept_still_marks_its_user_tasks(staff):
    eva = staff["eva"]
    case_id = start(eva)["id"]
    CaseWalk(case_id).initiate().consent()
    db.session.execute(sa.update(CaseEvent).where(CaseEvent.case_id == case_id).values(elements=None))
    db.session.commit()
    states = diagram(eva, case_id)["states"]
    assert states["initiering_och_samtycke"] == {"bedom_behov_av_sip": "completed", "inhamta_samtycke": "completed"}
    assert states["kallelse_och_forberedelse"] == {"forbered_sip": "open", "kallelse_drojer": "waiting"}


def test_the_diagram_needs_the_whole_case(staff):
    eva, vera, sara = staff["eva"], staff["vera"], staff["sara"]
    case_id = start(eva)["id"]
    CaseWalk(case_id).initiate().consent().prepare()
    assert diagram(vera, case_id)["states"]["kallelse_och_forberedelse"]["kvittera_kallelse"] == "open"
    assert sara.get(f"/api/v1/cases/{case_id}/diagram").status_code == 404
    assert eva.get("/api/v1/cases/hittepa/diagram").status_code == 404
    assert eva.post(f"/api/v1/cases/{case_id}/messages/samtycke_aterkallat", json={}).status_code == 200
    refused = vera.get(f"/api/v1/cases/{case_id}/diagram")
    assert refused.status_code == 403 and refused.json["type"] == "/problems/forbidden"
    assert diagram(eva, case_id)["states"]["sip"]["samtycke_aterkallas"] == "completed"
    reads = db.session.scalars(sa.select(AuditEvent.outcome).where(
        AuditEvent.case_id == case_id, AuditEvent.action == "read_case", AuditEvent.user == "vera")
        .order_by(AuditEvent.id)).all()
    assert reads == ["ok", "denied"]


def test_a_regions_case_shows_the_regions_diagrams(app, staff):
    from tests.regions.conftest import deploy_region

    deploy_region(app, "stockholm")
    sara = staff["sara"]
    case_id = start(sara, region="stockholm")["id"]
    shown = diagram(sara, case_id)
    by_id = {p["id"]: p for p in shown["processes"]}
    assert by_id["kallelse_och_forberedelse"]["name"] == "Kallelse (Stockholm)"
    region_file = ROOT / "processes" / "regions" / "stockholm" / "bpmn" / "kallelse_och_forberedelse.bpmn"
    assert by_id["kallelse_och_forberedelse"]["xml"] == region_file.read_text(encoding="utf-8")
    assert by_id["sip"]["xml"] == (ROOT / "processes" / "bpmn" / "sip.bpmn").read_text(encoding="utf-8")
    assert list(shown["states"]["initiering_och_samtycke"].values()).count("open") == 1


# -- messages -----------------------------------------------------------------------------------------
def documentation(element_id: str) -> str:
    tree = etree.parse(str(ROOT / "processes" / "bpmn" / "sip.bpmn"))
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    return tree.find(f".//*[@id='{element_id}']/bpmn:documentation", ns).text


def test_available_messages_are_those_the_case_waits_for_worded_by_its_diagram(staff):
    eva, vera, sara = staff["eva"], staff["vera"], staff["sara"]
    case_id = start(eva)["id"]
    walk = CaseWalk(case_id).initiate()
    assert message_names(eva, case_id) == []
    walk.consent().prepare()
    shown = eva.get(f"/api/v1/cases/{case_id}").json["available_messages"]
    assert shown == [
        {"name": "avslut_begart", "title": "Planen avslutas", "description": documentation("avslut_begars"),
         "reason": None},
        {"name": "mote_installt", "title": "Mötet ställs in", "description": documentation("mote_installt_handelse"),
         "reason": {"field": "orsak", "label": "Varför ställs mötet in?", "required": True}},
        {"name": "samtycke_aterkallat", "title": "Samtycket återkallas",
         "description": documentation("samtycke_aterkallas"), "reason": None}]
    assert all(m["description"] for m in shown)
    # A participant in full: the person's withdrawal of consent may reach any of them; closing the plan and
    # cancelling the meeting are the coordinator's decisions.
    assert vera.get(f"/api/v1/cases/{case_id}").json["available_messages"] == shown[2:]
    refused = vera.post(f"/api/v1/cases/{case_id}/messages/mote_installt", json={})
    assert refused.status_code == 403 and refused.json["title"] == "Åtkomst nekad"
    assert sara.get(f"/api/v1/cases/{case_id}").status_code == 404

    refused = eva.post(f"/api/v1/cases/{case_id}/messages/uppfoljning_begard", json={})
    assert refused.status_code == 409
    assert refused.json["waiting_for"] == ["avslut_begart", "mote_installt", "samtycke_aterkallat"]
    accepted = eva.post(f"/api/v1/cases/{case_id}/messages/mote_installt",
                        json={"payload": {"orsak": "Behovet finns inte längre"}})
    assert accepted.status_code == 200
    assert [m["name"] for m in accepted.json["available_messages"]] == ["avslut_begart", "samtycke_aterkallat"]
    assert eva.post(f"/api/v1/cases/{case_id}/messages/mote_installt", json={}).status_code == 409

    assert vera.post(f"/api/v1/cases/{case_id}/messages/samtycke_aterkallat", json={}).status_code == 200
    assert message_names(eva, case_id) == []  # closing down: nothing more to send
    own = vera.get(f"/api/v1/cases/{case_id}").json
    assert own["plan"]["scope"] == "own" and own["available_messages"] == []


def test_after_the_plan_a_follow_up_can_be_asked_for(staff):
    eva = staff["eva"]
    case_id = start(eva)["id"]
    CaseWalk(case_id).to_plan()
    shown = eva.get(f"/api/v1/cases/{case_id}").json["available_messages"]
    assert [(m["name"], m["title"]) for m in shown] == [("avslut_begart", "Planen avslutas"),
                                                        ("samtycke_aterkallat", "Samtycket återkallas"),
                                                        ("uppfoljning_begard", "Uppföljning begärs")]
    assert shown[2]["description"] == documentation("uppfoljning_begars")
    assert eva.post(f"/api/v1/cases/{case_id}/messages/uppfoljning_begard", json={}).status_code == 200


def test_a_region_words_its_messages_in_its_own_diagram(app, staff):
    from engine.services.process_sets import deploy, overlay, read_process_folder

    base = read_process_folder(app.config["PROCESSES_DIR"], app.config["FORMS_DIR"])
    ours = base["bpmn/sip.bpmn"].replace(documentation("uppfoljning_begars"),
                                         "Regionens egen text: uppföljningen görs i dag.")
    deploy(overlay(base, {"bpmn/sip.bpmn": ours}), region="gotland", deployed_by="tests")
    walk = CaseWalk.start("gotland").to_plan()
    shown = staff["eva"].get(f"/api/v1/cases/{walk.case_id}").json["available_messages"]
    assert shown[2] == {"name": "uppfoljning_begard", "title": "Uppföljning begärs",
                        "description": "Regionens egen text: uppföljningen görs i dag.",
                        "reason": {"field": "orsak", "label": "Varför behövs uppföljningen nu?", "required": False}}
