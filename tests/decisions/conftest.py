"""Helpers for the decision-table tests: a SpiffWorkflow parser with the standard decision tables, and
the fixture files (DMN as Camunda Modeler saves it, tiny BPMN processes)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.decisions.evaluate import evaluate_decision
from engine.decisions.parser import DecisionParserMixin

FIXTURES = Path(__file__).parent / "fixtures"
ROUTINE_DMN = Path(__file__).resolve().parents[2] / "processes" / "dmn"


class Parser(DecisionParserMixin, SpiffBpmnParser):
    """What the runtime builds: SpiffWorkflow's spiff parser with standard decision tables."""


def make_parser(*dmn_files: Path, validate: bool = True) -> Parser:
    parser = Parser(validator=VALIDATOR if validate else None)
    parser.add_dmn_files([str(f) for f in dmn_files])
    return parser


def template(**replacements: str) -> str:
    """The refusal template with its placeholders filled in (defaults give a valid table)."""
    values = {"TABLE_ATTRIBUTES": "", "INPUT_EXPRESSION": "alder", "INPUT_CELL": ">= 18",
              "OUTPUT_CELL": '"vuxen"'} | replacements
    text = (FIXTURES / "refusal_template.dmn").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"__{key}__", value if key == "TABLE_ATTRIBUTES" else escape(value))
    return text


class Decider:
    def __init__(self, parser):
        self.parser = parser

    def __call__(self, decision_id: str, **variables):
        return evaluate_decision(self.parser, decision_id, variables, PythonScriptEngine())


@pytest.fixture(scope="module")
def hit_policies():
    return Decider(make_parser(FIXTURES / "hit_policies.dmn"))


@pytest.fixture(scope="module")
def feel_cells():
    return Decider(make_parser(FIXTURES / "feel_cells.dmn"))


@pytest.fixture(scope="module")
def routine():
    return Decider(make_parser(*sorted(ROUTINE_DMN.glob("*.dmn"))))
