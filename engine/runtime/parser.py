"""Parse a process set (BPMN and DMN files) into SpiffWorkflow specs."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from ..decisions.parser import DecisionParserMixin


class ProcessParser(DecisionParserMixin, SpiffBpmnParser):
    """SpiffWorkflow's parser with the spiff extensions, XSD validation and standard DMN tables."""

    def __init__(self, validate: bool = True):
        super().__init__(validator=VALIDATOR if validate else None)


# No entity resolution, no network, no huge trees: process files come from outside.
SAFE_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, remove_comments=False
)


def parse_xml(text: str, path: str):
    try:
        return etree.fromstring(text.encode("utf-8"), SAFE_XML_PARSER)
    except etree.XMLSyntaxError as err:
        raise ProcessSetError([{"file": path, "element": None, "line": err.lineno,
                                "message": f"Not well-formed XML: {err.msg}"}]) from err


@dataclass
class ParsedProcess:
    key: str
    spec: object
    subprocess_specs: dict


class ProcessSetError(Exception):
    """A process set that cannot be parsed; `problems` lists file, element, line and message."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__("; ".join(p["message"] for p in problems))


def problem_from_validation(err: ValidationException) -> dict:
    return {
        "file": getattr(err, "file_name", None) or None,
        "element": getattr(err, "id", None) or None,
        "line": getattr(err, "line_number", None) or None,
        "message": str(err),
    }


def parse_process_set(bpmn: dict[str, str], dmn: dict[str, str], key: str, validate: bool = True) -> ParsedProcess:
    """Parse the given files (path -> XML text) and return the specs of process `key` and everything it calls."""
    parser = ProcessParser(validate=validate)
    try:
        for path, text in sorted(dmn.items()):
            parser.add_dmn_xml(parse_xml(text, path), filename=path)
        for path, text in sorted(bpmn.items()):
            parser.add_bpmn_xml(parse_xml(text, path), filename=path)
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as err:
        raise ProcessSetError([problem_from_validation(err)]) from err
    except KeyError as err:
        raise ProcessSetError([{"file": None, "element": key, "line": None,
                                "message": f"No process with id {err} in the process set"}]) from err
    return ParsedProcess(key=key, spec=spec, subprocess_specs=subprocess_specs)
