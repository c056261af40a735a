"""Errors raised for decision tables: at load time (`DecisionTableError`) and while deciding
(`DecisionEvaluationError`)."""

from __future__ import annotations

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import WorkflowException


class DecisionTableError(ValidationException):
    """A decision table that cannot be run as written; raised while the DMN file is loaded.

    Besides SpiffWorkflow's `file_name`, `id` (element id), `tag` and `line_number`, it carries
    `decision_id`, `rule_number` (1-based, None when not about one rule), `column` (the input/output
    label or expression) and `cell` (the text of the offending cell)."""

    def __init__(self, message: str, *, file_name: str | None = None, decision_id: str | None = None,
                 rule_number: int | None = None, column: str | None = None, cell: str | None = None,
                 hint: str | None = None, node=None):
        self.decision_id = decision_id
        self.rule_number = rule_number
        self.column = column
        self.cell = cell
        self.hint = hint
        self.detail = message
        where = []
        if file_name:
            where.append(str(file_name))
        if decision_id:
            where.append(f"decision '{decision_id}'")
        if rule_number is not None:
            where.append(f"rule {rule_number}")
        if column:
            where.append(f"column '{column}'")
        text = ", ".join(where)
        text = f"{text}: {message}" if text else message
        if cell is not None:
            text += f" (cell: {cell!r})"
        if hint:
            text += f". {hint}"
        super().__init__(text, node=node, file_name=file_name)
        if node is not None and not self.line_number:
            self.line_number = getattr(node, "sourceline", "") or ""


class DecisionEvaluationError(WorkflowException):
    """A decision table that could not give a result for the given data (e.g. a UNIQUE table where
    several rules match, an ANY table whose matching rules disagree)."""

    def __init__(self, message: str, *, decision_id: str | None = None, file_name: str | None = None,
                 rule_numbers: list[int] | None = None):
        self.decision_id = decision_id
        self.file_name = file_name
        self.rule_numbers = list(rule_numbers or [])
        prefix = f"Decision '{decision_id}'" if decision_id else "Decision"
        if file_name:
            prefix += f" ({file_name})"
        super().__init__(f"{prefix}: {message}")


class FeelSyntaxError(ValueError):
    """A cell outside the supported FEEL subset; `hint` says what to write instead."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint
