"""Rows that are only ever appended — a case's history, the audit trail — are written when their
transaction commits, after the unit of work has stored the rows they refer to (a new case before its first
history row). They are part of the transaction like any other write: a rollback drops them.

On PostgreSQL the rows of every table are one statement, one round trip: each table's INSERT but the last is a
data-modifying WITH of the last one's (PostgreSQL runs each once, and checks foreign keys at the end of the
statement, so a task's viewer rows may come in the same statement as the task). On SQLite, where a statement
costs no round trip, one INSERT per table."""

from __future__ import annotations

import json
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .direct_writes import write_later_now
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


def _complete(table: sa.Table, rows: list[dict], every_default: bool = False) -> list[dict]:
    """The rows with the same columns each (one executemany), the columns' scalar or callable defaults
    filled in; with `every_default`, also those of the columns no row gives (an INSERT of VALUES leaves them to
    the database, which knows only its own defaults)."""
    names = {name for row in rows for name in row}
    if every_default:
        names |= {column.key for column in table.c
                  if column.default is not None and (column.default.is_scalar or column.default.is_callable)}
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
        write_later_now(session)
        return
    session.flush()
    write_later_now(session)  # a viewer row's DELETE before the INSERT of its successor
    connection = session.connection()
    if len(pending) > 1 and connection.dialect.name == "postgresql" \
            and sum(len(rows) * len(table.c) for table, rows in pending.items()) <= MAX_PARAMETERS:
        connection.execute(_in_one_statement([(table, _complete(table, rows, every_default=True))
                                              for table, rows in pending.items()], connection.dialect))
        return
    for table, rows in pending.items():
        connection.execute(table.insert(), _complete(table, rows))


# Bound values in one statement at most (psycopg takes 65,535): a transaction appending more (a bulk change)
# writes its rows table by table.
MAX_PARAMETERS = 20_000


def _in_one_statement(tables: list[tuple[sa.Table, list[dict]]], dialect) -> sa.TextClause:
    """One INSERT writing the rows of every table: the first tables' as WITH clauses of the last one's. Each
    table's rows travel as one JSON array, which json_populate_recordset turns into rows of the table's own type,
    so the statement's text depends on the tables and their columns, never on the number of rows: SQLAlchemy
    compiles it once and psycopg prepares it. (A list of VALUES is a statement SQLAlchemy cannot cache: it was
    compiled anew at every commit, 2-5 ms of a completion.)"""
    quote = dialect.identifier_preparer.quote
    inserts, values = [], {}
    for number, (table, rows) in enumerate(tables):
        names = sorted(table.c[key].name for key in rows[0])
        columns = ", ".join(quote(name) for name in names)
        inserts.append(f"INSERT INTO {quote(table.name)} ({columns}) SELECT {columns} FROM "
                       f"json_populate_recordset(NULL::{quote(table.name)}, CAST(:rows_{number} AS json))")
        values[f"rows_{number}"] = json.dumps([{table.c[key].name: value for key, value in row.items()}
                                              for row in rows], default=_json_value, separators=(",", ":"))
    *before, last = inserts
    text = "WITH " + ", ".join(f"appended_{number} AS ({insert})" for number, insert in enumerate(before)) + " " + last
    return sa.text(text).bindparams(*(sa.bindparam(name, value, type_=sa.String) for name, value in values.items()))


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"an appended row holds a {type(value).__name__}")


@sa.event.listens_for(Session, "after_soft_rollback")
def _drop_appended(session: Session, _previous) -> None:
    session.info.pop(_PENDING, None)
