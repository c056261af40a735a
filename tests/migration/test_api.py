"""The migration resources over HTTP (Flask's test client), as the OpenAPI document describes them: a plan, a
dry run, a real run in the background read back by its id, an undo; only for process owners of the region."""

from __future__ import annotations

import time

import pytest

from engine.database import db
from engine.services import cases
from tests.api.conftest import signed_in, user_token
from tests.api.test_openapi_conformance import Document

from .conftest import REGION, Walk, deploy_version, edited, routine

ORGANISATION = ("Flyttkommunen", "kommun_sol", REGION)


@pytest.fixture
def owner(app):
    return signed_in(app, user_token("agare", ORGANISATION, roles=("staff", "process_owner")))


@pytest.fixture
def staff(app):
    return signed_in(app, user_token("eva", ORGANISATION))


@pytest.fixture
def document(owner):
    return Document(owner.get("/api/v1/openapi.json").json)


def finished(owner, document, location: str) -> dict:
    """The run at `location` once it has finished (a real run works in the background)."""
    deadline = time.monotonic() + 60
    while True:
        run = document.check(owner.get(location), "GET", "/api/v1/migrations/{migration_id}").json
        if run["status"] != "running" or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def test_a_process_owner_plans_tries_and_carries_out_a_move(first, owner, document):
    blocked = Walk()
    cases.save_draft(blocked.task("fyll_i").id, {"antal": 3}, user="eva")
    waiting = Walk().at_timer()
    deploy_version(edited(routine(), "forms/fyll_i.schema.json", '"antal": {"type": "integer"',
                          '"antal": {"type": "string"'))

    plan = document.check(owner.post("/api/v1/migrations/plan", json={"region": REGION, "from_version": 1}),
                          "POST", "/api/v1/migrations/plan").json
    assert plan["to_version"] == 2 and plan["summary"] == {"total": 2, "can_move": 1, "cannot_move": 1}
    [refused] = [c for c in plan["cases"] if not c["can_move"]]
    assert refused["case_id"] == blocked.case_id and refused["reasons"][0]["element"] == "fyll_i"
    assert "antal" in refused["reasons"][0]["message"]

    dry = document.check(owner.post("/api/v1/migrations", json={"region": REGION, "dry_run": True}),
                         "POST", "/api/v1/migrations")
    assert dry.status_code == 201 and dry.json["status"] == "finished" and dry.json["summary"]["moved"] == 0
    assert waiting.case.definition.version == 1

    started = document.check(owner.post("/api/v1/migrations", json={"region": REGION, "from_version": 1}),
                             "POST", "/api/v1/migrations")
    assert started.status_code == 201
    run = finished(owner, document, started.headers["Location"])
    assert run["status"] == "finished" and run["summary"] == {"total": 2, "can_move": 1, "cannot_move": 1,
                                                              "moved": 1}
    assert {c["case_id"]: c["moved"] for c in run["cases"]} == {blocked.case_id: False, waiting.case_id: True}
    db.session.expire_all()
    assert (blocked.case.definition.version, waiting.case.definition.version) == (1, 2)

    undone = document.check(owner.post(f"/api/v1/cases/{waiting.case_id}/migration/undo"),
                            "POST", "/api/v1/cases/{case_id}/migration/undo")
    assert undone.status_code == 200 and undone.json["version"] == 1
    again = document.check(owner.post(f"/api/v1/cases/{waiting.case_id}/migration/undo"),
                           "POST", "/api/v1/cases/{case_id}/migration/undo")
    assert again.status_code == 409 and again.json["title"] == "Flytten kan inte ångras"


def test_bad_input_is_a_problem_naming_the_field(first, owner, document):
    Walk()
    deploy_version(edited(routine(), "bpmn/flytt.bpmn", 'name="Klart"', 'name="Färdigt"'))
    plan = "/api/v1/migrations/plan"
    mapped = document.check(owner.post(plan, json={"region": REGION, "mapping": {"fyll_i": "hittepa"}}), "POST", plan)
    assert mapped.status_code == 400 and mapped.json["errors"][0]["field"] == "mapping/fyll_i"
    version = document.check(owner.post(plan, json={"region": REGION, "to_version": 9}), "POST", plan)
    assert version.status_code == 400 and version.json["errors"][0]["field"] == "to_version"
    shape = document.check(owner.post(plan, json={"region": "Flytt!", "from_version": 0}), "POST", plan)
    assert shape.status_code == 400 and {e["field"] for e in shape.json["errors"]} == {"region", "from_version"}
    missing = document.check(owner.get("/api/v1/migrations/hittepa"), "GET", "/api/v1/migrations/{migration_id}")
    assert missing.status_code == 404
    nothing = document.check(owner.post("/api/v1/cases/hittepa/migration/undo"), "POST",
                             "/api/v1/cases/{case_id}/migration/undo")
    assert nothing.status_code == 404


def test_only_process_owners_of_the_region_move_its_cases(first, owner, staff, document):
    walk = Walk()
    deploy_version(edited(routine(), "bpmn/flytt.bpmn", 'name="Klart"', 'name="Färdigt"'))
    for response, path in [
        (staff.post("/api/v1/migrations/plan", json={"region": REGION}), "/api/v1/migrations/plan"),
        (staff.post("/api/v1/migrations", json={"region": REGION}), "/api/v1/migrations"),
        (owner.post("/api/v1/migrations/plan", json={"region": "kristianstad"}), "/api/v1/migrations/plan"),
    ]:
        assert document.check(response, "POST", path).status_code == 403
    dry = owner.post("/api/v1/migrations", json={"region": REGION, "dry_run": True}).json
    assert document.check(staff.get(f"/api/v1/migrations/{dry['id']}"), "GET",
                          "/api/v1/migrations/{migration_id}").status_code == 403
    assert document.check(staff.post(f"/api/v1/cases/{walk.case_id}/migration/undo"), "POST",
                          "/api/v1/cases/{case_id}/migration/undo").status_code == 403
    assert walk.case.definition.version == 1
