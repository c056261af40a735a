"""Drop a workflow's finished history before it is stored.

SpiffWorkflow keeps every task it ever ran, each with its own view of the data, so a case that goes
through years of follow-ups would grow with every step and slow down with it. What the engine needs to
go on is only the part of the task tree that still holds unfinished tasks; the history of a case is kept
in its own table instead (`case_events`).

For every workflow (the main one and each running subprocess) the tree is cut above the deepest task
that is an ancestor of every unfinished task: that task is re-attached directly below the root and the
finished tasks above it, with the finished branches hanging off them, are removed; the root takes over
the data of the task it replaces as the parent. Subprocesses that have
finished and handed their data back are removed too."""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState


def compact(workflow: BpmnWorkflow) -> None:
    _drop_finished_subprocesses(workflow)
    _prune_history(workflow)
    for subprocess in workflow.subprocesses.values():
        _prune_history(subprocess)
    _drop_finished_subprocesses(workflow)


def _drop_finished_subprocesses(top: BpmnWorkflow) -> None:
    changed = True
    while changed:
        changed = False
        for task_id, subprocess in list(top.subprocesses.items()):
            task = _find_task(top, task_id)
            if task is None or (subprocess.completed and task.has_state(TaskState.FINISHED_MASK)):
                del top.subprocesses[task_id]
                changed = True


def _find_task(top: BpmnWorkflow, task_id):
    if task_id in top.tasks:
        return top.tasks[task_id]
    for subprocess in top.subprocesses.values():
        if task_id in subprocess.tasks:
            return subprocess.tasks[task_id]
    return None


def _prune_history(workflow) -> None:
    root = workflow.task_tree
    if root is None:
        return
    tasks = workflow.tasks
    unfinished_below = _unfinished_subtrees(workflow)
    if root.id not in unfinished_below:
        return  # the workflow has finished: nothing to continue from, keep it as it is

    # Walk down while the path is a single finished chain towards all unfinished tasks.
    keep = root
    while keep.has_state(TaskState.FINISHED_MASK):
        branches = [cid for cid in keep._children if cid in unfinished_below]
        if len(branches) != 1:
            break
        keep = tasks[branches[0]]

    if keep is root or keep._parent == root.id:
        return

    # Tasks inherit their data from their parent when they are updated: the root takes over the data of
    # the parent it replaces.
    root.data = tasks[keep._parent].data
    doomed = []
    stack = [cid for cid in root._children]
    while stack:
        tid = stack.pop()
        if tid == keep.id:
            continue
        doomed.append(tid)
        stack.extend(tasks[tid]._children)
    for tid in doomed:
        tasks.pop(tid, None)
    root._children = [keep.id]
    keep._parent = root.id
    if workflow.last_task is not None and workflow.last_task.id not in tasks:
        workflow.last_task = None


def _unfinished_subtrees(workflow) -> set:
    """Ids of the tasks whose subtree (themselves included) holds an unfinished task."""
    tasks = workflow.tasks
    marked = set()
    for task in tasks.values():
        if task.has_state(TaskState.FINISHED_MASK):
            continue
        tid = task.id
        while tid is not None and tid not in marked:
            marked.add(tid)
            tid = tasks[tid]._parent
    return marked
