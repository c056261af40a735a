"""The outbox: the events a change of a case makes for organisations, written in the change's own transaction
(`record_case_change`, called where a case's change is stored), and the deadlines the timer worker's sweep finds
(`sweep_deadlines`). An event that is written exists exactly when its change does; the sender delivers it later.

What a change makes, derived from what changed:
- each new task: `task_created` for the organisations it is addressed to, or `summons` where the task is a
  summoned huvudman's acknowledgement of the meeting (its diagram's property `notification` says `kallelse`);
- the meeting's date, time or place (the variables that property names) changed after the summons:
  `meeting_updated` for each summoned organisation;
- a message whose catching event says `mote_installt`: `meeting_cancelled` for each summoned organisation;
- a message whose catching event says `samtycke_aterkallat`: `consent_withdrawn` for every organisation that has
  the case;
- the case ended: `case_closed` for every organisation that has the case.

The routine's names (the summons task, the meeting's variables, the messages) come from the case's diagrams
(`routine`), never from here. Events carry ids and what a message needs beyond them (a meeting's date, time and
place; a due date), never anything about the person."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..access.sharing import stored_sharing
from ..calendar import SWEDISH_TIME
from ..database import db
from ..store import Case, CaseEvent, NotificationEvent, Organisation, Task, User
from ..store.appended import append, pending
from ..store.models import new_id, utcnow
from . import kinds
from .routine import Rules, rules_of

MEETING_KINDS = (kinds.SUMMONS, kinds.MEETING_UPDATED, kinds.MEETING_CANCELLED)

Sharing = tuple[dict[str, tuple[str, bool]], set[tuple[str, str]]]


_rules: dict[tuple, Rules] = {}
_rules_lock = threading.Lock()


def rules_for(case: Case) -> Rules:
    """What the case's diagrams say about notifications, read once per deployed definition."""
    from ..services.process_sets import specs_of  # the services import this module

    definition = case.definition
    key = (definition.id, definition.content_hash)
    found = _rules.get(key)
    if found is None:
        found = rules_of(*specs_of(definition))
        with _rules_lock:
            if len(_rules) > 256:
                _rules.clear()
            _rules[key] = found
    return found


def meeting_of(data: dict | None, variables: tuple[str, str, str]) -> dict | None:
    """The meeting's date, time and place as the case's data has them in `variables` (date, time, place);
    None until all three are set."""
    data = data or {}
    meeting = dict(zip(("date", "time", "place"), (data.get(name) for name in variables), strict=True))
    return meeting if all(isinstance(value, str) and value for value in meeting.values()) else None


def _moved(rules: Rules, data: dict | None, data_before: dict | None) -> dict | None:
    """The meeting as it stands now where a change moved it (its date, time or place, all set before and after,
    changed), else None."""
    if data_before is None:
        return None
    for variables in rules.meeting_variables():
        now, before = meeting_of(data, variables), meeting_of(data_before, variables)
        if now is not None and before is not None and now != before:
            return now
    return None


PLACE_WITHHELD = "Platsen står i kallelsen i SIP"


def _told(meeting: dict | None, case: Case) -> dict | None:
    """The meeting as a notification may tell it: a place that names the person ("Hemma hos Anna") is not told,
    only that it is in the summons."""
    if meeting is None:
        return None
    person = (case.data or {}).get("huvudperson")
    names = f"{case.person_name or ''} {person.get('namn') or '' if isinstance(person, dict) else ''}"
    words = {word.casefold() for word in re.findall(r"\w+", names) if len(word) > 1}
    if words & {word.casefold() for word in re.findall(r"\w+", meeting["place"])}:
        return {**meeting, "place": PLACE_WITHHELD}
    return meeting


def record_case_change(case: Case, status_before: str | None, data_before: dict | None, opened: list[Task],
                       sharing: Sharing | None) -> None:
    """Write the events of a change of `case` into the session's transaction. `status_before` and `data_before`
    are the case's status and data before the change (None for a new case), `opened` the tasks it opened,
    `sharing` the case's sharing where the change rewrote it (else it is read, when an event needs it)."""
    messages = {row["detail"].get("message") for row in pending(db.session(), CaseEvent)
                if row.get("case_id") == case.id and row.get("kind") == "message" and isinstance(row.get("detail"),
                                                                                                   dict)}
    closed = status_before == "active" and case.status != "active"
    if not (opened or closed or messages or data_before != case.data):
        return
    rules = rules_for(case)
    moved_to = _moved(rules, case.data, data_before)
    moved = moved_to is not None
    cancelled = bool(messages & rules.cancelling)
    withdrawn = bool(messages & rules.withdrawing)
    summonses = {task.id: rules.summons[task.name] for task in opened if task.name in rules.summons}
    if not (opened or closed or moved or cancelled or withdrawn):
        return
    access, groups = sharing if sharing is not None else _stored(case.id)
    moment = utcnow()
    events: list[dict] = []

    def event(kind: str, organisation: str, task_id: str | None = None, key: str | None = None, **detail) -> None:
        event_id = new_id()
        events.append(dict(id=event_id, key=key or event_id, kind=kind, case_id=case.id, task_id=task_id,
                           organisation=organisation, username=None, detail=detail, created_at=moment))

    summoned, sequence = _summoned(case.id) if (moved or cancelled or summonses) else ({}, -1)
    tasks_for: dict[str, list[Task]] = {}
    for task in opened:
        for org in addressees(task.candidate_group, access, groups):
            tasks_for.setdefault(org, []).append(task)
    if cancelled and summoned:
        for org in sorted(summoned):
            told = next((task for task in tasks_for.get(org, []) if task.id not in summonses), None)
            if told is not None:
                tasks_for[org].remove(told)
            event(kinds.MEETING_CANCELLED, org, told.id if told else None, **summoned[org], sequence=sequence + 1)
    elif moved and summoned:
        for org in sorted(summoned):
            event(kinds.MEETING_UPDATED, org, **_told(moved_to, case), sequence=sequence + 1)
    summons_sequence = sequence + 1 if moved or sequence < 0 else sequence
    for org, tasks in sorted(tasks_for.items()):
        for task in tasks:
            meeting = _told(meeting_of(case.data, summonses[task.id]), case) if task.id in summonses else None
            if meeting is not None:
                event(kinds.SUMMONS, org, task.id, key=f"{kinds.SUMMONS}:{task.id}:{org}", **meeting,
                      sequence=max(summons_sequence, 0))
            else:
                event(kinds.TASK_CREATED, org, task.id, key=f"{kinds.TASK_CREATED}:{task.id}:{org}")
    everyone = sorted(access)
    if withdrawn:
        for org in everyone:
            event(kinds.CONSENT_WITHDRAWN, org)
    if closed:
        for org in everyone:
            event(kinds.CASE_CLOSED, org, status=case.status, reason=case.closure_reason)
    for values in events:
        append(db.session(), NotificationEvent, **values)


def addressees(candidate_group: str | None, access: dict[str, tuple[str, bool]],
               groups: set[tuple[str, str]]) -> set[str]:
    """The organisations a task is for: the one its candidate group names, or those a role group maps to
    (engine.access.task_viewers without the coordinator's view of every task); where none is, the acting
    coordinator's, which sees the task in its list."""
    found = {org for org, (scope, _) in access.items()
             if candidate_group == org or (scope == "full" and (candidate_group, org) in groups)}
    return found or {org for org, (scope, coordinator) in access.items() if scope == "full" and coordinator}


def _stored(case_id: str) -> Sharing:
    rows, groups = stored_sharing(case_id)
    return {org: (row.scope, row.coordinator) for org, row in rows.items()}, set(groups)


def _summoned(case_id: str) -> tuple[dict[str, dict], int]:
    """The organisations summoned to the case's meeting (each with the meeting as last told) and the highest
    iCalendar sequence told so far (-1: none)."""
    rows = db.session.execute(sa.select(NotificationEvent.organisation, NotificationEvent.kind,
                                        NotificationEvent.detail)
                              .where(NotificationEvent.case_id == case_id,
                                     NotificationEvent.kind.in_(MEETING_KINDS))
                              .order_by(NotificationEvent.created_at)).all()
    summoned: dict[str, dict] = {}
    sequence = -1
    for org, kind, detail in rows:
        sequence = max(sequence, int(detail.get("sequence", 0)))
        if kind == kinds.MEETING_CANCELLED:
            summoned.pop(org, None)
        else:
            summoned[org] = {name: detail.get(name) for name in ("date", "time", "place")}
    return summoned, sequence


# -- deadlines, found by the timer worker's sweep ------------------------------------------------------------
def sweep_deadlines(at: datetime | None = None, limit: int = 500) -> int:
    """Write `deadline_tomorrow` for the open tasks due by the end of tomorrow (Swedish time) and
    `deadline_passed` for those whose due moment has passed, once per task each (the event's key), for the
    task's holder where it is claimed, else for the organisations it is addressed to. Returns how many events
    were written; commits."""
    at = at or utcnow()
    tomorrow = (at.astimezone(SWEDISH_TIME) + timedelta(days=1)).date()
    end_of_tomorrow = datetime.combine(tomorrow, time.max, SWEDISH_TIME)
    written = 0
    for kind, window in ((kinds.DEADLINE_PASSED, Task.due_at <= at),
                         (kinds.DEADLINE_TOMORROW, sa.and_(Task.due_at > at, Task.due_at <= end_of_tomorrow))):
        told = sa.select(NotificationEvent.id).where(
            NotificationEvent.key == sa.literal(f"{kind}:") + Task.id).exists()
        tasks = db.session.execute(
            sa.select(Task.id, Task.case_id, Task.candidate_group, Task.assignee, Task.due_at)
            .where(Task.state == "open", Task.due_at.is_not(None), window, ~told)
            .order_by(Task.due_at).limit(limit)).all()
        rows = []
        sharing: dict[str, Sharing] = {}
        holders = _organisations_of({task.assignee for task in tasks if task.assignee})
        for task in tasks:
            due = task.due_at if task.due_at.tzinfo else task.due_at.replace(tzinfo=UTC)  # SQLite's are UTC
            detail = {"due_at": due.isoformat()}
            if task.assignee and task.assignee in holders:
                targets = [(holders[task.assignee], task.assignee)]
            else:
                if task.case_id not in sharing:
                    sharing[task.case_id] = _stored(task.case_id)
                targets = [(org, None) for org in sorted(addressees(task.candidate_group, *sharing[task.case_id]))]
            for index, (org, username) in enumerate(targets):
                key = f"{kind}:{task.id}" + (f":{org}" if index else "")
                rows.append(dict(id=new_id(), key=key, kind=kind, case_id=task.case_id, task_id=task.id,
                                 organisation=org, username=username, detail=detail, created_at=at,
                                 expanded_at=None))
        if rows:
            written += len(db.session.execute(_insert_new(rows).returning(NotificationEvent.id)).all())
    db.session.commit()
    return written


def _insert_new(rows: list[dict]):
    """INSERT the events whose keys are not written yet (another sweep may have written some meanwhile)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(NotificationEvent).values(rows).on_conflict_do_nothing(index_elements=["key"])


def _organisations_of(usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    return dict(db.session.execute(
        sa.select(User.username, Organisation.name).join(Organisation, Organisation.id == User.organisation_id)
        .where(User.username.in_(sorted(usernames)))).all())
