"""The decision-table model: SpiffWorkflow's own classes plus what the standard needs on top.

`StandardDecisionTable` is a SpiffWorkflow `DecisionTable` whose rules hold, as SpiffWorkflow expects,
Python text: input entries in `InputEntry.lhs` and output entries in `OutputEntry.text`. For a FEEL
table that text is the translation made at load time (see `feel`); the original cells are kept in
`sources` for messages and display. The extra attributes (hit policy details, language, required
decisions) are serialized by `serializer`."""

from __future__ import annotations

from enum import StrEnum

from SpiffWorkflow.dmn.specs.model import DecisionTable


class HitPolicy(StrEnum):
    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"


class Aggregation(StrEnum):
    SUM = "SUM"
    COUNT = "COUNT"
    MIN = "MIN"
    MAX = "MAX"


SINGLE_HIT = {HitPolicy.UNIQUE, HitPolicy.FIRST, HitPolicy.PRIORITY, HitPolicy.ANY}

FEEL = "feel"
PYTHON = "python"


class StandardDecisionTable(DecisionTable):
    """A decision table with the standard hit policies, its cell language and its required decisions.

    Attributes beyond SpiffWorkflow's:
        decision_id, decision_name, file_name: where the table comes from
        aggregation: an `Aggregation` value for COLLECT, or None
        language: FEEL or PYTHON (how the cells were written; FEEL cells are stored translated)
        output_values: output id -> list of allowed values in priority order (from `outputValues`)
        sources: entry or input id -> the cell text as written
        required_ids: ids of the decisions whose results this one reads
        required: the linked `StandardDecisionTable`s of `required_ids` (set when the engine is built)
    """

    def __init__(self, id, name, hit_policy, *, decision_id, decision_name="", file_name="",
                 aggregation=None, language=FEEL):
        super().__init__(id, name, hit_policy)
        self.decision_id = decision_id
        self.decision_name = decision_name
        self.file_name = file_name
        self.aggregation = aggregation
        self.language = language
        self.output_values: dict[str, list] = {}
        self.sources: dict[str, str] = {}
        self.required_ids: list[str] = []
        self.required: list[StandardDecisionTable] = []

    @property
    def policy(self) -> HitPolicy:
        return HitPolicy(self.hit_policy)

    def output_key(self, output) -> str:
        return output.name or output.label

    def column_label(self, column) -> str:
        """How an input or output column is named in messages: its label, else its expression/name."""
        label = getattr(column, "label", "") or ""
        if label:
            return label
        expression = getattr(column, "expression", None)
        if expression is not None:
            return self.sources.get(column.id, expression)
        return column.name
