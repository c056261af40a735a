"""The audit trail: who did or read what, about which case, when, from where, with which outcome.

`record` adds a row to the current transaction (a change and its audit row are stored together or not at
all); `record_now` stores a row in a transaction of its own (reads, refusals, sign-in failures)."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import has_request_context, request

from ..database import db
from ..store import AuditEvent, Case
from ..store.appended import append

COLUMNS = ["id", "at", "user", "organisation", "action", "case_id", "task_id", "remote_addr", "outcome", "detail"]


def _remote_addr(principal) -> str | None:
    if principal is not None and principal.remote_addr:
        return principal.remote_addr
    return request.remote_addr if has_request_context() else None


def _values(action, principal, case_id, task_id, outcome, detail, subject_hash, user, organisation,
            remote_addr) -> dict:
    return dict(
        user=principal.username if principal is not None else (user or "system"),
        organisation=principal.organisation if principal is not None else organisation,
        action=action, case_id=case_id, task_id=task_id, remote_addr=remote_addr or _remote_addr(principal),
        outcome=outcome, subject_hash=subject_hash, detail=detail or {},
    )


def record(action: str, principal=None, case_id: str | None = None, task_id: str | None = None,
           outcome: str = "ok", detail: dict | None = None, subject_hash: str | None = None,
           user: str | None = None, organisation: str | None = None, remote_addr: str | None = None) -> None:
    """Add an audit row to the current transaction. Without a principal the actor is `user`, or the system."""
    append(db.session(), AuditEvent, **_values(action, principal, case_id, task_id, outcome, detail, subject_hash,
                                               user, organisation, remote_addr))


def record_now(action: str, principal=None, case_id: str | None = None, task_id: str | None = None,
               outcome: str = "ok", detail: dict | None = None, subject_hash: str | None = None,
               user: str | None = None, organisation: str | None = None, remote_addr: str | None = None) -> None:
    """Store an audit row in a transaction of its own, on a connection of its own (the caller's session and
    objects are left as they are): one INSERT. The caller must not hold uncommitted writes."""
    values = _values(action, principal, case_id, task_id, outcome, detail, subject_hash, user, organisation,
                     remote_addr)
    with db.engine.begin() as connection:
        connection.execute(_INSERT, values)


def record_read(action: str, principal=None, case_id: str | None = None, task_id: str | None = None,
                detail: dict | None = None, subject_hash: str | None = None) -> None:
    """Store the audit row of a request that has only read, at once. On PostgreSQL it goes in the request's own
    transaction, which is committed: two round trips (the INSERT, the COMMIT), where a transaction of its own
    costs four (its connection's BEGIN, the INSERT, its COMMIT, and the ROLLBACK of the request's reads). On
    SQLite a transaction that has read cannot always write (another connection may have written since it
    began: SQLITE_BUSY_SNAPSHOT, which waits for nothing), so there the row has a transaction of its own
    (`record_now`). The commit expires the session's objects: call it after reads whose rows are plain values."""
    if db.session.get_bind().dialect.name != "postgresql":
        record_now(action, principal, case_id=case_id, task_id=task_id, detail=detail, subject_hash=subject_hash)
        return
    db.session.connection().execute(_INSERT, _values(action, principal, case_id, task_id, "ok", detail,
                                                     subject_hash, None, None, None))
    db.session.commit()


_INSERT = AuditEvent.__table__.insert()


def case_events(case_id: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case_id)
                              .order_by(AuditEvent.id)).all()


def events_for(case_id: str | None = None, subject_hash: str | None = None) -> list[AuditEvent]:
    """A case's audit trail, or a person's: every row about any of their cases and every lookup by number."""
    if case_id is not None:
        return case_events(case_id)
    case_ids = sa.select(Case.id).where(Case.personal_number_hash == subject_hash)
    return db.session.scalars(sa.select(AuditEvent).where(
        sa.or_(AuditEvent.case_id.in_(case_ids), AuditEvent.subject_hash == subject_hash)
    ).order_by(AuditEvent.id)).all()


def to_csv(events) -> str:
    import json

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in events:
        writer.writerow([e.id, e.at.isoformat() if e.at else "", e.user or "", e.organisation or "", e.action,
                         e.case_id or "", e.task_id or "", e.remote_addr or "", e.outcome,
                         json.dumps(e.detail or {}, ensure_ascii=False, sort_keys=True)])
    return out.getvalue()
