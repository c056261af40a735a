"""The known ways out of a Python sandbox are refused: when the diagram is checked (check_script) and when a
script task, a condition or an expression runs in a real workflow."""

from __future__ import annotations

import pytest

from engine.scripting import ScriptPolicyError, check_script

from .conftest import run_script, start

# (script, a phrase of check_script's message)
ESCAPES = [
    ("x = __import__('os')", "'__import__' is not allowed"),
    ("import os", "import is not allowed"),
    ("from os import path", "import is not allowed"),
    ("x = ().__class__.__mro__[1].__subclasses__()", "'.__class__' is not allowed"),
    ("x = open('/etc/passwd').read()", "'open' is not allowed"),
    ("x = getattr(deltagare, '__cl' + 'ass__')", "'getattr' is not allowed"),
    ("x = vars()", "'vars' is not allowed"),
    ("x = globals()", "'globals' is not allowed"),
    ("x = locals()", "'locals' is not allowed"),
    ("x = dir()", "'dir' is not allowed"),
    ("x = eval('1')", "'eval' is not allowed"),
    ("exec('x = 1')", "'exec' is not allowed"),
    ("x = compile('1', 'f', 'eval')", "'compile' is not allowed"),
    ("x = type(1)", "'type' is not allowed"),
    ("x = object", "'object' is not allowed"),
    ("x = type.__subclasses__(object)", "'type' is not allowed"),
    ("x = (y for y in ()).gi_frame.f_back.f_globals", "'.gi_frame' is not allowed"),
    ("x = (lambda: 1).__code__", "'.__code__' is not allowed"),
    ("x = (lambda: 1).func_globals", "'.func_globals' is not allowed"),
    ("x = '{0.__class__}'.format(1)", "'.format' is not allowed"),
    ("x = '{a}'.format_map({'a': 1})", "'.format_map' is not allowed"),
    ("x = f'{deltagare.__class__}'", "'.__class__' is not allowed"),
    ("x = f'{().__class__.__base__.__subclasses__()}'", "'.__class__' is not allowed"),
    ("x = [].append.__self__", "'.__self__' is not allowed"),
    ("x = __builtins__", "'__builtins__' is not allowed"),
    ("_hidden = 1", "'_hidden' is not allowed"),
    ("x = print.__module__", "'.__module__' is not allowed"),
    ("x = breakpoint()", "'breakpoint' is not allowed"),
    ("x = help()", "'help' is not allowed"),
    ("deltagare.append = 1", "setting or deleting the attribute"),
    ("def f():\n    return 1", "def is not allowed"),
    ("class A:\n    pass", "class is not allowed"),
    ("try:\n    x = 1\nexcept Exception:\n    x = 2", "try/except is not allowed"),
    ("with open('x') as f:\n    pass", "with is not allowed"),
    ("raise ValueError('x')", "raise is not allowed"),
    ("x = lambda: (yield)", "yield is not allowed"),
    ("global x\nx = 1", "global is not allowed"),
    ("x = sorted([], key=lambda _y: 1)", "'_y' is not allowed"),
    ("x = dict(__class__=1)", "'__class__' is not allowed"),
    ("x = sys.modules", "'sys' is not allowed"),
    ("x = 'a'.encode().decode()", "'.encode' is not allowed"),
]


@pytest.mark.parametrize(("script", "phrase"), ESCAPES, ids=[s for s, _ in ESCAPES])
def test_escape_is_refused_by_check_script(script, phrase):
    problems = check_script(script)
    assert problems, script
    assert any(phrase in problem for problem in problems), problems
    assert all(problem.startswith("Line ") for problem in problems)


@pytest.mark.parametrize(("script", "phrase"), ESCAPES, ids=[s for s, _ in ESCAPES])
def test_escape_is_refused_when_a_script_task_runs(script, phrase):
    with pytest.raises(ScriptPolicyError) as caught:
        run_script(script, {"deltagare": []})
    err = caught.value
    assert err.task is not None and err.task.task_spec.bpmn_id == "run_script"
    assert err.task_trace and "script_task.bpmn" in err.task_trace[0]
    assert phrase in str(err)
    assert err.line_number


# Refused only when it runs: the attribute name is on the allowed list, but not for the value's type.
RUNTIME_ONLY = [
    "x = idag.year",
    "x = range(3).count(1)",
    "x = (y for y in [1]).index",
    "x = str.join",
    "x = arbetsdagar_efter.copy",
]


@pytest.mark.parametrize("script", RUNTIME_ONLY)
def test_attribute_is_checked_against_the_type_of_the_value(script):
    assert check_script(script) == []
    with pytest.raises(ScriptPolicyError, match="is not allowed on a value of type") as caught:
        run_script(script)
    assert caught.value.task.task_spec.bpmn_id == "run_script"
    assert caught.value.line_number == 1


def test_check_script_reports_every_problem_with_its_line():
    problems = check_script("x = 1\nimport os\ny = x.__class__\nz = eval('2')")
    assert problems == [
        "Line 2: import is not allowed",
        "Line 3: the attribute '.__class__' is not allowed: names starting with '_' are reserved",
        "Line 4: 'eval' is not allowed",
    ]


def test_check_script_expressions_and_syntax_errors():
    assert check_script("alder >= 75 and 'demens' in diagnoser", mode="eval") == []
    assert check_script("x = 1", mode="eval") == ["Line 1: syntax error: invalid syntax"]
    assert check_script("x = (", mode="exec")[0].startswith("Line 1: syntax error")
    assert check_script("().__class__", mode="eval")
    with pytest.raises(ValueError):
        check_script("1", mode="single")


def test_check_script_accepts_the_base_routine_scripts():
    script = (
        'hsl = ["primarvard", "psykiatri"]\n'
        'antal_hsl = len([d for d in deltagare if d["huvudmannatyp"] in hsl])\n'
        "if uppdaterade_mal:\n    mal = uppdaterade_mal\n"
        'deltagare = [d for d in deltagare if d["organisation"] not in deltagare_som_utgar]\n'
        "senaste_uppfoljning = manader_efter(uppfoljning_genomford, 12)\n"
        'rad = dict(insats)\nrad["huvudman"] = dok.get("organisation", "")\n'
    )
    assert check_script(script) == []


def test_policy_violation_in_a_gateway_condition_names_the_gateway():
    workflow = start("gateway", replacements={"CONDITION_PLACEHOLDER": "().__class__.__bases__"})
    task = workflow.get_tasks(spec_name="enter_data")[0]
    task.data.update({"alder": 80})
    task.run()
    with pytest.raises(ScriptPolicyError) as caught:
        workflow.do_engine_steps()
    assert caught.value.task.task_spec.bpmn_id == "choose"
    assert "__class__" in str(caught.value)


def test_values_that_cannot_be_stored_are_refused():
    with pytest.raises(ScriptPolicyError, match="'s' cannot be stored in the case: a set"):
        run_script("s = {1, 2}")
    with pytest.raises(ScriptPolicyError, match="'g' cannot be stored"):
        run_script("g = (x for x in [1])")
    with pytest.raises(ScriptPolicyError, match="key must be text"):
        run_script("d = {1: 'a'}")
    with pytest.raises(ScriptPolicyError, match="contains itself"):
        run_script("l = []\nl.append(l)")
    # Temporary lambdas are dropped (as SpiffWorkflow drops functions), sets converted before storing are fine.
    data = run_script("f = lambda x: x * 2\nvarden = sorted({3, 1, 2})\ndubbla = [f(v) for v in varden]")
    assert "f" not in data and data["dubbla"] == [2, 4, 6]


def test_environment_used_without_a_task_raises_the_same_errors():
    # SpiffWorkflow evaluates some expressions (a process's completion condition, message correlations)
    # through the environment directly, with no task at hand.
    from engine.scripting import SandboxedEnvironment, ScriptLimitError

    environment = SandboxedEnvironment()
    assert environment.evaluate("a > 3", {"a": 5}) is True
    with pytest.raises(ScriptPolicyError) as caught:
        environment.evaluate("().__class__", {})
    assert caught.value.task is None and caught.value.line_number == 1
    with pytest.raises(ScriptLimitError):
        environment.evaluate("[0] * 10**9", {})


def test_every_script_and_expression_of_the_base_routine_passes():
    from pathlib import Path
    from xml.etree import ElementTree

    processes = Path(__file__).resolve().parents[2] / "processes"
    modes = {"script": "exec", "preScript": "exec", "postScript": "exec", "conditionExpression": "eval",
             "timeDate": "eval", "timeDuration": "eval", "timeCycle": "eval"}
    checked = 0
    for path in sorted(processes.rglob("*.bpmn")):
        for element in ElementTree.parse(path).iter():
            tag = element.tag.rsplit("}", 1)[-1]
            source = None
            mode = modes.get(tag)
            if mode and element.text and element.text.strip():
                source = element.text
            elif tag == "property" and element.get("name") in ("dueDate", "candidateGroups"):
                source, mode = element.get("value"), "eval"
            if source:
                assert check_script(source, mode) == [], (path.name, source)
                checked += 1
    assert checked > 20
