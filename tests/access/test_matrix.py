"""Organisations × cases × actions: every allowed cell works, every other cell reveals nothing — not in the
case, the plan, the task, the task list (filters, counts, pages), nor in a refusal."""

from __future__ import annotations

import pytest

from engine.access.sharing import consented
from engine.database import db
from engine.services import cases
from tests.access.conftest import ORGS
from tests.routine.walk import KOMMUN, VARDCENTRAL

OUTSIDERS = ("hemsjukvard", "stockholm")
ACK = {"kommer": True, "namn": "Företrädare", "kartlaggning": "Nuläge"}


def open_tasks(case_id):
    db.session.expire_all()
    return cases.open_tasks(case_id)


def own_task(case_id, who):
    org = ORGS[who][0]
    found = [t for t in open_tasks(case_id) if t.candidate_group == org]
    return found[0].id if found else None


def assert_reveals_nothing(response, case_id):
    assert response.status_code == 404, response.json
    assert response.mimetype == "application/problem+json"
    text = response.get_data(as_text=True)
    assert "Tolvan" not in text and "Anna" not in text and "Norr" not in text


def listed(client, case_id) -> bool:
    items = client.get("/api/v1/cases?limit=200").json["items"]
    return case_id in {c["id"] for c in items}


def assert_invisible(world, who, case_id):
    client = world[who]
    assert not listed(client, case_id)
    assert_reveals_nothing(client.get(f"/api/v1/cases/{case_id}"), case_id)
    assert_reveals_nothing(client.get(f"/api/v1/cases/{case_id}/plan"), case_id)
    assert_reveals_nothing(client.get(f"/api/v1/cases/{case_id}/audit"), case_id)
    assert_reveals_nothing(client.post(f"/api/v1/cases/{case_id}/messages/samtycke_aterkallat", json={}), case_id)
    assert_reveals_nothing(client.post(f"/api/v1/cases/{case_id}/messages/kallelse_kvitterad", json={
        "payload": {"organisation": ORGS[who][0], "data": ACK}}), case_id)
    listing = client.get("/api/v1/tasks", query_string={"case_id": case_id}).json
    assert listing == {"items": [], "total": 0, "limit": 50, "offset": 0}
    for task in open_tasks(case_id):
        assert_reveals_nothing(client.get(f"/api/v1/tasks/{task.id}"), case_id)
        assert_reveals_nothing(client.post(f"/api/v1/tasks/{task.id}/claim", json={}), case_id)
        assert_reveals_nothing(client.post(f"/api/v1/tasks/{task.id}/complete", json={"data": ACK}), case_id)
        assert_reveals_nothing(client.post(f"/api/v1/tasks/{task.id}/unclaim", json={}), case_id)
        assert_reveals_nothing(client.put(f"/api/v1/tasks/{task.id}/draft", json={"data": {}}), case_id)
        assert_reveals_nothing(client.delete(f"/api/v1/tasks/{task.id}/draft"), case_id)
    for state in ("completed", "cancelled"):
        assert client.get("/api/v1/tasks", query_string={"case_id": case_id, "state": state}).json["total"] == 0


# -- before consent: the initiating organisation only ----------------------------------------------------
def test_before_consent_only_the_initiator_sees_the_case(world):
    case_id = world.pre_consent()
    vc = world["vardcentral"]
    assert listed(vc, case_id)
    assert vc.get(f"/api/v1/cases/{case_id}").json["id"] == case_id
    assert vc.get(f"/api/v1/cases/{case_id}/plan").status_code == 200
    # the named coordinator does not see the case before consent, nor does anyone else
    for who in ("kommun", *OUTSIDERS):
        assert_invisible(world, who, case_id)
    # the initiator acts as coordinator: obtains consent
    task = [t for t in open_tasks(case_id) if t.name == "inhamta_samtycke"][0]
    assert task.candidate_group == "samordningsansvarig"
    assert vc.get("/api/v1/tasks", query_string={"candidate_group": "samordningsansvarig"}).json["total"] == 1
    assert vc.post(f"/api/v1/tasks/{task.id}/claim", json={}).json["assignee"] == "staff.vardcentral"
    # no message is awaited before consent: the refusal is about the process, not about access
    assert vc.post(f"/api/v1/cases/{case_id}/messages/samtycke_aterkallat", json={}).status_code == 409
    done = vc.post(f"/api/v1/tasks/{task.id}/complete", json={"data": {
        "samtycke": "givet", "samtycke_datum": "2026-11-27", "samtycke_informationsutbyte": True,
        "samtycke_huvudman": ["kommun_sol", "primarvard"]}})
    assert done.status_code == 200, done.json
    assert cases.get_case(case_id).data["sip_delas"] is True  # the diagram says so
    # consent given: now the coordinator sees the case and takes over the coordinator's tasks
    kommun = world["kommun"]
    assert listed(kommun, case_id)
    assert [t["name"] for t in kommun.get("/api/v1/tasks", query_string={"case_id": case_id}).json["items"]] == [
        "forbered_sip"]
    assert vc.get("/api/v1/tasks", query_string={"case_id": case_id}).json["total"] == 0
    for who in OUTSIDERS:
        assert_invisible(world, who, case_id)


def test_the_diagrams_decide_when_a_case_is_shared():
    # `sip_delas`, set by the diagrams, decides: a variant may word its consent as it likes
    assert consented({"sip_delas": True, "samtycke": "muntligt_ja"})
    assert not consented({"sip_delas": False, "samtycke": "givet"})
    # a variant that never sets it is read by the base routine's consent variables
    assert consented({"samtycke": "givet"}) and not consented({"samtycke": "avbojer"})
    assert consented({"samtycke": "kan_inte_samtycka", "menprovning_resultat": "sip_genomfors"})


def test_a_case_cannot_be_started_as_already_consented(world):
    vc = world["vardcentral"]
    for variables in ({"sip_delas": True}, {"samtycke": "givet", "samordningsansvarig": KOMMUN},
                      {"menprovning_resultat": "sip_genomfors"}):
        response = vc.post("/api/v1/cases", json={"region": "kristianstad", "variables": variables, "person": {
            "personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}})
        assert response.status_code == 400, response.json
        assert [e["field"] for e in response.json["errors"]] == [
            f"variables/{name}" for name in sorted(variables) if name != "samordningsansvarig"]
    assert vc.get("/api/v1/cases").json["total"] == 0  # nothing was stored


def test_menprovning_allowing_the_sip_shares_it_like_consent(world):
    case_id = world.pre_consent()
    vc = world["vardcentral"]
    task = [t for t in open_tasks(case_id) if t.name == "inhamta_samtycke"][0]
    vc.post(f"/api/v1/tasks/{task.id}/complete", json={"data": {
        "samtycke": "kan_inte_samtycka", "samtycke_datum": "2026-11-27"}})
    assert not listed(world["kommun"], case_id)  # a menprövning is pending: still the initiator's only
    task = [t for t in open_tasks(case_id) if t.name == "genomfor_menprovning"][0]
    response = vc.post(f"/api/v1/tasks/{task.id}/complete", json={"data": {
        "menprovning_resultat": "sip_genomfors", "menprovning_motivering": "Närstående hörda"}})
    assert response.status_code == 200, response.json
    assert listed(world["kommun"], case_id)


# -- shared: coordinator and participants -----------------------------------------------------------------
def test_shared_case_coordinator_sees_everything_and_acts(world):
    case_id = world.shared()
    kommun = world["kommun"]
    assert listed(kommun, case_id)
    case = kommun.get(f"/api/v1/cases/{case_id}").json
    assert {t["candidate_group"] for t in case["open_tasks"]} == {KOMMUN["organisation"], VARDCENTRAL["organisation"]}
    assert kommun.get(f"/api/v1/cases/{case_id}/plan").json["coordinator"]["organisation"] == KOMMUN["organisation"]
    assert kommun.get("/api/v1/tasks", query_string={"case_id": case_id}).json["total"] == 2
    # the coordinator may acknowledge for a participant by message
    response = kommun.post(f"/api/v1/cases/{case_id}/messages/kallelse_kvitterad", json={
        "payload": {"organisation": VARDCENTRAL["organisation"], "data": ACK}})
    assert response.status_code == 200, response.json
    task_id = own_task(case_id, "kommun")
    assert kommun.post(f"/api/v1/tasks/{task_id}/claim", json={}).status_code == 200
    assert kommun.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ACK}).status_code == 200
    for who in OUTSIDERS:
        assert_invisible(world, who, case_id)


def test_shared_case_participant_sees_the_case_and_only_its_own_tasks(world):
    case_id = world.shared()
    vc = world["vardcentral"]
    assert listed(vc, case_id)
    case = vc.get(f"/api/v1/cases/{case_id}").json
    assert [t["candidate_group"] for t in case["open_tasks"]] == [VARDCENTRAL["organisation"]]
    assert vc.get(f"/api/v1/cases/{case_id}/plan").status_code == 200
    listing = vc.get("/api/v1/tasks", query_string={"case_id": case_id}).json
    assert [t["candidate_group"] for t in listing["items"]] == [VARDCENTRAL["organisation"]]
    # the coordinator's own task is as if it did not exist
    kommun_task = own_task(case_id, "kommun")
    assert_reveals_nothing(vc.get(f"/api/v1/tasks/{kommun_task}"), case_id)
    assert_reveals_nothing(vc.post(f"/api/v1/tasks/{kommun_task}/claim", json={}), case_id)
    assert_reveals_nothing(vc.post(f"/api/v1/tasks/{kommun_task}/complete", json={"data": ACK}), case_id)
    assert vc.get("/api/v1/tasks", query_string={"candidate_group": KOMMUN["organisation"]}).json["total"] == 0
    # it cannot acknowledge for another organisation
    other = vc.post(f"/api/v1/cases/{case_id}/messages/kallelse_kvitterad", json={
        "payload": {"organisation": KOMMUN["organisation"], "data": ACK}})
    assert other.status_code == 403
    task_id = own_task(case_id, "vardcentral")
    assert vc.post(f"/api/v1/tasks/{task_id}/claim", json={}).status_code == 200
    assert vc.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ACK}).status_code == 200
    # cancelling the meeting is the coordinator's decision, not a participant's
    assert vc.post(f"/api/v1/cases/{case_id}/messages/mote_installt", json={"payload": {"orsak": "x"}}
                   ).status_code == 403
    assert world["kommun"].post(f"/api/v1/cases/{case_id}/messages/mote_installt", json={"payload": {"orsak": "x"}}
                                ).status_code == 200
    for who in OUTSIDERS:
        assert_invisible(world, who, case_id)


# -- after consent is withdrawn ---------------------------------------------------------------------------
def test_after_withdrawal_participants_keep_only_what_they_documented(world):
    case_id = world.withdrawn()
    assert cases.get_case(case_id).data["sip_delas"] is False
    vc, kommun = world["vardcentral"], world["kommun"]
    assert listed(vc, case_id)
    plan = vc.get(f"/api/v1/cases/{case_id}/plan").json
    assert plan["scope"] == "own"
    assert plan["main_goal"] == "" and plan["goals"] == []
    assert [p["organisation"] for p in plan["participants"]] == [VARDCENTRAL["organisation"]]
    assert plan["participants"][0]["no_action"] is True  # what the vårdcentral documented itself
    page = vc.get(f"/api/v1/cases/{case_id}/plan", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Utdrag: planen delas inte längre med er organisation" in page
    assert "Hemtjänst morgon och kväll" not in page and "Dottern Maria" not in page  # not the others' part
    assert "Huvudmål" not in page and "Eva Ek, Biståndshandläggare" in page  # who coordinates, to ask
    case = vc.get(f"/api/v1/cases/{case_id}").json
    assert case["open_tasks"] == []
    assert all(e["task_id"] for e in case["history"])  # only events of its own tasks
    assert vc.post(f"/api/v1/cases/{case_id}/messages/uppfoljning_begard", json={}).status_code == 403
    # the coordinator still has the whole case and documents the closure
    assert kommun.get(f"/api/v1/cases/{case_id}/plan").json["main_goal"]
    whole = kommun.get(f"/api/v1/cases/{case_id}/plan", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Hemtjänst morgon och kväll" in whole and "Dottern Maria" in whole and "Utdrag" not in whole
    task = [t for t in open_tasks(case_id) if t.name == "dokumentera_avslut"][0]
    assert_reveals_nothing(vc.get(f"/api/v1/tasks/{task.id}"), case_id)
    assert kommun.post(f"/api/v1/tasks/{task.id}/complete", json={"data": {
        "avslutsorsak": "samtycke_aterkallat", "avslutsdatum": "2027-01-16", "den_enskilde_informerad": True}}
    ).status_code == 200
    # the vårdcentral acknowledges the closure addressed to it, seeing no case data in it
    acks = vc.get("/api/v1/tasks", query_string={"case_id": case_id}).json["items"]
    assert [t["name"] for t in acks] == ["kvittera_avslut"]
    assert vc.get(f"/api/v1/tasks/{acks[0]['id']}").json["data"] == {}
    draft = vc.put(f"/api/v1/tasks/{acks[0]['id']}/draft", json={"data": {"kvitterat": True}})
    assert draft.status_code == 200  # its own typing it keeps, though it sees no case data
    assert vc.get(f"/api/v1/tasks/{acks[0]['id']}").json["draft"]["data"] == {"kvitterat": True}
    assert vc.post(f"/api/v1/tasks/{acks[0]['id']}/complete",
                   json={"data": {"kvitterat": True}}).status_code == 200
    for who in OUTSIDERS:
        assert_invisible(world, who, case_id)


# -- the task list: filters, counts and pages hold only visible rows --------------------------------------
def test_task_list_counts_and_pages_only_visible_rows(world):
    shared = [world.shared() for _ in range(3)]
    pre = world.pre_consent()
    expected = {
        "kommun": {(c, KOMMUN["organisation"]) for c in shared},
        "vardcentral": {(c, VARDCENTRAL["organisation"]) for c in shared} | {(pre, "samordningsansvarig")},
        "hemsjukvard": set(), "stockholm": set(),
    }
    expected["kommun"] |= {(c, VARDCENTRAL["organisation"]) for c in shared}  # the coordinator sees all
    for who, rows in expected.items():
        client = world[who]
        seen = set()
        for offset in range(0, 12):
            page = client.get("/api/v1/tasks", query_string={"limit": 1, "offset": offset, "sort": "created"}).json
            assert page["total"] == len(rows), who
            seen |= {(t["case_id"], t["candidate_group"]) for t in page["items"]}
        assert seen == rows, who
        for flt in ({"region": "kristianstad"}, {"candidate_group": VARDCENTRAL["organisation"]},
                    {"candidate_group": "samordningsansvarig"}, {"case_id": pre}):
            listing = client.get("/api/v1/tasks", query_string=flt).json
            got = {(t["case_id"], t["candidate_group"]) for t in listing["items"]}
            assert got <= rows and listing["total"] == len(got), (who, flt)
        cases_listing = client.get("/api/v1/cases", query_string={"limit": 1}).json
        assert cases_listing["total"] == len({c for c, _ in rows} | ({pre} if who == "vardcentral" else set()))


def test_assignee_sees_the_task_it_claimed(world):
    case_id = world.shared()
    task_id = own_task(case_id, "vardcentral")
    vc = world["vardcentral"]
    vc.post(f"/api/v1/tasks/{task_id}/claim", json={})
    assert vc.get("/api/v1/tasks", query_string={"assignee": "staff.vardcentral"}).json["total"] == 1
    assert world["stockholm"].get("/api/v1/tasks", query_string={"assignee": "staff.vardcentral"}).json["total"] == 0


# -- deploying --------------------------------------------------------------------------------------------
DEPLOY_FILE = "processes/regions/kristianstad/bpmn/tjanstemannamote.bpmn"


@pytest.mark.parametrize("who, region, allowed", [
    ("owner_kristianstad", "kristianstad", True),
    ("owner_kristianstad", "stockholm", False),
    ("owner_stockholm", "kristianstad", False),
    ("owner_stockholm", "stockholm", True),
    ("kommun", "kristianstad", False),
    ("admin", "kristianstad", False),
    ("owner_kristianstad", "base", False),
])
def test_deploying_needs_the_process_owner_of_that_region(world, who, region, allowed):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    with open(root / DEPLOY_FILE, "rb") as f:
        response = world[who].post("/api/v1/deployments", data={
            "region": region, "dry_run": "true", "files": (f, "tjanstemannamote.bpmn")},
            content_type="multipart/form-data")
    if allowed:
        assert response.status_code == 200, response.json
    else:
        assert response.status_code == 403, response.json
        assert "process_owner" in response.json["detail"]
