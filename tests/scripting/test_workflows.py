"""Ordinary scripts, conditions, timers and DMN cells work in the sandbox, on real SpiffWorkflow."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.scripting import SandboxedScriptEngine, ScriptSandboxError
from engine.scripting.policy import compile_sandboxed

from .conftest import complete, run_script, start

STOCKHOLM = ZoneInfo("Europe/Stockholm")

DELTAGARE = [
    {"namn": " anna andersson ", "huvudmannatyp": "primarvard", "kommer": True},
    {"namn": "bo berg", "huvudmannatyp": "kommun_sol", "kommer": True},
    {"namn": "cecilia carlsson", "huvudmannatyp": "primarvard", "kommer": False},
]


@time_machine.travel(datetime(2026, 6, 18, 15, 0, tzinfo=STOCKHOLM), tick=False)
def test_meeting_deadlines_with_helpers_gateway_and_timer():
    workflow = start("deadlines")
    complete(workflow, "meeting", {
        "motesdatum": "2026-06-18T10:00:00+02:00",
        "uppfoljningsdatum": "2027-12-01",
        "deltagare": DELTAGARE,
    })
    data = workflow.get_tasks(spec_name="wait_for_follow_up")[0].data
    assert data["motesdatum"] == "2026-06-18"  # post-script
    assert data["dokumentation_senast"] == "2026-06-23"  # skips midsommarafton and the weekend
    assert data["senaste_uppfoljning"] == "2027-06-18"
    assert data["uppfoljningsdatum"] == "2027-06-18"  # capped at the yearly follow-up
    assert data["namn"] == ["Anna Andersson", "Bo Berg"]
    assert data["per_huvudman"] == {"primarvard": [" anna andersson ", "cecilia carlsson"], "kommun_sol": ["bo berg"]}
    assert data["rubrik"] == "SIP 2026-06-18: Anna Andersson, Bo Berg"
    assert data["motet_pa_arbetsdag"] is True
    # The gateway (uppfoljningsdatum > idag()) led to the timer, which waits for 2027-06-18 08:00.
    timer = workflow.get_tasks(spec_name="wait_for_follow_up")[0]
    assert timer.state == TaskState.WAITING
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert not workflow.is_completed()
    with time_machine.travel(datetime(2027, 6, 18, 8, 1, tzinfo=STOCKHOLM), tick=False):
        workflow.refresh_timers()
        workflow.do_engine_steps()
    assert workflow.is_completed()


def test_idag_follows_the_swedish_clock():
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=STOCKHOLM), tick=False):
        assert run_script("d = idag()")["d"] == "2026-12-31"
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        assert run_script("d = idag()")["d"] == "2027-01-01"


@pytest.mark.parametrize(
    ("condition", "data", "expected"),
    [
        ("alder >= 75 and 'demens' in diagnoser", {"alder": 80, "diagnoser": ["demens"]}, "ja"),
        ("alder >= 75 and 'demens' in diagnoser", {"alder": 70, "diagnoser": ["demens"]}, "nej"),
        ("ar_arbetsdag(motesdatum)", {"motesdatum": "2026-06-19"}, "nej"),
        ("arbetsdagar_efter(motesdatum, 2) == '2026-06-23'", {"motesdatum": "2026-06-18"}, "ja"),
        ("len([d for d in deltagare if d['kommer']]) >= 2", {"deltagare": DELTAGARE}, "ja"),
        ("samtycke.lower().strip() == 'ja'", {"samtycke": " JA "}, "ja"),
        ("dagar_mellan(inkommen, idag()) > 3", {"inkommen": "2000-01-01"}, "ja"),
        # A variant's form may leave a field out: the diagram asks whether it is there.
        ("finns('tolk') and tolk", {"tolk": True}, "ja"),
        ("finns('tolk') and tolk", {}, "nej"),
        ("finns('tolk')", {"tolk": None}, "ja"),
    ],
)
def test_gateway_conditions(condition, data, expected):
    workflow = start("gateway", replacements={"CONDITION_PLACEHOLDER": condition})
    complete(workflow, "enter_data", data)
    assert workflow.is_completed()
    assert workflow.data["vag"] == expected


@pytest.mark.parametrize(
    ("data", "aktuellt", "senast"),
    [
        ({"kriterier": [True] * 4 + [False] * 2, "alder": 80}, "ja", "2026-06-26"),
        ({"kriterier": [True] * 5 + [False], "alder": 60}, "ja, yngre", "2026-07-03"),
        ({"kriterier": [True] * 3 + [False] * 3, "alder": 90}, "nej", ""),
    ],
)
def test_dmn_python_cells_with_question_mark_and_helpers(data, aktuellt, senast):
    workflow = start("decision", {**data, "motesdatum": "2026-06-18"}, dmn="decision")
    assert workflow.is_completed()
    assert workflow.data["mobilt_vardteam_aktuellt"] == aktuellt
    assert workflow.data["beslut_senast"] == senast


def test_ordinary_errors_keep_spiffworkflows_reporting():
    with pytest.raises(WorkflowTaskException) as caught:
        run_script("x = 1\ny = deltagar[0]", {"deltagare": []})
    err = caught.value
    assert not isinstance(err, ScriptSandboxError)
    assert err.error_type == "NameError"
    assert err.line_number == 2 and err.error_line == "y = deltagar[0]"
    assert "Did you mean" in str(err) and "'deltagare'" in str(err)
    with pytest.raises(WorkflowTaskException, match="ZeroDivisionError"):
        run_script("x = 1 / 0")
    with pytest.raises(WorkflowTaskException, match="must not be negative"):
        run_script("x = arbetsdagar_efter('2026-06-18', -1)")


def test_error_in_a_condition_is_reported_on_its_gateway():
    workflow = start("gateway", replacements={"CONDITION_PLACEHOLDER": "alder > 3"})
    task = workflow.get_tasks(spec_name="enter_data")[0]
    task.run()
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert caught.value.task.task_spec.bpmn_id == "choose"
    assert caught.value.error_type == "NameError"


def test_normal_data_handling():
    data = run_script(
        'rader = []\n'
        'for i, d in enumerate(deltagare):\n'
        '    rad = dict(d)\n'
        '    rad["nr"] = i + 1\n'
        '    rad["namn"] = " ".join(p.capitalize() for p in d["namn"].split())\n'
        '    rader.append(rad)\n'
        'typer = sorted(set(d["huvudmannatyp"] for d in deltagare))\n'
        'antal = {t: len([d for d in deltagare if d["huvudmannatyp"] == t]) for t in typer}\n'
        'antal["totalt"] = sum(antal.values())\n'
        'antal["totalt"] += 0\n'
        'forsta = rader[0]["namn"][:4]\n'
        'lista = list(zip(typer, [1, 2]))\n'
        'ok = all(isinstance(r, dict) for r in rader) and any(r["kommer"] for r in rader)\n'
        'tal = round(max(1.25, abs(-2.5)) * 2, 1) + min(3, 4) ** 2 % 5\n'
        'text = "%s: %d" % ("antal", len(rader)) + f" ({len(typer):>3})"\n'
        'del rad\n'
        'print("klart", antal)\n',
        {"deltagare": DELTAGARE},
    )
    assert [r["namn"] for r in data["rader"]] == ["Anna Andersson", "Bo Berg", "Cecilia Carlsson"]
    assert data["antal"] == {"kommun_sol": 1, "primarvard": 2, "totalt": 3}
    assert data["forsta"] == "Anna"
    assert data["lista"] == [("kommun_sol", 1), ("primarvard", 2)]
    assert data["ok"] is True
    assert data["tal"] == 9.0
    assert data["text"] == "antal: 3 (  2)"
    assert "rad" not in data


def test_external_context_and_data_objects_are_names(engine):
    workflow = start("script_task", {"a": 5}, engine, {"SCRIPT_PLACEHOLDER": "b = a"})
    task = workflow.get_tasks(spec_name="end")[0]
    assert engine.evaluate(task, "a > 3") is True
    assert engine.evaluate(task, "a + extra", external_context={"extra": 2}) == 7
    assert engine.evaluate(task, '"P2D"') == "P2D"


def test_state_survives_the_serializer():
    workflow = start("deadlines")
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    serializer = BpmnWorkflowSerializer(registry)
    restored = serializer.deserialize_json(serializer.serialize_json(workflow))
    restored.script_engine = SandboxedScriptEngine()
    complete(restored, "meeting", {"motesdatum": "2026-06-18", "uppfoljningsdatum": "2000-01-01",
                                   "deltagare": DELTAGARE})
    assert restored.is_completed()
    assert restored.data["dokumentation_senast"] == "2026-06-23"
    # And a finished state serializes: every value the scripts stored is JSON.
    assert serializer.deserialize_json(serializer.serialize_json(restored)).is_completed()


def test_compiled_code_is_cached():
    compile_sandboxed.cache_clear()
    for _ in range(3):
        run_script("x = 1")
    info = compile_sandboxed.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_a_script_asks_whether_a_variable_exists():
    data = run_script("fore = finns('z')\nz = 3\nefter = finns('z')\nhjalpare = finns('idag')\n"
                      "tolk = tolk if finns('tolk') else False", {"a": 1})
    assert (data["fore"], data["efter"], data["hjalpare"], data["tolk"]) == (False, True, False, False)
    assert "finns" not in data  # the helper is not stored with the case
    with pytest.raises(WorkflowTaskException, match="finns"):
        run_script("x = 1", {"finns": "ja"})  # no variable can take a helper's name
