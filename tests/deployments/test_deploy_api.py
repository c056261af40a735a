"""Deploying through the API: a region's variant, versions, dry runs, what is deployed, cases side by side."""

from __future__ import annotations

import io
import json

from lxml import etree

from .conftest import PROCESSES, base_text, changed, count

FIRST_TASK = '<bpmn:userTask id="bedom_behov_av_sip" name="Bedöm behov av SIP">'


def retitled(title: str) -> str:
    """The base's initiation diagram with its first user task renamed: a change every case shows at once."""
    return changed("bpmn/initiering_och_samtycke.bpmn", FIRST_TASK,
                   f'<bpmn:userTask id="bedom_behov_av_sip" name="{title}">')


def variant_files(region: str) -> dict[str, str]:
    folder = PROCESSES / "regions" / region
    return {p.name: p.read_text(encoding="utf-8") for sub in ("bpmn", "dmn", "forms")
            for p in sorted((folder / sub).glob("*")) if p.is_file()}


def first_task_title(case: dict) -> str:
    return case["open_tasks"][0]["title"]


def test_a_regions_variant_deploys_through_the_api(client, upload, start):
    files = variant_files("kristianstad")
    assert files, "the Kristianstad variant folder has files"
    response = upload(files, region="kristianstad", deployed_by="someone.else")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["valid"] is True and body["changed"] is True and body["version"] == 1
    assert body["deployment"]["deployed_by"] == "agare_kristianstad"  # the signed-in user, not the form
    assert body["deployment"]["source"] == "api"
    assert sorted(body["deployment"]["files"]) == sorted(
        f"{'forms' if n.endswith('.json') else n.rsplit('.', 1)[1]}/{n}" for n in files)
    assert {f["source"] for f in body["files"]} == {"upload", "base"}

    definitions = client.get("/api/v1/process-definitions?region=kristianstad").json
    assert definitions["total"] == 1
    item = definitions["items"][0]
    assert (item["region"], item["key"], item["version"]) == ("kristianstad", "sip", 1)
    assert item["deployed_by"] == "agare_kristianstad"
    assert item["content_hash"] == body["content_hash"] and item["deployed_at"]

    deployments = client.get("/api/v1/deployments").json
    assert deployments["total"] == 1 and deployments["items"][0]["region"] == "kristianstad"

    case = start("kristianstad")
    assert case["process"]["region"] == "kristianstad" and case["process"]["version"] == 1


def test_unchanged_content_makes_no_new_version(client, upload):
    files = {"initiering_och_samtycke.bpmn": retitled("Bedöm behovet")}
    first = upload(files, region="jonkoping")
    assert first.status_code == 201 and first.json["version"] == 1
    definitions = count("process_definitions")

    again = upload(files, region="jonkoping")
    assert again.status_code == 200, again.json
    assert again.json["changed"] is False and again.json["version"] == 1
    assert again.json["deployment"]["created"] is False
    assert count("process_definitions") == definitions

    # the base's own file, unchanged, deploys nothing new for the base either
    base = upload({"sip.bpmn": base_text("bpmn/sip.bpmn")}, region="base")
    assert base.status_code == 200 and base.json["changed"] is False
    assert count("process_definitions") == definitions


def test_a_changed_file_makes_the_next_version(client, upload):
    assert upload({"initiering_och_samtycke.bpmn": retitled("Ett")}, region="stockholm").json["version"] == 1
    second = upload({"initiering_och_samtycke.bpmn": retitled("Två")}, region="stockholm")
    assert second.status_code == 201 and second.json["version"] == 2
    versions = client.get("/api/v1/process-definitions?region=stockholm").json["items"]
    assert [d["version"] for d in versions] == [2, 1]
    latest = client.get("/api/v1/process-definitions?latest=true").json["items"]
    assert {(d["region"], d["version"]) for d in latest} == {("base", 1), ("stockholm", 2)}


def test_dry_run_stores_nothing(client, upload):
    definitions, deployments = count("process_definitions"), count("deployments")
    response = upload({"initiering_och_samtycke.bpmn": retitled("Prova")}, region="vastra_gotaland", dry_run=True)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["dry_run"] is True and body["valid"] is True and body["problems"] == []
    assert body["changed"] is True and body["version"] == 1 and body["deployment"] is None
    assert (count("process_definitions"), count("deployments")) == (definitions, deployments)
    assert client.get("/api/v1/process-definitions?region=vastra_gotaland").json["total"] == 0


def test_dry_run_of_bad_files_reports_them_with_200(client, upload):
    bad = base_text("bpmn/initiering_och_samtycke.bpmn").replace("</bpmn:definitions>", "")
    response = upload({"initiering_och_samtycke.bpmn": bad}, region="kristianstad", dry_run=True)
    assert response.status_code == 200
    assert response.json["valid"] is False
    assert response.json["problems"][0]["file"] == "bpmn/initiering_och_samtycke.bpmn"
    assert count("deployments") == 0


def test_cases_of_two_regions_run_side_by_side_on_their_own_definitions(client, upload, start):
    assert upload({"initiering_och_samtycke.bpmn": retitled("Bedöm behov (Jönköping)")},
                  region="jonkoping").status_code == 201
    assert upload({"initiering_och_samtycke.bpmn": retitled("Bedöm behov (Stockholm)")},
                  region="stockholm").status_code == 201
    jonkoping, stockholm, other = start("jonkoping"), start("stockholm"), start("kristianstad")
    assert first_task_title(jonkoping) == "Bedöm behov (Jönköping)"
    assert first_task_title(stockholm) == "Bedöm behov (Stockholm)"
    assert first_task_title(other) == "Bedöm behov av SIP"  # a region with no variant runs the base
    assert {jonkoping["process"]["region"], stockholm["process"]["region"], other["process"]["region"]} == {
        "jonkoping", "stockholm", "base"}


def test_a_running_case_keeps_its_version_after_a_new_deployment(client, upload, start):
    upload({"initiering_och_samtycke.bpmn": retitled("Version ett")}, region="kristianstad")
    running = start("kristianstad")
    assert upload({"initiering_och_samtycke.bpmn": retitled("Version två")},
                  region="kristianstad").json["version"] == 2

    again = client.get(f"/api/v1/cases/{running['id']}").json
    assert again["process"]["version"] == 1 and first_task_title(again) == "Version ett"
    fresh = start("kristianstad")
    assert fresh["process"]["version"] == 2 and first_task_title(fresh) == "Version två"


def test_a_region_deploys_one_file_on_top_of_its_earlier_overrides(client, upload, start):
    assert upload({"initiering_och_samtycke.bpmn": retitled("Egen titel")}, region="stockholm").status_code == 201
    threshold = changed("dmn/mobilt_vardteam.dmn", "<text>&gt;= 4</text>", "<text>&gt;= 5</text>")
    response = upload({"mobilt_vardteam.dmn": threshold}, region="stockholm")
    assert response.status_code == 201 and response.json["version"] == 2
    sources = {f["path"]: f["source"] for f in response.json["files"]}
    assert sources["bpmn/initiering_och_samtycke.bpmn"] == "region"
    assert sources["dmn/mobilt_vardteam.dmn"] == "upload"
    assert response.json["deployment"]["overrides"] == ["bpmn/initiering_och_samtycke.bpmn",
                                                        "dmn/mobilt_vardteam.dmn"]
    assert first_task_title(start("stockholm")) == "Egen titel"

    # replace: the uploads are the region's whole variant
    replaced = upload({"mobilt_vardteam.dmn": threshold}, region="stockholm", replace=True)
    assert replaced.json["deployment"]["overrides"] == ["dmn/mobilt_vardteam.dmn"]
    assert first_task_title(start("stockholm")) == "Bedöm behov av SIP"


def test_the_main_diagram_as_deployed(client, upload):
    upload({"initiering_och_samtycke.bpmn": retitled("Ett")}, region="kristianstad")
    upload({"sip.bpmn": changed("bpmn/sip.bpmn", 'name="Initiering och samtycke"', 'name="Initiering"')},
           region="kristianstad")

    latest = client.get("/api/v1/process-definitions/sip/xml?region=kristianstad")
    assert latest.status_code == 200 and latest.mimetype == "application/xml"
    assert latest.headers["X-Process-Version"] == "2"
    root = etree.fromstring(latest.data)
    assert root.find(".//{http://www.omg.org/spec/BPMN/20100524/MODEL}process").get("id") == "sip"
    assert b'name="Initiering"' in latest.data

    first = client.get("/api/v1/process-definitions/sip/xml?region=kristianstad&version=1")
    assert first.status_code == 200 and b'name="Initiering och samtycke"' in first.data

    base = client.get("/api/v1/process-definitions/sip/xml")
    assert base.status_code == 200 and base.data.decode("utf-8") == base_text("bpmn/sip.bpmn")
    fallback = client.get("/api/v1/process-definitions/sip/xml?region=jonkoping")
    assert fallback.status_code == 200 and fallback.headers["X-Process-Region"] == "base"

    missing = client.get("/api/v1/process-definitions/sip/xml?region=kristianstad&version=9")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert client.get("/api/v1/process-definitions/nope/xml").status_code == 404
    assert client.get("/api/v1/process-definitions/sip/xml?region=Not-A-Region").status_code == 400


def test_deployments_are_listed_newest_first_and_paged(client, upload):
    for n, region in enumerate(["jonkoping", "stockholm", "kristianstad"]):
        assert upload({"initiering_och_samtycke.bpmn": retitled(f"Titel {n}")}, region=region).status_code == 201
    page = client.get("/api/v1/deployments?limit=2").json
    assert page["total"] == 3 and [d["region"] for d in page["items"]] == ["kristianstad", "stockholm"]
    rest = client.get("/api/v1/deployments?limit=2&offset=2").json
    assert [d["region"] for d in rest["items"]] == ["jonkoping"]
    only = client.get("/api/v1/deployments?region=stockholm").json
    assert only["total"] == 1 and only["items"][0]["files"] == ["bpmn/initiering_och_samtycke.bpmn"]


def test_requests_that_are_not_deployments(client, owner, upload):
    no_region = upload({"x.bpmn": "<x/>"}, region="")
    assert no_region.status_code == 400 and no_region.mimetype == "application/problem+json"
    bad_region = upload({"x.bpmn": "<x/>"}, region="Skåne!")
    assert bad_region.status_code == 400
    no_files = owner("kristianstad").post("/api/v1/deployments", data={"region": "kristianstad"},
                           content_type="multipart/form-data")
    assert no_files.status_code == 400
    as_json = owner("kristianstad").post("/api/v1/deployments", json={"region": "kristianstad"})
    assert as_json.status_code == 400
    wrong_kind = upload({"notes.txt": "hej"})
    assert wrong_kind.status_code == 422
    assert wrong_kind.json["problems"][0]["file"] == "notes.txt"
    twice = owner("kristianstad").post("/api/v1/deployments", content_type="multipart/form-data", data={
        "region": "kristianstad", "files": [(io.BytesIO(b"{}"), "a.json"),
                                            (io.BytesIO(b"{}"), "dir/a.json")]})
    assert twice.status_code == 422 and "twice" in twice.json["problems"][0]["message"]
    not_utf8 = upload({"latin.json": "{\"titel\": \"å\"}".encode("latin-1")})
    assert not_utf8.status_code == 422 and "UTF-8" in not_utf8.json["problems"][0]["message"]
    assert count("deployments") == 0
    assert client.get("/api/v1/health").status_code == 200


def test_only_a_process_owner_of_the_region_deploys(app, client, owner, upload):
    files = {"initiering_och_samtycke.bpmn": retitled("Obehörig")}
    anonymous = upload(files, region="kristianstad", as_client=app.test_client())
    assert anonymous.status_code == 401
    staff = upload(files, region="kristianstad", as_client=client)
    assert staff.status_code == 403 and staff.mimetype == "application/problem+json"
    other_region = upload(files, region="kristianstad", as_client=owner("jonkoping"))
    assert other_region.status_code == 403
    assert count("deployments") == 0 and client.get("/api/v1/process-definitions?region=kristianstad").json[
        "total"] == 0
    assert upload(files, region="kristianstad").status_code == 201


def test_a_deployment_is_audited_with_the_version_it_stored(app, upload):
    from engine.database import db
    from engine.store import AuditEvent

    before = db.session.query(AuditEvent).filter_by(action="deploy").count()
    response = upload(variant_files("kristianstad"), region="kristianstad")
    assert response.status_code == 201
    rows = db.session.query(AuditEvent).filter_by(action="deploy").order_by(AuditEvent.id).all()
    assert len(rows) == before + 1
    assert rows[-1].outcome == "ok" and rows[-1].user == "agare_kristianstad"
    assert rows[-1].detail["version"] == response.json["version"]


def test_a_form_open_to_any_field_still_cannot_give_consent(client, upload, start):
    # a region's form that admits fields it does not declare: none of them may be one that shares the case
    schema = json.loads(base_text("forms/bedom_behov_av_sip.schema.json"))
    schema["additionalProperties"] = True
    assert upload({"bedom_behov_av_sip.schema.json": json.dumps(schema)}).status_code == 201
    case = start("kristianstad")
    task_id = case["open_tasks"][0]["id"]
    data = {"initierad_av": "kommun", "huvudperson": {"namn": "Tolvan"}, "sip_behovs": True,
            "samordningsansvarig": {"namn": "Eva", "organisation": "Kommunen i kristianstad",
                                    "huvudmannatyp": "kommun_sol"}}
    refused = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {**data, "sip_delas": True}})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json["errors"]] == ["sip_delas"]
    done = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {**data, "anteckning": "fri text"}})
    assert done.status_code == 200, done.json
