"""Errors raised by the sandbox.

Both are `WorkflowTaskException`s, so SpiffWorkflow and the runtime report them like any other script error:
with the task, its trace through sub-processes, the line number and the offending line. They can also be
raised where no task is known yet (SpiffWorkflow evaluates some expressions, e.g. a process's completion
condition, through the environment directly); `SandboxedScriptEngine` attaches the task when it has one.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import WorkflowException


class ScriptSandboxError(WorkflowTaskException):
    """Base class of the sandbox's own errors."""

    def __init__(self, message: str, task=None, line_number: int | None = None, error_line: str | None = None):
        if task is not None:
            super().__init__(message, task=task, line_number=line_number, error_line=error_line)
        else:
            WorkflowException.__init__(self, message)
            self.task = None
            self.line_number = line_number
            self.offset = None
            self.error_line = error_line
            self.task_trace = []
        self.error_type = type(self).__name__

    def attach_task(self, task) -> None:
        """Record the task the script or expression belonged to (when it was raised without one)."""
        if self.task is not None or task is None:
            return
        self.task = task
        self.task_spec = getattr(task, "task_spec", None)
        try:
            self.task_trace = self.get_task_trace(task)
        except Exception:  # a stand-in task without a full workflow: keep what we have
            self.task_trace = []


class ScriptPolicyError(ScriptSandboxError):
    """The script or expression uses something the sandbox does not allow (an import, a name or attribute
    starting with an underscore, a forbidden builtin, an attribute that is not on the allowed list, ...)."""


class ScriptLimitError(ScriptSandboxError):
    """The script or expression hit a limit: running time, steps, call depth, size of a value or the total
    size of the values it built."""
