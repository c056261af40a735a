"""Moving a running workflow onto another version of its diagrams.

SpiffWorkflow's `SpecDiff` compares an old spec with a new one and `WorkflowDiff` tells which tasks of a workflow
are affected; its `migrate_workflow` then resets every ready and waiting task, which gives a timer a new due
moment and a user task the data of its parent. A case must keep what it has: its open tasks (their ids, which its
task rows, claims and drafts refer to, and their data), its timers' due moments and the messages it waits for. So
the alignment here is SpiffWorkflow's comparison with a stricter rule (a task's counterpart has the same id, or
the id an explicit mapping names: no guessing by position), and the move keeps every unfinished task as it is,
points it at its counterpart, and predicts afresh only what lies ahead of it.

`MoveCheck.obstacles` says, in Swedish, why a case cannot move; `move` changes the workflow only when there are
none."""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff
from SpiffWorkflow.dmn.specs import BusinessRuleTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from .serializer import SPEC_SERIALIZER

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
AHEAD = TaskState.PREDICTED_MASK | TaskState.FUTURE


@dataclass
class Obstacle:
    element: str
    message: str


@dataclass
class OpenTask:
    """A user task open now, as it will be after the move."""

    id: str
    element: str
    title: str
    old_form: str | None
    new_form: str | None
    # The new version computes its due date otherwise: it is calculated again (else it keeps the one it has).
    due_changed: bool = False


@dataclass
class MoveCheck:
    """What moving a workflow would do: why it cannot (`obstacles`), the user tasks open now (`open_tasks`), the
    timers whose expression changed and are recalculated (`retimed`: element ids)."""

    obstacles: list[Obstacle] = field(default_factory=list)
    open_tasks: list[OpenTask] = field(default_factory=list)
    retimed: list[str] = field(default_factory=list)
    # (workflow, its WorkflowDiff, its new spec) for every workflow of the case, top first.
    parts: list[tuple] = field(default_factory=list)
    new_subprocess_specs: dict = field(default_factory=dict)

    @property
    def can_move(self) -> bool:
        return not self.obstacles


def mapped_name(name: str, mapping: dict[str, str]) -> str:
    """A task spec's name in the new version: the same, or with its element id renamed by `mapping` (also for the
    specs SpiffWorkflow derives from an element: `x.BoundaryEventSplit`, `x [child]`)."""
    if name in mapping:
        return mapping[name]
    for old, new in mapping.items():
        if name.startswith(old) and name[len(old):len(old) + 1] in (".", " "):
            return new + name[len(old):]
    return name


class StrictSpecDiff(SpecDiff):
    """SpiffWorkflow's comparison of two versions of a process, with a task spec's counterpart found only by its id
    (or the id `mapping` gives it): a step that was removed is removed, even where a new one stands in its place."""

    def __init__(self, registry, original, new, mapping: dict[str, str]):
        super().__init__(registry, original, new)
        found = dict(self.alignment)
        self.alignment, comparisons = {}, {}
        for spec in original.task_specs.values():
            target = new.task_specs.get(mapped_name(spec.name, mapping))
            self.alignment[spec] = target
            if target is not None:
                same = found.get(spec) is target and spec in self.comparisons
                comparisons[spec] = self.comparisons[spec] if same else self._compare_task_specs(spec, target)
        self.comparisons = comparisons
        aligned = {id(spec) for spec in self.alignment.values() if spec is not None}
        self.added = [spec for spec in new.task_specs.values() if id(spec) not in aligned]


class SpecDiffs:
    """The comparisons of one move (old version, new version, mapping), made once for every case that takes it."""

    def __init__(self, new_spec, new_subprocess_specs: dict, mapping: dict[str, str] | None = None):
        self.new_spec = new_spec
        self.new_subprocess_specs = new_subprocess_specs
        self.mapping = dict(mapping or {})
        self._diffs: dict[tuple[int, str], StrictSpecDiff] = {}
        self.reads: dict[tuple[int, int], dict[str, str]] = {}

    def target(self, old_spec, top: bool):
        if top:
            return self.new_spec
        return self.new_subprocess_specs.get(mapped_name(old_spec.name, self.mapping))

    def diff(self, old_spec, new_spec) -> StrictSpecDiff:
        key = (id(old_spec), new_spec.name)
        found = self._diffs.get(key)
        if found is None:
            found = self._diffs[key] = StrictSpecDiff(SPEC_SERIALIZER.registry, old_spec, new_spec, self.mapping)
        return found


def element_of(spec) -> str:
    return spec.bpmn_id or spec.name


def _title(spec) -> str:
    return spec.bpmn_name or element_of(spec)


def _properties(spec) -> dict:
    return (getattr(spec, "extensions", None) or {}).get("properties", {}) or {}


def _timer(spec) -> TimerEventDefinition | None:
    definition = getattr(spec, "event_definition", None)
    return definition if isinstance(definition, TimerEventDefinition) else None


def _messages(spec) -> list[str]:
    definition = getattr(spec, "event_definition", None)
    return [d.name for d in getattr(definition, "event_definitions", None) or [definition]
            if isinstance(d, MessageEventDefinition)]


def _what_waits(task) -> str:
    spec = task.task_spec
    if spec.manual:
        return f"Uppgiften '{_title(spec)}' är öppen"
    if _timer(spec) is not None:
        return f"Ärendet väntar på tiden vid '{_title(spec)}'"
    if names := _messages(spec):
        return f"Ärendet väntar på meddelandet '{names[0]}' vid '{_title(spec)}'"
    if isinstance(spec, SubWorkflowTask):
        return f"Ärendet är inne i steget '{_title(spec)}'"
    return f"Ärendet står vid '{_title(spec)}'"


def check(workflow, diffs: SpecDiffs, version: int) -> MoveCheck:
    """Whether the workflow can move to the new version, and what the move would change: every task that is not
    only predicted (open, waiting, running, or done on a branch not yet joined) needs a counterpart, and so does
    every subprocess the case is in."""
    found = MoveCheck(new_subprocess_specs=diffs.new_subprocess_specs)
    parts = [(workflow, True)] + [(sub, False) for sub in workflow.subprocesses.values()]
    for part, top in parts:
        new_spec = diffs.target(part.spec, top)
        if new_spec is None:
            caller = workflow.get_task_from_id(part.parent_task_id)
            found.obstacles.append(Obstacle(element_of(caller.task_spec), (
                f"{_what_waits(caller)}, men delprocessen '{part.spec.name}' finns inte i version {version}")))
            continue
        diff = WorkflowDiff(part, diffs.diff(part.spec, new_spec))
        found.parts.append((part, diff, new_spec))
        for task in diff.removed:
            if task.has_state(AHEAD):
                continue
            element = element_of(task.task_spec)
            if task.has_state(LIVE):
                message = f"{_what_waits(task)}, men '{element}' finns inte i version {version}"
            else:
                message = (f"Steget '{_title(task.task_spec)}' är gjort på en gren som ännu inte är sammanförd, "
                           f"men '{element}' finns inte i version {version}")
            found.obstacles.append(Obstacle(element, message))
        for task in part.get_tasks(state=LIVE, skip_subprocesses=True):
            new = diff.alignment.get(task)
            if new is None:
                continue
            _check_live(task, new, diffs, version, found)
    return found


def _check_live(task, new, diffs: SpecDiffs, version: int, found: MoveCheck) -> None:
    old = task.task_spec
    element = element_of(old)
    if type(old) is not type(new) or old.manual != new.manual:
        found.obstacles.append(Obstacle(element, (
            f"{_what_waits(task)}, men '{element_of(new)}' är ett annat slags steg i version {version}")))
        return
    if isinstance(old, SubWorkflowTask) and new.spec != mapped_name(old.spec, diffs.mapping):
        found.obstacles.append(Obstacle(element, (
            f"{_what_waits(task)}, men i version {version} anropar steget '{new.spec}' i stället")))
        return
    parent = task.parent
    if parent is not None and not parent.has_state(AHEAD):
        split_before = isinstance(parent.task_spec, BoundaryEventSplit)
        split_after = any(isinstance(spec, BoundaryEventSplit) for spec in new.inputs)
        if split_before != split_after:
            found.obstacles.append(Obstacle(element, (
                f"{_what_waits(task)}, och i version {version} har steget fått eller förlorat händelser som "
                "kan avbryta det: det kan inte flyttas medan det pågår")))
            return
    if old.manual:
        found.open_tasks.append(OpenTask(
            id=str(task.id), element=element_of(new), title=_title(new),
            old_form=_properties(old).get("formJsonSchemaFilename"),
            new_form=_properties(new).get("formJsonSchemaFilename"),
            due_changed=_properties(old).get("dueDate") != _properties(new).get("dueDate")))
    old_timer, new_timer = _timer(old), _timer(new)
    if old_timer is not None and new_timer is not None and old_timer.expression != new_timer.expression \
            and task.state == TaskState.WAITING:
        found.retimed.append(element_of(new))


def move(workflow, checked: MoveCheck, diffs: SpecDiffs) -> None:
    """Put the workflow onto the new version as `checked` found it (which must have no obstacles): every kept
    task is pointed at its counterpart with its id, state, data and timer as they were; what lies ahead of the
    unfinished tasks is predicted again from the new diagrams; a timer whose expression changed is calculated
    again now. Raises MoveFailed where the new version cannot compute what it needs (a variable it reads that
    the case has not set)."""
    if not checked.can_move:
        raise ValueError("the workflow cannot move: " + "; ".join(o.message for o in checked.obstacles))
    retimed = set(checked.retimed)
    workflow.subprocess_specs = diffs.new_subprocess_specs
    for part, diff, new_spec in checked.parts:
        predicted_under = _drop_predictions(part)
        part.spec = new_spec
        for task in part.tasks.values():
            new = diff.alignment.get(task)
            if new is not None:
                task.task_spec = new
        for parent, state in predicted_under.items():
            if parent.id in part.tasks:
                _predict_again(parent, state)
        if part.last_task is not None and part.last_task.id not in part.tasks:
            part.last_task = None
    for part, _diff, _spec in checked.parts:
        for task in part.get_tasks(state=TaskState.WAITING, skip_subprocesses=True):
            if element_of(task.task_spec) in retimed and _timer(task.task_spec) is not None:
                task.internal_data.pop("event_value", None)
                _evaluate(task, lambda t=task: t.task_spec.event_definition.has_fired(t))
    for part, _diff, _spec in checked.parts:
        for task in part.get_tasks(state=TaskState.WAITING, skip_subprocesses=True):
            if isinstance(task.task_spec, CatchingEvent):
                workflow.event_manager.add_task(task)


class MoveFailed(Exception):
    """The new version cannot compute what the case needs now: `obstacle` names the element and why."""

    def __init__(self, obstacle: Obstacle):
        super().__init__(obstacle.message)
        self.obstacle = obstacle


_UNDEFINED = re.compile(r"name '([^']+)' is not defined")


def _evaluate(task, step):
    try:
        return step()
    except (WorkflowException, SpiffWorkflowException, NameError, KeyError, TypeError, ValueError) as err:
        raise MoveFailed(failed_obstacle(task, err)) from err


def failed_obstacle(task, err: Exception) -> Obstacle:
    """Why the new version cannot compute what `task` needs: a variable it reads before the case sets it, named."""
    element = element_of(task.task_spec)
    text = str(err)
    missing = _UNDEFINED.search(text)
    if missing:
        return Obstacle(element, f"Den nya versionen läser '{missing.group(1)}' vid '{_title(task.task_spec)}', "
                                 "men ärendet har inte det värdet än")
    return Obstacle(element, f"'{_title(task.task_spec)}' kan inte beräknas i den nya versionen: {text}")


def _drop_predictions(part) -> dict:
    """Remove every predicted task (its subtree with it); returns the tasks that had predicted children, with the
    state those children had, to predict again below once the new specs are in."""
    under = {}
    for task in list(part.tasks.values()):
        if task.id not in part.tasks or task.has_state(AHEAD):
            continue
        ahead = [child for child in task.children if child.has_state(AHEAD)]
        if not ahead:
            continue
        under[task] = ahead[0].state
        for child in ahead:
            part._remove_task(child.id)
    return under


def _predict_again(task, state: int) -> None:
    """Add the steps the task's new spec leads to that it has no child for yet, and predict on from them."""
    present = {id(child.task_spec) for child in task.children}
    for spec in task.task_spec.outputs:
        if id(spec) in present:
            continue
        child = task._add_child(spec, state)
        child.task_spec._predict(child, mask=AHEAD)


# -- what the new version reads ahead ---------------------------------------------------------------------------
def new_reads(checked: MoveCheck, diffs: SpecDiffs, form_fields) -> list[Obstacle]:
    """The variables the new version reads on the way ahead of the case (a script, a condition, a timer, a task's
    due date or group) before any step on that way sets them, and that the case has not set: each named with the
    first element that reads it. Only what the new version reads and the old one did not is named, so a case is
    never refused for what its own version would have met as well. `form_fields(form file name)` gives the
    fields a form sets. Call on a checked workflow before it is moved."""
    found: dict[str, Obstacle] = {}
    for part, diff, _new_spec in checked.parts:
        known = set(part.top_workflow.data) | set(part.data)
        for task in part.get_tasks(state=LIVE, skip_subprocesses=True):
            new = diff.alignment.get(task)
            if new is None:
                continue
            have = known | set(task.data)
            ahead_old = _reads_ahead(diffs, task.task_spec, part.top_workflow.subprocess_specs, form_fields)
            ahead_new = _reads_ahead(diffs, new, checked.new_subprocess_specs, form_fields)
            for name, element in ahead_new.items():
                if name in have or name in ahead_old or name in found:
                    continue
                found[name] = Obstacle(element, f"Den nya versionen läser '{name}' vid '{element}' innan något "
                                                "steg framför ärendet sätter det, och ärendet har inte det värdet")
    return list(found.values())


def _reads_ahead(diffs: SpecDiffs, start, subprocess_specs: dict, form_fields) -> dict[str, str]:
    """Names read after `start` (a task spec) before the way there sets them: name -> the element reading it.
    Kept with the move's comparisons: every case of the move at the same step reads the same."""
    key = (id(start), id(subprocess_specs))
    found = diffs.reads.get(key)
    if found is None:
        found = diffs.reads[key] = _walk_reads(start, subprocess_specs, form_fields)
    return found


def _walk_reads(start, subprocess_specs: dict, form_fields) -> dict[str, str]:
    from ..scripting import HELPERS, SAFE_BUILTINS

    ignored = set(HELPERS) | set(SAFE_BUILTINS) | {"True", "False", "None"}
    found: dict[str, str] = {}
    seen: set[int] = set()
    stack = [(output, frozenset(_sets(start, subprocess_specs, form_fields))) for output in start.outputs]
    while stack:
        spec, sets = stack.pop()
        if id(spec) in seen:
            continue
        seen.add(id(spec))
        for name in _reads(spec) - sets - ignored:
            found.setdefault(name, element_of(spec))
        if isinstance(spec, BusinessRuleTaskMixin):
            continue  # a decision table sets what its outputs name: nothing after it is counted as unset
        sets = sets | _sets(spec, subprocess_specs, form_fields)
        nexts = list(spec.outputs)
        inner = getattr(spec, "task_spec", None)
        if isinstance(inner, str) and inner in spec._wf_spec.task_specs:
            nexts.append(spec._wf_spec.task_specs[inner])
        if isinstance(spec, SubWorkflowTask) and spec.spec in subprocess_specs:
            nexts.append(subprocess_specs[spec.spec].start)
        stack.extend((each, sets) for each in nexts)
    return found


def _sources(spec) -> list[tuple[str, str]]:
    """(source, mode) of every piece of Python the spec runs."""
    found = []
    for text in (getattr(spec, "script", None), getattr(spec, "prescript", None), getattr(spec, "postscript", None)):
        if isinstance(text, str) and text:
            found.append((text, "exec"))
    for condition, _ in getattr(spec, "cond_task_specs", None) or []:
        expression = condition.args[0] if getattr(condition, "args", None) else condition
        if isinstance(expression, str) and expression:
            found.append((expression, "eval"))
    definition = getattr(spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition) and isinstance(definition.expression, str):
        found.append((definition.expression, "eval"))
    for name in ("cardinality", "condition"):
        value = getattr(spec, name, None)
        if isinstance(value, str) and value:
            found.append((value, "eval"))
    properties = _properties(spec)
    for name in ("candidateGroups", "dueDate"):
        if isinstance(properties.get(name), str):
            found.append((properties[name], "eval"))
    return found


def _parse(source: str, mode: str):
    try:
        return ast.parse(textwrap.dedent(source).strip() if mode == "exec" else source.strip(), mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _reads(spec) -> set[str]:
    """The names the spec's Python reads that it does not bind itself; a name tested with `finns("name")` in
    the same piece counts as guarded, not read. An input collection of a multi-instance activity is read."""
    names = set()
    data_input = getattr(spec, "data_input", None)
    if data_input is not None and getattr(data_input, "bpmn_id", None):
        names.add(data_input.bpmn_id)
    for source, mode in _sources(spec):
        tree = _parse(source, mode)
        if tree is None:
            continue
        bound, guarded, read = set(), set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "finns":
                guarded.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
        names |= read - bound - guarded
    return names


def _sets(spec, subprocess_specs: dict, form_fields) -> set[str]:
    """The names a step may set: its form's fields, what its scripts assign, a multi-instance activity's item and
    output, and everything a called process may set."""
    names = set()
    form = _properties(spec).get("formJsonSchemaFilename")
    if form:
        names |= set(form_fields(form))
    for source, mode in _sources(spec):
        tree = _parse(source, mode)
        if tree is not None:
            names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    for name in ("data_output", "input_item", "output_item"):
        value = getattr(spec, name, None)
        if getattr(value, "bpmn_id", None):
            names.add(value.bpmn_id)
    inner = getattr(spec, "task_spec", None)
    if isinstance(inner, str) and inner in spec._wf_spec.task_specs:
        names |= _sets(spec._wf_spec.task_specs[inner], subprocess_specs, form_fields)
    if isinstance(spec, SubWorkflowTask) and spec.spec in subprocess_specs:
        for each in subprocess_specs[spec.spec].task_specs.values():
            if each is not spec:
                names |= _sets(each, {}, form_fields)
    definition = getattr(spec, "event_definition", None)
    for each in getattr(definition, "event_definitions", None) or [definition]:
        for name in ("message_var", "variable"):
            if isinstance(getattr(each, name, None), str):
                names.add(getattr(each, name))
    return names
