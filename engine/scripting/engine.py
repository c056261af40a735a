"""SpiffWorkflow's script engine, sandboxed.

`SandboxedScriptEngine` is a drop-in `script_engine=` for `BpmnWorkflow`. The sandbox lives in its
environment (`SandboxedEnvironment`), because SpiffWorkflow also evaluates some expressions through
`script_engine.environment` directly (a process's completion condition, message correlation).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .errors import ScriptLimitError, ScriptPolicyError, ScriptSandboxError
from .guards import GUARD_FUNCTIONS, SAFE_BUILTINS, Guard
from .helpers import HELPERS, finns
from .limits import DEFAULT_LIMITS, SandboxLimits
from .policy import GUARD_PREFIX, compile_sandboxed

# The one helper that reads the case's data: bound for each script and expression (see `_exists_in`).
EXISTS = finns.__name__
_JSON_SCALARS = (str, int, float, bool, type(None))
_MAX_DATA_DEPTH = 100


class SandboxedEnvironment(TaskDataEnvironment):
    """Evaluates expressions and runs scripts checked and rewritten by `policy`, with the builtins and
    helpers of `guards`/`helpers` only, under the limits of `limits`."""

    def __init__(self, helpers: Mapping | None = None, limits: SandboxLimits = DEFAULT_LIMITS):
        super().__init__(dict(HELPERS if helpers is None else helpers))
        self.limits = limits

    def _compile(self, source: str, mode: str):
        return compile_sandboxed(source, mode, self.limits.max_source_chars)

    def _run(self, compiled, namespace):
        with Guard(self.limits) as guard:
            namespace["_sip_tick"] = guard.tick  # the hottest guard: skip the per-thread lookup
            try:
                return eval(compiled.code, namespace)  # noqa: S307 -- checked and rewritten code, safe builtins
            except RecursionError:
                raise ScriptLimitError("Calls nested too deep (a lambda calling itself without end?)") from None

    def evaluate(self, expression, context, external_context=None):
        compiled = self._compile(expression, "eval")
        namespace = dict(self.globals)
        if external_context:
            namespace.update(external_context)
        namespace.update(context)
        namespace.update(GUARD_FUNCTIONS)
        namespace["__builtins__"] = SAFE_BUILTINS
        namespace[EXISTS] = self._exists_in(context, external_context)
        return self._run(compiled, namespace)

    def _exists_in(self, data: dict, external_context) -> Callable[[str], bool]:
        """`finns(namn)`: whether the case's data has a variable of that name, one set earlier in the same
        script included; the helpers and the sandbox's own names are not variables."""
        others = {*self.globals, *GUARD_FUNCTIONS, "__builtins__"}
        if external_context:
            others.update(external_context)

        def finns(namn) -> bool:
            return isinstance(namn, str) and namn in data and namn not in others

        return finns

    def execute(self, script, context, external_context=None):
        compiled = self._compile(script, "exec")
        external_context = external_context or {}
        self.check_for_overwrite(context, external_context)
        before = {key: id(value) for key, value in context.items()}
        context.update(self.globals)
        context.update(external_context)
        context.update(GUARD_FUNCTIONS)
        context["__builtins__"] = SAFE_BUILTINS
        context[EXISTS] = self._exists_in(context, external_context)
        try:
            self._run(compiled, context)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        for key, value in context.items():
            if before.get(key) != id(value):
                problem = json_problem(value)
                if problem:
                    raise ScriptPolicyError(
                        f"The variable '{key}' cannot be stored in the case: {problem}")
        return True

    def _remove_globals_and_functions_from_context(self, context, external_context=None):
        for key in [k for k in context if k.startswith(GUARD_PREFIX)]:
            del context[key]
        super()._remove_globals_and_functions_from_context(context, external_context)


def json_problem(value) -> str | None:
    """Why `value` cannot be stored as JSON task data, or None when it can."""
    stack = [(value, 0)]
    seen: set[int] = set()
    while stack:
        current, depth = stack.pop()
        if isinstance(current, _JSON_SCALARS):
            if isinstance(current, float) and not math.isfinite(current):
                return f"{current} is not a number JSON can hold"
            continue
        if depth > _MAX_DATA_DEPTH:
            return f"it is nested more than {_MAX_DATA_DEPTH} levels deep"
        if id(current) in seen:
            return "it contains itself (or shares a part)"
        if isinstance(current, dict):
            seen.add(id(current))
            for key, item in current.items():
                if not isinstance(key, str):
                    return f"a dictionary key must be text, not {type(key).__name__} ({key!r})"
                stack.append((item, depth + 1))
        elif isinstance(current, (list, tuple)):
            seen.add(id(current))
            stack.extend((item, depth + 1) for item in current)
        elif isinstance(current, (set, frozenset)):
            return "a set cannot be stored; use list(...) or sorted(...)"
        else:
            return f"a value of type {type(current).__name__} cannot be stored"
    return None


class SandboxedScriptEngine(PythonScriptEngine):
    """`PythonScriptEngine` with the sandboxed environment. Policy violations raise `ScriptPolicyError`,
    limits `ScriptLimitError` (both `WorkflowTaskException`s carrying the task); every other error (a missing
    variable, a type error) is reported exactly as SpiffWorkflow's own engine reports it."""

    def __init__(self, environment=None, limits: SandboxLimits = DEFAULT_LIMITS, helpers: Mapping | None = None):
        super().__init__(environment or SandboxedEnvironment(helpers=helpers, limits=limits))

    @property
    def limits(self) -> SandboxLimits:
        return self.environment.limits

    def evaluate(self, task, expression, external_context=None):
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except ScriptSandboxError as err:
            self._report(err, task, expression, "Error evaluating expression")
            raise
        except SpiffWorkflowException as err:  # as SpiffWorkflow's own engine reports it
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:
            raise WorkflowTaskException(f"Error evaluating expression '{expression}'", task=task,
                                        exception=err) from err

    def execute(self, task, script, external_context=None):
        if script is None:  # a script task drawn without a script: it does nothing, as a plain task does
            return True
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except ScriptSandboxError as err:
            self._report(err, task, script, "Python script error")
            raise
        except Exception as err:
            raise self.create_task_exec_exception(task, script, err) from err

    def call_service(self, task, **kwargs):
        """The product provides no connectors: a service task that reaches the engine (deployed before the
        deployment refused them) fails as a step of the process, never as an error of the server."""
        operation = kwargs.get("operation_name") or "?"
        raise WorkflowTaskException(f"The service task calls the connector {operation!r}, but the product "
                                    "provides no connectors", task=task)

    def _report(self, err: ScriptSandboxError, task, source: str, label: str) -> None:
        err.attach_task(task)
        if not err.line_number:
            err.line_number, err.error_line = self.get_error_line_number_and_content(source, err)
        elif not err.error_line:
            lines = source.splitlines()
            if 0 < err.line_number <= len(lines):
                err.error_line = lines[err.line_number - 1]
        if err.line_number:
            err.add_note(f"{label} on line {err.line_number}: '{err.error_line}'")
        else:
            err.add_note(f"{label} '{source}'")
