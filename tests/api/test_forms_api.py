"""The forms of a region's routine over the API: listed with the tasks that show them, read as deployed (a
region's own version of a form where it has one), and checked exactly as a task's completion checks them, in
Swedish, with nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.database import db
from tests.api.conftest import PERSON, signed_in, user_token

ROOT = Path(__file__).resolve().parents[2]
BASE_FORMS = sorted(p.name.removesuffix(".schema.json") for p in (ROOT / "forms").glob("*.schema.json"))
REGIONS = ROOT / "processes" / "regions"
# A valid assessment, and the same with the reason for refusing left out where a SIP is not needed.
ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Tolvan"}, "sip_behovs": True,
              "samordningsansvarig": {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr",
                                      "huvudmannatyp": "kommun_sol"}}
REFUSAL_WITHOUT_REASON = {**ASSESSMENT, "sip_behovs": False, "huvudperson": {"namn": ""},
                          "samordningsansvarig": {"namn": "Eva Ek", "organisation": "X", "huvudmannatyp": "kommun"}}


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def deploy_region(region: str) -> None:
    from engine.services.deployments import deploy_path

    deploy_path(REGIONS / region, region, deployed_by="tests", replace=True, source="init")


def check(client, name: str, data, region: str = "kristianstad"):
    return client.post(f"/api/v1/forms/{name}/validate", query_string={"region": region}, json={"data": data})


def test_the_base_lists_every_form_file_by_title_with_the_tasks_that_show_it(client):
    answer = client.get("/api/v1/forms", query_string={"region": "base"})
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["region"] == "base" and body["process"] == {"key": "sip", "version": 1, "region": "base"}
    assert sorted(item["name"] for item in body["items"]) == BASE_FORMS
    titles = [item["title"] for item in body["items"]]
    assert titles[:2] == ["Bedöm behov av SIP", "Besluta om mobilt vårdteam"]  # by title, å ä ö after z
    consent = next(item for item in body["items"] if item["name"] == "inhamta_samtycke")
    assert consent == {"name": "inhamta_samtycke", "title": "Inhämta samtycke",
                       "schema_file": "inhamta_samtycke.schema.json",
                       "ui_schema_file": "inhamta_samtycke.uischema.json",
                       "tasks": [{"id": "inhamta_samtycke", "name": "Inhämta samtycke",
                                  "process": "initiering_och_samtycke"}]}
    assert all(item["tasks"] for item in body["items"]), "every form of the base is shown by a task"


def test_a_region_lists_its_own_forms_and_its_version_of_the_bases(client):
    deploy_region("stockholm")
    deploy_region("kristianstad")
    stockholm = client.get("/api/v1/forms", query_string={"region": "stockholm"}).json
    assert stockholm["process"]["region"] == "stockholm"
    names = {item["name"]: item for item in stockholm["items"]}
    own = {p.name.removesuffix(".schema.json") for p in (REGIONS / "stockholm" / "forms").glob("*.schema.json")}
    assert own <= set(names) and set(BASE_FORMS) <= set(names)
    assert [t["id"] for t in names["sip_kollen"]["tasks"]] == ["sip_kollen"]
    # A base form that the region's own diagrams no longer show is still listed, with no task.
    assert names["inhamta_samtycke"]["tasks"] == []

    form = client.get("/api/v1/forms/forbered_sip", query_string={"region": "kristianstad"}).json
    assert form["schema"] == read(REGIONS / "kristianstad" / "forms" / "forbered_sip.schema.json")
    assert form["ui_schema"] == read(REGIONS / "kristianstad" / "forms" / "forbered_sip.uischema.json")
    base = client.get("/api/v1/forms/forbered_sip", query_string={"region": "base"}).json
    assert base["schema"] == read(ROOT / "forms" / "forbered_sip.schema.json") != form["schema"]


def test_a_region_without_a_variant_of_its_own_has_the_bases_forms(app, client):
    from engine.identity import ensure_organisation

    ensure_organisation("Malmö stad, hemtjänst", "kommun_sol", "malmo")
    db.session.commit()
    body = client.get("/api/v1/forms", query_string={"region": "malmo"}).json
    assert body["region"] == "malmo" and body["process"]["region"] == "base"
    assert sorted(item["name"] for item in body["items"]) == BASE_FORMS


def test_a_form_is_read_with_its_schema_and_ui_schema(client):
    answer = client.get("/api/v1/forms/inhamta_samtycke", query_string={"region": "kristianstad"})
    assert answer.status_code == 200, answer.json
    assert answer.json == {"name": "inhamta_samtycke", "title": "Inhämta samtycke", "region": "kristianstad",
                           "schema": read(ROOT / "forms" / "inhamta_samtycke.schema.json"),
                           "ui_schema": read(ROOT / "forms" / "inhamta_samtycke.uischema.json")}


def test_a_forms_fields_keep_the_order_they_were_written_in(client):
    """Nested groups have no `ui:order`: the web app shows their fields in the order of the schema as sent."""
    form = client.get("/api/v1/forms/bedom_behov_av_sip", query_string={"region": "base"})
    written = json.loads((ROOT / "forms" / "bedom_behov_av_sip.schema.json").read_text(encoding="utf-8"))
    sent = json.loads(form.data)["schema"]
    assert list(sent["properties"]["samordningsansvarig"]["properties"]) == \
        list(written["properties"]["samordningsansvarig"]["properties"]) == \
        ["namn", "organisation", "huvudmannatyp", "yrke", "kontakt"]


def test_valid_data_is_valid_and_comes_back_with_the_forms_defaults(client):
    answer = check(client, "bedom_behov_av_sip", ASSESSMENT)
    assert answer.status_code == 200
    assert answer.json == {"valid": True, "errors": [], "data": {**ASSESSMENT, "skal_att_neka": ""}}


def test_invalid_data_names_each_field_in_swedish(client):
    answer = check(client, "bedom_behov_av_sip", REFUSAL_WITHOUT_REASON)
    assert answer.status_code == 200
    assert answer.json["valid"] is False and answer.json["data"] is None
    assert {e["field"]: e["message"] for e in answer.json["errors"]} == {
        "huvudperson/namn": "Fältet får inte vara tomt",
        "samordningsansvarig/huvudmannatyp": "Välj ett av alternativen",
        "skal_att_neka": "Fyll i ”Skäl att neka SIP”",
    }
    dates = check(client, "dokumentera_avslut", {"avslutsorsak": "avliden", "avslutsdatum": "13 mars",
                                                  "den_enskilde_informerad": "ja"})
    assert {e["field"]: e["message"] for e in dates.json["errors"]} == {
        "avslutsdatum": "Ange ett datum (ÅÅÅÅ-MM-DD)",
        "den_enskilde_informerad": "Fel typ av värde: ska vara ja eller nej",
    }
    rows = check(client, "forbered_sip", {"deltagare": [{"namn": "A", "organisation": "B"}], "motestid": "9.30",
                                          "motesdatum_planerat": "2025-03-14", "motesplats": "Här",
                                          "tjanstemannamote_behovs": False})
    assert {e["field"]: e["message"] for e in rows.json["errors"]} == {
        "deltagare/0/huvudmannatyp": "Fyll i ”Huvudmannens verksamhet”",
        "motestid": "Värdet har fel format",
    }


@pytest.mark.parametrize("data", [REFUSAL_WITHOUT_REASON, {**ASSESSMENT, "sip_delas": True}, {}, ASSESSMENT],
                         ids=["refusal-without-reason", "consent-not-asked", "empty", "valid"])
def test_the_check_refuses_exactly_what_completing_the_task_refuses(client, data):
    started = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON, "variables": {}}).json
    task = started["open_tasks"][0]
    assert task["name"] == "bedom_behov_av_sip"
    checked = check(client, "bedom_behov_av_sip", data).json
    completed = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
    if checked["valid"]:
        assert completed.status_code == 200, completed.json
    else:
        assert completed.status_code == 422 and completed.json["errors"] == checked["errors"]


def test_a_check_stores_nothing(app, client):
    tables = ["cases", "tasks", "case_events", "audit_events", "process_definitions", "deployments"]

    def counts():
        return {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in tables}

    before = counts()
    assert check(client, "bedom_behov_av_sip", ASSESSMENT).json["valid"] is True
    assert check(client, "bedom_behov_av_sip", {}).json["valid"] is False
    db.session.rollback()
    assert counts() == before


def test_unknown_forms_and_regions_are_not_found(app, client):
    for path, query in [("/api/v1/forms/hittepa", {"region": "base"}), ("/api/v1/forms", {"region": "hittepa"}),
                        ("/api/v1/forms/inhamta_samtycke", {"region": "hittepa"})]:
        answer = client.get(path, query_string=query)
        assert answer.status_code == 404 and answer.mimetype == "application/problem+json", (path, query)
        assert answer.json["title"] == "Finns inte" and answer.json["type"] == "/problems/not-found"
    missing = check(client, "hittepa", {})
    assert missing.status_code == 404 and missing.json["title"] == "Finns inte"
    bad = client.get("/api/v1/forms", query_string={"region": "Skåne"})
    assert bad.status_code == 400 and bad.json["errors"][0]["field"] == "region"
    assert check(client, "inhamta_samtycke", ["inte", "ett objekt"]).status_code == 400


def test_any_signed_in_user_may_read_forms_and_no_one_else(app):
    outsider = signed_in(app, user_token("ola", organisation=("Region Jönköpings län, vårdcentral Öster",
                                                               "primarvard", "jonkoping")))
    assert outsider.get("/api/v1/forms", query_string={"region": "jonkoping"}).status_code == 200
    assert check(outsider, "inhamta_samtycke", {}, region="base").status_code == 200
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/forms").status_code == 401
    assert anonymous.post("/api/v1/forms/inhamta_samtycke/validate", json={"data": {}}).status_code == 401
