"""The task list: reads only the indexed table of tasks, never a workflow."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from .. import audit
from ..access import case_clause, require_task, task_clause
from ..database import db
from ..privacy import number_hash
from ..store import NO_DUE_DATE, Case, Task, TaskViewer
from .errors import NotFound

SORTS = {
    "due": (Task.due_at.asc().nulls_last(), Task.id.asc()),
    "-due": (Task.due_at.desc().nulls_last(), Task.id.asc()),
    "created": (Task.created_at.asc(), Task.id.asc()),
    "-created": (Task.created_at.desc(), Task.id.asc()),
}
# The same orders over an organisation's viewer rows, as (column, descending); "-due" is read in two parts
# (see _latest_due_first).
VIEWER_SORTS = {
    "due": (("due_sort", False), ("task_id", False)),
    "-due": (("due_sort", True), ("task_id", False)),
    "created": (("created_at", False), ("task_id", False)),
    "-created": (("created_at", True), ("task_id", False)),
}
BY_ID = (("task_id", False),)

# The viewer rows counted for the total, beside those read for the page in the same statement.
COUNTED = aliased(TaskViewer, name="counted")
# The filters that compare a viewer row's column with the value given.
FILTERED_COLUMNS = ("candidate_group", "assignee", "case_id", "region")
# What a row of the list shows of a task (engine.api.presenters.task_out): not its form, instructions or the
# draft itself.
LISTED = tuple(Task.__table__.c[name] for name in (
    "id", "case_id", "region", "name", "title", "process", "candidate_group", "assignee", "due_at", "state",
    "created_at", "completed_at", "person_name", "draft_saved_at", "draft_saved_by"))


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
               principal=None) -> tuple[list[sa.Row], int]:
    """A page of tasks and the total; with a principal, only the tasks it may see (filtered in SQL, so the
    total and the pages never count another's rows). A task is a row of its columns, read only: the list
    builds no ORM objects."""
    if principal is not None and flt.state == "open":
        rows, total = _open_tasks_seen_by(principal.organisation, flt, sort, limit, offset)
        _audit_list("list_tasks", principal, rows, total)
        return rows, total
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
    rows = db.session.execute(
        sa.select(*LISTED).where(*conditions).order_by(*SORTS[sort]).limit(limit).offset(offset)
    ).all()
    if principal is not None:
        _audit_list("list_tasks", principal, rows, total)
    return rows, total


def _open_tasks_seen_by(organisation: str, flt: TaskFilter, sort: str, limit: int,
                        offset: int) -> tuple[list[sa.Row], int]:
    """An organisation's open tasks from its viewer rows, in one statement (every round trip counts in a
    request this frequent): the page is a range of an index read in order, only its own tasks are read, and
    the total is an index-only count."""
    params = _viewer_params(organisation, flt)
    if sort == "-due":
        return _latest_due_first(params, limit, offset)
    rows = _run(("page with total", sort, *params), params, limit, offset)
    if rows:
        return rows, rows[0][-1]
    return [], 0 if offset == 0 and limit > 0 else _run(("count", None, *params), params)


def _latest_due_first(params: dict, limit: int, offset: int) -> tuple[list[sa.Row], int]:
    """Latest due first keeps tasks without a due date last: the dated rows (descending), then the undated
    ones, each part a range of the same index."""
    rows = _run(("dated page", "-due", *params), params, limit, offset)
    if len(rows) < limit:
        dated_total = offset + len(rows) if rows or offset == 0 else _run(("dated count", None, *params), params)
        rows += _run(("undated page", None, *params), params, limit - len(rows), max(0, offset - dated_total))
    if len(rows) < limit and (rows or offset == 0):
        return rows, offset + len(rows)  # the last page: no count needed
    return rows, _run(("count", None, *params), params)


def _viewer_params(organisation: str, flt: TaskFilter) -> dict:
    """The values of the list's filters over viewer rows; which of them are given decides the statement.
    Due dates compare on the sort key, which is the due date itself for every task that has one, so the index
    serves them too."""
    params = {"organisation": organisation}
    for name in FILTERED_COLUMNS:
        if getattr(flt, name) is not None:
            params[name] = getattr(flt, name)
    if flt.due_before is not None:
        params["due_before"] = min(_utc(flt.due_before), NO_DUE_DATE)
    if flt.due_after is not None:
        params["due_after"] = _utc(flt.due_after)
    return params


def _run(key: tuple, params: dict, limit: int | None = None, offset: int | None = None):
    """Runs the statement of `key` (what it reads, its order, the names of the filters given) with the
    values of this request: rows of a page, or a count."""
    statement = _statement(key)
    if limit is None:
        return db.session.scalar(statement, params)
    if limit <= 0:
        return []
    return db.session.execute(statement, {**params, "limit": limit, "offset": offset}).all()


@functools.cache
def _statement(key: tuple):
    """The statement of a kind of list read, built once: a request only binds its values (building the page's
    subquery anew took as long as running it)."""
    part, sort, *given = key
    conditions = _viewer_conditions(TaskViewer, given)
    if part == "count":
        return _count(conditions)
    if part == "dated count":
        return _count([*conditions, TaskViewer.due_sort < NO_DUE_DATE])
    if part == "page with total":
        total = _count(_viewer_conditions(COUNTED, given), COUNTED).scalar_subquery()
        return _page(conditions, VIEWER_SORTS[sort], total)
    if part == "dated page":
        return _page([*conditions, TaskViewer.due_sort < NO_DUE_DATE], VIEWER_SORTS["-due"])
    return _page([*conditions, TaskViewer.due_sort == NO_DUE_DATE], BY_ID)  # the undated page


def _page(conditions: list, order: tuple, *extra):
    """The tasks of a page as rows of their columns, in order, with `extra` columns after them: the page of
    viewer rows is taken first (limit and offset on the index alone), then joined to its tasks, so rows skipped
    by the offset read no task."""
    page = sa.select(*(getattr(TaskViewer, name) for name in {name: None for name, _ in order})) \
        .where(*conditions).order_by(*_ordered(TaskViewer, order)) \
        .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("page")
    return sa.select(*LISTED, *extra).join(page, page.c.task_id == Task.id).order_by(*_ordered(page.c, order))


def _count(conditions: list, viewers=TaskViewer):
    return sa.select(sa.func.count()).select_from(viewers).where(*conditions)


def _ordered(columns, order: tuple) -> list:
    return [getattr(columns, name).desc() if descending else getattr(columns, name).asc()
            for name, descending in order]


def _viewer_conditions(v, given) -> list:
    """The list's filters over the organisation's viewer rows (`v`: TaskViewer or an alias of it), for the
    filters `given` (names of `_viewer_params`), each compared with a bound value of that name."""
    conditions = [v.organisation == sa.bindparam("organisation")]
    for name in FILTERED_COLUMNS:
        if name in given:
            conditions.append(getattr(v, name) == sa.bindparam(name))
    if "due_before" in given:
        conditions.append(v.due_sort < sa.bindparam("due_before"))
    if "due_after" in given:
        conditions += [v.due_sort >= sa.bindparam("due_after"), v.due_sort < NO_DUE_DATE]
    return conditions


def _utc(moment: datetime) -> datetime:
    """As stored: UTC (a naive moment is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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
