"""Every answer of the API is what the OpenAPI document it serves says: each success body and each problem
document is validated against the schema documented for its path, method and status (every documented
property present, no other, types and date-times as declared). A client generated from the document reads
the API as it is."""

from __future__ import annotations

import io
from datetime import datetime

import jsonschema
import pytest

from tests.api.conftest import PERSON, signed_in, user_token
from tests.routine.walk import CaseWalk

ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Tolvan"}, "sip_behovs": True,
              "samordningsansvarig": {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr",
                                      "huvudmannatyp": "kommun_sol"}}


def as_json_schema(node, closed: bool = False):
    """An OpenAPI 3.0 schema as JSON Schema: `nullable` becomes a null alternative; an object that admits no
    other properties (`additionalProperties: false`) must have every property it documents."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("additionalProperties") is False and "properties" in node and "required" not in node:
        converted["required"] = sorted(node["properties"])
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def aware_date_time(value) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


class Document:
    def __init__(self, spec: dict):
        self.spec = spec
        self.components = as_json_schema(spec["components"])
        self.checked: set[tuple[str, str, int]] = set()

    def responses(self):
        """(method, path, status, response) of every documented response, references resolved."""
        for path, operations in self.spec["paths"].items():
            for method, operation in operations.items():
                if method == "parameters":
                    continue
                for status, response in operation["responses"].items():
                    yield method, path, status, self.resolved(response)

    def resolved(self, response: dict) -> dict:
        if "$ref" in response:
            return self.spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
        return response

    def check(self, response, method: str, template: str):
        operation = self.spec["paths"][template][method.lower()]
        documented = self.resolved(operation["responses"].get(str(response.status_code))
                                   or operation["responses"]["default"])
        if "content" not in documented:  # documented without a body, such as 204
            assert response.data == b"", (method, template, response.status_code)
            self.checked.add((method, template, response.status_code))
            return response
        assert response.mimetype in documented["content"], (method, template, response.status_code,
                                                            response.mimetype, list(documented["content"]))
        self.checked.add((method, template, response.status_code))
        if not response.is_json:  # a file, such as a diagram
            return response
        schema = as_json_schema(documented["content"][response.mimetype]["schema"])
        validator = jsonschema.Draft202012Validator({**schema, "components": self.components},
                                                    format_checker=FORMATS)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(response.json)]
        assert not errors, (method, template, response.status_code, errors[:5])
        return response


@pytest.fixture
def document(client):
    return Document(client.get("/api/v1/openapi.json").json)


def test_every_error_is_documented_as_a_problem_document(document):
    for method, path, status, response in document.responses():
        if status.startswith(("4", "5")) or status == "default":
            assert list(response["content"]) == ["application/problem+json"], (method, path, status)
    problem = document.spec["components"]["schemas"]["ProblemDocument"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])


def test_every_response_is_described(document):
    """OpenAPI requires a description of each response; generators and the interactive page rely on it."""
    for method, path, status, response in document.responses():
        assert response.get("description"), (method, path, status)


def test_a_case_walked_over_http_answers_as_documented(app, client, document):
    check = document.check
    check(client.get("/api/v1/health"), "GET", "/api/v1/health")
    check(client.get("/api/v1/me"), "GET", "/api/v1/me")
    started = check(client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON,
                                                       "variables": {}}), "POST", "/api/v1/cases").json
    case_id, task_id = started["id"], started["open_tasks"][0]["id"]
    check(client.get("/api/v1/cases"), "GET", "/api/v1/cases")
    check(client.get(f"/api/v1/cases/{case_id}"), "GET", "/api/v1/cases/{case_id}")
    check(client.get(f"/api/v1/cases/{case_id}/plan"), "GET", "/api/v1/cases/{case_id}/plan")
    check(client.get(f"/api/v1/cases/{case_id}/audit"), "GET", "/api/v1/cases/{case_id}/audit")
    listing = check(client.get("/api/v1/tasks?candidate_group=samordningsansvarig"), "GET", "/api/v1/tasks").json
    assert listing["total"] == 1 and listing["items"][0]["case_id"] == case_id
    check(client.get(f"/api/v1/tasks/{task_id}"), "GET", "/api/v1/tasks/{task_id}")
    check(client.post(f"/api/v1/tasks/{task_id}/claim", json={}), "POST", "/api/v1/tasks/{task_id}/claim")
    check(client.post(f"/api/v1/tasks/{task_id}/unclaim", json={}), "POST", "/api/v1/tasks/{task_id}/unclaim")
    draft = "/api/v1/tasks/{task_id}/draft"
    check(client.put(f"/api/v1/tasks/{task_id}/draft", json={"data": {"sip_behovs": True}}), "PUT", draft)
    assert check(client.put(f"/api/v1/tasks/{task_id}/draft", json={"data": {"sip_behovs": "ja"}}),
                 "PUT", draft).status_code == 422
    assert check(client.get(f"/api/v1/tasks/{task_id}"), "GET", "/api/v1/tasks/{task_id}").json["draft"]
    assert check(client.delete(f"/api/v1/tasks/{task_id}/draft"), "DELETE", draft).status_code == 204
    failed = check(client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"sip_behovs": "ja"}}),
                   "POST", "/api/v1/tasks/{task_id}/complete")
    assert failed.status_code == 422 and failed.json["errors"]
    done = check(client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ASSESSMENT}),
                 "POST", "/api/v1/tasks/{task_id}/complete")
    assert done.status_code == 200
    again = check(client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ASSESSMENT}),
                  "POST", "/api/v1/tasks/{task_id}/complete")
    assert again.status_code == 409

    walked = CaseWalk.start().to_plan()
    case = check(client.get(f"/api/v1/cases/{walked.case_id}"), "GET", "/api/v1/cases/{case_id}").json
    assert case["plan"]["interventions"] and case["plan"]["scope"] == "full"
    plan = check(client.get(f"/api/v1/cases/{walked.case_id}/plan"), "GET", "/api/v1/cases/{case_id}/plan").json
    assert plan["participants"] and plan["follow_up_date"]
    printable = check(client.get(f"/api/v1/cases/{walked.case_id}/plan", headers={"Accept": "text/html"}),
                      "GET", "/api/v1/cases/{case_id}/plan")
    assert printable.mimetype == "text/html"
    easy_read = "/api/v1/cases/{case_id}/plan/easy-read"
    assert check(client.get(f"/api/v1/cases/{walked.case_id}/plan/easy-read"), "GET", easy_read).mimetype == "text/html"
    assert check(client.get("/api/v1/cases/hittepa/plan/easy-read"), "GET", easy_read).status_code == 404
    message = "/api/v1/cases/{case_id}/messages/{name}"
    waiting = check(client.post(f"/api/v1/cases/{walked.case_id}/messages/mote_installt", json={}), "POST", message)
    assert waiting.status_code == 409 and waiting.json["waiting_for"]
    assert check(client.post(f"/api/v1/cases/{walked.case_id}/messages/hittepa", json={}),
                 "POST", message).status_code == 404
    assert check(client.post(f"/api/v1/cases/{walked.case_id}/messages/uppfoljning_begard", json={}),
                 "POST", message).status_code == 200
    diagram = check(client.get(f"/api/v1/cases/{walked.case_id}/diagram"), "GET",
                    "/api/v1/cases/{case_id}/diagram").json
    assert diagram["processes"][0]["id"] == "sip"
    assert diagram["states"]["uppfoljning"]["genomfor_uppfoljning"] == "open"  # the follow-up just asked for
    assert check(client.get("/api/v1/cases/hittepa/diagram"), "GET",
                 "/api/v1/cases/{case_id}/diagram").status_code == 404
    summary = check(client.get("/api/v1/tasks/summary"), "GET", "/api/v1/tasks/summary").json
    assert summary["organisation"] >= 1 and summary["kinds"] and summary["version"]
    found = check(client.get("/api/v1/tasks", query_string={"name": "genomfor_uppfoljning", "person": "ANNA"}),
                  "GET", "/api/v1/tasks").json
    assert [t["case_id"] for t in found["items"]] == [walked.case_id]

    person_links = "/api/v1/cases/{case_id}/person-links"
    made = check(client.post(f"/api/v1/cases/{walked.case_id}/person-links", json={}), "POST", person_links)
    assert made.status_code == 201 and "/min-plan/" in made.json["url"]
    assert check(client.post(f"/api/v1/cases/{walked.case_id}/person-links", json={"role": "granne"}), "POST",
                 person_links).status_code == 400
    assert check(client.post("/api/v1/cases/hittepa/person-links", json={}), "POST", person_links).status_code == 404

    dated = check(client.get("/api/v1/tasks?state=completed&sort=due"), "GET", "/api/v1/tasks").json["items"]
    assert any(task["due_at"] for task in dated) and all(task["completed_at"] for task in dated)

    evaluate = "/api/v1/decisions/{decision_id}/evaluate"
    table = check(client.post("/api/v1/decisions/kallelse_krav/evaluate", json={"variables": {
        "insatser_huvudman": ["kommun_sol", "primarvard"], "region": "kristianstad"}}), "POST", evaluate)
    assert table.status_code in (200, 422)
    assert check(client.post("/api/v1/decisions/hittepa/evaluate", json={"variables": {}}),
                 "POST", evaluate).status_code == 404
    assert check(client.get("/api/v1/cases/hittepa"), "GET", "/api/v1/cases/{case_id}").status_code == 404
    assert check(client.get("/api/v1/tasks/hittepa"), "GET", "/api/v1/tasks/{task_id}").status_code == 404
    bad = check(client.post("/api/v1/cases", json={"region": "kristianstad", "variables": {},
                                                   "person": {"personal_number": "19121212-1213", "name": "X"}}),
                "POST", "/api/v1/cases")
    assert bad.status_code == 400 and bad.json["errors"][0]["field"] == "person/personal_number"
    check(client.get("/api/v1/process-definitions"), "GET", "/api/v1/process-definitions")
    check(client.get("/api/v1/deployments"), "GET", "/api/v1/deployments")
    anonymous = app.test_client().get("/api/v1/tasks")
    assert check(anonymous, "GET", "/api/v1/tasks").status_code == 401
    assert check(app.test_client().get("/api/v1/me"), "GET", "/api/v1/me").status_code == 401
    diagram = "/api/v1/process-definitions/{key}/xml"
    assert check(client.get("/api/v1/process-definitions/sip/xml"), "GET", diagram).mimetype == "application/xml"
    assert check(client.get("/api/v1/process-definitions/hittepa/xml"), "GET", diagram).status_code == 404
    forms = check(client.get("/api/v1/forms?region=kristianstad"), "GET", "/api/v1/forms").json
    assert forms["items"] and forms["process"]["key"] == "sip"
    assert check(client.get("/api/v1/forms?region=hittepa"), "GET", "/api/v1/forms").status_code == 404
    form = "/api/v1/forms/{name}"
    assert check(client.get("/api/v1/forms/bedom_behov_av_sip"), "GET", form).json["ui_schema"]
    assert check(client.get("/api/v1/forms/hittepa"), "GET", form).status_code == 404
    validate = "/api/v1/forms/{name}/validate"
    assert check(client.post("/api/v1/forms/bedom_behov_av_sip/validate", json={"data": ASSESSMENT}),
                 "POST", validate).json["valid"] is True
    assert check(client.post("/api/v1/forms/bedom_behov_av_sip/validate", json={"data": {}}),
                 "POST", validate).json["errors"]
    assert check(client.post("/api/v1/forms/hittepa/validate", json={"data": {}}),
                 "POST", validate).status_code == 404
    upload = {"region": "kristianstad", "files": (io.BytesIO(b"<definitions/>"), "sip.bpmn")}
    assert check(client.post("/api/v1/deployments", data=upload, content_type="multipart/form-data"),
                 "POST", "/api/v1/deployments").status_code == 403  # staff, not a process owner

    moving = {"region": "kristianstad", "from_version": 1}  # staff, not a process owner of the region
    assert check(client.post("/api/v1/migrations/plan", json=moving), "POST",
                 "/api/v1/migrations/plan").status_code == 403
    assert check(client.post("/api/v1/migrations", json=moving), "POST", "/api/v1/migrations").status_code == 403
    assert check(client.get("/api/v1/migrations/hittepa"), "GET",
                 "/api/v1/migrations/{migration_id}").status_code == 404
    assert check(client.post("/api/v1/cases/hittepa/migration/undo"), "POST",
                 "/api/v1/cases/{case_id}/migration/undo").status_code == 404

    settings = "/api/v1/me/notifications"
    assert check(client.get(settings), "GET", settings).json["preferences"]["summons"] == "immediately"
    assert check(client.put(settings, json={"email": "eva@kommun.example.se", "preferences": {"summons": "daily"}}),
                 "PUT", settings).json["email"] == "eva@kommun.example.se"
    assert check(client.put(settings, json={"email": "x"}), "PUT", settings).status_code == 400
    hooks, hook = "/api/v1/webhooks", "/api/v1/webhooks/{subscription_id}"
    subscription = {"url": "https://example.se/sip", "event_kinds": ["summons"]}
    assert check(client.get(hooks), "GET", hooks).status_code == 403  # staff, not an admin
    assert check(client.post(hooks, json=subscription), "POST", hooks).status_code == 403
    assert check(client.delete("/api/v1/webhooks/hittepa"), "DELETE", hook).status_code == 403
    admin = signed_in(app, user_token("eva-admin", roles=("staff", "admin")))
    created = check(admin.post(hooks, json=subscription), "POST", hooks)
    assert created.status_code == 201 and created.json["secret"].startswith("whsec_")
    assert check(admin.post(hooks, json={**subscription, "event_kinds": []}), "POST", hooks).status_code == 400
    assert [item["id"] for item in check(admin.get(hooks), "GET", hooks).json["items"]] == [created.json["id"]]
    assert check(admin.delete(f"/api/v1/webhooks/{created.json['id']}"), "DELETE", hook).status_code == 204
    assert check(admin.delete("/api/v1/webhooks/hittepa"), "DELETE", hook).status_code == 404

    deployed_file = "/api/v1/regions/{region}/files/{path}"
    table = check(client.get("/api/v1/regions/kristianstad/files/dmn/mobilt_vardteam.dmn"), "GET", deployed_file)
    assert table.json["kind"] == "dmn" and table.json["source"] == "base"
    assert check(client.get("/api/v1/regions/kristianstad/files/dmn/hittepa.dmn"), "GET",
                 deployed_file).status_code == 404
    draft_table, owner = "/api/v1/studio/decisions/evaluate", signed_in(
        app, user_token("ella", roles=("staff", "process_owner")))
    trial = {"region": "kristianstad", "dmn": table.json["content"], "decision_id": "mobilt_vardteam",
             "variables": {"alder": 80}}
    assert check(owner.post(draft_table, json=trial), "POST", draft_table).json["result"]["antal_kriterier"] == 1
    clash = {**trial, "dmn": trial["dmn"].replace("&gt;= 4", "&gt;= 0")}
    assert check(owner.post(draft_table, json=clash), "POST", draft_table).json["rules"]
    assert check(client.post(draft_table, json=trial), "POST", draft_table).status_code == 403
    assert check(owner.post(draft_table, json={}), "POST", draft_table).status_code == 400

    routine, file_diff = "/api/v1/regions/{region}/routine", "/api/v1/regions/{region}/routine/diff"
    versions, changes = "/api/v1/regions/{region}/versions", "/api/v1/regions/{region}/versions/{version}/changes"
    restore = "/api/v1/regions/{region}/versions/{version}/restore"
    assert check(owner.get("/api/v1/regions/base/routine"), "GET", routine).json["files"][0]["origin"] == "base"
    assert check(client.get("/api/v1/regions/base/routine"), "GET", routine).status_code == 403  # not an owner
    assert check(owner.get("/api/v1/regions/hittepa/routine"), "GET", routine).status_code == 404
    assert check(owner.get("/api/v1/regions/base/routine/diff?path=bpmn/sip.bpmn"), "GET",
                 file_diff).json["status"] == "same"
    assert check(owner.get("/api/v1/regions/base/routine/diff"), "GET", file_diff).status_code == 400
    catalog = "/api/v1/regions/{region}/routine/catalog"
    assert check(owner.get("/api/v1/regions/base/routine/catalog"), "GET", catalog).json["forms"]
    assert check(client.get("/api/v1/regions/base/routine/catalog"), "GET", catalog).status_code == 403
    assert check(owner.get("/api/v1/regions/hittepa/routine/catalog"), "GET", catalog).status_code == 404
    assert check(owner.get("/api/v1/regions/base/versions"), "GET", versions).json["items"][-1]["version"] == 1
    assert check(owner.get("/api/v1/regions/base/versions/1/changes"), "GET", changes).json["previous_version"] is None
    assert check(owner.get("/api/v1/regions/base/versions/999/changes"), "GET", changes).status_code == 404
    assert check(owner.post("/api/v1/regions/base/versions/1/restore", json={}), "POST",
                 restore).status_code == 403  # a process owner of Kristianstad, not of the base
    assert check(owner.post("/api/v1/regions/kristianstad/versions/1/restore", json={"comment": 5}), "POST",
                 restore).status_code == 400

    walk, multipart = "/api/v1/studio/walk", "multipart/form-data"
    walked = check(owner.post(walk, data={"region": "kristianstad"}, content_type=multipart), "POST", walk).json
    assert walked["steps"][0]["element"] == "bedom_behov_av_sip" and walked["stop"]["kind"] == "ended"
    broken = {"region": "kristianstad", "files": (io.BytesIO(b"<definitions/>"), "initiering_och_samtycke.bpmn")}
    assert check(owner.post(walk, data=broken, content_type=multipart), "POST", walk).json["problems"]
    assert check(owner.post(walk, data={"region": "kristianstad", "answers": "[]"}, content_type=multipart), "POST",
                 walk).status_code == 400
    assert check(client.post(walk, data={"region": "kristianstad"}, content_type=multipart), "POST",
                 walk).status_code == 403  # staff, not a process owner

    every_operation = {(method.upper(), path) for path, operations in document.spec["paths"].items()
                       for method in operations if method != "parameters"}
    assert every_operation == {(method, path) for method, path, _ in document.checked}
