"""The audit trail (written with the change it records; reads and refusals too; append-only; CSV export)
and personal numbers (found by keyed hash, stored encrypted, never in process data, logs or errors)."""

from __future__ import annotations

import csv
import io
import json
import logging

import pytest
import sqlalchemy as sa

from engine.database import db
from engine.privacy import decrypt_number, number_hash
from engine.store import AuditEvent, Case
from tests.access.conftest import ASSESSMENT
from tests.api.conftest import PERSON

NUMBER = "191212121212"


def audit_rows(case_id):
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case_id)
                              .order_by(AuditEvent.id)).all()


def test_changes_and_reads_are_audited_with_who_what_where(world):
    case = world.start("kommun")
    kommun = world["kommun"]
    task = case["open_tasks"][0]["id"]
    assert kommun.post(f"/api/v1/tasks/{task}/complete", json={"data": ASSESSMENT}).status_code == 200
    kommun.get(f"/api/v1/cases/{case['id']}")
    kommun.get(f"/api/v1/cases/{case['id']}/plan")
    world["stockholm"].get(f"/api/v1/cases/{case['id']}")
    rows = [(e.action, e.user, e.organisation, e.outcome) for e in audit_rows(case["id"])]
    org = "Kristianstads kommun, hemtjänst Norr"
    assert rows == [
        ("start_case", "staff.kommun", org, "ok"),
        ("complete_task", "staff.kommun", org, "ok"),
        ("read_case", "staff.kommun", org, "ok"),
        ("read_plan", "staff.kommun", org, "ok"),
        ("read_case", "staff.stockholm", "Stockholms stad, socialtjänst Södermalm", "not_found"),
    ]
    assert all(e.remote_addr == "127.0.0.1" and e.at is not None for e in audit_rows(case["id"]))


def test_a_refused_change_leaves_a_refusal_not_a_success(world):
    case = world.start("kommun")
    task = case["open_tasks"][0]["id"]
    response = world["kommun"].post(f"/api/v1/tasks/{task}/complete", json={"data": {"sip_behovs": True}})
    assert response.status_code == 422
    assert [(e.action, e.outcome) for e in audit_rows(case["id"])] == [("start_case", "ok"),
                                                                       ("complete_task", "invalid")]


def refusals(case_id):
    return [(e.action, e.outcome, e.task_id, {k: e.detail.get(k) for k in ("status", "problem")})
            for e in audit_rows(case_id) if e.outcome not in ("ok", "replayed")]


def test_refused_completions_are_audited_once_each_and_survive_the_rollback(world):
    """A completion refused for its data (422), for a stale revision (409) or because the task is done (409)
    leaves one row each: who, which case and task, the status and problem type; never the values sent."""
    kommun = world["kommun"]
    case = world.start("kommun")
    task = case["open_tasks"][0]["id"]
    marker = "Hemlig-anteckning-4711"
    url = f"/api/v1/tasks/{task}/complete"
    invalid = kommun.post(url, json={"data": {**ASSESSMENT, "sip_behovs": marker}})
    assert invalid.status_code == 422
    stale = kommun.post(url, json={"data": ASSESSMENT, "case_revision": case["revision"] + 5})
    assert stale.status_code == 409
    assert refusals(case["id"]) == [
        ("complete_task", "invalid", task, {"status": 422, "problem": "validation-failed"}),
        ("complete_task", "conflict", task, {"status": 409, "problem": "conflict"}),
    ]
    # Nothing of the refused changes was stored: the case is where it was.
    assert kommun.get(f"/api/v1/cases/{case['id']}").json["revision"] == case["revision"]
    assert kommun.post(url, json={"data": ASSESSMENT}).status_code == 200
    assert kommun.post(url, json={"data": ASSESSMENT}).status_code == 409
    rows = audit_rows(case["id"])
    assert [(e.action, e.outcome) for e in rows if e.action == "complete_task"] == [
        ("complete_task", "invalid"), ("complete_task", "conflict"), ("complete_task", "ok"),
        ("complete_task", "conflict")]
    for event in rows:
        assert event.user == "staff.kommun" and event.organisation == "Kristianstads kommun, hemtjänst Norr"
        assert marker not in json.dumps(event.detail) and NUMBER not in json.dumps(event.detail)
    assert {e.detail.get("task") for e in rows if e.action == "complete_task"} == {"bedom_behov_av_sip"}


def test_a_retried_completion_is_a_replay_not_a_refusal(world):
    kommun = world["kommun"]
    case = world.start("kommun")
    task = case["open_tasks"][0]["id"]
    headers = {"Idempotency-Key": "retry-1"}
    for _ in range(2):
        assert kommun.post(f"/api/v1/tasks/{task}/complete", json={"data": ASSESSMENT},
                           headers=headers).status_code == 200
    assert [e.outcome for e in audit_rows(case["id"]) if e.action == "complete_task"] == ["ok", "replayed"]


def test_a_refused_message_is_audited_and_shown_in_the_case_audit(world):
    kommun = world["kommun"]
    case = world.start("kommun")
    response = kommun.post(f"/api/v1/cases/{case['id']}/messages/mote_installt", json={"payload": {"x": NUMBER}})
    assert response.status_code == 409, response.json
    unknown = kommun.post(f"/api/v1/cases/{case['id']}/messages/finns_inte", json={})
    assert unknown.status_code == 404
    assert refusals(case["id"]) == [
        ("message", "conflict", None, {"status": 409, "problem": "conflict"}),
        ("message", "not_found", None, {"status": 404, "problem": "not-found"}),
    ]
    trail = kommun.get(f"/api/v1/cases/{case['id']}/audit").json["items"]
    shown = [(e["action"], e["outcome"], e["detail"]) for e in trail if e["action"] == "message"]
    assert shown == [("message", "conflict", {"message": "mote_installt", "status": 409, "problem": "conflict"}),
                     ("message", "not_found", {"message": "finns_inte", "status": 404, "problem": "not-found"})]
    assert NUMBER not in json.dumps(trail)


def test_refused_drafts_claims_and_starts_are_audited(app, world):
    kommun = world["kommun"]
    case = world.start("kommun")
    task = case["open_tasks"][0]["id"]
    assert kommun.put(f"/api/v1/tasks/{task}/draft", json={"data": {"sip_behovs": "kanske"}}).status_code == 422
    assert kommun.post(f"/api/v1/tasks/{task}/claim", json={}).status_code == 200
    assert kommun.post(f"/api/v1/tasks/{task}/claim", json={"user": "staff.kommun"}).status_code == 200
    assert refusals(case["id"]) == [("save_draft", "invalid", task, {"status": 422, "problem": "validation-failed"})]
    # A start refused by the routine's rules is audited against the person (by the number's keyed hash).
    refused = kommun.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON,
                                                 "variables": {"samtycke": "givet"}})
    assert refused.status_code == 400, refused.json
    db.session.expire_all()
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "start_case")
                               .order_by(AuditEvent.id.desc())).first()
    assert (event.outcome, event.case_id, event.subject_hash) == ("invalid", None, number_hash(NUMBER))
    assert event.detail == {"region": "kristianstad", "status": 400, "problem": "invalid-request"}
    result = app.test_cli_runner().invoke(args=["audit", "export", "--personal-number", PERSON["personal_number"]])
    assert ("start_case", "invalid") in {(r["action"], r["outcome"]) for r in csv.DictReader(io.StringIO(
        result.output))}


def test_audit_rows_cannot_be_changed_or_deleted(world):
    case = world.start("kommun")
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.text("UPDATE audit_events SET outcome = 'x' WHERE case_id = :c"), {"c": case["id"]})
        db.session.commit()
    db.session.rollback()
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.text("DELETE FROM audit_events WHERE case_id = :c"), {"c": case["id"]})
        db.session.commit()
    db.session.rollback()
    assert len(audit_rows(case["id"])) == 1


def test_case_audit_for_the_coordinator_and_administrators_only(world):
    case_id = world.shared()
    url = f"/api/v1/cases/{case_id}/audit"
    trail = world["kommun"].get(url).json
    assert trail["total"] == len(trail["items"]) and trail["items"][0]["action"] == "start_case"
    assert world["admin"].get(url).status_code == 200
    assert world["vardcentral"].get(url).status_code == 403
    assert world["stockholm"].get(url).status_code == 404
    assert [e.action for e in audit_rows(case_id)][-4:] == ["read_audit", "read_audit", "read_audit", "read_audit"]


def test_csv_export_for_a_case_and_for_a_person(app, world, tmp_path):
    case_id = world.shared()
    world["vardcentral"].get(f"/api/v1/cases/{case_id}")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "export", "--case", case_id])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows[0]["action"] == "start_case" and rows[0]["case_id"] == case_id
    assert ("read_case", "staff.vardcentral") in {(r["action"], r["user"]) for r in rows}
    world["kommun"].get("/api/v1/cases", query_string={"personal_number": PERSON["personal_number"]})
    out = tmp_path / "person.csv"
    result = runner.invoke(args=["audit", "export", "--personal-number", "19121212-1212", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["case_id"] for r in rows if r["case_id"]} >= {case_id}
    assert "find_person" in {r["action"] for r in rows}
    assert NUMBER not in out.read_text() and "121212-1212" not in out.read_text()
    assert runner.invoke(args=["audit", "export"]).exit_code != 0


def test_personal_number_is_kept_out_of_process_data_and_found_by_hash(world):
    case = world.start("kommun")
    stored = db.session.get(Case, case["id"])
    assert NUMBER not in json.dumps(stored.data) and NUMBER not in stored.state
    assert stored.personal_number_hash == number_hash(NUMBER)
    assert NUMBER not in stored.personal_number_encrypted and decrypt_number(stored.personal_number_encrypted) == NUMBER
    found = world["kommun"].get("/api/v1/cases", query_string={"personal_number": "191212121212"}).json
    assert [c["id"] for c in found["items"]] == [case["id"]] and found["total"] == 1
    assert world["stockholm"].get("/api/v1/cases", query_string={"personal_number": "191212121212"}).json[
        "total"] == 0
    other = world["kommun"].get("/api/v1/cases", query_string={"personal_number": "19701063-2391"}).json
    assert other["total"] == 0
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "find_person").order_by(AuditEvent.id.desc())).first()
    assert event.subject_hash == number_hash("197010632391") and NUMBER not in json.dumps(event.detail)


def test_personal_number_never_in_logs_or_errors(app, world, caplog):
    caplog.set_level(logging.DEBUG)
    kommun = world["kommun"]
    case = world.start("kommun")
    bad = kommun.get("/api/v1/cases", query_string={"personal_number": "19121212-1213"})
    assert bad.status_code == 400 and "1212" not in bad.get_data(as_text=True)
    kommun.get("/api/v1/cases", query_string={"personal_number": PERSON["personal_number"]})
    kommun.post("/api/v1/cases", json={"region": "kristianstad", "person": {
        "personal_number": "19121212-1213", "name": "X"}})
    kommun.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON, "variables": {
        "huvudperson": {"namn": "Tolvan", "personnummer": PERSON["personal_number"]}}})
    task = kommun.get(f"/api/v1/tasks/{case['open_tasks'][0]['id']}").json
    assert "personnummer" not in task["data"]["huvudperson"]
    result = app.test_cli_runner().invoke(args=["audit", "export", "--personal-number", "19121212-1213"])
    assert result.exit_code != 0 and "1213" not in result.output
    text = "\n".join(r.getMessage() for r in caplog.records)
    for form in (PERSON["personal_number"], NUMBER, "121212-1212", "19121212-1213"):
        assert form not in text
    assert not any(NUMBER in json.dumps(c.data) for c in db.session.scalars(sa.select(Case)).all())


def test_demo_command_prints_users_with_working_tokens(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    users = json.loads(result.output)["users"]
    assert {u["region"] for u in users} >= {"kristianstad", "jonkoping", "vastra_gotaland", "stockholm"}
    for region in ("kristianstad", "jonkoping", "vastra_gotaland", "stockholm"):
        mine = [u for u in users if u["region"] == region]
        assert len({u["kind"] for u in mine}) >= 3
        assert sum("process_owner" in u["roles"] for u in mine) == 1
    assert any("admin" in u["roles"] for u in users)
    assert {"name", "organisation", "region", "roles", "token"} <= set(users[0])
    client = app.test_client()
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {users[0]['token']}"})
    assert response.status_code == 200


def test_the_audited_address_is_the_client_behind_trusted_proxies_only(app, migrated):
    from engine import create_app
    from tests.api.conftest import signed_in, user_token

    token = user_token("eva")
    body = {"region": "kristianstad", "person": PERSON, "variables": {}}
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    # By default the header is anybody's claim: the address is the connection's.
    direct = signed_in(app, token).post("/api/v1/cases", json=body, headers=forwarded).json["id"]
    assert [e.remote_addr for e in audit_rows(direct)] == ["127.0.0.1"]
    # Behind one proxy (which appends the address it saw), the last forwarded address is the client.
    proxied_app = create_app({"SQLALCHEMY_DATABASE_URI": migrated, "TRUSTED_PROXIES": "1"})
    proxied = signed_in(proxied_app, token).post("/api/v1/cases", json=body, headers={
        "X-Forwarded-For": "198.51.100.1, 203.0.113.7"}).json["id"]
    assert [e.remote_addr for e in audit_rows(proxied)] == ["203.0.113.7"]
    with proxied_app.app_context():
        db.engine.dispose()
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        create_app({"SQLALCHEMY_DATABASE_URI": migrated, "TRUSTED_PROXIES": "yes"})


SPELLINGS = ["１９１２１２１２-１２１２", "１９１２１２１２－１２１２", "19121212 – 1212", " 191212 121212 ",
             "١٩١٢١٢١٢-١٢١٢", "19121212\u00a0-\u00a01212", "१९१२१२१२१२१२"]


def test_one_person_however_the_number_is_written(world):
    """Fullwidth digits, digits of other scripts, dashes and odd spaces are one and the same number: the cases
    started with them are one person's, and a search written either way finds them all."""
    kommun = world["kommun"]
    plain = world.start("kommun")
    started = [plain["id"]]
    for spelling in SPELLINGS:
        response = kommun.post("/api/v1/cases", json={"region": "kristianstad", "person": {
            "personal_number": spelling, "name": "Tolvan Tolvansson"}})
        assert response.status_code == 201, (spelling, response.json)
        started.append(response.json["id"])
    db.session.expire_all()
    hashes = {db.session.get(Case, case_id).personal_number_hash for case_id in started}
    assert hashes == {number_hash(NUMBER)}
    assert {decrypt_number(db.session.get(Case, c).personal_number_encrypted) for c in started} == {NUMBER}
    for spelling in ["19121212-1212", *SPELLINGS]:
        found = kommun.get("/api/v1/cases", query_string={"personal_number": spelling, "limit": 50}).json
        assert found["total"] == len(started) and {c["id"] for c in found["items"]} == set(started), spelling


def test_numbers_that_normalise_to_nothing_valid_are_refused_without_repeating_them(world):
    kommun = world["kommun"]
    for bad in ["１９１２１２１２-１２１３", "19121212 1212 1", "19121212_1212", "191２1２1２-1２1２x", "1" * 200,
                "²¹⁹¹²¹²¹²¹²¹²"]:
        response = kommun.post("/api/v1/cases", json={"region": "kristianstad", "person": {
            "personal_number": bad, "name": "X"}})
        assert response.status_code == 400, bad
        assert response.json["errors"][0]["field"] == "person/personal_number"
        assert bad not in response.get_data(as_text=True) and "1213" not in response.get_data(as_text=True)
