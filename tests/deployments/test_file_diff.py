"""A file's difference between two versions as the studio shows it, on the routine's own files: what a modeler
rewrites without changing anything (incoming and outgoing written out) is no change, a box moved is only moved,
and a changed form, property, table cell or required field is named with its before and after."""

from __future__ import annotations

import json
import re

from lxml import etree

from engine.deployment.diff import diff_file

from .conftest import base_text

MEETING = "bpmn/tjanstemannamote.bpmn"
TASK = "genomfor_tjanstemannamote"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def test_incoming_and_outgoing_written_out_by_a_modeler_are_no_change():
    text = base_text(MEETING)
    root = etree.fromstring(text.encode())
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    flows = [el for el in by_id.values() if etree.QName(el).localname == "sequenceFlow"]
    assert flows, "the diagram has sequence flows"
    for flow in flows:
        for end, kind in ((flow.get("sourceRef"), "outgoing"), (flow.get("targetRef"), "incoming")):
            written = etree.Element(f"{{{BPMN}}}{kind}")
            written.text = flow.get("id")
            by_id[end].insert(0, written)
    diff = diff_file(MEETING, text, etree.tostring(root, encoding="unicode"))
    assert diff["status"] == "changed"
    assert (diff["added"], diff["removed"], diff["changed"], diff["moved"]) == ([], [], [], [])


def test_a_box_moved_is_only_moved():
    text = base_text(MEETING)
    shape = re.search(rf'bpmnElement="{TASK}">\s*<dc:Bounds x="(\d+)"', text)
    assert shape is not None
    moved = text[:shape.start(1)] + str(int(shape.group(1)) + 40) + text[shape.end(1):]
    diff = diff_file(MEETING, text, moved)
    assert [e["id"] for e in diff["moved"]] == [TASK]
    assert diff["changed"] == [] and diff["added"] == [] and diff["removed"] == []


def test_a_tasks_form_and_name_changed_are_named_with_before_and_after():
    text = base_text(MEETING)
    old = 'value="genomfor_tjanstemannamote.schema.json"'
    assert old in text
    changed = text.replace(old, 'value="eget_formular.schema.json"', 1).replace(
        'name="Genomför tjänstemannamöte"', 'name="Håll tjänstemannamötet"', 1)
    [task] = diff_file(MEETING, text, changed)["changed"]
    assert (task["id"], task["type"], task["name"]) == (TASK, "userTask", "Håll tjänstemannamötet")
    assert {(c["aspect"], c["before"], c["after"]) for c in task["changes"]} == {
        ("name", "Genomför tjänstemannamöte", "Håll tjänstemannamötet"),
        ("property:formJsonSchemaFilename", "genomfor_tjanstemannamote.schema.json", "eget_formular.schema.json")}


def test_a_rule_added_to_a_table():
    text = base_text("dmn/mobilt_vardteam.dmn")
    rule = re.search(r"\s*<rule id=\"DecisionRule_1r7s2yc\">.*?</rule>", text, re.S)
    assert rule is not None
    copy = rule.group(0).replace("DecisionRule_1r7s2yc", "DecisionRule_ny").replace("&lt; 4", "&lt; 0")
    diff = diff_file("dmn/mobilt_vardteam.dmn", text, text[:rule.end()] + copy + text[rule.end():])
    assert [(e["id"], e["type"], e["within"]) for e in diff["added"]] == [
        ("DecisionRule_ny", "rule", "mobilt_vardteam")]
    assert diff["changed"] == [] and diff["removed"] == []


def test_a_field_made_required_and_retitled():
    path = "forms/forbered_sip.schema.json"
    schema = json.loads(base_text(path))
    name = next(n for n in schema["properties"] if n not in schema.get("required", []))
    changed = json.loads(json.dumps(schema))
    changed["required"] = [*schema.get("required", []), name]
    changed["properties"][name]["title"] = "Ny rubrik"
    [field] = diff_file(path, json.dumps(schema), json.dumps(changed))["changed"]
    assert field["id"] == name and field["name"] == "Ny rubrik"
    changes = {c["aspect"]: (c["before"], c["after"]) for c in field["changes"]}
    assert changes["required"] == ("nej", "ja")
    assert changes["schema:title"] == (schema["properties"][name].get("title"), "Ny rubrik")


def test_a_file_that_cannot_be_read_is_compared_whole():
    diff = diff_file(MEETING, base_text(MEETING), "<definitions")
    assert diff["status"] == "changed" and diff["readable"] is False and diff["changed"] == []
    assert diff_file(MEETING, None, "<x/>")["status"] == "added"
    assert diff_file(MEETING, "<x/>", None)["status"] == "removed"
