"""The task list: reads only the indexed table of tasks, never a workflow."""

from __future__ import annotations

import functools
import hashlib
import time as clock
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from .. import audit
from ..access import require_task, task_clause
from ..access.task_viewers import search_key
from ..calendar import SWEDISH_TIME
from ..database import db
from ..privacy import number_hash
from ..store import NO_DUE_DATE, Case, CaseAccess, ProcessDefinition, Task, TaskViewer
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
# A total is counted exactly up to LARGE_TOTAL at every request: the count stops at the entry after it. A larger
# one (an organisation with 20,000 open tasks: 2-5 ms of index entries on the 2-core machine of the benchmarks,
# at every request) is counted in full at most every TOTAL_FRESH_SECONDS by each server process, for the same
# organisation and filters, and given as then counted; the page itself is read anew at every request. The web
# app polls the task summary, which counts every time, as often.
LARGE_TOTAL = 1000
TOTAL_FRESH_SECONDS = 10.0
_large_totals: dict[tuple, tuple[float, int]] = {}
# The filters that compare a viewer row's column with the value given.
FILTERED_COLUMNS = ("candidate_group", "assignee", "case_id", "region", "name")
# What a row of the list shows of a task (engine.api.presenters.task_out): not its form, instructions or the
# draft itself.
LISTED_NAMES = ("id", "case_id", "region", "name", "title", "process", "candidate_group", "assignee", "due_at", "state",
                "created_at", "completed_at", "person_name", "draft_saved_at", "draft_saved_by")
LISTED = tuple(Task.__table__.c[name] for name in LISTED_NAMES)


@dataclass
class TaskFilter:
    candidate_group: str | None = None
    assignee: str | None = None
    case_id: str | None = None
    region: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    state: str = "open"
    name: str | None = None  # the kind of task: its BPMN id
    person: str | None = None  # part of the person's name, in any case


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
                          (Task.case_id, flt.case_id), (Task.region, flt.region), (Task.name, flt.name)):
        if value is not None:
            conditions.append(column == value)
    if flt.person is not None:
        conditions.append(Task.case_id.in_(sa.select(Case.id).where(
            Case.person_key.like(name_pattern(flt.person), escape="\\"))))
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
    the total is an index-only count (see LARGE_TOTAL)."""
    params = _viewer_params(organisation, flt)
    if sort == "-due":
        return _latest_due_first(params, limit, offset)
    known = _counted_lately(params)
    if known is not None:
        rows = _run(("page", sort, *params), params, limit, offset)
        if len(rows) < limit and (rows or offset == 0):
            _large_totals.pop(_total_key(params), None)
            return rows, offset + len(rows)  # the last page: the total is known exactly
        return rows, max(known, offset + len(rows))
    rows = _run(("page with total", sort, *params), params, limit, offset)
    if rows:
        return rows, _in_full(rows[0][-1], params)
    return [], 0 if offset == 0 and limit > 0 else _total(params)


def _latest_due_first(params: dict, limit: int, offset: int) -> tuple[list[sa.Row], int]:
    """Latest due first keeps tasks without a due date last: the dated rows (descending), then the undated
    ones, each part a range of the same index."""
    rows = _run(("dated page", "-due", *params), params, limit, offset)
    if len(rows) < limit:
        dated_total = offset + len(rows) if rows or offset == 0 else _run(("dated count", None, *params), params)
        rows += _run(("undated page", None, *params), params, limit - len(rows), max(0, offset - dated_total))
    if len(rows) < limit and (rows or offset == 0):
        return rows, offset + len(rows)  # the last page: no count needed
    return rows, _total(params)


def _total(params: dict) -> int:
    known = _counted_lately(params)
    return known if known is not None else _in_full(_run(("count", None, *params), params), params)


def _in_full(counted: int, params: dict) -> int:
    """The total from a count that stops after LARGE_TOTAL entries: that count itself, or else the count in
    full, which is kept for TOTAL_FRESH_SECONDS."""
    if counted <= LARGE_TOTAL:
        _large_totals.pop(_total_key(params), None)
        return counted
    total = _run(("full count", None, *params), params)
    if len(_large_totals) >= 1024:
        _large_totals.clear()
    _large_totals[_total_key(params)] = (clock.monotonic(), total)
    return total


def _counted_lately(params: dict) -> int | None:
    """The total of these filters counted in full less than TOTAL_FRESH_SECONDS ago, if it was that large."""
    found = _large_totals.get(_total_key(params))
    if found is None or clock.monotonic() - found[0] >= TOTAL_FRESH_SECONDS:
        return None
    return found[1]


def _total_key(params: dict) -> tuple:
    return tuple(sorted(params.items()))


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
    if flt.person is not None:
        params["person"] = name_pattern(flt.person)
    return params


def name_pattern(text: str) -> str:
    """A LIKE pattern (escaped with a backslash) that finds `text` anywhere in a name folded by `search_key`."""
    folded = search_key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{folded}%"


def _run(key: tuple, params: dict, limit: int | None = None, offset: int | None = None):
    """Runs the statement of `key` (what it reads, its order, the names of the filters given) with the
    values of this request: rows of a page, or a count."""
    statement = _statement(key)
    connection = db.session.connection()  # rows of plain values: the ORM's result handling is not needed
    if limit is None:
        return connection.execute(statement, {**params, "counted": LARGE_TOTAL + 1}).scalar()
    if limit <= 0:
        return []
    return connection.execute(statement, {**params, "limit": limit, "offset": offset,
                                          "counted": LARGE_TOTAL + 1}).all()


@functools.cache
def _statement(key: tuple):
    """The statement of a kind of list read, built once: a request only binds its values (building the page's
    subquery anew took as long as running it)."""
    part, sort, *given = key
    conditions = _viewer_conditions(TaskViewer, given)
    # A search by name matches few of the organisation's rows: SQLite is to find them in the index of names, as
    # it counts them, and sort them, rather than read every row in the page's order to test its name.
    searched = "person" in given
    if part == "count":
        return _count_to_large(conditions)
    if part == "full count":
        return _count(conditions)
    if part == "dated count":
        return _count([*conditions, TaskViewer.due_sort < NO_DUE_DATE])
    if part == "page with total":
        total = _count_to_large(_viewer_conditions(COUNTED, given), COUNTED).scalar_subquery()
        return _page(conditions, VIEWER_SORTS[sort], total, sorted_after=searched)
    if part == "page":
        return _page(conditions, VIEWER_SORTS[sort], sorted_after=searched)
    if part == "dated page":
        return _page([*conditions, TaskViewer.due_sort < NO_DUE_DATE], VIEWER_SORTS["-due"], sorted_after=searched)
    return _page([*conditions, TaskViewer.due_sort == NO_DUE_DATE], BY_ID, sorted_after=searched)  # the undated page


def _page(conditions: list, order: tuple, *extra, sorted_after: bool = False):
    """The tasks of a page as rows of their columns, in order, with `extra` columns after them: the page of
    viewer rows is taken first (limit and offset on the index alone), then joined to its tasks, so rows skipped
    by the offset read no task. `sorted_after`: the rows are few, to be found through the index that serves the
    conditions and sorted then, rather than read in order to be tested one by one."""
    page = sa.select(*(getattr(TaskViewer, name) for name in {name: None for name, _ in order})) \
        .where(*conditions).order_by(*_ordered(TaskViewer, order, sorted_after)) \
        .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("page")
    return sa.select(*LISTED, *extra).join(page, page.c.task_id == Task.id).order_by(*_ordered(page.c, order))


def _count(conditions: list, viewers=TaskViewer):
    return sa.select(sa.func.count()).select_from(viewers).where(*conditions)


def _count_to_large(conditions: list, viewers=TaskViewer):
    """The count of the rows, stopped at the bound value `counted` (LARGE_TOTAL + 1): index entries only."""
    entries = sa.select(sa.literal_column("1")).select_from(viewers).where(*conditions) \
        .limit(sa.bindparam("counted")).subquery("entries")
    return sa.select(sa.func.count()).select_from(entries)


def _ordered(columns, order: tuple, sorted_after: bool = False) -> list:
    wrap = _unindexed if sorted_after else (lambda column: column)
    return [wrap(getattr(columns, name)).desc() if descending else wrap(getattr(columns, name)).asc()
            for name, descending in order]


class _unindexed(FunctionElement):
    """A column in an ORDER BY that SQLite is not to satisfy by reading an index in order (`+column`, its
    value unchanged); elsewhere the column itself."""

    name = "unindexed"
    inherit_cache = True

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(_unindexed)
def _column_itself(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_unindexed, "sqlite")
def _unary_plus(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)


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
    if "person" in given:
        conditions.append(v.person_key.like(sa.bindparam("person"), escape="\\"))
    return conditions


def _utc(moment: datetime) -> datetime:
    """As stored: UTC (a naive moment is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _audit_list(action: str, principal, rows, total: int, subject_hash: str | None = None) -> None:
    ids = sorted({getattr(r, "case_id", None) or r.id for r in rows})
    audit.record_read(action, principal, subject_hash=subject_hash, detail={"total": total, "cases": ids})


def get_task(task_id: str, principal=None, audited: bool = True) -> Task:
    """A task; with a principal, one it may see (else NotFound, as if it did not exist). Audited as a read."""
    require_task(principal, task_id, "read_task")
    row = db.session.get(Task, task_id)
    if row is None:
        raise NotFound(f"No task {task_id}")
    if principal is not None and audited:
        audit.record_now("read_task", principal, case_id=row.case_id, task_id=task_id)
    return row


def task_summary(principal, at: datetime | None = None) -> dict:
    """What the organisation's open tasks come to, for a page that polls it: `mine` (claimed by the principal),
    `organisation` (every open task it sees), `unassigned`, `overdue` (due before now), `due_today` (due within
    today, Swedish time), the `kinds` of task with their titles and counts, and a `version` that changes
    whenever one of those tasks is added, removed, claimed, given back or given another due date, and only
    then (the sum of the rows' fingerprints, engine.access.task_viewers.fingerprint).

    Two statements on the organisation's viewer rows, index only: the kinds, each counted with its
    fingerprints and titled from one of its tasks, in one pass over the index of kinds; then the claimed, mine,
    overdue and due today, each a range of an index as long as what it counts."""
    now = _utc(at or datetime.now(UTC))
    today = now.astimezone(SWEDISH_TIME).date()
    day_start, day_end = (datetime.combine(day, time(0), SWEDISH_TIME).astimezone(UTC)
                          for day in (today, today + timedelta(days=1)))
    params = {"organisation": principal.organisation, "me": principal.username, "now": now,
              "day_start": day_start, "day_end": day_end}
    kinds = db.session.execute(_summary_kinds(), params).all()
    counts = db.session.execute(_summary_counts(), params).one()
    total = sum(kind.total for kind in kinds)
    fingerprints = sum(kind.fingerprints or 0 for kind in kinds)
    return {
        "mine": counts.mine, "organisation": total, "unassigned": total - counts.claimed,
        "overdue": counts.overdue, "due_today": counts.due_today,
        "kinds": [{"name": k.name, "title": k.title or k.name, "count": k.total} for k in kinds],
        "version": hashlib.sha256(f"{total}:{fingerprints}".encode()).hexdigest()[:20],
    }


@functools.cache
def _summary_kinds():
    v, sample = TaskViewer, aliased(TaskViewer, name="sample")
    kinds = (sa.select(v.name, sa.func.count().label("total"), sa.func.sum(v.fingerprint).label("fingerprints"))
             .where(v.organisation == sa.bindparam("organisation")).group_by(v.name).subquery("kinds"))
    # The kind's first task in the order of its index, read there (unordered, PostgreSQL may scan the table for
    # one, however few of its rows the organisation has).
    one_task = (sa.select(sample.task_id).where(sample.organisation == sa.bindparam("organisation"),
                                                 sample.name == kinds.c.name)
                .order_by(sample.due_sort, sample.task_id).correlate(kinds).limit(1).scalar_subquery())
    title = sa.select(Task.title).where(Task.id == one_task).scalar_subquery()
    return sa.select(kinds.c.name, kinds.c.total, kinds.c.fingerprints, title.label("title")).order_by(kinds.c.name)


@functools.cache
def _summary_counts():
    def counted(*conditions):
        return (sa.select(sa.func.count()).select_from(TaskViewer)
                .where(TaskViewer.organisation == sa.bindparam("organisation"), *conditions).scalar_subquery())

    return sa.select(
        counted(TaskViewer.assignee == sa.bindparam("me")).label("mine"),
        counted(TaskViewer.assignee.is_not(None)).label("claimed"),
        counted(TaskViewer.due_sort < sa.bindparam("now")).label("overdue"),
        counted(TaskViewer.due_sort >= sa.bindparam("day_start"), TaskViewer.due_sort < sa.bindparam("day_end"))
        .label("due_today"))


# What a row of the case list shows; with a principal, `next_due_at` is of the tasks its organisation sees.
CASE_LISTED = (
    Case.id, Case.region, Case.status, Case.closure_reason, Case.person_name, Case.revision, Case.created_at,
    Case.updated_at, Case.stage, ProcessDefinition.key.label("process_key"),
    ProcessDefinition.version.label("process_version"), ProcessDefinition.region.label("process_region"),
    ProcessDefinition.deployed_at.label("process_deployed_at"),
    Case.data[("samordningsansvarig", "organisation")].as_string().label("coordinator_organisation"),
    Case.data[("samordningsansvarig", "namn")].as_string().label("coordinator_name"),
)


def list_cases(region: str | None = None, status: str | None = None, limit: int = 50, offset: int = 0,
               principal=None, personal_number: str | None = None, coordinated_by_me: bool = False,
               person: str | None = None):
    """A page of cases and the total; with a principal, only the cases its organisation may see. With a
    (normalised) personal number, that person's cases, found by the number's keyed hash (audited as a search
    for the person). A row holds the case's columns, its process, its coordinator and its stage, and the
    earliest due date of its open tasks: the page in one statement, the total in another."""
    subject = number_hash(personal_number) if personal_number else None
    params = {"region": region, "status": status, "subject": subject, "limit": limit, "offset": offset,
              "person": name_pattern(person) if person is not None else None,
              "organisation": principal.organisation if principal is not None else None}
    given = tuple(name for name, value in (("region", region), ("status", status), ("subject", subject),
                                           ("person", person)) if value is not None)
    key = (principal is not None, coordinated_by_me and principal is not None, given)
    total = db.session.scalar(_case_statement("count", *key), params)
    rows = db.session.execute(_case_statement("page", *key), params).all()
    if principal is not None or subject is not None:
        _audit_list("find_person" if subject else "list_cases", principal, rows, total, subject_hash=subject)
    return rows, total


@functools.cache
def _case_statement(part: str, seen_by: bool, coordinated: bool, given: tuple):
    """The count or the page of the case list for a kind of request (who asks, which filters), built once."""
    if seen_by and not given:
        return _cases_seen_by(part, coordinated)
    conditions = []
    if "subject" in given:
        conditions.append(Case.personal_number_hash == sa.bindparam("subject"))
    if seen_by:
        shared = sa.select(CaseAccess.case_id).where(CaseAccess.organisation == sa.bindparam("organisation"))
        conditions.append(Case.id.in_(shared.where(CaseAccess.coordinator.is_(True)) if coordinated else shared))
    if "region" in given:
        conditions.append(Case.region == sa.bindparam("region"))
    if "status" in given:
        conditions.append(Case.status == sa.bindparam("status"))
    if "person" in given:
        conditions.append(Case.person_key.like(sa.bindparam("person"), escape="\\"))
    if part == "count":
        return sa.select(sa.func.count()).select_from(Case).where(*conditions)
    # The page's cases first (ids in order), then their columns, process, coordinator and next due date: what
    # is computed per case is computed for the page only.
    page = (sa.select(Case.id, Case.created_at).where(*conditions).order_by(Case.created_at.desc(), Case.id.desc())
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("page"))
    return _case_page(page, seen_by)


def _cases_seen_by(part: str, coordinated: bool):
    """An organisation's case list with no filter on the cases themselves, from its access rows alone: the page
    is a range of `ix_case_access_created` read backwards, newest first, so it reads its own rows whatever the
    number of the organisation's cases (reading all 20,000 of a large one and sorting them took 0.1-0.2 s), and
    the total counts the organisation's index entries (every access row is of one case)."""
    conditions = [CaseAccess.organisation == sa.bindparam("organisation")]
    if coordinated:
        conditions.append(CaseAccess.coordinator.is_(True))
    if part == "count":
        return sa.select(sa.func.count()).select_from(CaseAccess).where(*conditions)
    page = (sa.select(CaseAccess.case_id.label("id"), CaseAccess.created_at).where(*conditions)
            .order_by(CaseAccess.created_at.desc(), CaseAccess.case_id.desc())
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("page"))
    return _case_page(page, seen_by=True)


def _case_page(page, seen_by: bool):
    """The rows of the cases of `page` (ids and creation times, in the list's order)."""
    if seen_by:
        next_due = sa.select(sa.func.min(TaskViewer.due_at)).where(
            TaskViewer.case_id == Case.id, TaskViewer.organisation == sa.bindparam("organisation"))
    else:
        next_due = sa.select(sa.func.min(Task.due_at)).where(Task.case_id == Case.id, Task.state == "open")
    return (sa.select(*CASE_LISTED, next_due.scalar_subquery().label("next_due_at"))
            .join(page, page.c.id == Case.id).join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
            .order_by(page.c.created_at.desc(), page.c.id.desc()))
