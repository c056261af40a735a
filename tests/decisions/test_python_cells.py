"""Tables written with SpiffWorkflow's Python cells keep working exactly as SpiffWorkflow runs them."""

import pytest
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.task import TaskState

from engine.decisions.evaluate import DecisionTask
from engine.decisions.model import FEEL, PYTHON

from .conftest import FIXTURES, Decider, make_parser


def stock_result(filename: str, decision_id: str, variables: dict):
    """What SpiffWorkflow's own parser and DMNEngine give for the same file."""
    parser = BpmnDmnParser()
    parser.add_dmn_file(str(FIXTURES / filename))
    engine = parser.get_engine(decision_id, None)
    return engine.result(DecisionTask(decision_id, dict(variables), PythonScriptEngine()))


@pytest.mark.parametrize("filename, decision_id, language", [
    ("python_ranges.dmn", "IntegerDecisionStringOutputTable", PYTHON),
    ("python_dict.dmn", "PersonDecision", PYTHON),
    ("python_collect.dmn", "Decision_Stooges", PYTHON),
    ("feel_cells.dmn", "intervall", FEEL),
    ("hit_policies.dmn", "unik", FEEL),
])
def test_the_language_is_told_from_the_cells(filename, decision_id, language):
    parser = make_parser(FIXTURES / filename, validate=False)
    assert parser.get_decision_table(decision_id).language == language


@pytest.mark.parametrize("age", [50, 100, 101, 105, 108, 110, 111, 300])
def test_question_mark_ranges_and_first_match_unique(age):
    decide = Decider(make_parser(FIXTURES / "python_ranges.dmn"))
    expected = stock_result("python_ranges.dmn", "IntegerDecisionStringOutputTable", {"age": age})
    assert decide("IntegerDecisionStringOutputTable", age=age) == expected
    assert expected  # every age matches some rule (the last is the ELSE row)


@pytest.mark.parametrize("person", [{"age": 30, "name": "Anna"}, {"age": 30, "name": "Carl"},
                                    {"age": 12, "name": "Bo"}])
def test_python_expressions_dotted_outputs_and_no_match(person):
    decide = Decider(make_parser(FIXTURES / "python_dict.dmn", validate=False))
    expected = stock_result("python_dict.dmn", "PersonDecision", {"person": person})
    assert decide("PersonDecision", person=person) == expected


def test_python_dict_table_results():
    decide = Decider(make_parser(FIXTURES / "python_dict.dmn", validate=False))
    assert decide("PersonDecision", person={"age": 30, "name": "Anna"}) == {
        "adult": True, "greeting": {"text": "Hej Anna"}}
    assert decide("PersonDecision", person={"age": 30, "name": "Carl"}) == {}


def test_collect_keeps_spiffworkflows_dict_of_lists():
    decide = Decider(make_parser(FIXTURES / "python_collect.dmn"))
    expected = {"result": [1, 2], "name": ["Larry", "Mo"]}
    assert stock_result("python_collect.dmn", "Decision_Stooges", {"type": "stooge"}) == expected
    assert decide("Decision_Stooges", type="stooge") == expected
    assert decide("Decision_Stooges", type="nobody") == {}


def test_python_table_in_a_workflow():
    parser = make_parser(FIXTURES / "python_collect.dmn")
    parser.add_bpmn_file(str(FIXTURES / "python_cells_process.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("python_celler"), script_engine=PythonScriptEngine())
    workflow.do_engine_steps()
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    task.data.update({"type": "stooge"})
    task.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.data["result"] == [1, 2] and workflow.data["name"] == ["Larry", "Mo"]
