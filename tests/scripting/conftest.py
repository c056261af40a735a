"""Run tiny diagrams from `fixtures/` on real SpiffWorkflow with the sandboxed script engine."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.scripting import SandboxedScriptEngine

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str, replacements: dict[str, str] | None = None, dmn: str | None = None):
    text = (FIXTURES / f"{name}.bpmn").read_text(encoding="utf-8")
    for marker, code in (replacements or {}).items():
        text = text.replace(marker, escape(code))
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(text.encode("utf-8"), filename=f"{name}.bpmn")
    if dmn:
        parser.add_dmn_file(str(FIXTURES / f"{dmn}.dmn"))
    return parser.get_spec(name), parser.get_subprocess_specs(name)


def start(name: str, data: dict | None = None, engine=None, replacements=None, dmn=None) -> BpmnWorkflow:
    spec, subprocess_specs = load(name, replacements, dmn)
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=engine or SandboxedScriptEngine())
    for task in workflow.get_tasks():
        task.data.update(data or {})
    workflow.do_engine_steps()
    return workflow


def run_script(script: str, data: dict | None = None, engine=None) -> dict:
    """Run `script` as the script task of fixtures/script_task.bpmn; the data at the end event."""
    workflow = start("script_task", data, engine, {"SCRIPT_PLACEHOLDER": script})
    assert workflow.is_completed()
    return workflow.get_tasks(spec_name="end")[0].data


def complete(workflow: BpmnWorkflow, task_name: str, data: dict) -> None:
    task = workflow.get_tasks(state=TaskState.READY, spec_name=task_name)[0]
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()


@pytest.fixture
def engine():
    return SandboxedScriptEngine()
