"""The task list: reads only the indexed table of tasks, never a workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..database import db
from ..store import Case, Task
from .errors import NotFound

SORTS = {
    "due": (Task.due_at.asc().nulls_last(), Task.id.asc()),
    "-due": (Task.due_at.desc().nulls_last(), Task.id.asc()),
    "created": (Task.created_at.asc(), Task.id.asc()),
    "-created": (Task.created_at.desc(), Task.id.asc()),
}


@dataclass
class TaskFilter:
    candidate_group: str | None = None
    assignee: str | None = None
    case_id: str | None = None
    region: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    state: str = "open"


def list_tasks(flt: TaskFilter, sort: str = "due", limit: int = 50, offset: int = 0) -> tuple[list[Task], int]:
    conditions = [Task.state == flt.state]
    for column, value in ((Task.candidate_group, flt.candidate_group), (Task.assignee, flt.assignee),
                          (Task.case_id, flt.case_id), (Task.region, flt.region)):
        if value is not None:
            conditions.append(column == value)
    if flt.due_before is not None:
        conditions.append(Task.due_at < flt.due_before)
    if flt.due_after is not None:
        conditions.append(Task.due_at >= flt.due_after)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(*conditions))
    rows = db.session.scalars(
        sa.select(Task).where(*conditions).order_by(*SORTS[sort]).limit(limit).offset(offset)
    ).all()
    return rows, total


def get_task(task_id: str) -> Task:
    row = db.session.get(Task, task_id)
    if row is None:
        raise NotFound(f"No task {task_id}")
    return row


def list_cases(region: str | None = None, status: str | None = None, limit: int = 50, offset: int = 0):
    conditions = []
    if region is not None:
        conditions.append(Case.region == region)
    if status is not None:
        conditions.append(Case.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(*conditions))
    rows = db.session.scalars(
        sa.select(Case).where(*conditions).order_by(Case.created_at.desc(), Case.id).limit(limit).offset(offset)
    ).all()
    return rows, total
