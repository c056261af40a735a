"""Evaluate a `StandardDecisionTable` for a task, through the workflow's script engine.

`StandardDecisionEngine` is a SpiffWorkflow `DMNEngine`, so SpiffWorkflow's business rule task uses it
unchanged: it calls `result(task)` and merges the returned dict into the task data.

* Required decisions are evaluated first; their outputs are visible to this table's input expressions
  under the output names (as Camunda does), over any variable of the same name in the task data.
  A multi-row result of a required decision is visible under that decision's id.
* FEEL tables: each input expression is evaluated once; each cell then gets the value as `feel_input`
  plus the helpers of `feel_runtime` as `external_context`. A variable the table reads that is missing
  from the data is null (so a form that leaves a field out gives null, not an error).
* Python tables run SpiffWorkflow's own cell evaluation (`DMNEngine`), unchanged.
* In task data, a result replaces the variables it names instead of being deep-merged into them (a
  COLLECT list would otherwise be appended to the list from an earlier evaluation). A multi-row,
  several-column result lands under the decision id.
"""

from __future__ import annotations

import ast

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .feel import INPUT_NAME, RESERVED_PREFIX
from .feel_runtime import HELPERS
from .hit_policies import apply_hit_policy
from .model import FEEL


class TaskView:
    """A task seen with other data (required decisions' outputs, nulls for missing variables); all
    else (workflow, task_spec, ...) is the real task's, so errors still name the task."""

    def __init__(self, task, data: dict):
        self._task = task
        self.data = data

    def __getattr__(self, name):
        return getattr(self._task, name)


def _python_names(text: str | None, found: set[str]) -> None:
    if not text:
        return
    for node in ast.walk(ast.parse(text, mode="eval")):
        if isinstance(node, ast.Name) and node.id not in HELPERS and node.id != INPUT_NAME:
            found.add(node.id)


def table_names(table) -> set[str]:
    """The variables a FEEL table reads (from its translated cells)."""
    names = getattr(table, "_names", None)
    if names is None:
        names = set()
        for my_input in table.inputs:
            _python_names(my_input.expression, names)
        for rule in table.rules:
            for entry in rule.inputEntries:
                for lhs in entry.lhs:
                    _python_names(lhs, names)
            for entry in rule.outputEntries:
                _python_names(entry.text, names)
        table._names = names
    return names


class StandardDecisionEngine(DMNEngine):
    """A DMNEngine for standard hit policies and FEEL cells."""

    def __init__(self, decision_table):
        super().__init__(decision_table)

    # -- SpiffWorkflow's interface -------------------------------------------------------------------

    def result(self, task):
        value = self.evaluate_table(task)
        data = self.as_task_data(value)
        for key in data:
            task.data.pop(key, None)
        return data

    def decide(self, task):
        """The matching rules, in rule order (SpiffWorkflow's DMNEngine API)."""
        view = self._view(task, {})
        return [rule for rule, _ in self._matches(view)]

    # -- evaluation ----------------------------------------------------------------------------------

    def as_task_data(self, value) -> dict:
        if isinstance(value, dict):
            return value
        return {self.decision_table.decision_id: value}

    def evaluate_table(self, task, _cache: dict | None = None):
        """The decision's result (shapes in `hit_policies`)."""
        cache = {} if _cache is None else _cache
        table = self.decision_table
        extra = {}
        for required in table.required:
            if required.decision_id not in cache:
                cache[required.decision_id] = StandardDecisionEngine(required).evaluate_table(task, cache)
            result = cache[required.decision_id]
            if isinstance(result, dict):
                extra.update(result)
            else:
                extra[required.decision_id] = result
        view = self._view(task, extra)
        return apply_hit_policy(table, self._matches(view))

    def _view(self, task, extra: dict):
        table = self.decision_table
        if table.language != FEEL:
            return TaskView(task, {**task.data, **extra}) if extra else task
        data = {k: v for k, v in task.data.items() if not (k.startswith(RESERVED_PREFIX) or k == INPUT_NAME)}
        data.update(extra)
        for name in table_names(table):
            data.setdefault(name, None)
        return TaskView(task, data)

    def _matches(self, view) -> list[tuple]:
        table = self.decision_table
        if table.language != FEEL:
            return [(rule, rule.output_as_dict(view)) for rule in table.rules
                    if self._DMNEngine__check_rule(rule, view)]
        engine = view.workflow.script_engine
        values = []
        for my_input in table.inputs:
            try:
                values.append(engine.evaluate(view, my_input.expression, external_context=dict(HELPERS)))
            except SpiffWorkflowException as err:
                err.add_note(f"Input '{table.column_label(my_input)}' of decision '{table.decision_id}'")
                raise
        matches = []
        for rule in table.rules:
            if self._rule_matches(engine, view, rule, values):
                matches.append((rule, self._outputs(engine, view, rule)))
        return matches

    def _rule_matches(self, engine, view, rule, values) -> bool:
        table = self.decision_table
        for entry, value in zip(rule.inputEntries, values, strict=True):
            for lhs in entry.lhs:
                if lhs is None:
                    continue
                context = dict(HELPERS)
                context[INPUT_NAME] = value
                try:
                    matched = engine.evaluate(view, lhs, external_context=context)
                except SpiffWorkflowException as err:
                    err.add_note(f"Decision '{table.decision_id}', rule {rule.row_number}, "
                                 f"column '{table.column_label(entry.input)}': {table.sources.get(entry.id, lhs)}")
                    raise
                if matched is not True:
                    return False
        return True

    def _outputs(self, engine, view, rule) -> dict:
        table = self.decision_table
        outputs = {}
        for entry in rule.outputEntries:
            key = table.output_key(entry.output)
            if not entry.text:
                outputs[key] = None
                continue
            try:
                outputs[key] = engine.evaluate(view, entry.text, external_context=dict(HELPERS))
            except SpiffWorkflowException as err:
                err.add_note(f"Decision '{table.decision_id}', rule {rule.row_number}, output '{key}': "
                             f"{table.sources.get(entry.id, entry.text)}")
                raise
        return outputs
