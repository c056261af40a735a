"""The process studio's API over Flask's test client on the real database: a region's routine with each file
marked the base's or the region's own, a region's file as a difference from the base, deploying with a comment,
the version history with what each version changed and how many running cases it has, an earlier version deployed
again (running cases keep theirs), and who may do what."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from engine.services.deployments import deploy_path

from .conftest import PERSON, signed_in, user_token

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ROOT / "processes" / "regions"
OWNER_ORG = ("Kristianstads kommun, hemtjänst Norr", "kommun_sol", "kristianstad")
OTHER_REGION_ORG = ("Jönköpings kommun, socialtjänsten", "kommun_sol", "jonkoping")
THRESHOLD = "<text>&gt;= 4</text>"


@pytest.fixture
def kristianstad(app):
    """Kristianstad's variant deployed as `init` deploys it: its version 1."""
    result = deploy_path(REGIONS / "kristianstad", "kristianstad", deployed_by="init", replace=True, source="init")
    assert result.version == 1
    return result


@pytest.fixture
def owner(app):
    """A process owner of Kristianstad."""
    return signed_in(app, user_token("agda", OWNER_ORG, roles=("staff", "process_owner")))


@pytest.fixture
def staff(app):
    return signed_in(app, user_token("eva", OWNER_ORG))


def upload(client, files: dict[str, str], region: str, comment: str | None = None):
    data = {"region": region, "files": [(io.BytesIO(t.encode()), n) for n, t in files.items()]}
    if comment is not None:
        data["comment"] = comment
    return client.post("/api/v1/deployments", data=data, content_type="multipart/form-data")


def lower_threshold() -> str:
    text = (ROOT / "processes" / "dmn" / "mobilt_vardteam.dmn").read_text(encoding="utf-8")
    assert THRESHOLD in text
    return text.replace(THRESHOLD, "<text>&gt;= 3</text>", 1)


def test_the_routine_marks_each_file_the_bases_or_the_regions_own(kristianstad, owner):
    response = owner.get("/api/v1/regions/kristianstad/routine")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["process"] == {"region": "kristianstad", "version": 1}
    files = {f["path"]: f for f in body["files"]}
    own = {p for p, f in files.items() if f["origin"] == "region"}
    assert own == {"bpmn/tjanstemannamote.bpmn", "forms/forbered_sip.schema.json", "forms/forbered_sip.uischema.json",
                   "forms/genomfor_tjanstemannamote.schema.json", "forms/genomfor_tjanstemannamote.uischema.json"}
    meeting = files["bpmn/tjanstemannamote.bpmn"]
    assert meeting["status"] == "changed" and meeting["base_path"] == "bpmn/tjanstemannamote.bpmn"
    assert meeting["title"] == "Tjänstemannamöte (Kristianstad)"
    assert files["bpmn/sip.bpmn"]["origin"] == "base" and files["bpmn/sip.bpmn"]["status"] == "same"
    assert files["dmn/mobilt_vardteam.dmn"]["kind"] == "dmn" and len(files["dmn/mobilt_vardteam.dmn"]["hash"]) == 64
    assert body["missing"] == []


def test_a_region_without_a_variant_runs_the_base(app, owner):
    body = owner.get("/api/v1/regions/kristianstad/routine").json
    assert body["process"]["region"] == "base"
    assert {f["origin"] for f in body["files"]} == {"base"}


def test_a_regions_diagram_as_a_difference_from_the_base(kristianstad, owner):
    response = owner.get("/api/v1/regions/kristianstad/routine/diff?path=bpmn/tjanstemannamote.bpmn")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "changed" and body["readable"] is True
    removed = {e["id"]: e for e in body["removed"]}
    assert removed["tjanstemannamote_behovs_gw"]["name"] == "Hålls tjänstemannamöte?"
    assert removed["tjanstemannamote_behovs_gw"]["type"] == "exclusiveGateway"
    added = {e["id"] for e in body["added"]}
    assert "flode_tjanstemannamote_start_genomfor_tjanstemannamote" in added
    changed = {e["id"]: e for e in body["changed"]}
    process = {c["aspect"]: c for c in changed["tjanstemannamote"]["changes"]}
    assert process["name"]["before"] == "Tjänstemannamöte"
    assert process["name"]["after"] == "Tjänstemannamöte (Kristianstad)"
    incoming = {c["aspect"]: c for c in changed["bedom_mobilt_vardteam"]["changes"]}["incoming"]
    assert incoming["after"] == "flode_uppdatera_samordning_bedom_mobilt_vardteam"


def test_a_regions_form_as_fields_added_and_removed(kristianstad, owner):
    body = owner.get("/api/v1/regions/kristianstad/routine/diff?path=forms/forbered_sip.schema.json").json
    assert [(e["id"], e["name"]) for e in body["added"]] == [
        ("tjanstemannamote_forslag", "Förslag på tid och plats för tjänstemannamötet")]
    assert [e["id"] for e in body["removed"]] == ["tjanstemannamote_behovs"]


def test_a_base_file_of_the_region_is_the_same_as_the_base(kristianstad, owner):
    body = owner.get("/api/v1/regions/kristianstad/routine/diff?path=bpmn/sip.bpmn").json
    assert body["status"] == "same" and body["changed"] == [] and body["base_path"] == "bpmn/sip.bpmn"


def test_deploy_with_a_comment_then_see_the_history_and_what_changed(kristianstad, owner):
    response = upload(owner, {"mobilt_vardteam.dmn": lower_threshold()}, "kristianstad",
                      comment="Tröskeln sänks till 3 kriterier efter beslut i styrgruppen")
    assert response.status_code == 201, response.json
    assert response.json["deployment"]["comment"] == "Tröskeln sänks till 3 kriterier efter beslut i styrgruppen"
    listed = owner.get("/api/v1/deployments?region=kristianstad").json["items"][0]
    assert listed["comment"] == "Tröskeln sänks till 3 kriterier efter beslut i styrgruppen"

    history = owner.get("/api/v1/regions/kristianstad/versions").json
    assert history["total"] == 2 and history["current"] == {"region": "kristianstad", "version": 2}
    newest, first = history["items"]
    assert newest["version"] == 2 and newest["deployed_by"] == "agda" and newest["source"] == "api"
    assert newest["comment"] == "Tröskeln sänks till 3 kriterier efter beslut i styrgruppen"
    assert newest["changes"] == {"added": [], "removed": [], "changed": ["dmn/mobilt_vardteam.dmn"]}
    assert newest["previous_version"] == 1
    assert first["version"] == 1 and first["source"] == "init" and first["comment"] is None
    assert "bpmn/sip.bpmn" in first["changes"]["added"]

    changes = owner.get("/api/v1/regions/kristianstad/versions/2/changes").json
    assert changes["previous_version"] == 1
    [table] = changes["files"]
    assert table["path"] == "dmn/mobilt_vardteam.dmn" and table["status"] == "changed"
    [rule] = table["changed"]
    assert rule["type"] == "rule" and rule["within"] == "mobilt_vardteam"
    assert rule["changes"] == [{"aspect": "input:Antal uppfyllda kriterier", "before": ">= 4", "after": ">= 3"}]

    # The threshold is now the region's own: the routine marks it so, as changed against the base.
    routine = {f["path"]: f for f in owner.get("/api/v1/regions/kristianstad/routine").json["files"]}
    assert routine["dmn/mobilt_vardteam.dmn"]["origin"] == "region"
    assert routine["dmn/mobilt_vardteam.dmn"]["status"] == "changed"


def test_an_earlier_version_deployed_again_and_running_cases_keep_theirs(kristianstad, owner, staff):
    upload(owner, {"mobilt_vardteam.dmn": lower_threshold()}, "kristianstad", comment="Tröskel 3")
    started = staff.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON})
    assert started.status_code == 201, started.json
    assert started.json["process"]["version"] == 2

    response = owner.post("/api/v1/regions/kristianstad/versions/1/restore",
                          json={"comment": "Tillbaka till 4 kriterier tills vidare"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["version"] == 3 and body["changed"] is True
    assert body["deployment"]["restored_version"] == 1 and body["deployment"]["source"] == "restore"
    assert body["deployment"]["comment"] == "Tillbaka till 4 kriterier tills vidare"

    history = owner.get("/api/v1/regions/kristianstad/versions").json
    by_version = {v["version"]: v for v in history["items"]}
    assert by_version[3]["content_hash"] == by_version[1]["content_hash"]
    assert by_version[3]["restored_version"] == 1 and by_version[3]["deployed_by"] == "agda"
    assert by_version[3]["changes"]["changed"] == ["dmn/mobilt_vardteam.dmn"]
    assert by_version[2]["running_cases"] == 1 and by_version[3]["running_cases"] == 0
    assert history["running_cases"] == 1

    # The running case keeps version 2; a new case starts on the restored content.
    kept = staff.get(f"/api/v1/cases/{started.json['id']}").json
    assert kept["process"]["version"] == 2
    fresh = staff.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON}).json
    assert fresh["process"]["version"] == 3
    routine = {f["path"]: f for f in owner.get("/api/v1/regions/kristianstad/routine").json["files"]}
    assert routine["dmn/mobilt_vardteam.dmn"]["origin"] == "base"
    assert routine["bpmn/tjanstemannamote.bpmn"]["origin"] == "region"

    again = owner.post("/api/v1/regions/kristianstad/versions/3/restore", json={})
    assert again.status_code == 200 and again.json["changed"] is False and again.json["version"] == 3


def test_staff_without_the_role_are_refused(kristianstad, staff):
    for path in ("/api/v1/regions/kristianstad/routine", "/api/v1/regions/kristianstad/versions",
                 "/api/v1/regions/kristianstad/routine/diff?path=bpmn/sip.bpmn",
                 "/api/v1/regions/kristianstad/versions/1/changes"):
        response = staff.get(path)
        assert response.status_code == 403, path
        assert response.mimetype == "application/problem+json" and response.json["title"] == "Åtkomst nekad"
    refused = staff.post("/api/v1/regions/kristianstad/versions/1/restore", json={"comment": "x"})
    assert refused.status_code == 403


def test_a_process_owner_of_another_region_reads_but_does_not_deploy(app, kristianstad):
    other = signed_in(app, user_token("karin", OTHER_REGION_ORG, roles=("staff", "process_owner")))
    assert other.get("/api/v1/regions/kristianstad/versions").status_code == 200
    refused = other.post("/api/v1/regions/kristianstad/versions/1/restore", json={"comment": "Nej"})
    assert refused.status_code == 403
    assert other.get("/api/v1/regions/kristianstad/versions").json["total"] == 1


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), [
    ("get", "/api/v1/regions/Kristian-stad/routine", None, 400, "region"),
    ("get", "/api/v1/regions/kristianstad/routine?version=0", None, 400, "version"),
    ("get", "/api/v1/regions/kristianstad/routine?version=99999999999", None, 400, "version"),
    ("get", "/api/v1/regions/kristianstad/routine/diff", None, 400, "path"),
    ("get", "/api/v1/regions/kristianstad/versions/99999999999/changes", None, 400, "version"),
    ("post", "/api/v1/regions/kristianstad/versions/1/restore", {"comment": "x" * 2001}, 400, "comment"),
    ("post", "/api/v1/regions/kristianstad/versions/1/restore", {"comment": 5}, 400, "comment"),
])
def test_bad_input_is_named(kristianstad, owner, method, path, body, status, field):
    response = getattr(owner, method)(path, json=body) if body is not None else getattr(owner, method)(path)
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert field in {e["field"] for e in response.json["errors"]}


@pytest.mark.parametrize("path", [
    "/api/v1/regions/ingenstans/routine", "/api/v1/regions/kristianstad/routine?version=7",
    "/api/v1/regions/kristianstad/routine/diff?path=bpmn/finns_inte.bpmn",
    "/api/v1/regions/kristianstad/versions/7/changes",
])
def test_what_does_not_exist_is_404(kristianstad, owner, path):
    response = owner.get(path)
    assert response.status_code == 404, response.json
    assert response.mimetype == "application/problem+json"


def test_restoring_a_version_that_does_not_exist_stores_nothing(kristianstad, owner):
    response = owner.post("/api/v1/regions/kristianstad/versions/7/restore", json={"comment": "x"})
    assert response.status_code == 404
    assert owner.get("/api/v1/regions/kristianstad/versions").json["total"] == 1


def test_the_command_line_deploys_with_a_comment_shown_in_the_history(app, kristianstad, owner, tmp_path):
    (tmp_path / "dmn").mkdir()
    (tmp_path / "dmn" / "mobilt_vardteam.dmn").write_text(lower_threshold(), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=[
        "processes", "deploy", str(tmp_path), "--region", "kristianstad", "--deployed-by", "agda",
        "--comment", "Tröskeln 3 från kommandoraden"])
    assert result.exit_code == 0, result.output
    newest = owner.get("/api/v1/regions/kristianstad/versions").json["items"][0]
    assert (newest["version"], newest["source"], newest["comment"]) == (2, "cli", "Tröskeln 3 från kommandoraden")


def test_cases_that_run_the_base_are_counted_by_the_bases_version(app, owner, staff):
    started = staff.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON})
    assert started.status_code == 201 and started.json["process"]["region"] == "base"
    body = owner.get("/api/v1/regions/kristianstad/versions").json
    assert body["items"] == [] and body["current"] == {"region": "base", "version": 1}
    assert body["running_cases"] == 1 and body["base_versions"] == [{"version": 1, "running_cases": 1}]


def test_the_catalog_lists_what_a_diagram_of_the_region_may_name(kristianstad, owner, staff):
    response = owner.get("/api/v1/regions/kristianstad/routine/catalog")
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["region"], body["routine_region"], body["version"]) == ("kristianstad", "kristianstad", 1)
    forms = {f["name"]: f for f in body["forms"]}
    assert forms["bedom_behov_av_sip"]["schema"] == "bedom_behov_av_sip.schema.json"
    assert forms["bedom_behov_av_sip"]["uischema"] == "bedom_behov_av_sip.uischema.json"
    assert "forbered_sip" in forms  # the region's own form
    assert {d["id"] for d in body["decisions"]} >= {"mobilt_vardteam", "uppfoljning_utfall", "kallelse_krav"}
    groups = {g["name"]: g for g in body["groups"]}
    assert groups["samordningsansvarig"]["source"] == "lane"
    assert groups["primarvard"]["label"] == "Primärvård"
    assert 'deltagaren["organisation"]' in body["group_expressions"]
    messages = {m["name"]: m for m in body["messages"]}
    assert "bpmn/sip.bpmn" in messages["samtycke_aterkallat"]["received_in"]
    assert messages["kallelse_kvitterad"]["received_in"]  # a user task it completes
    assert {p["id"] for p in body["processes"]} >= {"sip", "tjanstemannamote"}
    # What a `notification` property may say, and where: the summons on a user task with its meeting's variables.
    kinds = {k["kind"]: k for k in body["notification_kinds"]}
    assert kinds["kallelse"]["on"] == "user_task"
    assert [v["key"] for v in kinds["kallelse"]["variables"]] == ["datum", "tid", "plats"]
    assert (kinds["mote_installt"]["on"], kinds["mote_installt"]["variables"]) == ("message_catch", [])
    assert kinds["samtycke_aterkallat"]["on"] == "message_catch"
    # A staff form with a checkbox or a list is no form the person's page can show.
    assert forms["bedom_behov_av_sip"]["for_person"] is False

    deploy_path(REGIONS / "stockholm", "stockholm", deployed_by="init", replace=True, source="init")
    stockholm = {f["name"]: f for f in owner.get("/api/v1/regions/stockholm/routine/catalog").json["forms"]}
    assert stockholm["sip_kollen_personen"]["for_person"] is True
    assert stockholm["sip_kollen"]["for_person"] is False

    assert staff.get("/api/v1/regions/kristianstad/routine/catalog").status_code == 403
    assert owner.get("/api/v1/regions/hittepa/routine/catalog").status_code == 404


def test_a_dry_run_writes_no_audit_row_and_a_deployment_does(kristianstad, owner):
    from engine.database import db
    from engine.store import AuditEvent

    def deploy_rows():
        db.session.expire_all()
        return db.session.query(AuditEvent).filter_by(action="deploy").order_by(AuditEvent.id).all()

    before = len(deploy_rows())
    files = {"mobilt_vardteam.dmn": lower_threshold()}
    for _ in range(3):  # an editor checks its draft at each pause in typing
        data = {"region": "kristianstad", "dry_run": "true",
                "files": [(io.BytesIO(t.encode()), n) for n, t in files.items()]}
        checked = owner.post("/api/v1/deployments", data=data, content_type="multipart/form-data")
        assert checked.status_code == 200 and checked.json["dry_run"] is True and checked.json["valid"] is True
    broken = {"region": "kristianstad", "dry_run": "true", "files": [(io.BytesIO(b"<nej"), "mobilt_vardteam.dmn")]}
    assert owner.post("/api/v1/deployments", data=broken, content_type="multipart/form-data").status_code in (200, 422)
    assert len(deploy_rows()) == before

    deployed = upload(owner, files, "kristianstad", comment="Tröskeln sänkt")
    assert deployed.status_code == 201, deployed.json
    rows = deploy_rows()
    assert len(rows) == before + 1
    assert rows[-1].outcome == "ok" and rows[-1].user == "agda" and rows[-1].detail["version"] == 2

    refused = upload(owner, {"mobilt_vardteam.dmn": "<nej"}, "kristianstad")
    assert refused.status_code == 422
    rows = deploy_rows()
    assert len(rows) == before + 2 and rows[-1].outcome == "failed"
