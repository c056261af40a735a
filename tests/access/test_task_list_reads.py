"""The task list reads the indexes meant for it: the page is a range of `ix_task_viewers_group_due` read in
order, the total counts the narrow `ix_task_viewers_group` (a third of the pages of the wider ones), and the
page's tasks are found by id.

SQLite plans without statistics, so its plan here is the plan it runs at any size. PostgreSQL plans by its
statistics and would scan or sort a table this small; with whole-table scans, bitmaps and sorts priced out,
its plan shows which indexes it takes when the table is large (the benchmark prints its plans at 100,000 cases)."""

from __future__ import annotations

from sqlalchemy import event

from bench.common import index_read
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
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        for plan_kind in ("seqscan", "bitmapscan", "sort"):  # what a table this small would make cheapest
            connection.exec_driver_sql(f"SET LOCAL enable_{plan_kind} = off")
        return [[row[0] for row in connection.exec_driver_sql(f"EXPLAIN (COSTS OFF) {sql}", params)]
                for sql, params in statements]
    return [[row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
            for sql, params in statements]


def test_the_page_and_its_total_read_their_indexes(app):
    for _ in range(3):
        CaseWalk.start().initiate().consent()  # the coordinator's next task: its group
        CaseWalk.start().initiate().consent().prepare()  # tasks of the participants' groups, seen by it too
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.connection().exec_driver_sql("ANALYZE task_viewers")
    coordinator = Principal(username="eva", organisation=KOMMUN["organisation"], organisation_kind="kommun_sol",
                            region="kristianstad")
    [plan] = plans_of_list(coordinator, TaskFilter(candidate_group="samordningsansvarig"))
    assert index_read(plan, "task_viewers") == "ix_task_viewers_group_due", plan
    assert index_read(plan, "counted") == "ix_task_viewers_group", plan
    assert index_read(plan, "tasks") in ("sqlite_autoindex_tasks_1", "pk_tasks"), plan
    assert not any("TEMP B-TREE" in line and "ORDER BY" in line for line in plan[:2]), plan
    db.session.rollback()
