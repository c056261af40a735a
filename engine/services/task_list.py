"""The task list: reads only the indexed table of tasks, never a workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .. import audit
from ..access import case_clause, require_task, task_clause
from ..database import db
from ..privacy import number_hash
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


def list_tasks(flt: TaskFilter, sort: str = "due", limit: int = 50, offset: int = 0,
               principal=None) -> tuple[list[Task], int]:
    """A page of tasks and the total; with a principal, only the tasks it may see (filtered in SQL, so the
    total and the pages never count another's rows)."""
    conditions = [Task.state == flt.state]
    if principal is not None:
        conditions.append(task_clause(principal, flt.state))
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
    if principal is not None:
        _audit_list("list_tasks", principal, rows, total)
    return rows, total


def _audit_list(action: str, principal, rows, total: int, subject_hash: str | None = None) -> None:
    ids = sorted({getattr(r, "case_id", None) or r.id for r in rows})
    audit.record_now(action, principal, subject_hash=subject_hash, detail={"total": total, "cases": ids})


def get_task(task_id: str, principal=None, audited: bool = True) -> Task:
    """A task; with a principal, one it may see (else NotFound, as if it did not exist). Audited as a read."""
    require_task(principal, task_id, "read_task")
    row = db.session.get(Task, task_id)
    if row is None:
        raise NotFound(f"No task {task_id}")
    if principal is not None and audited:
        audit.record_now("read_task", principal, case_id=row.case_id, task_id=task_id)
    return row


def list_cases(region: str | None = None, status: str | None = None, limit: int = 50, offset: int = 0,
               principal=None, personal_number: str | None = None):
    """A page of cases and the total; with a principal, only the cases its organisation may see. With a
    (normalised) personal number, that person's cases, found by the number's keyed hash."""
    conditions = []
    subject = number_hash(personal_number) if personal_number else None
    if subject is not None:
        conditions.append(Case.personal_number_hash == subject)
    if principal is not None:
        conditions.append(case_clause(principal))
    if region is not None:
        conditions.append(Case.region == region)
    if status is not None:
        conditions.append(Case.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(*conditions))
    rows = db.session.scalars(
        sa.select(Case).where(*conditions).order_by(Case.created_at.desc(), Case.id).limit(limit).offset(offset)
    ).all()
    if principal is not None or subject is not None:
        _audit_list("find_person" if subject else "list_cases", principal, rows, total, subject_hash=subject)
    return rows, total
