"""Rows that are only ever appended — a case's history, the audit trail — are written when their
transaction commits, one INSERT per table, after the unit of work has stored the rows they refer to (a new
case before its first history row). They are part of the transaction like any other write: a rollback drops
them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import utcnow

_PENDING = "appended_rows"


def append(session: Session, model, **values) -> None:
    """Add a row of `model` to the session's transaction. `at`, where the table has it, defaults to now; every
    other column not given is NULL, or its declared default where it has one."""
    if "at" in model.__table__.c:
        values.setdefault("at", utcnow())
    session.info.setdefault(_PENDING, {}).setdefault(model.__table__, []).append(values)


def pending(session: Session, model) -> list[dict]:
    """The rows of `model` appended in the session's transaction and not written yet."""
    return session.info.get(_PENDING, {}).get(model.__table__, [])


def _complete(table: sa.Table, rows: list[dict]) -> list[dict]:
    """The rows with the same columns each (one executemany), the columns' scalar or callable defaults
    filled in."""
    names = {name for row in rows for name in row}
    filled = []
    for row in rows:
        row = dict(row)
        for name in names - row.keys():
            default = table.c[name].default
            row[name] = None if default is None else (default.arg(None) if default.is_callable else default.arg)
        filled.append(row)
    return filled


@sa.event.listens_for(Session, "before_commit")
def _write_appended(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()
    connection = session.connection()
    for table, rows in pending.items():
        connection.execute(table.insert(), _complete(table, rows))


@sa.event.listens_for(Session, "after_soft_rollback")
def _drop_appended(session: Session, _previous) -> None:
    session.info.pop(_PENDING, None)
