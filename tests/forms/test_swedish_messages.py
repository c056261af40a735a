"""When a form's data is refused, staff read why in Swedish, at the field it is about: over the API (422
validation-failed, `errors[].message`) and for every kind of check a form makes."""

from __future__ import annotations

import pytest

from engine.forms import validate_submission
from tests.api.conftest import PERSON, signed_in, user_token
from tests.routine.walk import KOMMUN

from .conftest import ROOT, read

ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Tolvan"}, "sip_behovs": True,
              "samordningsansvarig": KOMMUN}
CONSENT = {"samtycke": "givet", "samtycke_datum": "2026-11-27", "samtycke_informationsutbyte": True,
           "samtycke_huvudman": ["kommun_sol", "primarvard"]}


@pytest.fixture
def consent_task(app):
    """A case at its consent task, and a client of the coordinating organisation."""
    client = signed_in(app, user_token("eva"))
    case = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON}).json
    done = client.post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": ASSESSMENT})
    [task] = done.json["next_tasks"]
    assert task["name"] == "inhamta_samtycke"
    return client, task["id"], case["id"]


def test_a_completion_with_a_date_that_does_not_exist_names_the_field(consent_task):
    client, task_id, case_id = consent_task
    revision = client.get(f"/api/v1/cases/{case_id}").json["revision"]

    response = client.post(f"/api/v1/tasks/{task_id}/complete",
                           json={"data": {**CONSENT, "samtycke_datum": "2026-02-30"}})

    assert response.status_code == 422
    assert response.json["type"] == "/problems/validation-failed"
    assert response.json["errors"] == [{"field": "samtycke_datum", "message": "Ange ett datum (ÅÅÅÅ-MM-DD)"}]
    assert client.get(f"/api/v1/cases/{case_id}").json["revision"] == revision


def test_a_draft_with_a_date_written_the_swedish_way_is_refused_in_swedish(consent_task):
    client, task_id, _ = consent_task
    response = client.put(f"/api/v1/tasks/{task_id}/draft", json={"data": {"samtycke_datum": "27/11/2026"}})
    assert response.status_code == 422
    assert response.json["errors"] == [{"field": "samtycke_datum", "message": "Ange ett datum (ÅÅÅÅ-MM-DD)"}]


def test_each_failing_field_gets_one_message_naming_what_to_do(consent_task):
    client, task_id, _ = consent_task
    response = client.post(f"/api/v1/tasks/{task_id}/complete",
                           json={"data": {"samtycke": 1, "samtycke_kommentar": 5, "ovrigt": "x"}})
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"field": "samtycke_datum", "message": "Fyll i ”Datum för samtycke”"},
        {"field": "ovrigt", "message": "Fältet finns inte i formuläret"},
        {"field": "samtycke", "message": "Fel typ av värde: ska vara text"},
        {"field": "samtycke_kommentar", "message": "Fel typ av värde: ska vara text"},
    ]


def form(path: str) -> dict:
    return read(ROOT / path)


def messages(schema: dict, data: dict, partial: bool = False) -> dict[str, str]:
    errors = validate_submission(schema, data, partial=partial)
    found = {e.field: e.message for e in errors}
    assert len(found) == len(errors), "one message per field"
    return found


@pytest.mark.parametrize("path, data, field, message", [
    ("forms/kvittera_kallelse.schema.json", {}, "kommer", "Svara på ”Vi deltar i mötet”"),
    ("forms/inhamta_samtycke.schema.json", {**CONSENT, "samtycke": "kanske"}, "samtycke",
     "Välj ett av alternativen"),
    ("forms/inhamta_samtycke.schema.json", {"samtycke": "avbojer", "samtycke_datum": "2026-11-27",
                                            "samtycke_kommentar": ""}, "samtycke_kommentar",
     "Fältet får inte vara tomt"),
    ("forms/godkann_plan.schema.json", {"godkand": False}, "godkand",
     "Kryssa i rutan för att bekräfta"),
    ("forms/forbered_sip.schema.json", {"deltagare": []}, "deltagare", "Lägg till minst en rad"),
    ("forms/forbered_sip.schema.json", {"motestid": "25:00"}, "motestid", "Värdet har fel format"),
    ("forms/forbered_sip.schema.json", {"stod_till_den_enskilde": ["tolk", "tolk"]}, "stod_till_den_enskilde",
     "Samma val finns flera gånger i listan"),
    ("forms/bedom_behov_av_sip.schema.json", {**ASSESSMENT, "huvudperson": {"namn": "Tolvan", "alder": 131}},
     "huvudperson/alder", "Ange högst 130"),
    ("forms/genomfor_tjanstemannamote.schema.json", {"kroniska_diagnoser": -1}, "kroniska_diagnoser",
     "Ange minst 0"),
    ("forms/dokumentera_ataganden.schema.json", {"ingen_insats": True, "ingen_insats_motivering": "Inget behov",
                                                 "insatser": [{"insats": "Hemtjänst"}]}, "insatser",
     "Listan ska vara tom"),
    ("forms/forbered_sip.schema.json", {"deltagare": [{**KOMMUN, "huvudmannatyp": "polisen"}]},
     "deltagare/0/huvudmannatyp", "Välj ett av alternativen"),
    ("forms/forbered_sip.schema.json", {"deltagare": [{"namn": "Eva", "huvudmannatyp": "kommun_sol"}]},
     "deltagare/0/organisation", "Fyll i ”Organisation”"),
    ("processes/regions/jonkoping/forms/bedom_behov_av_sip.schema.json",
     {**ASSESSMENT, "sip_vid_utskrivning": True, "utskrivningsklar": "2026-11-20"},
     "samordningsansvarig/huvudmannatyp", "Här gäller bara ”Primärvård (regionen)”"),
])
def test_each_kind_of_check_says_in_swedish_what_to_do(path, data, field, message):
    assert messages(form(path), data)[field] == message


def test_a_draft_may_leave_out_what_the_form_requires_but_not_give_wrong_values():
    schema = form("forms/forbered_sip.schema.json")
    assert messages(schema, {"deltagare": []}, partial=True) == {}
    assert messages(schema, {"motesdatum_planerat": "i morgon"}, partial=True) == {
        "motesdatum_planerat": "Ange ett datum (ÅÅÅÅ-MM-DD)"}


def test_a_field_left_out_without_a_title_is_still_named_as_required():
    schema = {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}
    assert messages(schema, {}) == {"x": "Obligatoriskt fält"}


def test_the_next_follow_up_date_may_be_left_out_but_not_left_empty():
    schema = form("forms/genomfor_uppfoljning.schema.json")
    answers = {"uppfoljning_genomford": "2027-06-10", "mal_uppfyllda": False, "behov_av_samordning": True,
               "avliden": False, "samtycke_aterkallat": False, "nya_risker_eller_mal": False}
    assert messages(schema, answers) == {}
    assert messages(schema, {**answers, "nasta_uppfoljningsdatum": ""}) == {
        "nasta_uppfoljningsdatum": "Ange ett datum (ÅÅÅÅ-MM-DD)"}
    assert messages(schema, {**answers, "nasta_uppfoljningsdatum": "2028-01-01"}) == {}
