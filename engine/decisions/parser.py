"""Parser integration: standard decision tables in a SpiffWorkflow parser.

Use::

    class ProcessParser(DecisionParserMixin, SpiffBpmnParser): ...

`add_dmn_xml` (and so `add_dmn_file(s)`, `add_dmn_str`, `add_dmn_io`) reads every decision of the file
at once, so a table that cannot run is refused while loading (`DecisionTableError`); `get_engine`
returns a `StandardDecisionEngine` with the required decisions linked. DMN 1.1, 1.2 and 1.3 namespaces
are accepted (Camunda Modeler 5 writes 1.3, ``https://www.omg.org/spec/DMN/20191111/MODEL/``); when the
parser has a validator, the file is also checked against SpiffWorkflow's DMN XSD for its version.

`dmn_parsers` maps each decision id to a `DecisionEntry` (with `bpmn_id`, `get_name()`, `filename` and
the parsed `table`), as SpiffWorkflow keeps its DMN parsers there.
"""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from .errors import DecisionTableError
from .model import StandardDecisionTable
from .table_engine import StandardDecisionEngine
from .table_parser import read_definitions


class DecisionEntry:
    """One parsed decision (what SpiffWorkflow's `dmn_parsers` holds a `DMNParser` for)."""

    def __init__(self, table: StandardDecisionTable, node=None):
        self.table = table
        self.node = node
        self.filename = table.file_name

    @property
    def bpmn_id(self) -> str:
        return self.table.decision_id

    def get_name(self) -> str:
        return self.table.decision_name

    def parse(self) -> None:
        """Already parsed when the file was added (kept for SpiffWorkflow's API)."""


class DecisionParserMixin:
    """Mix into `BpmnDmnParser` or a subclass, before it: ``class P(DecisionParserMixin, SpiffBpmnParser)``."""

    def add_dmn_xml(self, node, filename=None):
        namespace = etree.QName(node).namespace
        schema = self.dmn_schemas.get(namespace)
        if self.validator and schema is not None:
            BpmnValidator(schema).validate(node, filename)
        tables = read_definitions(node, filename)
        for decision_id in tables:
            existing = self.dmn_parsers.get(decision_id)
            if existing is not None and getattr(existing, "filename", None) != filename:
                raise DecisionTableError(
                    f"the decision id '{decision_id}' is already used in {existing.filename}",
                    file_name=filename, decision_id=decision_id, hint="give each decision its own id")
        for decision_id, table in tables.items():
            entry = DecisionEntry(table, node)
            self.dmn_parsers[decision_id] = entry
            self.dmn_parsers_by_name[entry.get_name()] = entry

    def get_decision_table(self, decision_ref: str, node=None) -> StandardDecisionTable:
        """The parsed table of a decision, its required decisions linked."""
        entry = self.dmn_parsers.get(decision_ref)
        if entry is None:
            options = ", ".join(self.dmn_parsers)
            raise ValidationException(f'No DMN Diagram available with id "{decision_ref}", '
                                      f"Available DMN ids are: {options}", node=node, file_name="")
        self._link(entry.table, [decision_ref])
        return entry.table

    def get_engine(self, decision_ref, node):
        return StandardDecisionEngine(self.get_decision_table(decision_ref, node))

    def _link(self, table: StandardDecisionTable, path: list[str]) -> None:
        linked = []
        for required_id in table.required_ids:
            if required_id in path:
                raise DecisionTableError("decisions require each other in a cycle: "
                                         + " -> ".join(path + [required_id]),
                                         file_name=table.file_name, decision_id=table.decision_id)
            entry = self.dmn_parsers.get(required_id)
            if entry is None:
                raise DecisionTableError(f"it requires the decision '{required_id}', which is not loaded",
                                         file_name=table.file_name, decision_id=table.decision_id,
                                         hint="add the DMN file that holds it, or remove the requirement")
            self._link(entry.table, path + [required_id])
            linked.append(entry.table)
        table.required = linked
