"""Values no schema of the API stops, wherever they come: integers beyond 64 bits, lone UTF-16 surrogates,
NaN and Infinity, structures nested deeper than the engine can load again. Each is refused where it enters with
a 400 naming the field, nothing is stored, and what was stored before cannot make a page answer 500."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.api.guards import MAX_DEPTH, SURROGATE
from engine.database import db
from engine.store import Case, Task
from tests.access.conftest import ASSESSMENT
from tests.api.conftest import PERSON, signed_in, user_token

HUGE = ["9223372036854775808", "-9223372036854775809", "10000000000000000000000", "99999999999999999999999999999"]
SURROGATES = ["An\ud800na", "\udfff", "slut\ud83d", "\udc00\ud800"]


def nested(depth: int, leaf="x"):
    """A value `depth` objects deep."""
    value = leaf
    for _ in range(depth):
        value = {"niva": value}
    return value


def raw(body) -> bytes:
    """JSON as a client writes it: every character outside ASCII escaped, a lone surrogate as `\\udXXX`."""
    if isinstance(body, Deep):
        return body.text.encode()
    return json.dumps(body, ensure_ascii=True).encode()


class Deep:
    """A body `{<prefix>: {"d": <depth objects>}}` written out as text (deeper than json.dumps goes)."""

    def __init__(self, prefix: dict, key: str, depth: int):
        head = json.dumps(prefix)[:-1] + (", " if prefix else "")
        self.text = head + f'"{key}": {{"d": ' + '{"niva": ' * depth + '"x"' + "}" * depth + "}}"


def post(client, path, body, method="POST", **headers):
    return client.open(path, method=method, data=raw(body), content_type="application/json", headers=headers)


def refused(response, field, status=400):
    assert response.status_code == status, (field, response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == [field], response.json
    return response.json


@pytest.fixture
def ids(client, start):
    case = start()
    return {"case": case["id"], "task": case["open_tasks"][0]["id"], "revision": case["revision"]}


def case_count():
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Case))


# -- integers ---------------------------------------------------------------------------------------------------
def test_integers_beyond_64_bits_in_queries_are_400_naming_the_parameter(client):
    for value in HUGE:
        for path, name in [("/api/v1/process-definitions/sip/xml", "version"), ("/api/v1/tasks", "limit"),
                           ("/api/v1/tasks", "offset"), ("/api/v1/cases", "limit"), ("/api/v1/cases", "offset"),
                           ("/api/v1/deployments", "offset"), ("/api/v1/process-definitions", "limit")]:
            problem = refused(client.get(f"{path}?{name}={value}"), name)
            assert problem["title"] == "Felaktig begäran"
    # A version is a 32-bit integer where it is stored: the largest is a version that does not exist, and one
    # beyond is refused naming it, as on PostgreSQL so on SQLite.
    assert client.get(f"/api/v1/process-definitions/sip/xml?version={2**31 - 1}").status_code == 404
    for value in (2**31, 2**63 - 1):
        refused(client.get(f"/api/v1/process-definitions/sip/xml?version={value}"), "version")
    assert client.get("/api/v1/process-definitions/sip/xml?version=1").status_code == 200


def test_integers_beyond_64_bits_in_bodies_are_400_naming_the_field(client, ids):
    before = case_count()
    for value in (2**63, -(2**63) - 1, 10**22):
        refused(post(client, f"/api/v1/tasks/{ids['task']}/complete", {"data": {}, "case_revision": value}),
                "case_revision")
        refused(post(client, "/api/v1/cases", {"region": "kristianstad", "person": PERSON,
                                                "variables": {"antal": [1, {"stort": value}]}}),
                "variables/antal/1/stort")
        refused(post(client, f"/api/v1/tasks/{ids['task']}/draft", {"data": {"huvudperson": {"alder": value}}},
                     method="PUT"), "data/huvudperson/alder")
    assert case_count() == before
    # Within 64 bits a stale revision is what it always was: a conflict.
    response = post(client, f"/api/v1/tasks/{ids['task']}/complete", {"data": {}, "case_revision": 2**63 - 1})
    assert response.status_code == 409


def test_nan_and_infinity_are_refused(client, ids):
    for text in ("NaN", "Infinity", "-Infinity", "1e400", "-1e999"):
        body = b'{"region": "kristianstad", "person": %s, "variables": {"tal": %s}}' % (raw(PERSON), text.encode())
        problem = refused(client.post("/api/v1/cases", data=body, content_type="application/json"), "variables/tal")
        assert problem["errors"][0]["message"] == "är inget ändligt tal"


# -- lone surrogates ---------------------------------------------------------------------------------------------
def test_lone_surrogates_are_refused_in_every_body_naming_the_field(client, ids):
    before = case_count()
    task, case = ids["task"], ids["case"]
    for bad in SURROGATES:
        person = {**PERSON, "name": bad}
        for response, field in [
            (post(client, "/api/v1/cases", {"region": "kristianstad", "person": person}), "person/name"),
            (post(client, "/api/v1/cases", {"region": "kristianstad", "person": PERSON, "variables": {
                "huvudperson": {"namn": "Anna", f"x{bad}y": 1}}}),
             f"variables/huvudperson/x{SURROGATE.sub('', bad)}y"),
            (post(client, "/api/v1/cases", {"region": "kristianstad", "person": {**PERSON, "personal_number": bad}}),
             "person/personal_number"),
            (post(client, f"/api/v1/tasks/{task}/complete", {"data": {"huvudperson": {"namn": bad}}}),
             "data/huvudperson/namn"),
            (post(client, f"/api/v1/tasks/{task}/draft", {"data": {"sip_behovs": True, "anteckning": [bad]}},
                  method="PUT"), "data/anteckning/0"),
            (post(client, f"/api/v1/cases/{case}/messages/samtycke_aterkallat", {"payload": {"orsak": bad}}),
             "payload/orsak"),
            (post(client, "/api/v1/decisions/mobilt_vardteam/evaluate", {"variables": {bad: 1}}),
             f"variables/{SURROGATE.sub('', bad)}"),
            (post(client, "/api/v1/forms/bedom_behov_av_sip/validate", {"data": {"huvudperson": {"namn": bad}}}),
             "data/huvudperson/namn"),
        ]:
            problem = refused(response, field)
            assert problem["errors"][0]["message"] == "innehåller ett ogiltigt tecken (ett ensamt UTF-16-surrogat)"
    assert case_count() == before
    task_now = client.get(f"/api/v1/tasks/{task}").json
    assert task_now["draft"] is None and task_now["state"] == "open"
    # A pair of surrogates is one character (an emoji escaped by the client): accepted, and stored as written.
    started = post(client, "/api/v1/cases", {"region": "kristianstad", "person": {**PERSON, "name": "Anna 😀"}})
    assert started.status_code == 201, started.json
    assert client.get(f"/api/v1/cases/{started.json['id']}").json["person"]["name"] == "Anna 😀"


def test_query_strings_and_paths_with_broken_utf8_never_fail(client, ids):
    for query in ("person=%ED%A0%80", "candidate_group=%ED%BF%BF", "name=a%ED%A0%80b", "%ED%A0%80=1"):
        response = client.get(f"/api/v1/tasks?{query}")
        assert response.status_code in (200, 400), (query, response.get_data(as_text=True)[:200])
    for path in ("/api/v1/tasks/%ED%A0%80", "/api/v1/cases/%ED%A0%80/plan"):
        assert client.get(path).status_code == 404


def scrub_migration():
    """The migration that replaces lone surrogates stored before entry refused them."""
    path = Path(__file__).resolve().parents[2] / "engine/migrations/versions/0014_no_lone_surrogates.py"
    spec = importlib.util.spec_from_file_location("no_lone_surrogates", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_lone_surrogate_stored_earlier_cannot_break_a_page(client, ids):
    """Stored before entry refused them (both databases keep the JSON escape): the printed plan shows the
    replacement character at once, and the migration rewrites them so that every page and list reads the case."""
    case = db.session.get(Case, ids["case"])
    data = dict(case.data or {})
    data["plan"] = {"nuvarande_situation": "Bor\ud800 hemma", "huvudmal": "\udfff", "mal": [{"mal": "\ud83d\ude00 ok"}]}
    data["samordningsansvarig"] = {"namn": "Eva\udc00", "organisation": "Kristianstads kommun"}
    db.session.execute(sa.update(Case).where(Case.id == case.id).values(data=data))
    db.session.execute(sa.update(Task).where(Task.id == ids["task"]).values(
        draft={"anteckning": "a\udfffb"}, draft_saved_at=sa.func.now(), draft_saved_by="eva"))
    db.session.commit()
    page = client.get(f"/api/v1/cases/{case.id}/plan", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Bor\ufffd hemma" in page.get_data(as_text=True)
    with db.engine.begin() as connection:
        assert scrub_migration().scrub(connection) == 2  # the case's data and the task's draft
    db.session.expire_all()
    stored = db.session.get(Case, case.id).data
    assert stored["plan"] == {"nuvarande_situation": "Bor\ufffd hemma", "huvudmal": "\ufffd", "mal": [{"mal": "😀 ok"}]}
    assert stored["samordningsansvarig"]["namn"] == "Eva\ufffd"
    for accept in ("text/html", "application/json"):
        response = client.get(f"/api/v1/cases/{case.id}/plan", headers={"Accept": accept})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert client.get(f"/api/v1/cases/{case.id}").status_code == 200
    assert client.get(f"/api/v1/tasks/{ids['task']}").json["draft"]["data"] == {"anteckning": "a\ufffdb"}
    listed = client.get("/api/v1/cases")
    assert listed.status_code == 200
    assert {"organisation": "Kristianstads kommun", "name": "Eva\ufffd"} in [c["coordinator"] for c in
                                                                         listed.json["items"]]
    with db.engine.begin() as connection:
        assert scrub_migration().scrub(connection) == 0


# -- depth -------------------------------------------------------------------------------------------------------
def test_bodies_nested_too_deeply_are_refused_naming_the_field(client, ids):
    before = case_count()
    task, case = ids["task"], ids["case"]
    for depth in (MAX_DEPTH, 100, 500, 5000):  # the body's own level makes MAX_DEPTH one too many
        where = "/".join(["niva"] * (MAX_DEPTH - 2))
        for response, field in [
            (post(client, "/api/v1/cases", Deep({"region": "kristianstad", "person": PERSON}, "variables", depth)),
             f"variables/d/{where}"),
            (post(client, f"/api/v1/tasks/{task}/complete", Deep({}, "data", depth)), f"data/d/{where}"),
            (post(client, f"/api/v1/tasks/{task}/draft", Deep({}, "data", depth), method="PUT"), f"data/d/{where}"),
            (post(client, f"/api/v1/cases/{case}/messages/mote_installt", Deep({}, "payload", depth)),
             f"payload/d/{where}"),
        ]:
            if depth == 5000:  # deeper than the JSON parser goes: the body as a whole
                field = "(body)"
            problem = refused(response, field)
            assert problem["errors"][0]["message"] == f"är för djupt nästlat (högst {MAX_DEPTH} nivåer)"
    lists = {"data": json.loads("[" * 40 + "]" * 40)}
    refused(post(client, f"/api/v1/tasks/{task}/draft", lists, method="PUT"), "data" + "/0" * (MAX_DEPTH - 1))
    assert case_count() == before


def test_a_case_started_at_the_depth_limit_loads_and_goes_on_after_a_restart(app, client, restart, ids):
    """What entry lets through, the engine loads again in a worker that never saw the case."""
    variables = {"d": nested(MAX_DEPTH - 2)}  # the body, `variables`, then MAX_DEPTH - 2 levels
    response = post(client, "/api/v1/cases", {"region": "kristianstad", "person": PERSON, "variables": variables})
    assert response.status_code == 201, response.json
    case = response.json
    fresh = signed_in(restart(), user_token("eva"))
    task = case["open_tasks"][0]["id"]
    assert fresh.get(f"/api/v1/tasks/{task}").status_code == 200
    done = fresh.post(f"/api/v1/tasks/{task}/complete", json={"data": ASSESSMENT})
    assert done.status_code == 200, done.json
    assert fresh.get(f"/api/v1/cases/{case['id']}/plan", headers={"Accept": "text/html"}).status_code == 200


def test_recursion_in_the_engine_is_an_incident_on_the_case_not_a_bad_request(app, restart):
    """A case stored with data deeper than the engine can load (stored before entry limited depth): its
    completion is refused as the process failing, the case shows the incident, and nobody is told their
    request was malformed."""
    from engine.identity import authenticate
    from engine.services import cases

    token = user_token("eva")
    principal = authenticate(f"Bearer {token}", "127.0.0.1")
    started = cases.start_case("kristianstad", {"d": nested(600)}, person_name="Tolvan", principal=principal)
    task = next(iter(cases.open_tasks(started.id))).id
    fresh = signed_in(restart(), token)
    response = fresh.post(f"/api/v1/tasks/{task}/complete", json={"data": ASSESSMENT})
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.json["type"] == "/problems/process-incident"
    assert "nested too deeply" in response.json["detail"]
    db.session.expire_all()
    assert "nested too deeply" in db.session.get(Case, started.id).incident
    # Reading its task says the case cannot be loaded: never "your request was malformed", never a 500.
    reading = fresh.get(f"/api/v1/tasks/{task}")
    assert reading.status_code == 422 and reading.mimetype == "application/problem+json"
    assert reading.json["title"] == "Ärendet kan inte läsas in"
    assert fresh.get(f"/api/v1/cases/{started.id}").json["incident"] == response.json["detail"]


# -- what gunicorn refuses before the app ------------------------------------------------------------------------
def test_requests_gunicorn_refuses_are_answered_with_problem_documents(gunicorn_server):
    """A request line or a header too long for gunicorn never reaches the app: it is still answered as every
    error is, with a problem document, and without repeating what was sent."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(gunicorn_server)
    for path, headers, status in [
        ("/api/v1/cases?personal_number=19121212-1212&person=" + "x" * 5000, {}, 400),
        ("/api/v1/tasks?" + "&".join(f"limit={n}" for n in range(900)), {}, 400),
        ("/api/v1/health", {"X-Long": "y" * 9000}, 431),
        ("/api/v1/health", {f"X-Many-{n}": "z" for n in range(120)}, 431),
    ]:
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        assert response.status == status, (path[:40], response.status, body[:200])
        assert response.getheader("Content-Type") == "application/problem+json"
        problem = json.loads(body)
        assert problem["status"] == status and problem["title"] and problem["detail"]
        assert b"1212" not in body and b"xxxx" not in body
