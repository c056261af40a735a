"""The task list and completing tasks over HTTP."""

from datetime import UTC, datetime, timedelta

from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk

ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Tolvan"}, "sip_behovs": True,
              "samordningsansvarig": KOMMUN}


def test_task_list_filters_by_group_case_and_region(app, client, start):
    a, b = start(), start(region="stockholm")
    walk = CaseWalk.start().initiate().consent().prepare()
    listing = client.get("/api/v1/tasks?candidate_group=samordningsansvarig").json
    assert listing["total"] == 2
    assert {t["case_id"] for t in listing["items"]} == {a["id"], b["id"]}
    assert all(t["kind"] == "user_task" and t["person_name"] for t in listing["items"])
    listing = client.get("/api/v1/tasks", query_string={"candidate_group": VARDCENTRAL["organisation"]}).json
    assert [(t["name"], t["case_id"]) for t in listing["items"]] == [("kvittera_kallelse", walk.case_id)]
    assert client.get(f"/api/v1/tasks?case_id={walk.case_id}").json["total"] == 2
    assert client.get("/api/v1/tasks?region=stockholm").json["total"] == 1


def test_task_list_by_due_date_sorted_and_paged(app, client):
    walks = []
    for day in ("2026-12-10", "2026-12-03", "2026-12-17"):
        walk = CaseWalk.start().initiate().consent().prepare().acknowledge_all().premeeting()
        walk.meeting(motesdatum=day, uppfoljningsdatum=day)
        walks.append(walk)
    group = KOMMUN["organisation"]
    listing = client.get("/api/v1/tasks", query_string={"candidate_group": group, "sort": "due"}).json
    dues = [t["due_at"] for t in listing["items"]]
    assert dues == sorted(dues) and listing["total"] == 3
    assert listing["items"][0]["due_at"].startswith("2026-12-07")  # 2026-12-03 + 2 working days
    page = client.get("/api/v1/tasks", query_string={"candidate_group": group, "sort": "-due", "limit": 1,
                                                     "offset": 1}).json
    assert page["total"] == 3 and page["items"][0]["due_at"] == dues[1]
    cutoff = datetime(2026, 12, 10, tzinfo=UTC).isoformat()
    before = client.get("/api/v1/tasks", query_string={"candidate_group": group, "due_before": cutoff}).json
    assert before["total"] == 1
    after = client.get("/api/v1/tasks", query_string={"candidate_group": group, "due_after": cutoff}).json
    assert after["total"] == 2


def test_task_shows_its_form_and_data(client, start):
    case = start()
    task = client.get(f"/api/v1/tasks/{case['open_tasks'][0]['id']}").json
    assert task["form"]["schema"]["title"] == "Bedöm behov av SIP"
    assert task["form"]["ui_schema"]["sip_behovs"]["ui:help"].startswith("Att neka")
    assert task["data"]["huvudperson"]["namn"] == "Tolvan Tolvansson"


def test_completing_answers_with_the_next_tasks(client, start):
    case = start()
    task_id = case["open_tasks"][0]["id"]
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ASSESSMENT})
    assert response.status_code == 200
    assert [t["name"] for t in response.json["next_tasks"]] == ["inhamta_samtycke"]
    assert response.json["case"]["revision"] == case["revision"] + 1
    again = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ASSESSMENT})
    assert again.status_code == 409
    assert again.json["type"] == "/problems/conflict"


def test_form_failures_are_422_with_each_field(client, start):
    case = start()
    task_id = case["open_tasks"][0]["id"]
    response = client.post(f"/api/v1/tasks/{task_id}/complete",
                           json={"data": {"initierad_av": "grannen", "sip_behovs": True}})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert {e["field"] for e in response.json["errors"]} == {"initierad_av", "huvudperson", "samordningsansvarig"}
    assert client.get(f"/api/v1/cases/{case['id']}").json["revision"] == case["revision"]


def test_stale_case_revision_is_a_conflict(client, start):
    case = start()
    task_id = case["open_tasks"][0]["id"]
    response = client.post(f"/api/v1/tasks/{task_id}/complete",
                           json={"data": ASSESSMENT, "case_revision": case["revision"] + 5})
    assert response.status_code == 409
    assert "revision" in response.json["detail"]


def test_a_task_read_before_another_change_of_its_case_is_refused_with_its_revision(app, client):
    walk = CaseWalk.start().initiate().consent().prepare()
    mine = walk.task("kvittera_kallelse", KOMMUN["organisation"]).id
    shown = client.get(f"/api/v1/tasks/{mine}").json
    ack = {"kommer": True, "namn": "Eva Ek", "kartlaggning": "Nuläge"}
    walk.do("kvittera_kallelse", ack, VARDCENTRAL["organisation"])  # the vårdcentral answers meanwhile
    stale = client.post(f"/api/v1/tasks/{mine}/complete", json={"data": ack, "case_revision": shown["case_revision"]})
    assert stale.status_code == 409
    fresh = client.get(f"/api/v1/tasks/{mine}").json["case_revision"]
    assert fresh == shown["case_revision"] + 1
    assert client.post(f"/api/v1/tasks/{mine}/complete",
                       json={"data": ack, "case_revision": fresh}).status_code == 200


def test_a_completion_retried_with_its_idempotency_key_is_answered_not_refused(app, client, other_client, start):
    from engine import audit

    case = start()
    url = f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete"
    first = client.post(url, json={"data": ASSESSMENT}, headers={"Idempotency-Key": "done-1"})
    again = client.post(url, json={"data": ASSESSMENT}, headers={"Idempotency-Key": "done-1"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.headers["Idempotency-Replayed"], again.headers["Idempotency-Replayed"]) == ("false", "true")
    assert again.json == first.json
    events = client.get(f"/api/v1/cases/{case['id']}").json["history"]
    assert [e["kind"] for e in events].count("task_completed") == 1
    assert [e.outcome for e in audit.case_events(case["id"]) if e.action == "complete_task"] == ["ok", "replayed"]
    # Without the key, with another key, or by someone else: the task is already completed.
    assert client.post(url, json={"data": ASSESSMENT}).status_code == 409
    assert client.post(url, json={"data": ASSESSMENT}, headers={"Idempotency-Key": "done-2"}).status_code == 409
    assert other_client.post(url, json={"data": ASSESSMENT}, headers={"Idempotency-Key": "done-1"}).status_code == 409


def test_claiming_keeps_others_out(client, other_client, start):
    case = start()
    task_id = case["open_tasks"][0]["id"]
    assert client.post(f"/api/v1/tasks/{task_id}/claim", json={"user": "eva"}).json["assignee"] == "eva"
    assert other_client.post(f"/api/v1/tasks/{task_id}/claim", json={}).status_code == 409
    assert client.get("/api/v1/tasks?assignee=eva").json["total"] == 1
    assert [t["id"] for t in client.get("/api/v1/tasks?assignee=me").json["items"]] == [task_id]
    assert other_client.get("/api/v1/tasks?assignee=me").json["total"] == 0
    blocked = other_client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ASSESSMENT})
    assert blocked.status_code == 409
    assert other_client.post(f"/api/v1/tasks/{task_id}/unclaim", json={}).status_code == 409
    assert client.post(f"/api/v1/tasks/{task_id}/unclaim", json={"user": "eva"}).json["assignee"] is None
    assert other_client.post(f"/api/v1/tasks/{task_id}/claim", json={}).json["assignee"] == "per"
    # one can act only as oneself
    assert client.post(f"/api/v1/tasks/{task_id}/unclaim", json={"user": "per"}).status_code == 403


def test_unknown_task_is_404(client):
    assert client.get("/api/v1/tasks/nope").status_code == 404
    assert client.post("/api/v1/tasks/nope/claim", json={"user": "eva"}).status_code == 404
    assert client.post("/api/v1/tasks/nope/complete", json={"data": {}}).status_code == 404


def test_completed_tasks_are_listed_by_state(client, start):
    case = start()
    task_id = case["open_tasks"][0]["id"]
    client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ASSESSMENT, "user": "eva"})
    done = client.get(f"/api/v1/tasks?state=completed&case_id={case['id']}").json
    assert [t["id"] for t in done["items"]] == [task_id]
    assert done["items"][0]["completed_at"] is not None
    assert datetime.fromisoformat(done["items"][0]["completed_at"]) > datetime.now(UTC) - timedelta(minutes=5)


def test_a_draft_keeps_a_half_filled_form_until_the_task_is_completed(client, other_client, start):
    case = start()
    task_id = case["open_tasks"][0]["id"]
    url = f"/api/v1/tasks/{task_id}/draft"
    assert client.get(f"/api/v1/tasks/{task_id}").json["draft"] is None

    half = {"initierad_av": "kommun", "huvudperson": {}}  # the form requires more, and the person's name
    saved = client.put(url, json={"data": half})
    assert saved.status_code == 200
    assert saved.json["data"] == half and saved.json["saved_by"] == "eva"
    # A colleague of the same organisation picks it up where eva left it; the case itself is unchanged.
    shown = other_client.get(f"/api/v1/tasks/{task_id}").json
    assert shown["draft"] == saved.json
    listed = other_client.get("/api/v1/tasks", query_string={"case_id": case["id"]}).json["items"]
    assert [(t["draft_saved_at"], t["draft_saved_by"]) for t in listed] == [(saved.json["saved_at"], "eva")]
    assert "initierad_av" not in shown["data"]
    assert client.get(f"/api/v1/cases/{case['id']}").json["revision"] == case["revision"]

    wrong = client.put(url, json={"data": {**half, "sip_behovs": "kanske"}})
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json["errors"]] == ["sip_behovs"]
    assert client.get(f"/api/v1/tasks/{task_id}").json["draft"]["data"] == half  # nothing half stored

    assert client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ASSESSMENT}).status_code == 200
    assert client.get(f"/api/v1/tasks/{task_id}").json["draft"] is None
    assert client.put(url, json={"data": half}).status_code == 409


def test_a_draft_of_a_claimed_task_is_its_holders_and_can_be_discarded(client, other_client, start):
    task_id = start()["open_tasks"][0]["id"]
    url = f"/api/v1/tasks/{task_id}/draft"
    assert client.post(f"/api/v1/tasks/{task_id}/claim", json={}).status_code == 200
    assert client.put(url, json={"data": {"sip_behovs": True}}).status_code == 200
    assert other_client.put(url, json={"data": {"sip_behovs": False}}).status_code == 409
    assert other_client.delete(url).status_code == 409
    assert client.get(f"/api/v1/tasks/{task_id}").json["draft"]["data"] == {"sip_behovs": True}
    assert client.delete(url).status_code == 204
    assert client.get(f"/api/v1/tasks/{task_id}").json["draft"] is None
    assert client.put("/api/v1/tasks/hittepa/draft", json={"data": {}}).status_code == 404
