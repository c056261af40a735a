"""Every problem the deployment's checks find says, in Swedish, what is wrong and where (the file, the element's
id and, where it has one, its name, the line) beside the English (`message`): `message_sv` is what the studio and
a process owner read. SpiffWorkflow's own refusals get a general Swedish sentence naming the element and line, with
the engine's English kept after it. A refused deployment's problem document says its detail in Swedish, with the
English in `detail_en`. Each case changes the base routine's real files in one place."""

from __future__ import annotations

import json

import pytest

from engine.deployment.validation import validate_process_set
from engine.services.process_sets import read_process_folder

from .conftest import FILES, FORMS, PROCESSES, line_of

BASE = read_process_folder(PROCESSES, FORMS)
ENGLISH_WORDS = (" the ", " is ", " which ", " cannot ")


def changed_set(path: str, old: str, new: str) -> dict[str, str]:
    files = dict(BASE)
    assert old in files[path], f"{old!r} is not in {path}"
    files[path] = files[path].replace(old, new, 1)
    return files


def problems_of(files: dict[str, str], check: str) -> list[dict]:
    found = validate_process_set(files).problems
    assert found, "the change was not refused"
    for item in found:  # every problem, whatever its check, is said in Swedish
        assert item.get("message_sv") and item["message_sv"] != item["message"], item
    mine = [p for p in found if p["check"] == check]
    assert mine, found
    return mine


def only(files: dict[str, str], check: str) -> dict:
    found = problems_of(files, check)
    assert len(found) == 1, found
    return found[0]


def swedish(text: str) -> str:
    """The Swedish sentence before any English the engine's words are kept as."""
    head = text.split("på engelska:")[0]
    assert not any(word in f" {head} " for word in ENGLISH_WORDS), head
    return head


# -- references ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "old", "new", "element", "expected"), [
    ("bpmn/sip.bpmn", 'calledElement="initiering_och_samtycke"', 'calledElement="initiering_finns_inte"',
     "initiering", "Anropet initiering ('Initiering och samtycke') i diagrammet bpmn/sip.bpmn, rad {line}, anropar "
     "processen 'initiering_finns_inte', som inte finns"),
    ("bpmn/sip.bpmn", 'calledElement="tjanstemannamote"', 'calledElement=""', "tjanstemote",
     "Anropet tjanstemote ('Tjänstemannamöte') i diagrammet bpmn/sip.bpmn, rad {line}, anger ingen process "
     "(calledElement)"),
    ("bpmn/tjanstemannamote.bpmn", "<spiffworkflow:calledDecisionId>mobilt_vardteam<",
     "<spiffworkflow:calledDecisionId>mobilt_team<", "bedom_mobilt_vardteam",
     "Regeluppgiften bedom_mobilt_vardteam ('Bedöm kriterier för mobilt vårdteam') i diagrammet "
     "bpmn/tjanstemannamote.bpmn, rad {line}, anropar beslutet 'mobilt_team', som inte finns"),
])
def test_a_reference_that_resolves_to_nothing_is_said_in_swedish_with_the_element_and_line(
        path, old, new, element, expected):
    found = only(changed_set(path, old, new), "references")
    assert found["element"] == element
    assert expected.format(line=found["line"]) in found["message_sv"]
    assert "Skriv id:t" in found["message_sv"]  # what to write instead
    swedish(found["message_sv"])


# -- scripts and expressions -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "old", "new", "element", "expected"), [
    ("bpmn/avslut.bpmn", "len(deltagare) &gt; 0", "len(deltagare &gt; 0", "flode_finns_deltagare_kvittera_avslut",
     "Villkoret i diagrammet bpmn/avslut.bpmn, vid elementet flode_finns_deltagare_kvittera_avslut"),
    ("bpmn/avslut.bpmn", '<bpmn:script>arendestatus = "avslutad"</bpmn:script>',
     "<bpmn:script>import os</bpmn:script>", None, "Skriptet i diagrammet bpmn/avslut.bpmn, vid elementet "),
    ("bpmn/initiering_och_samtycke.bpmn", "not sip_behovs", "sip_behovs.__class__", None,
     "Villkoret i diagrammet bpmn/initiering_och_samtycke.bpmn"),
])
def test_a_script_or_expression_the_policy_refuses_is_said_in_swedish(path, old, new, element, expected):
    found = problems_of(changed_set(path, old, new), "scripts")[0]
    if element:
        assert found["element"] == element
    assert expected in found["message_sv"]
    assert f"rad {found['line']}" in found["message_sv"]
    assert "godtas inte av reglerna för skript och uttryck" in found["message_sv"]
    assert found["message"] in found["message_sv"] or found["message"].split(": ", 1)[1] in found["message_sv"]


def test_a_decision_cell_the_policy_refuses_is_said_in_swedish():
    found = problems_of(changed_set("dmn/mobilt_vardteam.dmn", "<text>&gt;= 4</text>",
                                    "<text>__import__('os')</text>"), "scripts")[0]
    assert found["message_sv"].startswith("Villkorscellen i beslutet 'mobilt_vardteam'")
    assert f"rad {found['line']}" in found["message_sv"] and "dmn/mobilt_vardteam.dmn" in found["message_sv"]


# -- forms, privacy, rendering ---------------------------------------------------------------------------------

def test_a_form_file_no_set_has_is_said_in_swedish_on_the_task():
    found = only(changed_set("bpmn/avslut.bpmn", 'value="dokumentera_avslut.schema.json"',
                             'value="dokumentera_slut.schema.json"'), "forms")
    assert found["message_sv"].startswith("Användaruppgiften ")
    assert "i diagrammet bpmn/avslut.bpmn, rad " in found["message_sv"]
    assert "anger formulärfilen dokumentera_slut.schema.json (formJsonSchemaFilename), som inte finns bland " \
        "rutinens filer" in found["message_sv"]


@pytest.mark.parametrize(("change", "check", "expected"), [
    (lambda s: s.replace('"type": "object",', '"type": "object"', 1), "forms",
     "Filen forms/bedom_behov_av_sip.schema.json är inte giltig JSON (rad 6, kolumn"),
    (lambda s: s.replace('"type": "object",', '"type": "objekt",', 1), "forms",
     "Formuläret forms/bedom_behov_av_sip.schema.json är inte ett giltigt JSON Schema"),
    (lambda s: s.replace('"initierad_av": {', '"personnummer": {"type": "string"}, "initierad_av": {', 1),
     "privacy", "Fältet 'personnummer' i formuläret forms/bedom_behov_av_sip.schema.json, rad 7, heter som ett "
     "personnummer"),
    (lambda s: s.replace('"initierad_av": {', '"kontakt": {"type": "string", "title": "Den enskildes personnummer"}, '
                         '"initierad_av": {', 1),
     "privacy", "Fältet 'kontakt' i formuläret forms/bedom_behov_av_sip.schema.json, rad 7, har rubriken"),
    (lambda s: s.replace('"initierad_av": {', '"extra": {"title": "Extra"}, "initierad_av": {', 1), "rendering",
     "I formulärfilen forms/bedom_behov_av_sip.schema.json, rad 7: Fältet 'extra' kan inte visas i formuläret: det "
     "saknar \"type\""),
    (lambda s: s.replace('"initierad_av": {', '"idag": {"type": "string"}, "initierad_av": {', 1), "forms",
     "Fältet 'idag' i formuläret forms/bedom_behov_av_sip.schema.json heter som en av diagrammens hjälpfunktioner"),
])
def test_a_form_problem_is_said_in_swedish_with_the_field_and_line(change, check, expected):
    files = dict(BASE)
    files["forms/bedom_behov_av_sip.schema.json"] = change(files["forms/bedom_behov_av_sip.schema.json"])
    found = problems_of(files, check)
    assert any(expected in p["message_sv"] for p in found), [p["message_sv"] for p in found]


@pytest.mark.parametrize(("change", "field", "expected"), [
    (lambda ui: {**ui, "sip_behovs_x": {}}, "sip_behovs_x",
     "UI-schemat nämner fältet 'sip_behovs_x', som formuläret inte har"),
    (lambda ui: {**ui, "ui:order": ui["ui:order"][1:]}, "initierad_av",
     "ui:order för formuläret utelämnar fältet 'initierad_av'"),
    (lambda ui: {**ui, "sip_behovs": {"ui:widget": "kalender"}}, "sip_behovs",
     "UI-schemat visar fältet 'sip_behovs' med kontrollen 'kalender'"),
])
def test_a_ui_schema_problem_is_said_in_swedish_with_the_field(change, field, expected):
    files = dict(BASE)
    ui = json.loads(files["forms/bedom_behov_av_sip.uischema.json"])
    files["forms/bedom_behov_av_sip.uischema.json"] = json.dumps(change(ui), ensure_ascii=False, indent=2)
    found = [p for p in problems_of(files, "rendering") if p["element"] == field]
    assert found and expected in found[0]["message_sv"], found
    assert found[0]["message_sv"].startswith("I formulärfilen forms/bedom_behov_av_sip.uischema.json")


# -- files, XML, the drawing -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<x/>',
     "Filen bpmn/avslut.bpmn har en DOCTYPE- eller ENTITY-deklaration på rad 2"),
    ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<x/>',
     "Filen bpmn/avslut.bpmn anger teckenkodningen ISO-8859-1 på rad 1; processfiler ska vara UTF-8"),
    ("<bpmn:definitions", "Filen bpmn/avslut.bpmn är inte välformad XML"),
])
def test_a_file_that_is_no_xml_a_process_file_may_be_is_said_in_swedish(text, expected):
    files = {**BASE, "bpmn/avslut.bpmn": text}
    assert expected in only(files, "xml")["message_sv"]


def test_an_element_without_a_shape_and_a_file_of_no_kind_are_said_in_swedish():
    text = BASE["bpmn/avslut.bpmn"]
    start = text.index('<bpmndi:BPMNShape id="')
    shape = text[start:text.index("</bpmndi:BPMNShape>", start) + len("</bpmndi:BPMNShape>")]
    files = {**changed_set("bpmn/avslut.bpmn", shape, ""), "bpmn/anteckning.txt": "x"}
    drawn = problems_of(files, "diagram")[0]
    assert "i diagrammet bpmn/avslut.bpmn, rad " in drawn["message_sv"]
    assert "är inte ritat (ingen BPMNShape), så det syns inte i en modellerare" in drawn["message_sv"]
    (other,) = problems_of(files, "files")
    assert other["message_sv"].startswith("Filen bpmn/anteckning.txt hör inte till en rutin")


# -- loops, tables, instructions, runnable, SpiffWorkflow ------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("slinga_skripttask.bpmn", "har inget vänteläge"),
    ("slinga_parallell_gateway.bpmn", "har ingen gateway som avgör om den ska gå ett varv till"),
    ("startar_ny_sip_direkt.bpmn", "som startar ett nytt ärende, utan något att vänta på på vägen"),
])
def test_a_loop_is_said_in_swedish_with_its_elements_and_diagram(name, expected):
    text = (FILES / name).read_text(encoding="utf-8")
    files = {**BASE, "bpmn/initiering_och_samtycke.bpmn": text}
    found = problems_of(files, "loops")
    assert any(expected in p["message_sv"] and "i diagrammet bpmn/" in p["message_sv"] for p in found), found
    swedish(found[0]["message_sv"])


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("<text>&gt;= 4</text>", "<text>&gt;= = 4</text>", "Beslutet 'mobilt_vardteam'"),
    ("<text>antal_kriterier</text>", "<text>antal_kriterier +</text>", "Beslutet 'mobilt_vardteam'"),
])
def test_a_decision_the_engine_cannot_run_is_said_in_swedish(old, new, expected):
    found = problems_of(changed_set("dmn/mobilt_vardteam.dmn", old, new), "tables")[0]
    assert found["message_sv"].startswith(f"{expected}") and "i dmn/mobilt_vardteam.dmn" in found["message_sv"]
    assert "kan inte köras som det är skrivet" in found["message_sv"]
    assert f"rad {found['line']}" in found["message_sv"]


def test_instructions_that_cannot_be_filled_in_are_said_in_swedish():
    found = only(changed_set("bpmn/avslut.bpmn", '{{ huvudperson.namn or "den enskilde" }} ska avslutas',
                             '{{ huvudperson.namn or "den enskilde" ska avslutas'), "instructions")
    assert "Instruktionerna för uppgiften " in found["message_sv"]
    assert f"i diagrammet bpmn/avslut.bpmn, rad {found['line']}, kan inte fyllas i" in found["message_sv"]


@pytest.mark.parametrize("name", sorted(p.name for p in FILES.glob("*.bpmn")))
def test_every_problem_of_the_outside_modelers_diagrams_is_said_in_swedish(name):
    text = (FILES / name).read_text(encoding="utf-8")
    for item in validate_process_set({**BASE, "bpmn/initiering_och_samtycke.bpmn": text}).problems:
        assert item.get("message_sv") and item["message_sv"] != item["message"], item


@pytest.mark.parametrize(("path", "old", "new", "element", "expected"), [
    ("bpmn/kallelse_och_forberedelse.bpmn",
     '<bpmn:timeDate xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="bpmn:tFormalExpression">'
     "paminnelse_kallelse</bpmn:timeDate>", "", "kallelse_drojer",
     "i diagrammet bpmn/kallelse_och_forberedelse.bpmn, vid elementet kallelse_drojer ('Kallelsen dröjer'), rad "),
    ("bpmn/avslut.bpmn", 'default="flode_finns_deltagare_markera_avslutad"', 'default="finns_inte"',
     "flode_finns_deltagare_markera_avslutad",
     "i diagrammet bpmn/avslut.bpmn, vid elementet flode_finns_deltagare_markera_avslutad ('Nej'), rad "),
])
def test_what_spiffworkflow_refuses_is_said_in_swedish_naming_the_element_with_its_english_kept(
        path, old, new, element, expected):
    found = only(changed_set(path, old, new), "spiffworkflow")
    assert found["element"] == element
    assert found["message_sv"].startswith("Processmotorn (SpiffWorkflow) kan inte läsa rutinen (")
    assert expected + str(found["line"]) in found["message_sv"]
    assert found["message_sv"].endswith(f"Motorns beskrivning på engelska: {' '.join(found['message'].split())}")


# -- what the API answers --------------------------------------------------------------------------------------

def test_a_refused_deployment_says_its_detail_and_each_problem_in_swedish(client, upload):
    text = BASE["bpmn/sip.bpmn"].replace('calledElement="uppfoljning"', 'calledElement="uppfoljningen"', 1)
    response = upload({"sip.bpmn": text}, region="kristianstad")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    body = response.json
    assert body["title"] == "Processfilerna kan inte driftsättas"
    assert body["detail"] == "Rutinen för 'kristianstad' har 1 problem; ingenting driftsattes"
    assert body["detail_en"] == "The process set for 'kristianstad' has 1 problem(s); nothing was deployed"
    (found,) = body["problems"]
    assert found["line"] == line_of(text, 'calledElement="uppfoljningen"')
    assert found["message_sv"].startswith(f"Anropet uppfoljning_steg ('Uppföljning') i diagrammet bpmn/sip.bpmn, "
                                          f"rad {found['line']}, anropar processen 'uppfoljningen'")
    assert found["message"].startswith("The call activity calls the process 'uppfoljningen'")


def test_a_dry_run_and_uploads_that_are_no_process_files_say_each_problem_in_swedish(client, upload):
    text = BASE["bpmn/sip.bpmn"].replace('calledElement="uppfoljning"', 'calledElement="uppfoljningen"', 1)
    checked = upload({"sip.bpmn": text}, region="kristianstad", dry_run=True)
    assert checked.status_code == 200 and checked.json["valid"] is False
    assert "anropar processen 'uppfoljningen'" in checked.json["problems"][0]["message_sv"]

    refused = upload({"anteckning.txt": "x"}, region="kristianstad")
    assert refused.status_code == 422
    assert refused.json["detail"] == "Några av de uppladdade filerna kan inte ingå i en rutin"
    assert refused.json["detail_en"] == "Some uploads cannot be files of a process set"
    (kind,) = refused.json["problems"]
    assert kind["message_sv"].startswith("Filen anteckning.txt kan inte driftsättas: bara diagram (.bpmn)")

    unreadable = upload({"sip.bpmn": b"\xff\xfe<x/>"}, region="kristianstad")
    assert unreadable.status_code == 422 and unreadable.json["detail"] == "Filerna kan inte läsas"
    assert unreadable.json["problems"][0]["message_sv"].startswith("Filen bpmn/sip.bpmn är inte text i UTF-8")
