"""Store and restore workflows.

A case's stored state holds its tasks and data only; the specs (the diagrams it runs on) are stored once
per deployed process definition and shared by every case on that version. Before a state is stored its
finished history is compacted away (see `compaction`), so it does not grow with the steps taken."""

from __future__ import annotations

import json

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from ..decisions.serializer import register_converters
from .compaction import compact

STATE_FORMAT = "sip-state-1"


class SharedSpecWorkflowConverter(BpmnWorkflowConverter):
    """Writes a workflow without its specs and restores one onto specs that are already loaded."""

    def to_dict(self, workflow):
        # The base class would convert the specs too, only for them to be dropped here.
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec = dct.pop("spec")
        subprocess_specs = dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid(value):
    from uuid import UUID

    return UUID(value)


def _build_serializers():
    config = dict(SPIFF_CONFIG)
    register_converters(config)
    spec_registry = BpmnWorkflowSerializer.configure(config)
    state_config = dict(config)
    state_config[BpmnWorkflow] = SharedSpecWorkflowConverter
    state_registry = BpmnWorkflowSerializer.configure(state_config)
    return BpmnWorkflowSerializer(spec_registry), BpmnWorkflowSerializer(state_registry)


SPEC_SERIALIZER, STATE_SERIALIZER = _build_serializers()


def specs_to_dict(spec, subprocess_specs: dict) -> dict:
    return {
        "spec": SPEC_SERIALIZER.to_dict(spec),
        "subprocess_specs": {name: SPEC_SERIALIZER.to_dict(s) for name, s in subprocess_specs.items()},
    }


def specs_from_dict(dct: dict):
    spec = SPEC_SERIALIZER.from_dict(json.loads(json.dumps(dct["spec"])))
    subprocess_specs = {
        name: SPEC_SERIALIZER.from_dict(json.loads(json.dumps(s))) for name, s in dct["subprocess_specs"].items()
    }
    return spec, subprocess_specs


_SPEC_CACHE: dict[tuple, tuple] = {}
_SPEC_CACHE_SIZE = 64


def cached_specs(cache_key: tuple, load):
    """Specs of a deployed definition, restored once per process: a definition never changes once deployed.
    `load` returns the stored specs dict when they are not cached yet."""
    found = _SPEC_CACHE.get(cache_key)
    if found is None:
        if len(_SPEC_CACHE) >= _SPEC_CACHE_SIZE:
            _SPEC_CACHE.pop(next(iter(_SPEC_CACHE)))
        found = _SPEC_CACHE[cache_key] = specs_from_dict(load())
    return found


def state_to_json(workflow: BpmnWorkflow) -> str:
    compact(workflow)
    STATE_SERIALIZER.registry._encoder_mode = True
    try:
        dct = STATE_SERIALIZER.to_dict(workflow)
    finally:
        STATE_SERIALIZER.registry._encoder_mode = False
    dct["format"] = STATE_FORMAT
    return json.dumps(dct, separators=(",", ":"), cls=STATE_SERIALIZER._encoder_cls)


def state_from_json(state: str, spec, subprocess_specs: dict, script_engine) -> BpmnWorkflow:
    dct = json.loads(state, cls=STATE_SERIALIZER.json_decoder_cls)
    dct.pop("format", None)
    dct["spec"] = spec
    dct["subprocess_specs"] = subprocess_specs
    workflow = STATE_SERIALIZER.from_dict(dct)
    workflow.script_engine = script_engine
    return workflow


def forget_cached_specs() -> None:
    _SPEC_CACHE.clear()
