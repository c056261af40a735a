"""Cases over HTTP: start, read, the plan, messages."""

import pytest

from tests.api.conftest import PERSON
from tests.routine.walk import CaseWalk


def test_health_answers_with_the_database(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_starting_a_case_returns_it_with_its_open_tasks(client, start):
    case = start()
    assert case["status"] == "active"
    assert case["region"] == "kristianstad"
    assert case["process"]["key"] == "sip" and case["process"]["version"] == 1
    assert case["person"] == {"name": "Tolvan Tolvansson"}
    assert [t["name"] for t in case["open_tasks"]] == ["bedom_behov_av_sip"]
    assert case["open_tasks"][0]["person_name"] == "Tolvan Tolvansson"


def test_a_started_case_is_read_whole_at_its_location(client):
    response = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON, "variables": {}})
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/v1/cases/{response.json['id']}"
    case = client.get(response.headers["Location"]).json
    assert [e["kind"] for e in case["history"]] == ["started"]
    assert case["plan"]["participants"] == [] and case["open_tasks"] == response.json["open_tasks"]


@pytest.mark.parametrize("number", ["19121212-1212", "121212-1212", "191212121212", "701063-2391"])
def test_personnummer_and_samordningsnummer_are_accepted(client, number):
    response = client.post("/api/v1/cases", json={"region": "base", "person": {"personal_number": number,
                                                                                "name": "Test"}})
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("number, reason", [
    ("19121212-1213", "Personnumret har fel kontrollsiffra"),
    ("19121312-1212", "Datumet i personnumret finns inte"),
    ("20991212-1210", "Datumet i personnumret ligger i framtiden"),
    ("1212121212x", "Personnumret har fel format (ÅÅÅÅMMDD-NNNN)"),
])
def test_invalid_personal_numbers_are_refused_without_repeating_them(client, number, reason):
    response = client.post("/api/v1/cases", json={"region": "base", "person": {"personal_number": number,
                                                                                "name": "Test"}})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    [error] = response.json["errors"]
    assert error["field"] == "person/personal_number"
    assert reason in error["message"]
    assert number not in response.get_data(as_text=True)


def test_case_list_is_paged_with_a_total(client, start):
    for _ in range(3):
        start()
    start(region="stockholm")
    response = client.get("/api/v1/cases?region=kristianstad&limit=2")
    assert response.json["total"] == 3
    assert len(response.json["items"]) == 2
    response = client.get("/api/v1/cases?region=kristianstad&limit=2&offset=2")
    assert len(response.json["items"]) == 1
    assert client.get("/api/v1/cases?status=closed").json["total"] == 0


def test_unknown_case_is_404(client):
    response = client.get("/api/v1/cases/does-not-exist")
    assert response.status_code == 404
    assert response.json["type"] == "/problems/not-found"


def test_plan_document_answers_the_four_questions(app, client):
    walk = CaseWalk.start().to_plan()
    plan = client.get(f"/api/v1/cases/{walk.case_id}/plan").json
    assert plan["ready"] is True
    assert plan["interventions"][0] == {
        "what": "Hemtjänst morgon och kväll", "provided_by": "Kristianstads kommun, hemtjänst Norr",
        "kind_of_provider": "kommun_sol", "how_often": "Dagligen", "when": "07 och 19", "where": "Hemma",
        "who": "Hemtjänst Norr"}
    assert plan["providers"] == ["Kristianstads kommun, hemtjänst Norr"]
    assert plan["others_actions"][0]["provided_by"] == "Dottern Maria"
    assert plan["overall_responsibility"] == "Kristianstads kommun, hemtjänst Norr"
    by_org = {p["organisation"]: p for p in plan["participants"]}
    assert by_org["Region Skåne, vårdcentral Näsby"]["no_action"] is True
    assert by_org["Kristianstads kommun, hemtjänst Norr"]["profession"] == "Biståndshandläggare"
    assert plan["follow_up_date"] == "2027-06-10"


def test_the_plan_prints_as_a_page_in_swedish(app, client):
    walk = CaseWalk.start().to_plan(nuvarande_situation="Jag bor <b>ensam</b> & vill klara mig <script>x</script>")
    url = f"/api/v1/cases/{walk.case_id}/plan"
    page = client.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})  # as a browser asks
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    text = page.get_data(as_text=True)
    for expected in ("Samordnad individuell plan", "Anna Andersson", "Vem har det övergripande ansvaret?",
                     "Hemtjänst morgon och kväll", "Dagligen", "Dottern Maria", "Larm installerat",
                     "Biståndshandläggare", "Region Skåne, vårdcentral Näsby deltar utan egen insats",
                     "Planen följs upp senast 10 juni 2027", "SIP-möte 10 december 2026"):
        assert expected in text, expected
    assert "Planen är inte färdig" not in text
    assert "2027-06-10" not in text and "2026-12-10" not in text  # dates as Swedes write them, not as ISO
    # What staff wrote is shown as text, never as markup.
    assert "Jag bor &lt;b&gt;ensam&lt;/b&gt; &amp; vill klara mig &lt;script&gt;x&lt;/script&gt;" in text
    assert "<script>" not in text
    assert client.get(url).is_json and client.get(url, headers={"Accept": "application/json"}).is_json


def test_plan_before_the_meeting_still_names_the_responsible_huvudman(client, start):
    case = start()
    task = case["open_tasks"][0]
    client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {
        "initierad_av": "kommun", "huvudperson": {"namn": "Tolvan"}, "sip_behovs": True,
        "samordningsansvarig": {"namn": "Eva", "organisation": "Kristianstads kommun", "huvudmannatyp": "kommun_sol"}}})
    plan = client.get(f"/api/v1/cases/{case['id']}/plan").json
    assert plan["overall_responsibility"] == "Kristianstads kommun"
    assert plan["interventions"] == [] and plan["others_actions"] == []


def test_messages_advance_the_case_or_say_what_it_waits_for(app, client):
    walk = CaseWalk.start().to_plan()
    response = client.post(f"/api/v1/cases/{walk.case_id}/messages/mote_installt", json={})
    assert response.status_code == 409
    assert response.json["waiting_for"] == ["avslut_begart", "samtycke_aterkallat", "uppfoljning_begard"]
    response = client.post(f"/api/v1/cases/{walk.case_id}/messages/hittepa", json={})
    assert response.status_code == 404
    assert "hittepa" in response.json["detail"]
    response = client.post(f"/api/v1/cases/{walk.case_id}/messages/uppfoljning_begard",
                           json={"payload": {"orsak": "fall i hemmet"}})
    assert response.status_code == 200
    assert sorted(t["name"] for t in response.json["open_tasks"]) == ["genomfor_uppfoljning", "kvittera_uppfoljning",
                                                                    "kvittera_uppfoljning"]
    assert response.json["history"][-1]["detail"]["message"] == "uppfoljning_begard"


def test_case_shows_participants_and_coordinator(app, client):
    walk = CaseWalk.start().initiate().consent().prepare()
    case = client.get(f"/api/v1/cases/{walk.case_id}").json
    assert case["coordinator"]["organisation"] == "Kristianstads kommun, hemtjänst Norr"
    assert [p["kind"] for p in case["participants"]] == ["kommun_sol", "primarvard"]
    assert PERSON["personal_number"] not in str(case["history"])


def test_the_same_message_twice_with_one_idempotency_key_is_applied_once(app, client):
    walk = CaseWalk.start().to_plan()
    url = f"/api/v1/cases/{walk.case_id}/messages/uppfoljning_begard"
    first = client.post(url, json={}, headers={"Idempotency-Key": "req-1"})
    again = client.post(url, json={}, headers={"Idempotency-Key": "req-1"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.headers["Idempotency-Replayed"], again.headers["Idempotency-Replayed"]) == ("false", "true")
    assert [e["kind"] for e in again.json["history"]].count("message") == 1
    assert sorted(t["name"] for t in again.json["open_tasks"]) == ["genomfor_uppfoljning", "kvittera_uppfoljning",
                                                                    "kvittera_uppfoljning"]
    other = client.post(f"/api/v1/cases/{walk.case_id}/messages/samtycke_aterkallat", json={},
                        headers={"Idempotency-Key": "req-1"})
    assert other.status_code == 409


def test_a_start_retried_with_its_idempotency_key_starts_one_case(app, client, other_client):
    from engine import audit

    body = {"region": "kristianstad", "person": PERSON, "variables": {}}
    first = client.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "start-1"})
    again = client.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "start-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.headers["Idempotency-Replayed"], again.headers["Idempotency-Replayed"]) == ("false", "true")
    assert again.json == first.json
    assert client.get("/api/v1/cases").json["total"] == 1
    assert [(e.action, e.outcome) for e in audit.case_events(first.json["id"])] == [
        ("start_case", "ok"), ("start_case", "replayed")]

    # A key names one request of one user: another user's same key is a start of its own.
    theirs = other_client.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "start-1"})
    assert theirs.status_code == 201 and theirs.json["id"] != first.json["id"]


def test_an_idempotency_key_used_for_another_start_is_409_and_stores_nothing(client):
    body = {"region": "kristianstad", "person": PERSON, "variables": {}}
    assert client.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "start-2"}).status_code == 201
    other_person = {**body, "person": {"personal_number": "701063-2391", "name": "Sam Ordning"}}
    response = client.post("/api/v1/cases", json=other_person, headers={"Idempotency-Key": "start-2"})
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/cases").json["total"] == 1

    response = client.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "k" * 201})
    assert response.status_code == 400
    assert response.json["errors"] == [{"field": "Idempotency-Key", "message": "must be 1–200 characters"}]
    assert client.get("/api/v1/cases").json["total"] == 1
