"""Where a case stands in its diagrams, read from its workflow: the elements a step ran or cancelled, the
elements open or waiting now, the stage it is in, and the messages it waits for as the diagram describes them.

Elements are named as in the diagrams: by the id of the BPMN process whose file draws them (the main process,
or a process a call activity calls; an embedded subprocess is drawn in its parent's diagram) and the element's
own id."""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent, ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

COMPLETED, OPEN, WAITING, CANCELLED = "completed", "open", "waiting", "cancelled"
# A later state of an element in the same moment wins over an earlier one.
_RANK = {CANCELLED: 0, COMPLETED: 1, WAITING: 2, OPEN: 3}
_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def snapshot(top) -> dict:
    """The state of every task of the workflow now, by task id: what a step is compared with."""
    return {task.id: task.state for workflow in (top, *top.subprocesses.values()) for task in workflow.tasks.values()}


def ran(top, before: dict) -> dict[str, dict[str, str]]:
    """The elements a step completed, and the activities it cancelled while they were open, running or
    waiting, by diagram process: `before` is the `snapshot` taken before the step. Events and gateways that
    were waiting when another path won are left out: they did not run, and nothing of them was cancelled."""
    found: dict[str, dict[str, str]] = {}
    diagram_of = None
    for workflow in (top, *top.subprocesses.values()):
        for task in workflow.tasks.values():
            state, earlier = task.state, before.get(task.id)
            if state == earlier:
                continue
            if state == TaskState.COMPLETED:
                mark = COMPLETED
            elif state == TaskState.CANCELLED and earlier is not None and earlier & _LIVE \
                    and not isinstance(task.task_spec, CatchingEvent | ThrowingEvent):
                mark = CANCELLED
            else:
                continue
            element = task.task_spec.bpmn_id
            if element is None:
                continue
            if diagram_of is None:
                diagram_of = {id(each): diagram for diagram, each in _workflows(top)}
            if id(workflow) in diagram_of:
                _mark(found, diagram_of[id(workflow)], element, mark)
    return found


def current(top) -> dict[str, dict[str, str]]:
    """The elements as they stand now, by diagram process: `open` (a user task ready to be done), `waiting`
    (a timer or message event waiting, or a subprocess or call activity in progress with nothing open in it),
    a subprocess or call activity in progress with an open task in it is `open`; `completed` for what the
    stored workflow still holds of what has run (its finished history is kept elsewhere)."""
    found: dict[str, dict[str, str]] = {}
    workflows = _workflows(top)
    holds_open = _workflows_holding_open_tasks(top, workflows)
    for diagram, workflow in workflows:
        for task in workflow.tasks.values():
            spec = task.task_spec
            element = spec.bpmn_id
            if element is None:
                continue
            if task.state == TaskState.COMPLETED:
                _mark(found, diagram, element, COMPLETED)
            elif task.state == TaskState.READY and spec.manual:
                _mark(found, diagram, element, OPEN)
            elif isinstance(spec, SubWorkflowTask) and task.state & (TaskState.STARTED | TaskState.WAITING):
                sub = top.subprocesses.get(task.id)
                _mark(found, diagram, element, OPEN if sub is not None and id(sub) in holds_open else WAITING)
            elif isinstance(spec, CatchingEvent) and task.state == TaskState.WAITING:
                _mark(found, diagram, element, WAITING)
                if isinstance(spec, EventBasedGateway):  # the events it waits for
                    for child in task.children:
                        if child.task_spec.bpmn_id is not None:
                            _mark(found, diagram, child.task_spec.bpmn_id, WAITING)
    return found


def stage(top) -> str | None:
    """The name of the innermost subprocess or call activity in progress (where several run side by side at
    that depth, one with an open task in it); None when the case has ended or runs outside every one."""
    running = []
    for sub in top.subprocesses.values():
        parent = _parent_task(top, sub)
        if parent is not None and parent.state & (TaskState.STARTED | TaskState.WAITING):
            running.append((sub.depth, sub, parent))
    if not running:
        return None
    deepest = max(depth for depth, _, _ in running)
    candidates = [(sub, parent) for depth, sub, parent in running if depth == deepest]
    if len(candidates) > 1:
        holding = _workflows_holding_open_tasks(top, _workflows(top))
        candidates.sort(key=lambda pair: id(pair[0]) not in holding)
    spec = candidates[0][1].task_spec
    return spec.bpmn_name or spec.bpmn_id


def waiting_message_events(top) -> list[tuple[str, object]]:
    """(message name, the spec of the event that catches it) for every message the workflow waits for now, by
    name; an event-based gateway's messages with the events that follow it."""
    found: dict[str, object] = {}
    for task in list(top.event_manager.tasks.values()):
        spec = task.task_spec
        if isinstance(spec, EventBasedGateway):
            # The gateway holds the definitions of the events after it, in the order of its outgoing flows.
            for each, target in zip(spec.event_definition.event_definitions, spec.outputs, strict=False):
                if isinstance(each, MessageEventDefinition):
                    found.setdefault(each.name, target)
        elif isinstance(spec.event_definition, MessageEventDefinition):
            found.setdefault(spec.event_definition.name, spec)
    return sorted(found.items(), key=lambda pair: pair[0])


def message_texts(spec, subprocess_specs: dict, catches: list) -> list[dict]:
    """The messages of `catches` ([message, process spec, task spec] as `CaseWorkflow.waiting_catches` keeps
    them) as the diagram presents them: `name`, `title` (the catching event's name, else the message's),
    `description` (the event's documentation) and `reason` (what the sender is asked, `message_reason`)."""
    found = []
    for name, process, element in catches:
        owner = spec if spec.name == process else subprocess_specs.get(process)
        event = owner.task_specs.get(element) if owner is not None else None
        found.append({"name": name, "title": getattr(event, "bpmn_name", None) or name,
                      "description": (getattr(event, "documentation", None) or "").strip(),
                      "reason": message_reason(event)})
    return found


def message_reason(event) -> dict | None:
    """What the sender of a message is asked for, where its catching event says so with the property `reason`
    (the question, in Swedish) and `reasonRequired` (`true`: the message is refused without it): the payload's
    `orsak`. None where the event asks nothing."""
    properties = (getattr(event, "extensions", None) or {}).get("properties") or {}
    label = (properties.get("reason") or "").strip()
    if not label:
        return None
    return {"field": REASON_FIELD, "label": label,
            "required": (properties.get("reasonRequired") or "").strip().lower() == "true"}


# The payload's field that carries the reason a message's event asks for.
REASON_FIELD = "orsak"


def message_senders(spec, subprocess_specs: dict, catches: list) -> dict[str, str]:
    """Who may send each message of `catches` where the catching event says so with the property `sentBy`
    (`samordningsansvarig`: the coordinator's decision), by message name."""
    found = {}
    for name, process, element in catches:
        owner = spec if spec.name == process else subprocess_specs.get(process)
        event = owner.task_specs.get(element) if owner is not None else None
        sender = ((getattr(event, "extensions", None) or {}).get("properties") or {}).get("sentBy")
        if sender:
            found[name] = sender
    return found


def _mark(found: dict, diagram: str, element: str, state: str) -> None:
    states = found.setdefault(diagram, {})
    if _RANK[state] >= _RANK.get(states.get(element), -1):
        states[element] = state


def _workflows(top) -> list[tuple[str, object]]:
    """(diagram process id, workflow) of the main workflow and each subprocess, parents before children: a
    called process is drawn in its own diagram, an embedded subprocess in its parent's."""
    found = [(top.spec.name, top)]
    diagram_of = {id(top): top.spec.name}
    for sub in sorted(top.subprocesses.values(), key=lambda s: s.depth):
        parent = _parent_task(top, sub)
        if parent is None:
            continue
        if isinstance(parent.task_spec, CallActivity):
            diagram = sub.spec.name
        else:
            diagram = diagram_of.get(id(parent.workflow), parent.workflow.spec.name)
        diagram_of[id(sub)] = diagram
        found.append((diagram, sub))
    return found


def _parent_task(top, sub):
    """The task in the parent workflow that runs the subprocess `sub`; None where it is gone."""
    try:
        return top.get_task_from_id(sub.parent_task_id)
    except TaskNotFoundException:
        return None


def _workflows_holding_open_tasks(top, workflows) -> set[int]:
    """The ids of the workflows with a ready user task in them or in a subprocess they run."""
    holding = {id(workflow) for _, workflow in workflows
               if any(t.state == TaskState.READY and t.task_spec.manual for t in workflow.tasks.values())}
    for _, workflow in sorted(workflows[1:], key=lambda pair: -pair[1].depth):
        if id(workflow) in holding:
            parent = _parent_task(top, workflow)
            if parent is not None:
                holding.add(id(parent.workflow))
    return holding
