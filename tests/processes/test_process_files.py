"""The routine's files as process owners get them: diagrams that open in a modeler, named in Swedish,
with a valid form for every user task."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
BPMN_FILES = sorted((ROOT / "processes").rglob("*.bpmn"))
FORM_DIRS = [ROOT / "forms", *sorted((ROOT / "processes" / "regions").glob("*/forms"))]
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
FLOW_ELEMENTS = ["startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
                 "userTask", "scriptTask", "businessRuleTask", "serviceTask", "manualTask", "callActivity",
                 "subProcess", "exclusiveGateway", "parallelGateway", "eventBasedGateway", "inclusiveGateway",
                 "sequenceFlow", "lane"]
NAMED = ["userTask", "scriptTask", "businessRuleTask", "callActivity", "subProcess", "startEvent", "endEvent",
         "intermediateCatchEvent", "boundaryEvent", "lane"]


def all_form_names():
    return {p.name for d in FORM_DIRS for p in d.glob("*.json")}


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_flow_element_is_drawn(path):
    tree = etree.parse(str(path))
    drawn = {el.get("bpmnElement") for el in tree.iterfind(".//bpmndi:BPMNShape", NS)}
    drawn |= {el.get("bpmnElement") for el in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
    missing = [el.get("id") for tag in FLOW_ELEMENTS for el in tree.iterfind(f".//bpmn:{tag}", NS)
               if el.get("id") not in drawn]
    assert missing == []


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_everything_a_person_sees_has_a_name(path):
    tree = etree.parse(str(path))
    unnamed = [el.get("id") for tag in NAMED for el in tree.iterfind(f".//bpmn:{tag}", NS)
               if not (el.get("name") or "").strip()]
    assert unnamed == []


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_user_task_has_its_forms(path):
    tree = etree.parse(str(path))
    forms = all_form_names()
    for task in tree.iterfind(".//bpmn:userTask", NS):
        props = {p.get("name"): p.get("value") for p in task.iterfind(".//spiffworkflow:property", NS)}
        assert props.get("formJsonSchemaFilename") in forms, task.get("id")
        assert props.get("formUiSchemaFilename") in forms, task.get("id")


@pytest.mark.parametrize("path", sorted(p for d in FORM_DIRS for p in d.glob("*.schema.json")),
                         ids=lambda p: p.name)
def test_forms_are_valid_json_schema_with_swedish_labels(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["title"] and schema["description"]
    for name, prop in schema["properties"].items():
        assert prop.get("title"), f"{path.name}: {name} has no label"
    ui = json.loads(path.with_name(path.name.replace(".schema.json", ".uischema.json")).read_text(encoding="utf-8"))
    assert set(ui["ui:order"]) == set(schema["properties"])
    assert set(ui) - {"ui:order"} <= set(schema["properties"])
