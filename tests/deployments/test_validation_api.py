"""Every check before a deployment is stored: a bad file gets a clear 4xx problem document naming the file,
the element and the line, nothing is stored, and the server keeps serving."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import FILES, base_text, changed, count, line_of

INITIATION = "bpmn/initiering_och_samtycke.bpmn"


@pytest.fixture
def refused(client, upload):
    """Upload files, expect a refusal with `status`; checks nothing was stored and the server still answers."""
    def _refused(files: dict[str, str | bytes], status: int = 422, region: str = "kristianstad") -> list[dict]:
        definitions = count("process_definitions")
        response = upload(files, region=region, deployed_by="tests")
        assert response.status_code == status, response.json
        assert response.mimetype == "application/problem+json"
        body = response.json
        assert body["status"] == status and body["title"] and body["detail"]
        assert body["problems"], body
        for found in body["problems"]:
            assert set(found) >= {"file", "element", "line", "message"}
            assert found["message"]
        assert count("process_definitions") == definitions and count("deployments") == 0
        assert client.get("/api/v1/health").status_code == 200
        assert client.post("/api/v1/cases", json={"region": region, "person": {
            "personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}}).status_code == 201
        return body["problems"]
    return _refused


def only(problems: list[dict], check: str) -> dict:
    found = [p for p in problems if p.get("check") == check]
    assert found, problems
    return found[0]


# -- safe XML ---------------------------------------------------------------------------------------------------


def test_malformed_xml(refused):
    text = base_text(INITIATION).replace("</bpmn:userTask>", "</bpmn:userTsak>", 1)
    found = only(refused({"initiering_och_samtycke.bpmn": text}), "xml")
    assert found["file"] == INITIATION
    assert found["line"] == line_of(text, "</bpmn:userTsak>")  # where the first user task should close
    assert "well-formed" in found["message"]


def test_external_entities_are_refused(refused):
    found = only(refused({"xxe.bpmn": (FILES / "xxe.bpmn").read_text()}), "xml")
    assert found["file"] == "bpmn/xxe.bpmn" and found["line"] == 2
    assert "DOCTYPE" in found["message"]
    assert "root:" not in str(found)  # nothing of /etc/passwd


def test_entity_expansion_bombs_are_refused(refused):
    found = only(refused({"billion_laughs.dmn": (FILES / "billion_laughs.dmn").read_text()}), "xml")
    assert found["file"] == "dmn/billion_laughs.dmn" and found["line"] == 2
    assert "entity" in found["message"]


def test_an_oversized_file_is_refused_with_413(refused):
    padding = "<!-- " + "x" * (600 * 1024) + " -->\n"
    text = base_text(INITIATION).replace("<bpmn:definitions", padding + "<bpmn:definitions", 1)
    found = refused({"initiering_och_samtycke.bpmn": text}, status=413)
    assert found[0]["file"] == INITIATION and "bytes" in found[0]["message"]


def test_an_oversized_request_is_refused_with_413(client, upload):
    files = {f"stor_{n}.json": "[" + "0," * (300 * 1024) + "0]" for n in range(4)}
    response = upload(files)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert count("deployments") == 0
    assert client.get("/api/v1/health").status_code == 200


# -- XML Schema and SpiffWorkflow -------------------------------------------------------------------------------


def test_xsd_violation(refused):
    text = changed(INITIATION, '<bpmn:endEvent id="sip_nekad" name="SIP nekad">',
                   '<bpmn:noSuchThing id="fel_element"/><bpmn:endEvent id="sip_nekad" name="SIP nekad">')
    found = only(refused({"initiering_och_samtycke.bpmn": text}), "xsd")
    assert found["file"] == INITIATION and found["element"] == "fel_element"
    assert found["line"] == line_of(text, 'id="fel_element"')
    assert "bpmn:noSuchThing" in found["message"]


def test_dmn_xsd_violation(refused):
    text = changed("dmn/mobilt_vardteam.dmn", '<decision id="mobilt_vardteam" name="Mobilt vårdteam">',
                   '<decision id="mobilt_vardteam" name="Mobilt vårdteam" hitPolicy="UNIQUE">')
    found = only(refused({"mobilt_vardteam.dmn": text}), "xsd")
    assert found["file"] == "dmn/mobilt_vardteam.dmn" and found["element"] == "mobilt_vardteam"
    assert found["line"] == 3 and "hitPolicy" in found["message"]


def test_spiffworkflow_parse_error(refused):
    text = changed("bpmn/avslut.bpmn", 'isExecutable="true"', 'isExecutable="false"')
    found = only(refused({"avslut.bpmn": text}), "spiffworkflow")
    assert found["file"] == "bpmn/avslut.bpmn" and found["element"] == "avslut" and found["line"] == 3
    assert "not executable" in found["message"]


# -- forms ------------------------------------------------------------------------------------------------------


def test_missing_form(refused):
    text = changed(INITIATION, 'value="bedom_behov_av_sip.schema.json"', 'value="finns_inte.schema.json"')
    found = only(refused({"initiering_och_samtycke.bpmn": text}), "forms")
    assert found["file"] == INITIATION and found["element"] == "bedom_behov_av_sip"
    assert found["line"] == line_of(text, 'value="finns_inte.schema.json"')
    assert "finns_inte.schema.json" in found["message"]


def test_invalid_json_schema(refused):
    text = changed("forms/bedom_behov_av_sip.schema.json", '"type": "object"', '"type": "objekt"')
    found = only(refused({"bedom_behov_av_sip.schema.json": text}), "forms")
    assert found["file"] == "forms/bedom_behov_av_sip.schema.json"
    assert "JSON Schema" in found["message"] and "objekt" in found["message"]


def test_form_field_named_like_a_helper(refused):
    # the field would become a case variable that stops every script of the case
    schema = json.loads(base_text("forms/bedom_behov_av_sip.schema.json"))
    schema["properties"]["datum"] = {"type": "string", "format": "date"}
    found = only(refused({"bedom_behov_av_sip.schema.json": json.dumps(schema)}), "forms")
    assert found["file"] == "forms/bedom_behov_av_sip.schema.json"
    assert "'datum'" in found["message"] and "helper" in found["message"]


def test_form_that_is_not_json(refused):
    found = only(refused({"bedom_behov_av_sip.schema.json": '{"type": "object",\n "properties": {'}), "forms")
    assert found["file"] == "forms/bedom_behov_av_sip.schema.json" and found["line"] == 2
    assert "JSON" in found["message"]


# -- references -------------------------------------------------------------------------------------------------


def test_unresolvable_called_decision(refused):
    text = changed("bpmn/kallelse_och_forberedelse.bpmn", "<spiffworkflow:calledDecisionId>kallelse_krav<",
                   "<spiffworkflow:calledDecisionId>finns_inte<")
    found = only(refused({"kallelse_och_forberedelse.bpmn": text}), "references")
    assert found["file"] == "bpmn/kallelse_och_forberedelse.bpmn" and found["element"] == "kontrollera_kallelse"
    assert found["line"] == line_of(text, "<spiffworkflow:calledDecisionId>finns_inte<")
    assert "'finns_inte'" in found["message"]


def test_unresolvable_called_process(refused):
    text = changed("bpmn/sip.bpmn", 'calledElement="initiering_och_samtycke"', 'calledElement="finns_inte"')
    found = only(refused({"sip.bpmn": text}), "references")
    assert found["file"] == "bpmn/sip.bpmn" and found["element"] == "initiering"
    assert found["line"] == line_of(text, 'calledElement="finns_inte"')
    assert "'finns_inte'" in found["message"]


# -- diagram interchange ----------------------------------------------------------------------------------------


def test_missing_diagram_interchange(refused):
    text, removed = re.subn(r'\s*<bpmndi:BPMNShape id="bedom_behov_av_sip_di".*?</bpmndi:BPMNShape>', "",
                            base_text(INITIATION), flags=re.DOTALL)
    assert removed == 1
    found = only(refused({"initiering_och_samtycke.bpmn": text}), "diagram")
    assert found["file"] == INITIATION and found["element"] == "bedom_behov_av_sip"
    assert found["line"] == line_of(text, '<bpmn:userTask id="bedom_behov_av_sip"')
    assert "BPMNShape" in found["message"]


# -- the script policy ------------------------------------------------------------------------------------------

ESCAPES = {"import": "__import__('os')", "dunder": "().__class__.__mro__", "open": "open('/etc/passwd')"}


def in_script_task(code: str) -> dict[str, str]:
    text = changed(INITIATION, '<bpmn:script>arendestatus = "avbojd"\navslutsorsak = "sip_nekad"</bpmn:script>',
                   f'<bpmn:script>arendestatus = "avbojd"\nx = {code}</bpmn:script>')
    return {"initiering_och_samtycke.bpmn": text}


def in_gateway_condition(code: str) -> dict[str, str]:
    text = changed(INITIATION, ">not sip_behovs</bpmn:conditionExpression>", f">{code}</bpmn:conditionExpression>")
    return {"initiering_och_samtycke.bpmn": text}


def in_dmn_cell(code: str) -> dict[str, str]:
    return {"mobilt_vardteam.dmn": changed("dmn/mobilt_vardteam.dmn", "<text>&gt;= 4</text>", f"<text>{code}</text>")}


# Where each goes, its element, and the text (around the code) on the line the problem must name.
PLACES = {
    "script_task": (in_script_task, INITIATION, "registrera_nekad_sip", "x = {}"),
    "gateway_condition": (in_gateway_condition, INITIATION, "flode_sip_behovs_registrera_nekad_sip",
                          ">{}</bpmn:conditionExpression>"),
    "dmn_cell": (in_dmn_cell, "dmn/mobilt_vardteam.dmn", "UnaryTests_1m0k6pe", "<text>{}</text>"),
}


@pytest.mark.parametrize("escape", ESCAPES, ids=list(ESCAPES))
@pytest.mark.parametrize("place", PLACES, ids=list(PLACES))
def test_script_policy_violations(refused, place, escape):
    build, path, element, around = PLACES[place]
    files = build(ESCAPES[escape])
    text = next(iter(files.values()))
    found = only(refused(files), "scripts")
    assert (found["file"], found["element"]) == (path, element)
    assert found["line"] == line_of(text, around.format(ESCAPES[escape]))
    assert "script policy" in found["message"]
    assert {"import": "__import__", "dunder": "__", "open": "open"}[escape] in found["message"]


def test_every_problem_is_reported_at_once(refused):
    text = changed(INITIATION, 'value="bedom_behov_av_sip.schema.json"', 'value="finns_inte.schema.json"')
    text = text.replace(">not sip_behovs</bpmn:conditionExpression>", ">open('x')</bpmn:conditionExpression>")
    problems = refused({"initiering_och_samtycke.bpmn": text, "mobilt_vardteam.dmn":
                        changed("dmn/mobilt_vardteam.dmn", "<text>&gt;= 4</text>", "<text>__import__('os')</text>")})
    assert {p["check"] for p in problems} == {"forms", "scripts"}
    assert {p["file"] for p in problems} == {INITIATION, "dmn/mobilt_vardteam.dmn"}
