"""Moving running cases between versions: a small routine of one element of each kind a case can wait at (a user
task with a form, a multi-instance task, a timer, a message, a called stage), deployed to a region of its own and
changed per test by editing its text; and the real base routine, changed in a copy."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from engine.services import cases
from engine.services.process_sets import deploy

FILES = Path(__file__).resolve().parent / "files"
REGION = "flytt"
DUE = datetime(2027, 6, 11, 9, tzinfo=UTC)  # the day after the timer's date, 2027-06-10 (end of day, Swedish time)
START = {"deltagare": ["Org A", "Org B"], "uppfoljningsdatum": "2027-06-10"}


def routine() -> dict[str, str]:
    """The small routine's files by their path in the set."""
    return {"bpmn/flytt.bpmn": (FILES / "flytt.bpmn").read_text(encoding="utf-8"),
            "bpmn/delsteg.bpmn": (FILES / "delsteg.bpmn").read_text(encoding="utf-8"),
            "forms/fyll_i.schema.json": (FILES / "fyll_i.schema.json").read_text(encoding="utf-8")}


def edited(files: dict[str, str], path: str, old: str, new: str, count: int = 1) -> dict[str, str]:
    """The files with text replaced in one of them (the test fails if the text is not there)."""
    assert old in files[path], f"{old!r} is not in {path}"
    return {**files, path: files[path].replace(old, new, count)}


def renamed(files: dict[str, str], path: str, element: str, new: str) -> dict[str, str]:
    """The files with an element's id renamed wherever it is referred to."""
    text = files[path]
    for attribute in ("id", "sourceRef", "targetRef"):
        text = text.replace(f'{attribute}="{element}"', f'{attribute}="{new}"')
    return {**files, path: text}


def removed(files: dict[str, str], path: str, element: str) -> dict[str, str]:
    """The files with an element of a chain taken out: the flow into it goes to what came after it."""
    text = files[path]
    block = re.search(rf'\n\s*<bpmn:(\w+) id="{element}".*?</bpmn:\1>', text, re.S)
    assert block, element
    text = text.replace(block.group(0), "")
    into = re.search(rf'<bpmn:sequenceFlow id="(\w+)" sourceRef="\w+" targetRef="{element}"/>', text)
    out = re.search(rf'<bpmn:sequenceFlow id="(\w+)" sourceRef="{element}" targetRef="(\w+)"/>', text)
    text = text.replace(out.group(0), "")
    text = text.replace(f'targetRef="{element}"', f'targetRef="{out.group(2)}"')
    text = text.replace(f"<bpmn:incoming>{out.group(1)}</bpmn:incoming>",
                        f"<bpmn:incoming>{into.group(1)}</bpmn:incoming>")
    return {**files, path: text}


def deploy_version(files: dict[str, str]):
    definition, created = deploy(files, region=REGION, deployed_by="tests")
    assert created
    return definition


class Walk:
    """A case of the small routine, moved along by its public Python interface."""

    def __init__(self):
        with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False):
            self.case_id = cases.start_case(REGION, dict(START), person_name="Anna Andersson").id

    @property
    def case(self):
        return cases.get_case(self.case_id)

    def tasks(self):
        return cases.open_tasks(self.case_id)

    def task(self, name: str):
        found = [t for t in self.tasks() if t.name == name]
        assert found, f"no open task {name}; open: {[t.name for t in self.tasks()]}"
        return found[0]

    def do(self, name: str, data: dict | None = None):
        cases.complete_task(self.task(name).id, data or {}, actor="test")
        return self

    def at_form(self):
        return self

    def half_acknowledged(self):
        self.do("fyll_i", {"anteckning": "Klar"})
        self.do("kvittera")
        return self

    def at_timer(self):
        self.half_acknowledged().do("kvittera")
        return self

    def at_message(self):
        self.at_timer()
        with time_machine.travel(DUE, tick=False):
            assert cases.fire_due_timers() == [self.case_id]
        return self

    def in_stage(self):
        self.at_message()
        cases.send_message(self.case_id, "besked_kommer", actor="test")
        return self

    def history(self) -> list[str]:
        return [e.kind for e in cases.case_history(self.case_id)]


@pytest.fixture
def first(app):
    """Version 1 of the small routine in its region."""
    return deploy_version(routine())
