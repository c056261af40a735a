"""The limits of one step of a case, so that a step that would never end fails instead, naming where.

A step (a start, a completion, a message, a timer) runs the engine until the case waits for someone or
something. A loop with no wait state on it (a script that sends the case round again and again), a process
calling itself, or a loop the engine cannot follow would make that step run without end, or end with the
case left active with nothing to wait for: SpiffWorkflow stops looking for work 1000 tasks deep in a tree
and recurses without end on some loops. So, within one step:

- no element runs more than `MAX_RUNS_PER_ELEMENT` times in the same (sub)process: the instances of a
  multi-instance activity, as many as its collection holds, do not count, and nor do the instances of a
  called process, which each run in a subprocess of their own;
- subprocesses nest at most `MAX_DEPTH` deep (a process calling itself);
- when the engine has stopped, no task of the case may still be ready to run by the engine: if one is, the
  engine gave up on it (its depth limit); and a case that has not ended must have something that can move it:
  a task for someone, or a message, timer or signal it waits for;
- a recursion without end where the engine looks ahead along a loop (`predicted_task`) is caught and
  reported at an element of the loop; other recursions (data nested too deeply) are left to the caller.

Each failure is a `LimitReached` naming the element (id and name) and its process; the services roll the
step back and record it as the case's incident (`engine.services.cases.transaction`).
"""

from __future__ import annotations

from collections import Counter

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.util.task import TaskState

MAX_RUNS_PER_ELEMENT = 100
MAX_DEPTH = 50
# Frames of SpiffWorkflow looking ahead in a recursion that ran out: one along a loop fills most of Python's
# limit of 1000; looking ahead along a process as drawn takes a few dozen.
PREDICTED_DEPTH = 200


class LimitReached(Exception):
    """A step of a case would not end (or the engine gave up on it): the message names the element; `task` is
    the task it happened at and `reason_sv` what happened, in Swedish, for the case's incident (`incidents`)."""

    def __init__(self, message: str, task=None, reason_sv: str | None = None):
        super().__init__(message)
        self.task = task
        self.reason_sv = reason_sv


def element_of(task) -> str:
    """A task's element as the diagram names it: `id ('name') in process 'process'`."""
    spec = task.task_spec
    element = getattr(spec, "bpmn_id", None) or spec.name
    name = getattr(spec, "bpmn_name", None)
    named = f"{element} ({name!r})" if name else element
    return f"{named} in process {task.workflow.spec.name!r}"


class StepWatch:
    """Counts what the engine runs in one step (`starting` is `do_engine_steps`'s callback before each task)."""

    def __init__(self, max_runs: int = MAX_RUNS_PER_ELEMENT, max_depth: int = MAX_DEPTH):
        self.max_runs = max_runs
        self.max_depth = max_depth
        self.runs: Counter = Counter()

    def starting(self, task) -> None:
        if getattr(task.workflow, "depth", 0) > self.max_depth:
            caller = task.workflow.parent_workflow.get_task_from_id(task.workflow.parent_task_id)
            raise LimitReached(
                f"The case went into processes called within each other more than {self.max_depth} deep, at "
                f"{element_of(caller or task)} (a process calling itself without waiting?). The step was not "
                "stored", caller or task, "processer anropar varandra utan att vänta (en process som anropar sig "
                "själv?); steget sparades inte")
        if _is_instance(task):
            return
        key = (id(task.workflow), task.task_spec.name)
        self.runs[key] += 1
        if self.runs[key] > self.max_runs:
            raise LimitReached(
                f"The case went round a loop without stopping: {element_of(task)} ran more than "
                f"{self.max_runs} times in one step. The step was not stored; the loop needs a wait state "
                "(a user task, a timer or a message) or a gateway that leaves it", task,
                f"ärendet gick runt en slinga utan att stanna (steget kördes mer än {self.max_runs} gånger); "
                "steget sparades inte. Slingan behöver ett vänteläge (en användaruppgift, en timer eller ett "
                "meddelande) eller en gateway som leder ut ur den")


def _is_instance(task) -> bool:
    """Whether the task is one instance of a multi-instance activity (its parent is the activity, and it runs the
    activity's inner spec)."""
    parent = task.parent
    return (parent is not None and isinstance(parent.task_spec, MultiInstanceTask)
            and task.task_spec.name == parent.task_spec.task_spec)


def predicted_task(err: RecursionError):
    """Where SpiffWorkflow was looking ahead when Python's recursion ran out (`TaskSpec._predict`, which recurses
    without end along a loop that no gateway can leave): the first task of the element it came back to most
    often, an element of that loop. None when the recursion was not SpiffWorkflow predicting."""
    seen: Counter = Counter()
    first: dict = {}
    frame = err.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_name == "_predict":
            task = frame.tb_frame.f_locals.get("my_task")
            if task is not None:
                seen[id(task.task_spec)] += 1
                first.setdefault(id(task.task_spec), task)
        frame = frame.tb_next
    if sum(seen.values()) < PREDICTED_DEPTH:
        return None  # looking ahead as usual when the recursion ran out elsewhere (a chain of case starts)
    most = max(seen.values())
    return next(task for spec, task in first.items() if seen[spec] == most)


def endless_prediction(task) -> LimitReached:
    return LimitReached(
        f"The engine could not follow the process at {element_of(task)}: it recursed without end looking ahead "
        "along a loop that no gateway can leave (a parallel gateway's branch flowing back into it?). The step "
        "was not stored", task, "motorn kunde inte följa processen längs en slinga som ingen gateway leder ut ur; "
        "steget sparades inte")


def check_not_stalled(workflow) -> None:
    """After the engine stopped: fail if a task the engine should run is still ready to run (the engine
    gave up on it), naming it. Subprocesses whose activity was cancelled are left out."""
    workflows = [workflow]
    for task_id, subprocess in workflow.subprocesses.items():
        parent = workflow.get_task_from_id(task_id) if task_id in workflow.tasks else None
        if parent is None:
            parent = next((wf.tasks[task_id] for wf in workflow.subprocesses.values() if task_id in wf.tasks), None)
        if parent is None or not parent.has_state(TaskState.CANCELLED):
            workflows.append(subprocess)
    for each in workflows:
        for task in each.tasks.values():
            if task.state == TaskState.READY and not task.task_spec.manual:
                raise LimitReached(
                    f"The engine gave up on the case at {element_of(task)}: the step went deeper than the engine "
                    "follows without reaching a wait state (a loop without end?). The step was not stored", task,
                    "motorn gav upp: steget nådde inget vänteläge (en slinga utan slut?); steget sparades inte")


def check_can_move(workflow) -> None:
    """After the engine stopped: fail if the case has not ended and nothing can move it any more, no task for
    anyone and no message, timer or signal it waits for; naming what it waits at (a parallel gateway waiting for a
    flow that will not come, say)."""
    if workflow.is_completed() or workflow.event_manager.tasks:
        return
    if workflow.get_tasks(state=TaskState.READY, manual=True):
        return
    waiting = [task for each in [workflow, *workflow.subprocesses.values()] for task in each.tasks.values()
               if task.state == TaskState.WAITING]
    last = max(waiting, key=lambda t: t.last_state_change) if waiting else None
    where = f" at {element_of(last)}" if last is not None else ""
    raise LimitReached(
        f"The case would be left waiting{where} with nothing that can move it: no task for anyone, and no message, "
        "timer or signal it waits for (a parallel gateway waiting for a flow that will not come?). The step was "
        "not stored", last, "ärendet skulle bli stående utan något som kan flytta det: ingen uppgift för någon och "
        "inget meddelande, ingen timer eller signal som det väntar på; steget sparades inte")
