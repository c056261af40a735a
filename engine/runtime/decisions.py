"""Evaluate one decision table of a process set without running a workflow."""

from __future__ import annotations

from ..decisions.evaluate import evaluate_decision
from ..scripting import SandboxedScriptEngine
from .parser import ProcessParser, ProcessSetError, parse_xml


def evaluate(dmn_files: dict[str, str], decision_id: str, variables: dict):
    parser = ProcessParser(validate=False)
    for path, text in sorted(dmn_files.items()):
        parser.add_dmn_xml(parse_xml(text, path), filename=path)
    if decision_id not in parser.dmn_parsers:
        raise ProcessSetError([{"file": None, "element": decision_id, "line": None,
                                "message": f"No decision {decision_id!r} is deployed"}])
    return evaluate_decision(parser, decision_id, variables, SandboxedScriptEngine())
