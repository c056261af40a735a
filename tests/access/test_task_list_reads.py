"""The task list reads the indexes meant for it, on SQLite, where the planner has no statistics to go by: the
page is a range of `ix_task_viewers_group_due` read in order, the total counts the narrow
`ix_task_viewers_group` (a third of the pages of the wider ones), and the page's tasks are found by id."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from engine.access import Principal
from engine.database import db
from engine.services.task_list import TaskFilter, list_tasks
from tests.routine.walk import KOMMUN, CaseWalk


def plans_of_list(principal: Principal, flt: TaskFilter) -> list[list[str]]:
    """The query plan of every SELECT the list runs, with the values it ran with."""
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        rows, total = list_tasks(flt, principal=principal)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert rows and total == len(rows)
    connection = db.session.connection().connection.driver_connection
    return [[row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            for sql, params in statements]


def index_read(plan: list[str], table: str) -> str | None:
    for line in plan:
        found = re.search(r"(?:SEARCH|SCAN) (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", line)
        if found and found.group(1) == table:
            return found.group(2) or "(full scan)"
    return None


def test_the_page_and_its_total_read_their_indexes(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans by its statistics; the benchmark prints them at 100,000 cases")
    for _ in range(3):
        CaseWalk.start().initiate().consent()
    coordinator = Principal(username="eva", organisation=KOMMUN["organisation"], organisation_kind="kommun_sol",
                            region="kristianstad")
    [plan] = plans_of_list(coordinator, TaskFilter(candidate_group="samordningsansvarig"))
    assert index_read(plan, "task_viewers") == "ix_task_viewers_group_due"
    assert index_read(plan, "counted") == "ix_task_viewers_group"
    assert index_read(plan, "tasks") == "sqlite_autoindex_tasks_1"
    assert not any("TEMP B-TREE" in line and "ORDER BY" in line for line in plan[:2]), plan
