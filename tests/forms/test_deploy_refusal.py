"""A process owner who deploys a form the staff web app cannot show gets it refused, as a broken diagram is:
422 invalid-process-set naming the file, the field and its line, and nothing is deployed."""

from __future__ import annotations

import io
import json

import pytest

from tests.deployments.conftest import base_text, count, signed_in

CONSENT = "forms/inhamta_samtycke.schema.json"
CONSENT_UI = "forms/inhamta_samtycke.uischema.json"
ASSESSMENT = "forms/bedom_behov_av_sip.schema.json"


@pytest.fixture
def deploy(app):
    """POST /api/v1/deployments to Kristianstad as its process owner, files by name."""
    owner = signed_in(app, "agare_kristianstad", "kristianstad", roles=("staff", "process_owner"))

    def _deploy(files: dict[str, str]):
        data = {"region": "kristianstad",
                "files": [(io.BytesIO(text.encode("utf-8")), name) for name, text in files.items()]}
        return owner.post("/api/v1/deployments", data=data, content_type="multipart/form-data")
    return _deploy


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_a_choice_without_a_type_is_refused_naming_the_field(deploy):
    schema = json.loads(base_text(CONSENT))
    del schema["properties"]["samtycke"]["type"]  # the shape that showed no control for the person's answer
    text = json.dumps(schema, indent=2, ensure_ascii=False)
    definitions = count("process_definitions")

    response = deploy({"inhamta_samtycke.schema.json": text})

    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "/problems/invalid-process-set"
    [found] = response.json["problems"]
    assert found["file"] == CONSENT and found["element"] == "samtycke"
    assert found["line"] == line_of(text, '"samtycke": {')
    assert "'samtycke'" in found["message"] and '"type": "string"' in found["message"]
    assert count("process_definitions") == definitions


def test_a_ui_schema_naming_a_widget_the_web_app_lacks_is_refused(deploy):
    ui = json.loads(base_text(CONSENT_UI))
    ui["samtycke_datum"] = {"ui:widget": "kalender"}
    text = json.dumps(ui, indent=2, ensure_ascii=False)

    response = deploy({"inhamta_samtycke.uischema.json": text})

    assert response.status_code == 422
    [found] = response.json["problems"]
    assert (found["file"], found["element"]) == (CONSENT_UI, "samtycke_datum")
    assert found["line"] == line_of(text, '"ui:widget": "kalender"')
    assert "'kalender'" in found["message"] and "date" in found["message"]


def test_a_ui_order_leaving_out_a_new_field_is_refused(deploy):
    schema = json.loads(base_text(CONSENT))
    schema["properties"]["tolk_behovs"] = {"type": "boolean", "title": "Tolk behövs", "default": False}

    response = deploy({"inhamta_samtycke.schema.json": json.dumps(schema, indent=2, ensure_ascii=False)})

    assert response.status_code == 422
    [found] = response.json["problems"]
    assert (found["file"], found["element"]) == (CONSENT_UI, "tolk_behovs")
    assert "leaves out the field 'tolk_behovs'" in found["message"]


def test_the_same_form_fixed_deploys(deploy, app):
    schema = json.loads(base_text(CONSENT))
    schema["properties"]["tolk_behovs"] = {"type": "boolean", "title": "Tolk behövs", "default": False}
    ui = json.loads(base_text(CONSENT_UI))
    ui["ui:order"].append("tolk_behovs")

    response = deploy({"inhamta_samtycke.schema.json": json.dumps(schema, ensure_ascii=False),
                       "inhamta_samtycke.uischema.json": json.dumps(ui, ensure_ascii=False)})

    assert response.status_code == 201, response.json


def test_a_form_asking_for_a_personal_identity_number_is_refused_and_nothing_is_stored(deploy):
    schema = json.loads(base_text(ASSESSMENT))
    schema["properties"]["huvudperson"]["properties"]["personnummer"] = {
        "type": "string", "title": "Personnummer eller samordningsnummer"}
    text = json.dumps(schema, indent=2, ensure_ascii=False)
    definitions, deployments = count("process_definitions"), count("deployments")

    response = deploy({"bedom_behov_av_sip.schema.json": text})

    assert response.status_code == 422, response.json
    assert response.json["type"] == "/problems/invalid-process-set"
    [found] = response.json["problems"]
    assert (found["file"], found["element"], found["check"]) == (ASSESSMENT, "huvudperson/personnummer", "privacy")
    assert found["line"] == line_of(text, '"personnummer": {')
    assert found["message"].startswith("A form must not ask for a personal identity number: the case keeps it "
                                       "in its protected column")
    assert (count("process_definitions"), count("deployments")) == (definitions, deployments)
