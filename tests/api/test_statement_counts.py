"""How many statements a completion and a task list send to the database: on PostgreSQL each is a round trip
(0.2-0.45 ms on the benchmark's machine), and a completion's share of them is what keeps it behind SQLite.

A completion through the API: the sign-in, the case locked in the statement that checks the task is open and
seen by the caller, the case's open tasks read under the lock, the sharing where the change needs it, and the
writes; on PostgreSQL two: the case's UPDATE with the task's UPDATE and the DELETE of stale viewer rows as its
WITH clauses, and one INSERT of every appended row (history, audit, new tasks, their viewer rows, notifications).
The task list: the sign-in, the page with its total, the audit row; on PostgreSQL on one connection, in one
transaction that commits the audit row, with no check of the connection by a round trip."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine.default import NO_CACHE_KEY

from engine.database import db
from engine.store.identity import HUVUDMAN_KINDS
from tests.api.test_tasks_api import ASSESSMENT


def statements_of(request) -> tuple[object, list[str]]:
    """The statements a request sends. Each must be one SQLAlchemy compiles once and then takes from its cache: one
    it cannot cache (a list of VALUES, say) is compiled anew at every request, which costs more than its round
    trip."""
    seen, uncached = [], []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))
        if context.cache_hit is NO_CACHE_KEY:
            uncached.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = request()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert not uncached, uncached
    return response, seen


def transactions_of(request) -> tuple[object, list[str]]:
    """The connections drawn from the pool, the transactions begun and how each ended, in order."""
    seen = []
    listeners = [(db.engine, "begin", lambda conn: seen.append("BEGIN")),
                 (db.engine, "commit", lambda conn: seen.append("COMMIT")),
                 (db.engine, "rollback", lambda conn: seen.append("ROLLBACK")),
                 (db.engine.pool, "checkout", lambda *args: seen.append("CHECKOUT")),
                 (db.engine, "before_cursor_execute", lambda *args: seen.append("STATEMENT"))]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        response = request()
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)
    return response, seen


def kinds(statements: list[str]) -> list[str]:
    return [statement.split(None, 1)[0].upper() for statement in statements]


def test_a_completion_and_the_task_list_take_few_statements(client, start):
    postgres = db.engine.dialect.name == "postgresql"
    for _ in range(2):  # the routine's specs and the statements warm
        case = start()
        client.post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": ASSESSMENT})
    case = start()
    task_id = case["open_tasks"][0]["id"]

    response, statements = statements_of(
        lambda: client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ASSESSMENT}))
    assert response.status_code == 200, response.json
    assert [t["name"] for t in response.json["next_tasks"]] == ["inhamta_samtycke"]
    listing = "\n".join(statements)
    # The task's visibility is checked in the statement that locks its case: no read of the task before it.
    assert statements[1].startswith("SELECT cases.") and "task_viewers" in statements[1], listing
    assert "FOR UPDATE" in statements[1] or not postgres, listing
    assert not any(s.startswith("SELECT tasks.") and "tasks.id =" in s for s in statements[:2]), listing
    # Nothing read twice: the task, the case, its open tasks, its sharing once each.
    assert len(statements) == len(set(statements)), listing
    if postgres:
        # Two writes: the case's UPDATE carrying the task's and the DELETE of its viewer rows, and one INSERT of
        # the history, audit, new task, its viewer rows and the notifications.
        writes = [s for s in statements if not s.startswith("SELECT")]
        assert len(writes) == 2, listing
        combined = ("UPDATE tasks", "DELETE FROM task_viewers", "UPDATE cases")
        assert all(f"{write} " in writes[0] for write in combined), listing
        assert all(f"INSERT INTO {table} " in writes[1] for table in ("case_events", "audit_events", "tasks",
                                                                     "task_viewers", "notification_events")), listing
        assert len(statements) <= 6, listing
    else:
        assert len(statements) <= 12, listing

    # The next step, consent, under the sharing the first one gave the case.
    later = response.json["next_tasks"][0]["id"]
    consent = {"samtycke": "givet", "samtycke_datum": "2026-11-27", "samtycke_informationsutbyte": True,
               "samtycke_huvudman": list(HUVUDMAN_KINDS)}
    response, statements = statements_of(
        lambda: client.post(f"/api/v1/tasks/{later}/complete", json={"data": consent}))
    assert response.status_code == 200, response.json
    assert [t["name"] for t in response.json["next_tasks"]] == ["forbered_sip"]
    assert len(statements) == len(set(statements)), "\n".join(statements)
    assert len(statements) <= (6 if postgres else 12), "\n".join(statements)

    response, statements = statements_of(lambda: client.get("/api/v1/tasks"))
    assert response.status_code == 200 and response.json["total"] >= 1
    assert kinds(statements) == ["SELECT", "SELECT", "INSERT"], "\n".join(statements)
    if postgres:
        response, steps = transactions_of(lambda: client.get("/api/v1/tasks"))
        assert response.status_code == 200
        assert steps == ["CHECKOUT", "BEGIN", "STATEMENT", "STATEMENT", "STATEMENT", "COMMIT"], steps
