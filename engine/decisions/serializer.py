"""Serialize business rule tasks whose engine is a `StandardDecisionEngine`.

The table itself goes through SpiffWorkflow's own decision-table serializer (`decision_table`: inputs,
outputs, rules with their Python text -- FEEL cells are stored translated); what the standard adds
(hit policy details, aggregation, language, output values, the cells as written, required decisions)
goes beside it under `standard_decision`. A task spec without `standard_decision` is restored exactly
as SpiffWorkflow restores it, so workflows serialized before this module existed still load.

Use::

    config = dict(SPIFF_CONFIG)
    register_converters(config)                 # before BpmnWorkflowSerializer.configure(config)
    # or, on a registry that is already configured:
    register_converters(registry)
"""

from __future__ import annotations

from SpiffWorkflow.dmn.serializer.task_spec import BaseBusinessRuleTaskConverter
from SpiffWorkflow.dmn.specs import BusinessRuleTaskMixin
from SpiffWorkflow.spiff.serializer.task_spec import BusinessRuleTaskConverter as SpiffBusinessRuleTaskConverter
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask as SpiffBusinessRuleTask

from .model import StandardDecisionTable
from .table_engine import StandardDecisionEngine

FORMAT = "sip-decision-1"


class StandardDecisionConverterMixin:
    """Adds `standard_decision` to SpiffWorkflow's business rule task converter."""

    def to_dict(self, spec):
        dct = super().to_dict(spec)
        table = spec.dmnEngine.decision_table
        if isinstance(table, StandardDecisionTable):
            dct["standard_decision"] = self.standard_to_dict(table)
        return dct

    def from_dict(self, dct):
        extras = dct.pop("standard_decision", None)
        if extras is None:
            return super().from_dict(dct)
        table = self.standard_from_dict(dct.pop("decision_table"), extras)
        dct["dmnEngine"] = StandardDecisionEngine(table)
        return self.task_spec_from_dict(dct)

    def standard_to_dict(self, table: StandardDecisionTable) -> dict:
        return {
            "format": FORMAT,
            "decision_id": table.decision_id,
            "decision_name": table.decision_name,
            "file_name": table.file_name,
            "aggregation": table.aggregation,
            "language": table.language,
            "output_values": {key: list(values) for key, values in table.output_values.items()},
            "sources": dict(table.sources),
            "required_ids": list(table.required_ids),
            "required": [
                {"decision_table": self.decision_table_to_dict(required),
                 "standard_decision": self.standard_to_dict(required)}
                for required in table.required
            ],
        }

    def standard_from_dict(self, base: dict, extras: dict) -> StandardDecisionTable:
        plain = self.decision_table_from_dict(base)
        table = StandardDecisionTable(plain.id, plain.name, plain.hit_policy,
                                      decision_id=extras["decision_id"], decision_name=extras["decision_name"],
                                      file_name=extras["file_name"], aggregation=extras["aggregation"],
                                      language=extras["language"])
        table.inputs, table.outputs, table.rules = plain.inputs, plain.outputs, plain.rules
        table.output_values = {key: list(values) for key, values in extras["output_values"].items()}
        table.sources = dict(extras["sources"])
        table.required_ids = list(extras["required_ids"])
        table.required = [self.standard_from_dict(r["decision_table"], r["standard_decision"])
                          for r in extras["required"]]
        return table


class StandardSpiffBusinessRuleTaskConverter(StandardDecisionConverterMixin, SpiffBusinessRuleTaskConverter):
    """For SpiffWorkflow's spiff `BusinessRuleTask` (the one `SpiffBpmnParser` creates)."""


class StandardBaseBusinessRuleTaskConverter(StandardDecisionConverterMixin, BaseBusinessRuleTaskConverter):
    """For any other business rule task class."""


_CONVERTERS: dict[type, type] = {
    SpiffBusinessRuleTaskConverter: StandardSpiffBusinessRuleTaskConverter,
    BaseBusinessRuleTaskConverter: StandardBaseBusinessRuleTaskConverter,
}


def _standard_converter(converter: type) -> type:
    if issubclass(converter, StandardDecisionConverterMixin):
        return converter
    if converter not in _CONVERTERS:
        _CONVERTERS[converter] = type(f"Standard{converter.__name__}", (StandardDecisionConverterMixin, converter), {})
    return _CONVERTERS[converter]


def register_converters(config_or_registry):
    """Make business rule tasks serialize their standard decision tables.

    Accepts a serializer config (class -> converter class, e.g. a copy of `SPIFF_CONFIG`, before
    `BpmnWorkflowSerializer.configure`) or a configured registry (`DictionaryConverter`). Returns it."""
    if isinstance(config_or_registry, dict):
        for cls, converter in list(config_or_registry.items()):
            if isinstance(cls, type) and issubclass(cls, BusinessRuleTaskMixin):
                config_or_registry[cls] = _standard_converter(converter)
        return config_or_registry
    registry = config_or_registry
    for cls, typename in list(registry.typenames.items()):
        if isinstance(cls, type) and issubclass(cls, BusinessRuleTaskMixin):
            converter = (StandardSpiffBusinessRuleTaskConverter if issubclass(cls, SpiffBusinessRuleTask)
                         else StandardBaseBusinessRuleTaskConverter)
            converter(cls, registry, typename)
    return registry
