"""Who sees which open task, kept as rows of `task_viewers` (one per open task and organisation) in the
transaction of every change of a case, so that an organisation's task list is an index range read whose cost
follows the page, not the number of its cases.

The rule is the task rule of docs/access.md, per organisation:
- the acting coordinator's organisation (`case_access`: scope `full`, coordinator) sees every open task;
- an organisation with scope `full` sees the tasks whose candidate group a role group maps to it
  (`case_groups`);
- an organisation with any access to the case sees the tasks whose candidate group is its own name;
- the organisation of a task's assignee sees the task while it has any access to the case: a claimed task
  stays in its claimer's organisation's list (the organisation the user belongs to when the task is claimed
  or the sharing of its case next changes).

Besides the columns the list filters and sorts on, a row carries the task's kind, its person's name folded for
search, and a fingerprint whose sum over an organisation's rows tells its task-list summary whether anything
of its open tasks changed.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa

from ..database import db
from ..store import NO_DUE_DATE, Case, Organisation, Task, TaskViewer, User
from ..store.appended import append
from ..store.direct_writes import delete_later, is_new
from .sharing import stored_sharing


def due_sort(due_at: datetime | None) -> datetime:
    """The sort key of a due date: tasks without one come after every dated task."""
    return NO_DUE_DATE if due_at is None else due_at


def organisations_seeing(candidate_group: str | None, assignee_organisation: str | None,
                         access: dict[str, tuple[str, bool]], groups: set[tuple[str, str]]) -> set[str]:
    """The organisations that see an open task of a case, given the case's access rows (organisation →
    (scope, coordinator)) and role groups ((group, organisation)). The same rule as `task_row_clause`, with
    the assignee read as the assignee's organisation."""
    seen = set()
    for org, (scope, coordinator) in access.items():
        full = scope == "full"
        if (full and coordinator) or (full and (candidate_group, org) in groups) \
                or candidate_group == org or assignee_organisation == org:
            seen.add(org)
    return seen


def search_key(text: str | None) -> str | None:
    """A name as searched: Unicode-folded (Å and å alike, whatever the database's own LIKE folds)."""
    return None if text is None else unicodedata.normalize("NFKC", text).casefold()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def fingerprint(task_id: str, assignee: str | None, due_at: datetime | None) -> int:
    """A 31-bit hash of what a task shows in the list's summary: added together over an organisation's rows,
    it changes when any of its open tasks is added, removed, claimed, given back or given another due date
    (and is the same again when the tasks are as they were). A due date stored without its zone is UTC."""
    due = "" if due_at is None else str((due_at if due_at.tzinfo else due_at.replace(tzinfo=UTC)) - _EPOCH)
    return zlib.crc32(f"{task_id}\x1f{assignee or ''}\x1f{due}".encode()) & 0x7FFFFFFF


def viewer_columns(task) -> dict:
    """The copied columns of a viewer row of `task` (a Task, or anything with its attributes)."""
    return {"case_id": task.case_id, "candidate_group": task.candidate_group, "region": task.region,
            "assignee": task.assignee, "due_at": task.due_at, "due_sort": due_sort(task.due_at),
            "created_at": task.created_at, "name": task.name, "person_key": search_key(task.person_name),
            "fingerprint": fingerprint(task.id, task.assignee, task.due_at)}


def sync_task_viewers(case: Case, stored_open: Iterable[Task], opened: list[Task],
                      sharing: tuple[dict[str, tuple[str, bool]], set[tuple[str, str]]] | None,
                      ) -> dict[str, set[str]] | None:
    """Bring the case's viewer rows in step with its open tasks and its sharing. Call after the case's tasks and
    `case_access` / `case_groups` rows are updated, in the same transaction. `stored_open`: the tasks that were
    stored as open (some closed by this change); `opened`: the tasks this change opens; `sharing`: what
    `sync_case_access` returned when it changed the case's sharing in this transaction. Without it the sharing
    is as it was, and only the rows of the tasks closed or opened now change; with it (always for a new case),
    the case's rows are written anew. Nothing is read of the rows themselves: stale ones are deleted by
    statement (with the case's UPDATE, engine.store.direct_writes), new ones appended at commit
    (engine.store.appended).

    Returns the organisations that see each task open after the change, by task id, where the change had the
    case's sharing at hand (None where it closed tasks and opened none under unchanged sharing)."""
    stored_open = list(stored_open)
    still_open = [task for task in stored_open if task.state == "open"]
    with db.session.no_autoflush:
        if sharing is None:
            closed = [task.id for task in stored_open if task.state != "open"]
            if closed:  # with the case's UPDATE (engine.store.direct_writes)
                delete_later(db.session(), sa.delete(TaskViewer).where(TaskViewer.task_id.in_(closed)))
            if not opened:
                return None
            seen = _seeing(still_open + opened, _stored(case.id))
            _append(opened, seen)
            return seen
        if not is_new(case):  # a new case has no rows in the database yet
            delete_later(db.session(), sa.delete(TaskViewer).where(TaskViewer.case_id == case.id))
        seen = _seeing(still_open + opened, sharing)
        _append(still_open + opened, seen)
        return seen


def sync_task_viewers_of(task: Task) -> None:
    """Bring one task's viewer rows in step after its assignee changed (claim, unclaim): the rest of the case
    is as it was."""
    with db.session.no_autoflush:
        db.session.execute(sa.delete(TaskViewer).where(TaskViewer.task_id == task.id))
        if task.state == "open":
            _append([task], _seeing([task], _stored(task.case_id)))


def _seeing(tasks: list[Task], sharing: tuple[dict, set]) -> dict[str, set[str]]:
    """The organisations that see each of the tasks, by task id, under the case's sharing."""
    access, groups = sharing
    assignee_organisations = organisations_of_users({task.assignee for task in tasks if task.assignee})
    return {task.id: organisations_seeing(task.candidate_group, assignee_organisations.get(task.assignee),
                                          access, groups)
            for task in tasks}


def _append(tasks: list[Task], seen: dict[str, set[str]]) -> None:
    """Append the viewer rows of the tasks: one per organisation that sees each."""
    for task in tasks:
        for org in seen[task.id]:
            append(db.session(), TaskViewer, task_id=task.id, organisation=org, **viewer_columns(task))


def _stored(case_id: str) -> tuple[dict[str, tuple[str, bool]], set[tuple[str, str]]]:
    rows, groups = stored_sharing(case_id)
    return {org: (row.scope, row.coordinator) for org, row in rows.items()}, set(groups)


def organisations_of_users(usernames: set[str]) -> dict[str, str]:
    """The organisation of each user named (users without one are left out)."""
    if not usernames:
        return {}
    return dict(db.session.execute(
        sa.select(User.username, Organisation.name).join(Organisation, Organisation.id == User.organisation_id)
        .where(User.username.in_(sorted(usernames)))).all())
