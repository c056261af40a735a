"""Evaluate one decision without a workflow, for a process owner trying a table.

    evaluate_decision(parser, "mobilt_vardteam", {"alder": 80, ...}) -> {"antal_kriterier": 4, ...}

The result has the shapes described in `hit_policies` (a dict for single-hit and aggregated tables and
for one-column multi-hit tables, a list of dicts for multi-column multi-hit tables). All cell text is
evaluated by the given script engine, as in a running case."""

from __future__ import annotations

import copy

from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine

from .table_engine import StandardDecisionEngine


class _DecisionSpec:
    def __init__(self, decision_id: str):
        self.name = decision_id
        self.bpmn_id = decision_id
        self.bpmn_name = f"Decision {decision_id}"


class _DecisionWorkflowSpec:
    def __init__(self, decision_id: str, file_name: str):
        self.name = decision_id
        self.file = file_name


class DecisionWorkflow:
    """What the script engine and SpiffWorkflow's error classes need of a workflow."""

    def __init__(self, script_engine, decision_id: str, file_name: str):
        self.script_engine = script_engine
        self.spec = _DecisionWorkflowSpec(decision_id, file_name)
        self.top_workflow = self
        self.parent_workflow = None


class DecisionTask:
    """A stand-in for the business rule task that would call the decision: its data are the variables."""

    def __init__(self, decision_id: str, variables: dict, script_engine, file_name: str = ""):
        self.data = variables
        self.task_spec = _DecisionSpec(decision_id)
        self.workflow = DecisionWorkflow(script_engine, decision_id, file_name)


def evaluate_decision(parser, decision_id: str, variables: dict, script_engine=None):
    """Evaluate decision `decision_id` (loaded into `parser`, a parser with `DecisionParserMixin`) for
    `variables` and return its result. The variables are not modified.

    Raises `DecisionTableError` / SpiffWorkflow's `ValidationException` for an unknown or broken
    decision, `DecisionEvaluationError` when the hit policy is violated and SpiffWorkflow's
    `WorkflowTaskException` when a cell cannot be evaluated (e.g. a Python table reading a missing
    variable)."""
    table = parser.get_decision_table(decision_id)
    engine = script_engine or PythonScriptEngine()
    task = DecisionTask(decision_id, copy.deepcopy(dict(variables or {})), engine, table.file_name)
    return StandardDecisionEngine(table).evaluate_table(task)
