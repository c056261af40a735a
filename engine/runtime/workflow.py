"""One case's workflow: start it, complete its human tasks, deliver messages, fire timers, read it."""

from __future__ import annotations

import logging
import threading
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, time
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timers
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from ..calendar import SWEDISH_TIME
from ..scripting import SandboxedScriptEngine
from . import progress
from .incidents import describe
from .limits import (
    LimitReached,
    StepWatch,
    check_can_move,
    check_not_stalled,
    endless_prediction,
    predicted_task,
)
from .serializer import state_from_json, state_to_json

# A timer's date or date-time without a UTC offset ("2027-06-10") is Swedish time, in summer as in winter and
# whatever the server's time zone. SpiffWorkflow reads such a value at its module's LOCALTZ, a fixed offset taken
# from the server's clock when the module was imported.
spiff_timers.LOCALTZ = SWEDISH_TIME

log = logging.getLogger(__name__)

# How a diagram tells how a case ended: the variable `arendestatus` set on the path to its end event.
STATUS_BY_OUTCOME = {"avslutad": "closed", "installd": "cancelled", "avbojd": "declined"}


class ProcessError(Exception):
    """The process itself failed (a script, a condition, a table, a limit of the engine's step): the case is
    left as it was."""


class Unloadable(ProcessError):
    """The case's stored state cannot be loaded again: its data is nested deeper than the engine's serializer
    follows (stored before requests were limited in depth). Nothing of the engine can read or move it."""

    def __init__(self):
        super().__init__(
            "Ärendet kan inte läsas in: dess data är nästlade för djupt för att processmotorn ska kunna läsa in "
            "det. / The case cannot be loaded: its data is nested too deeply for the workflow engine to read it")


class TaskNotReady(Exception):
    pass


class NotWaiting(Exception):
    def __init__(self, message: str, waiting_for: list[str]):
        super().__init__(message)
        self.waiting_for = waiting_for


class CorrelationMismatch(NotWaiting):
    """The case waits for the message, but for one that correlates otherwise: `expected` lists, per catching
    event, the correlation values the payload must carry."""

    def __init__(self, message: str, waiting_for: list[str], expected: list[dict]):
        super().__init__(message, waiting_for)
        self.expected = expected


@dataclass
class HumanTask:
    id: str
    name: str
    title: str
    process: str
    candidate_group: str | None
    due_at: datetime | None
    form_schema: str | None
    form_ui_schema: str | None
    instructions: str | None
    completed_by_message: str | None
    data: dict


def group_name(label: str) -> str:
    """A lane name as a candidate group: 'Primärvård' -> 'primarvard'."""
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return "_".join(plain.lower().split())


def parse_due(value) -> datetime | None:
    """A due date from a diagram: a date means the end of that day in Swedish time."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value)
        moment = datetime.fromisoformat(text)
        if len(text) <= 10:
            moment = datetime.combine(moment.date(), time(23, 59, 59), SWEDISH_TIME)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SWEDISH_TIME)
    return moment.astimezone(UTC)


class _RecentWorkflows:
    """Workflows this process wrote last, by the exact state they were written as. Restoring that same state
    takes the object instead of parsing it again; an object is handed out once, so a step that fails
    half-way never leaves a changed object behind for the next reader."""

    def __init__(self, size: int = 256):
        self.size = size
        self.entries: dict[str, BpmnWorkflow] = {}
        self.lock = threading.Lock()

    def take(self, state: str) -> BpmnWorkflow | None:
        with self.lock:
            return self.entries.pop(state, None)

    def keep(self, state: str, workflow: BpmnWorkflow) -> None:
        with self.lock:
            self.entries[state] = workflow
            while len(self.entries) > self.size:
                self.entries.pop(next(iter(self.entries)))


_RECENT = _RecentWorkflows()


def _loaded(state: str, spec, subprocess_specs) -> BpmnWorkflow:
    try:
        return state_from_json(state, spec, subprocess_specs, SandboxedScriptEngine())
    except RecursionError as err:
        raise Unloadable() from err


def _is_instance(task) -> bool:
    """Whether the task is one instance of a multi-instance activity. The step after such an activity is a child of
    it in the task tree too, and is no instance: an instance runs the activity's own inner spec."""
    parent = task.parent
    return (parent is not None and isinstance(parent.task_spec, MultiInstanceTask)
            and task.task_spec.name == parent.task_spec.task_spec)


class CaseWorkflow:
    """A SpiffWorkflow workflow of one case, with the operations the services need."""

    def __init__(self, workflow: BpmnWorkflow):
        self.workflow = workflow
        self._before = progress.snapshot(workflow)  # what the next step is compared with (`ran`)

    # -- creating and storing -------------------------------------------------------------------------
    @classmethod
    def start(cls, spec, subprocess_specs, variables: dict) -> CaseWorkflow:
        try:
            workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=SandboxedScriptEngine())
        except RecursionError as err:  # predicting the path ahead of the start
            task = predicted_task(err)
            if task is None:
                raise
            raise ProcessError(describe(endless_prediction(task))) from err
        start = workflow.task_tree
        start.data.update(variables)
        case = cls(workflow)
        case._advance()
        return case

    @classmethod
    def restore(cls, state: str, spec, subprocess_specs) -> CaseWorkflow:
        workflow = _RECENT.take(state)
        if workflow is None or workflow.spec is not spec:
            workflow = _loaded(state, spec, subprocess_specs)
        return cls(workflow)

    @classmethod
    def read(cls, state: str, spec, subprocess_specs) -> CaseWorkflow:
        """The stored state, parsed anew to be read only: the workflow this process keeps for the next change
        of the case is left to it."""
        return cls(_loaded(state, spec, subprocess_specs))

    def dump(self) -> str:
        """The state to store; the workflow is kept in memory under it for the next restore of that state."""
        state = state_to_json(self.workflow)
        _RECENT.keep(state, self.workflow)
        return state

    # -- reading --------------------------------------------------------------------------------------
    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    def status(self) -> tuple[str, str | None]:
        if not self.completed:
            return "active", None
        data = self.workflow.data
        return STATUS_BY_OUTCOME.get(data.get("arendestatus"), "closed"), data.get("avslutsorsak")

    def human_tasks(self) -> list[HumanTask]:
        return [self._describe(t) for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)]

    def current_data(self) -> dict:
        """The process data as it stands: the data of the unfinished tasks, latest change winning.
        Boundary events and activities running a subprocess are left out (they hold the data of when the
        activity started), and so are the instances of multi-instance activities (each holds its own item)."""
        if self.completed:
            return dict(self.workflow.data)
        workflows = [self.workflow, *self.workflow.subprocesses.values()]
        live = [
            task
            for wf in workflows
            for task in wf.tasks.values()
            if task.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED)
            and not isinstance(task.task_spec, BoundaryEvent)
            and task.id not in self.workflow.subprocesses
            and not _is_instance(task)
        ]
        data: dict = {}
        for task in sorted(live, key=lambda t: t.last_state_change):
            data.update(task.data)
        return data

    def _waiting_definitions(self):
        """(task, event definition) for every event the case waits for, event gateways unfolded."""
        for task in list(self.workflow.event_manager.tasks.values()):
            definition = task.task_spec.event_definition
            for each in getattr(definition, "event_definitions", None) or [definition]:
                yield task, each

    def ran(self) -> dict[str, dict[str, str]]:
        """The elements completed, and the activities cancelled, since the workflow was started or restored, by
        diagram process (see `progress.ran`)."""
        return progress.ran(self.workflow, self._before)

    def progress(self) -> dict[str, dict[str, str]]:
        """The elements open, waiting or completed now, by diagram process (see `progress.current`)."""
        return progress.current(self.workflow)

    def stage(self) -> str | None:
        """The name of the subprocess or call activity the case is in (see `progress.stage`)."""
        return progress.stage(self.workflow)

    def waiting_catches(self) -> list[list[str]]:
        """The messages the case waits for now, by name, each as [message, the process spec and the task spec
        of the event that catches it]: plain values, to keep with the case (see `progress.message_texts`)."""
        return [[name, spec._wf_spec.name, spec.name]
                for name, spec in progress.waiting_message_events(self.workflow)]

    def waiting_messages(self) -> list[str]:
        return sorted({d.name for _, d in self._waiting_definitions() if isinstance(d, MessageEventDefinition)})

    def next_timer_due(self) -> datetime | None:
        due = []
        for task, definition in self._waiting_definitions():
            if not isinstance(definition, TimerEventDefinition):
                continue
            value = task._get_internal_data("event_value")
            if isinstance(value, dict):
                value = value.get("next")
            if value is None:
                continue
            try:
                due.append(TimerEventDefinition.get_datetime(str(value)))
            except ValueError:
                continue
        return min(due) if due else None

    def thrown_messages(self) -> list[tuple[str, object]]:
        return [(e.event_definition.name, e.payload) for e in self.workflow.get_events()
                if isinstance(e.event_definition, MessageEventDefinition)]

    # -- changing -------------------------------------------------------------------------------------
    def find_task(self, task_id: str):
        try:
            return self.workflow.get_task_from_id(UUID(task_id))
        except (TaskNotFoundException, ValueError):
            return None

    def complete(self, task_id: str, data: dict) -> None:
        task = self.find_task(task_id)
        if task is None:  # completed or cancelled meanwhile
            raise TaskNotReady(f"Task {task_id} is no longer open in this case")
        if not task.task_spec.manual or task.state != TaskState.READY:
            raise TaskNotReady(f"Task {task_id} is not ready ({TaskState.get_name(task.state)})")
        task.data.update(data)
        self._run(task.run)
        self._advance()

    def send_message(self, name: str, payload: dict | None) -> None:
        """Deliver a message from outside. The task that catches it first takes in the case's data as it
        stands now, so that the path the message starts knows what happened since that task began waiting
        (a boundary event would otherwise see the data of when its activity started, and inherits it again
        from its parent when it fires)."""
        catching = [(t, d) for t, d in self._waiting_definitions()
                    if isinstance(d, MessageEventDefinition) and d.name == name]
        if not catching:
            raise NotWaiting(f"The case does not wait for the message {name}", self.waiting_messages())
        event = self._correlated_event(name, catching, payload or {})
        current = self.current_data()
        for task, _ in catching:
            # The catching task and the tasks it inherits its data from.
            node = task
            while node is not None:
                node.data.update(current)
                node = node.parent
        self._run(lambda: self.workflow.send_event(event))
        self._advance()

    def _correlated_event(self, name: str, catching: list, payload: dict) -> BpmnEvent:
        """The event delivering `payload`, with the correlation values read from it as the diagram says (each
        property's retrieval expression on the payload), so that an event whose message correlates catches it.
        When none would (a value missing from the payload, or another than the case holds), the case waits
        for another message of that name: CorrelationMismatch says which."""
        environment = self.workflow.script_engine.environment
        expected = []
        for task, definition in catching:
            correlations: dict = {}
            unread = False
            for prop in definition.correlation_properties:
                try:
                    value = environment.evaluate(prop.retrieval_expression, dict(payload))
                except Exception:  # noqa: BLE001 -- a payload without the value: not this event's message
                    unread = True
                    continue
                for key in prop.correlation_keys:
                    correlations.setdefault(key, {})[prop.name] = value
            event = BpmnEvent(definition, payload, correlations)
            if not unread and definition.catches(task, event):
                return event
            held = task.workflow.correlations
            expected.append({"message": name, "event": task.task_spec.bpmn_id,
                             "correlation": {prop.name: held.get(key, {}).get(prop.name)
                                             for prop in definition.correlation_properties
                                             for key in prop.correlation_keys}})
        raise CorrelationMismatch(f"The case waits for the message {name}, but for one that correlates otherwise",
                                  self.waiting_messages(), expected)

    def fire_timers(self) -> None:
        self._run(self.workflow.refresh_timers)
        self._advance()

    # -- internals ------------------------------------------------------------------------------------
    def _advance(self) -> None:
        """Run the engine until the case waits, within the limits of one step (`limits`)."""
        watch = StepWatch()
        self._run(lambda: self.workflow.do_engine_steps(will_complete_task=watch.starting))
        self._run(lambda: check_not_stalled(self.workflow))
        self._run(lambda: check_can_move(self.workflow))

    def _run(self, step) -> None:
        try:
            step()
        except (WorkflowException, SpiffWorkflowException) as err:
            if getattr(err, "task", None) is None:  # e.g. a decision table's error, raised without its task
                err.task = self._failed_task()
            raise ProcessError(describe(err)) from err
        except LimitReached as err:
            raise ProcessError(describe(err)) from err
        except RecursionError as err:
            looked_ahead_from = predicted_task(err)
            if looked_ahead_from is None:
                raise
            raise ProcessError(describe(endless_prediction(looked_ahead_from))) from err
        except Exception as err:  # noqa: BLE001 -- the engine failing on a diagram is the case's incident, not a 500
            log.exception("the workflow engine failed in a step")
            raise ProcessError(describe(RuntimeError(f"The workflow engine failed in a step of the diagram: "
                                                     f"{type(err).__name__}: {err}"))) from err

    def _failed_task(self):
        """The task the engine marked as failed in the step just run (None when there is none)."""
        for workflow in [self.workflow, *self.workflow.subprocesses.values()]:
            for task in workflow.tasks.values():
                if task.state == TaskState.ERROR:
                    return task
        return None

    def _describe(self, task) -> HumanTask:
        spec = task.task_spec
        properties = (getattr(spec, "extensions", None) or {}).get("properties", {})
        group = None
        if expression := properties.get("candidateGroups"):
            group = str(self._evaluate_property(task, expression) or "") or None
        elif spec.lane:
            group = group_name(spec.lane)
        due = None
        if expression := properties.get("dueDate"):
            due = parse_due(self._evaluate_property(task, expression))
        return HumanTask(
            id=str(task.id),
            name=spec.bpmn_id or spec.name,
            title=spec.bpmn_name or spec.bpmn_id or spec.name,
            process=task.workflow.spec.name,
            candidate_group=group,
            due_at=due,
            form_schema=properties.get("formJsonSchemaFilename"),
            form_ui_schema=properties.get("formUiSchemaFilename"),
            instructions=(getattr(spec, "extensions", None) or {}).get("instructionsForEndUser"),
            completed_by_message=properties.get("completedByMessage"),
            data=task.data,
        )

    def _evaluate_property(self, task, expression: str):
        try:
            return self.workflow.script_engine.evaluate(task, expression)
        except (WorkflowException, SpiffWorkflowException) as err:
            if getattr(err, "task", None) is None:
                err.task = task
            raise ProcessError(describe(err)) from err


def message_names(spec, subprocess_specs: dict) -> set[str]:
    """Every message a process set can catch, or that completes a user task (property `completedByMessage`)."""
    names = set()
    for each in [spec, *subprocess_specs.values()]:
        for task_spec in each.task_specs.values():
            properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
            if properties.get("completedByMessage"):
                names.add(properties["completedByMessage"])
            definition = getattr(task_spec, "event_definition", None)
            for d in getattr(definition, "event_definitions", None) or [definition]:
                if isinstance(d, MessageEventDefinition) and task_spec.__class__.__name__ != "EndEvent":
                    names.add(d.name)
    return names
