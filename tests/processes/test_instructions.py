"""Every user task of the base routine and of every region tells the person doing it what to do, in Swedish, and
fills in what the case knows without leaving template markup behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.deployment.validation import validate_process_set
from engine.services.instructions import render, template_problem

ROOT = Path(__file__).resolve().parents[2]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
DIAGRAMS = sorted([*ROOT.glob("processes/bpmn/*.bpmn"), *ROOT.glob("processes/regions/*/bpmn/*.bpmn")])


def user_tasks():
    for path in DIAGRAMS:
        for task in etree.parse(str(path)).iter(f"{BPMN}userTask"):
            written = next(task.iter(f"{SPIFF}instructionsForEndUser"), None)
            if written is None:
                written = task.find(f"{BPMN}documentation")
            text = (written.text or "").strip() if written is not None else ""
            yield pytest.param(path.relative_to(ROOT).as_posix(), task.get("id"), text,
                               id=f"{path.relative_to(ROOT / 'processes').as_posix()}:{task.get('id')}")


def test_the_diagrams_have_user_tasks_to_check():
    assert len(list(user_tasks())) >= 40


@pytest.mark.parametrize(("path", "task", "text"), list(user_tasks()))
def test_every_user_task_has_instructions_for_the_person_doing_it(path, task, text):
    assert text, f"{path}: the user task {task} has no instructions (documentation or instructionsForEndUser)"
    assert len(text.split()) >= 15, f"{path}: {task}'s instructions are too short to say what to do and why"
    assert template_problem(text) is None
    shown = render(text, {})
    assert "{{" not in shown and "{%" not in shown, shown


def test_instructions_that_do_not_parse_are_refused_at_deploy():
    files = {str(p.relative_to(ROOT / "processes")): p.read_text(encoding="utf-8")
             for p in ROOT.glob("processes/bpmn/*.bpmn")}
    files.update({f"forms/{p.name}": p.read_text(encoding="utf-8") for p in ROOT.glob("forms/*.json")})
    files.update({f"dmn/{p.name}": p.read_text(encoding="utf-8") for p in ROOT.glob("processes/dmn/*.dmn")})
    broken = files["bpmn/kallelse_och_forberedelse.bpmn"].replace(
        "<bpmn:documentation>Er verksamhet", "<bpmn:documentation>{% if motesplats %}Er verksamhet", 1)
    assert broken != files["bpmn/kallelse_och_forberedelse.bpmn"]
    report = validate_process_set({**files, "bpmn/kallelse_och_forberedelse.bpmn": broken})
    found = [p for p in report.problems if p["check"] == "instructions"]
    assert [(p["file"], p["element"]) for p in found] == [("bpmn/kallelse_och_forberedelse.bpmn", "kvittera_kallelse")]
    assert "cannot be filled in" in found[0]["message"]
