"""Malformed and hostile requests get a problem document, never a 500, and the API keeps serving."""

import json
import random

import pytest

from tests.api.conftest import PERSON

ENDPOINTS = [
    ("POST", "/api/v1/cases"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/tasks"),
    ("POST", "/api/v1/tasks/{task}/complete"),
    ("POST", "/api/v1/tasks/{task}/claim"),
    ("PUT", "/api/v1/tasks/{task}/draft"),
    ("POST", "/api/v1/cases/{case}/messages/samtycke_aterkallat"),
    ("POST", "/api/v1/decisions/mobilt_vardteam/evaluate"),
]
JUNK = [
    b"", b"{", b"null", b"[]", b"123", b'"text"', b'{"data": []}', b'{"data": "x"}', b'{"region": 5}',
    b'{"region": "../etc", "person": {}}', b'{"variables": [1, 2]}', b"\xff\xfe\x00", b'{"a": ' * 5000,
    json.dumps({"region": "x" * 10000, "person": PERSON}).encode(),
    json.dumps({"data": {"initierad_av": {"$ref": "#"}}}).encode(),
    json.dumps({"user": None, "payload": {"a": [1] * 1000}}).encode(),
]
QUERIES = ["limit=-1", "limit=abc", "offset=99999999999999999999", "due_before=yesterday", "sort=random",
           "state=%00", "candidate_group=" + "x" * 500, "region=ÅÄÖ", "due_after=0001-01-01T00:00:00%2B14:00",
           "due_before=9999-12-31T23:59:59-14:00", "due_before=1850-01-01T00:00:00Z"]


@pytest.fixture
def ids(client, start):
    case = start()
    return {"case": case["id"], "task": case["open_tasks"][0]["id"]}


def test_malformed_bodies_get_problem_documents(client, ids):
    for method, path in ENDPOINTS:
        for body in JUNK:
            response = client.open(path.format(**ids), method=method, data=body, content_type="application/json")
            assert response.status_code < 500, (path, body[:40], response.get_data(as_text=True)[:300])
            if response.status_code >= 400:
                assert response.mimetype == "application/problem+json"
                assert {"type", "title", "status", "detail"} <= set(response.json)
    assert client.get("/api/v1/health").status_code == 200


def test_malformed_queries_are_400(client):
    for query in QUERIES:
        for path in ("/api/v1/tasks", "/api/v1/cases"):
            response = client.get(f"{path}?{query}")
            assert response.status_code in (200, 400), (path, query)
            if response.status_code == 400:
                assert response.json["errors"]
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1850-01-01T00:00:00Z"):
        response = client.get("/api/v1/tasks", query_string={"due_after": moment})
        assert response.status_code == 400, moment
        assert response.json["errors"] == [{"field": "due_after",
                                            "message": "must be between the years 1900 and 2200"}]


def test_misspelt_filters_are_400_not_a_wider_list(client, start):
    start()
    assert client.get("/api/v1/tasks").json["total"] > 0
    for path, query, name in [("/api/v1/tasks", "candidate_grup=primarvard", "candidate_grup"),
                              ("/api/v1/tasks", "sort=due&case=x", "case"),
                              ("/api/v1/cases", "stat=closed", "stat"),
                              ("/api/v1/deployments", "regoin=base", "regoin")]:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert response.mimetype == "application/problem+json"
        assert response.json["errors"] == [{"field": name, "message": "Unknown field."}]


def test_wrong_types_are_400_naming_the_field(client, ids):
    response = client.post(f"/api/v1/tasks/{ids['task']}/complete", json={"data": ["not", "an", "object"]})
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "data"
    response = client.post("/api/v1/cases", json={"region": "base", "person": PERSON, "surprise": 1})
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "surprise"


def test_wrong_content_type_and_method(client):
    response = client.post("/api/v1/cases", data="region=base", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    refused = client.delete("/api/v1/cases")
    assert refused.status_code == 405 and refused.mimetype == "application/problem+json"
    assert refused.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert client.open("/api/v1/tasks/x/complete", method="TRACE").headers["Allow"] == "OPTIONS, POST"
    assert client.get("/api/v1/nowhere").json["status"] == 404


def test_oversized_body_is_413(client):
    response = client.post("/api/v1/cases", data=b"{" + b" " * (3 * 1024 * 1024) + b"}",
                           content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_random_bytes_never_break_the_api(client, ids):
    rng = random.Random(9457)
    for _ in range(150):
        method, path = rng.choice(ENDPOINTS)
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
        response = client.open(path.format(**ids), method=method, data=body,
                               content_type=rng.choice(["application/json", "text/plain", ""]))
        assert response.status_code < 500
    assert client.get("/api/v1/health").status_code == 200


def test_openapi_document_and_interactive_page(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/tasks/{task_id}/complete" in spec["paths"]
    assert "CompleteIn" in spec["components"]["schemas"]
    assert client.get("/openapi.json").json["paths"] == spec["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.data
    assert client.get("/api/v1/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_nul_characters_are_refused_naming_where_and_nothing_is_stored(client, ids):
    """PostgreSQL cannot store a NUL in text; no field needs one. Wherever it comes, the answer is a 400."""
    body = {"region": "kristianstad", "person": {**PERSON, "name": "Tolvan\u0000"}, "variables": {}}
    cases_before = client.get("/api/v1/cases").json["total"]
    for response, field in [
        (client.post("/api/v1/cases", json=body), "person/name"),
        (client.post("/api/v1/cases", json={**body, "person": PERSON, "variables": {"x": ["a", {"b\u0000": 1}]}}),
         "variables/x/1/b"),
        (client.post("/api/v1/cases", json={**body, "person": PERSON}, headers={"Idempotency-Key": "a\x00b"}),
         "header/Idempotency-Key"),
        (client.get("/api/v1/tasks", query_string={"candidate_group": "a\x00b"}), "query/candidate_group"),
        (client.get("/api/v1/tasks/a%00b"), "(path)"),
        (client.put(f"/api/v1/tasks/{ids['task']}/draft", json={"data": {"sip_behovs": "\u0000"}}), "data/sip_behovs"),
        (client.post(f"/api/v1/cases/{ids['case']}/messages/mote_installt", json={}, headers={
            "Idempotency-Key": "\x00"}), "header/Idempotency-Key"),
    ]:
        assert response.status_code == 400, (field, response.get_data(as_text=True)[:300])
        assert response.json["errors"] == [{"field": field, "message": "contains a NUL character"}]
    assert client.get("/api/v1/cases").json["total"] == cases_before
    # The text \\u0000 (a backslash, then u0000) is no NUL character.
    literal = client.post("/api/v1/cases", json={**body, "person": {**PERSON, "name": "Tolvan \\u0000"}})
    assert literal.status_code == 201
