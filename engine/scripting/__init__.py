"""The sandbox that runs scripts and expressions from diagrams (script tasks, pre- and post-scripts,
gateway conditions, timer expressions, multi-instance expressions, task properties, DMN cells).

Public API:

* `SandboxedScriptEngine(environment=None, limits=DEFAULT_LIMITS, helpers=None)` -- a SpiffWorkflow
  `PythonScriptEngine` for `BpmnWorkflow(..., script_engine=...)`.
* `SandboxedEnvironment(helpers=None, limits=DEFAULT_LIMITS)` -- its environment.
* `check_script(source, mode="exec") -> list[str]` -- the policy problems of a script ("exec") or an
  expression ("eval"), in words; empty when it may run. Runs nothing.
* `SandboxLimits`, `DEFAULT_LIMITS` -- the limits.
* `ScriptPolicyError`, `ScriptLimitError` (both `ScriptSandboxError`, a SpiffWorkflow `WorkflowTaskException`).
* `HELPERS`, `SAFE_BUILTINS` -- the names a script may use besides its task data.

See docs/expressions.md for what process owners may write.
"""

from .engine import SandboxedEnvironment, SandboxedScriptEngine, json_problem
from .errors import ScriptLimitError, ScriptPolicyError, ScriptSandboxError
from .guards import SAFE_BUILTINS
from .helpers import HELPERS
from .limits import DEFAULT_LIMITS, SandboxLimits
from .policy import check_script

__all__ = [
    "DEFAULT_LIMITS",
    "HELPERS",
    "SAFE_BUILTINS",
    "SandboxLimits",
    "SandboxedEnvironment",
    "SandboxedScriptEngine",
    "ScriptLimitError",
    "ScriptPolicyError",
    "ScriptSandboxError",
    "check_script",
    "json_problem",
]
