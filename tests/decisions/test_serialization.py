"""A running case keeps the tables it started with: a workflow paused before business rule tasks with
non-UNIQUE hit policies (and a required decision) is serialized, restored and run."""

import json

import pytest
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import TaskState

from engine.decisions.model import StandardDecisionTable
from engine.decisions.serializer import register_converters
from engine.decisions.table_engine import StandardDecisionEngine

from .conftest import FIXTURES, ROUTINE_DMN, make_parser

ANSWERS = {"poang": 25, "kroniska_diagnoser": 4, "inlaggningar_12_man": 3, "staende_lakemedel": 8,
           "klarar_personlig_omvardnad": False, "alder": 74, "hemsjukvard": False,
           # stale values from an earlier round must be replaced, not merged into
           "antal_kriterier": 99, "niva": ["gammal"]}


def serializer_from_config():
    config = dict(SPIFF_CONFIG)
    register_converters(config)
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def serializer_from_registry():
    registry = BpmnWorkflowSerializer.configure(dict(SPIFF_CONFIG))
    register_converters(registry)
    return BpmnWorkflowSerializer(registry)


def new_workflow():
    parser = make_parser(FIXTURES / "hit_policies.dmn", ROUTINE_DMN / "mobilt_vardteam.dmn")
    parser.add_bpmn_file(str(FIXTURES / "decisions_in_process.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("beslut_i_process"), script_engine=PythonScriptEngine())
    workflow.do_engine_steps()
    return workflow


def finish(workflow):
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    assert task.task_spec.name == "ange_uppgifter"
    task.data.update(ANSWERS)
    task.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
    return workflow.data


EXPECTED = {
    "varde": 14,
    "regelordning": [{"kod": 3, "text": "tjugo"}, {"kod": 1, "text": "noll"}, {"kod": 2, "text": "tio"}],
    "niva": ["lag", "mellan", "hog"],
    "antal_kriterier": 4,
    "uppfyller_kriterier": True,
}


def test_decisions_in_a_running_workflow():
    data = finish(new_workflow())
    assert {key: data[key] for key in EXPECTED} == EXPECTED


@pytest.mark.parametrize("make_serializer", [serializer_from_config, serializer_from_registry])
def test_round_trip_before_the_business_rule_tasks(make_serializer):
    serializer = make_serializer()
    text = serializer.serialize_json(new_workflow())
    stored = json.loads(text)
    specs = stored["spec"]["task_specs"]
    assert specs["summera"]["standard_decision"]["aggregation"] == "SUM"
    assert specs["ordna"]["decision_table"]["hit_policy"] == "RULE ORDER"
    assert specs["bedom_mobilt_vardteam"]["standard_decision"]["required_ids"] == ["mobilt_vardteam_kriterier"]

    restored = serializer.deserialize_json(text)
    restored.script_engine = PythonScriptEngine()
    engine = restored.spec.task_specs["bedom_mobilt_vardteam"].dmnEngine
    assert isinstance(engine, StandardDecisionEngine)
    assert isinstance(engine.decision_table.required[0], StandardDecisionTable)
    assert engine.decision_table.required[0].aggregation == "COUNT"
    assert engine.decision_table.sources  # the cells as written travel too

    data = finish(restored)
    assert {key: data[key] for key in EXPECTED} == EXPECTED


def test_round_trip_is_stable():
    serializer = serializer_from_config()
    once = serializer.serialize_json(new_workflow())
    twice = serializer.serialize_json(serializer.deserialize_json(once))
    assert json.loads(once)["spec"] == json.loads(twice)["spec"]


def test_a_plain_spiffworkflow_table_still_round_trips():
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

    parser = SpiffBpmnParser()
    parser.add_dmn_file(str(FIXTURES / "python_collect.dmn"))
    parser.add_bpmn_file(str(FIXTURES / "python_cells_process.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("python_celler"), script_engine=PythonScriptEngine())
    workflow.do_engine_steps()
    serializer = serializer_from_config()
    restored = serializer.deserialize_json(serializer.serialize_json(workflow))
    assert type(restored.spec.task_specs["stoogar"].dmnEngine).__name__ == "DMNEngine"
