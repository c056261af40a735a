"""Endless loops, huge allocations and deep recursion stop fast with ScriptLimitError, in any thread, without
disturbing a trace function already installed (debuggers, coverage)."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from engine.scripting import SandboxedScriptEngine, SandboxLimits, ScriptLimitError, check_script

from .conftest import run_script, start

LIMIT_CASES = [
    ("while True: pass", "ran too long"),
    ("x = 0\nwhile True:\n    x += 1", "ran too long"),
    ("x = [1 for i in range(10**6) for j in range(10**6)]", "ran too long"),
    ("x = 'x' * 10**10", "too large"),
    ("x = [0] * 10**9", "too large"),
    ("x = 10**10**10", "number would be too large"),
    ("x = 2\nwhile True:\n    x = x * x", "number would be too large"),
    ("x = 1 << 10**9", "number would be too large"),
    ("x = list(range(10**9))", "too large"),
    ("for i in range(10**9):\n    pass", "too large"),
    ("s = 'x'\nwhile True:\n    s += s", "too large"),
    ("l = [0]\nwhile True:\n    l = l + l", "too large"),
    ("l = [0] * 1000\nwhile True:\n    l.extend(l)", "too large"),
    ("l = [1]\nwhile True:\n    l = [*l, *l]", "too large"),
    ("x = [[0] * 100000 for i in range(100000)]", "too much data"),
    ("x = ','.join(['x'] * 900000) + ''", "too large"),
    ("x = ('ab' * 400000).replace('a', 'aaaa')", "too large"),
    ("x = str([[0] * 1000000] * 1000000)", "too large"),
    ("x = f'{[[0] * 1000000] * 1000000}'", "too large"),
    ("x = f'{1:>1000000000}'", "width or precision"),
    ("x = '%*d' % (10**9, 1)", "width or precision"),
    ("x = '%1000000000d' % 1", "width or precision"),
    ("f = lambda f: f(f)\nx = f(f)", "nested too deep"),
    ("f = lambda n: f(n - 1) + f(n - 1) if n else 0\nx = f(100)", "ran too long"),
    ("x = sorted([[[0] * 1000000] * 1000000] * 2)", "too large"),
    # Comparing or hashing one big list shared a million times would take hours in C.
    ("big = [0] * 1000000\nx = [big] * 1000000 == [big[:]] * 1000000", "too large"),
    ("big = [0] * 1000000\nx = big[:] in [big] * 1000000", "too large"),
    ("t = tuple([0] * 1000000)\nx = len(set([t] * 1000000))", "too large"),
    ("big = [0] * 1000000\nx = ([big] * 1000000).count(big[:])", "too large"),
]


@pytest.mark.parametrize(("script", "phrase"), LIMIT_CASES, ids=[s for s, _ in LIMIT_CASES])
def test_limit_stops_the_script_task(script, phrase):
    assert check_script(script) == []  # nothing wrong on paper: only running shows it
    began = time.monotonic()
    with pytest.raises(ScriptLimitError, match=phrase) as caught:
        run_script(script)
    assert time.monotonic() - began < 5
    err = caught.value
    assert err.task is not None and err.task.task_spec.bpmn_id == "run_script"
    assert err.task_trace


def test_endless_loop_stops_within_the_time_limit():
    engine = SandboxedScriptEngine(limits=SandboxLimits(time_seconds=0.2, max_steps=10**9))
    began = time.monotonic()
    with pytest.raises(ScriptLimitError, match=r"more than 0.2 s") as caught:
        run_script("x = 0\nwhile True:\n    x += 1", engine=engine)
    assert time.monotonic() - began < 1.5
    assert caught.value.line_number in (2, 3)


def test_endless_loop_in_a_gateway_condition():
    workflow = start("gateway", replacements={"CONDITION_PLACEHOLDER": "len([i for i in range(10**6) if i]) > 0 "
                                                                         "and all(x > 0 for x in range(1, 10**6)) "
                                                                         "and sum([1 for a in range(999999) "
                                                                         "for b in range(9)]) > 0"})
    task = workflow.get_tasks(spec_name="enter_data")[0]
    task.run()
    with pytest.raises(ScriptLimitError) as caught:
        workflow.do_engine_steps()
    assert caught.value.task.task_spec.bpmn_id == "choose"


def test_limits_hold_in_a_worker_thread():
    outcome = {}

    def worker():
        try:
            run_script("while True:\n    pass")
        except ScriptLimitError as err:
            outcome["error"] = err

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), ScriptLimitError)


def test_an_installed_trace_function_is_left_alone():
    events = []

    def tracer(frame, event, arg):
        events.append(event)
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        with pytest.raises(ScriptLimitError):
            run_script("while True: pass")
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


def test_budgets_are_per_evaluation():
    # Each run may build close to the limit; the total is not carried over between evaluations.
    engine = SandboxedScriptEngine(limits=SandboxLimits(max_total_items=3_000_000))
    for _ in range(3):
        assert run_script("x = len('x' * 400000 + 'y' * 400000)", engine=engine)["x"] == 800_000


def test_small_limits_are_configurable():
    engine = SandboxedScriptEngine(limits=SandboxLimits(max_steps=100))
    assert run_script("x = [i for i in range(50)]", engine=engine)["x"][-1] == 49
    with pytest.raises(ScriptLimitError, match="more than 100 steps"):
        run_script("x = [i for i in range(150)]", engine=engine)
    engine = SandboxedScriptEngine(limits=SandboxLimits(max_source_chars=10))
    with pytest.raises(Exception, match="too long"):
        run_script("x = 1 + 2 + 3 + 4", engine=engine)
