"""The statements of the hot path keep their plans when the tables are large and the statements warm.

An organisation with 10,000 open tasks among 50,000 cases: the statements a request runs (the visibility check of
a task, the task list, its summary, the case list, reading a case, and a completion's lock, reads and writes) are
run as the app runs them, more than five times each, and then the plan the database actually uses is read. On
PostgreSQL, psycopg prepares a statement after five executions, and PostgreSQL may then switch to one generic
plan for every value: the plans read are that of the prepared statement (EXPLAIN ANALYZE EXECUTE), as its plan
cache now has it, and the generic plan it may keep. On SQLite, which plans every statement anew without statistics,
EXPLAIN QUERY PLAN of the same statements.

Where one task or case is wanted, no plan reads a whole organisation's rows or scans a table; a list reads a page
of rows (a count may read an organisation's index entries, never its rows)."""

from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from bench.api_speed import ASSESSMENT, USER, USER_ORG
from bench.common import principal, sign_in
from engine.database import db
from engine.services import cases
from engine.services.task_list import TaskFilter, get_task, list_cases, list_tasks, task_summary

# Copies of one real case: LARGE of them the caller's organisation's, four times as many spread over OTHERS others
# (as in the benchmark, where one organisation holds a fifth of all cases).
LARGE = 10_000
COPIES = 5 * LARGE
OTHERS = 200
# The tables whose size follows the number of cases: reading one of them whole is what must never happen.
LARGE_TABLES = {"cases", "tasks", "task_viewers", "case_access", "case_groups", "case_events", "audit_events"}
RUNS = 7  # more than psycopg's five executions before it prepares a statement
PAGE = 50
# What a plan may read of a large table: where one task or case is wanted, a few rows; for a list, its page
# (with the rows the database reads past to fill it), and any number of index entries for a count.
ONE_ROW_READS = 20
PAGE_READS = 2 * PAGE + 20


def fill(template_case_id: str, organisation: str) -> None:
    """COPIES copies of a started case with its open task, sharing and viewer rows, written by SQL from the case
    itself (ids made new by a number in their first eight characters): LARGE of the caller's organisation, the
    others over OTHERS other organisations. Then statistics, as a database in use has them."""
    conn = db.session.connection()
    postgres = conn.dialect.name == "postgresql"
    number = "lpad(n.g::text, 8, '0')" if postgres else "printf('%08d', n.g)"
    other = f"(n.g % {OTHERS})" + ("::text" if postgres else "")
    org = f"CASE WHEN n.g <= {LARGE} THEN :organisation ELSE 'Organisation ' || {other} END"
    copied = {
        "cases": ("id", {"id": "new(id)", "state": "''", "initiating_organisation": org}),
        "tasks": ("case_id", {"id": "new(id)", "case_id": "new(case_id)"}),
        "case_access": ("case_id", {"case_id": "new(case_id)", "organisation": org}),
        "case_groups": ("case_id", {"case_id": "new(case_id)", "organisation": org}),
        "task_viewers": ("case_id", {"task_id": "new(task_id)", "case_id": "new(case_id)", "organisation": org}),
    }
    for name, (key, replaced) in copied.items():
        table = db.metadata.tables[name]
        columns = [c.name for c in table.columns]
        values = []
        for column in columns:
            expression = replaced.get(column, f't."{column}"')
            values.append(re.sub(r"new\((\w+)\)", lambda m: f"{number} || substr(t.{m.group(1)}, 9)", expression))
        conn.execute(sa.text(
            f"WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < {COPIES}) "
            f"INSERT INTO {name} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)}) "
            f"SELECT {', '.join(values)} FROM {name} t, n WHERE t.{key} = :case_id"),
            {"case_id": template_case_id, "organisation": organisation})
    db.session.commit()
    if postgres:
        with db.engine.connect() as analyze:
            analyze.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


class Statements:
    """Every statement the app's engine runs, with its values and the connection it ran on, by operation."""

    def __init__(self):
        self.operation = None
        self.seen: dict[str, list[tuple[str, object, object]]] = defaultdict(list)

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if self.operation and not executemany:
            self.seen[self.operation].append((statement, parameters))


@pytest.fixture
def hot_path(app):
    """The hot path run RUNS times for an organisation with LARGE open tasks: the statements it ran by
    operation ('one': a task or a case wanted; 'list': a page or a summary)."""
    sign_in(USER, USER_ORG)
    me = principal(USER)
    started = [cases.start_case("kristianstad", {"huvudperson": {"namn": f"Person {i}"}}, person_name=f"Person {i}",
                                principal=me) for i in range(RUNS + 1)]
    fill(started[-1].id, me.organisation)
    statements = Statements()
    event.listen(db.engine, "before_cursor_execute", statements)
    try:
        for case in started[:RUNS]:
            task_id = cases.open_tasks(case.id, me)[0].id
            statements.operation = "one"
            get_task(task_id, me)
            cases.read_case(case.id, principal=me)
            cases.complete_task(task_id, ASSESSMENT, principal=me)  # visibility check, lock, reads and writes
            cases.open_tasks(case.id, me)
            statements.operation = "list"
            for flt in (TaskFilter(candidate_group="samordningsansvarig"), TaskFilter()):
                rows, total = list_tasks(flt, "due", PAGE, 0, principal=me)
                assert len(rows) == PAGE and total >= LARGE, total
            task_summary(me)
            rows, total = list_cases(principal=me, limit=PAGE)
            assert len(rows) == PAGE and total >= LARGE, total
            statements.operation = None
    finally:
        event.remove(db.engine, "before_cursor_execute", statements)
        db.session.rollback()
    return statements.seen


def checked(statement: str) -> bool:
    """A statement whose plan reads tables (an INSERT of values reads none): a completion's UPDATE of its case
    with the UPDATE of its task and the DELETE of viewer rows as WITH clauses (PostgreSQL) among them."""
    first = statement.lstrip().split(None, 1)[0].upper()
    return first in ("SELECT", "UPDATE", "DELETE") or (first == "WITH" and "INSERT INTO" not in statement)


def test_every_hot_statement_reads_what_it_needs_under_the_plan_it_runs(hot_path):
    problems = []
    postgres = db.engine.dialect.name == "postgresql"
    for operation, runs in hot_path.items():
        limit = ONE_ROW_READS if operation == "one" else PAGE_READS
        by_text = defaultdict(list)
        for statement, parameters in runs:
            if checked(statement):
                by_text[statement].append(parameters)
        assert len(by_text) >= (8 if operation == "one" else 4), list(by_text)
        for statement, executions in by_text.items():
            short = " ".join(statement.split())[:120]
            if postgres:
                found = _postgresql_reads(statement, executions[-1], limit)
            else:
                found = _sqlite_reads(statement, executions[-1], operation)
            problems += [f"{operation}: {short}...\n    {problem}" for problem in found]
    assert not problems, "\n".join(problems)


def _sqlite_reads(statement: str, parameters, operation: str) -> list[str]:
    """SQLite: no table of LARGE_TABLES scanned whole; where one row is wanted, none searched by organisation
    alone; a list's page is read in its order, not sorted whole before its limit is taken."""
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    db.session.rollback()
    plan = [row[-1] for row in rows]
    details = {row[0]: row[-1] for row in rows}
    problems = []
    for _, parent, _, line in rows:
        if line == "USE TEMP B-TREE FOR ORDER BY" and details.get(parent, "").startswith(("MATERIALIZE", "CO-ROUTINE")):
            problems.append(f"sorts every row of {details[parent].split()[-1]} for a page: {plan}")
        found = re.match(r"\s*(SCAN|SEARCH) (\w+)(?: AS \w+)?(.*)", line)
        if not found or found.group(2) not in LARGE_TABLES and not _aliases_large(statement, found.group(2)):
            continue
        if found.group(1) == "SCAN":
            problems.append(f"scans {found.group(2)} whole: {plan}")
        elif operation == "one" and re.search(r"\((?:organisation|\w+\.organisation)=\?\)$", found.group(3)):
            problems.append(f"reads every row of the organisation in {found.group(2)}: {plan}")
    return problems


def _aliases_large(statement: str, name: str) -> bool:
    return bool(re.search(rf"\b(?:{'|'.join(LARGE_TABLES)}) AS {name}\b", statement))


def _postgresql_reads(statement: str, parameters, limit: int) -> list[str]:
    """PostgreSQL: the statement run more than five times on a connection of the app's engine with the values the
    app ran it with last, in a transaction rolled back at the end, and then its plan for those values: where psycopg
    has prepared it, the prepared statement's (EXPLAIN ANALYZE EXECUTE: the plan PostgreSQL's plan cache now uses
    for it, custom or generic), and also the generic plan it could keep for every value
    (plan_cache_mode=force_generic_plan), whichever it has chosen so far; else the statement's own. Each reads no
    more than `limit` rows of a large table, and none by a sequential scan."""
    from psycopg import sql

    raw = db.engine.raw_connection()
    connection = raw.driver_connection
    try:
        for _ in range(RUNS):
            connection.execute(statement, parameters)
        prepared = {_placeholders(text): name for name, text in connection.execute(
            "SELECT name, statement FROM pg_prepared_statements")}
        explain = sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ")
        problems = []
        was_prepared = _placeholders(statement) in prepared
        if was_prepared:
            name = prepared[_placeholders(statement)]
            names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", statement)))
            values = sql.SQL(", ").join(sql.Literal(_literal(parameters[n])) for n in names)
            query = sql.SQL("{}EXECUTE {}").format(explain, sql.Identifier(name))
            query, parameters = (sql.SQL("{}({})").format(query, values) if names else query), None
        else:
            query = explain + sql.SQL(statement)
        [[plan]] = connection.execute(query, parameters, prepare=False).fetchall()
        plans = [("", plan)]
        if was_prepared:  # also the one plan PostgreSQL would keep for every value
            connection.execute("SET LOCAL plan_cache_mode = force_generic_plan", prepare=False)
            [[generic_plan]] = connection.execute(query, prepare=False).fetchall()
            plans.append(("generic plan: ", generic_plan))
    finally:
        connection.rollback()
        raw.close()
    for label, plan in plans:
        problems += [label + problem for problem in _reads(plan, limit)]
    return problems


def _reads(plan, limit: int) -> list[str]:
    problems = []
    plan = plan if isinstance(plan, list) else json.loads(plan)
    for node in _nodes(plan[0]["Plan"]):
        relation = node.get("Relation Name")
        if relation not in LARGE_TABLES:
            continue
        read = node["Actual Rows"] * node["Actual Loops"] + node.get("Rows Removed by Filter", 0)
        if node["Node Type"] == "Seq Scan":
            problems.append(f"scans {relation} whole ({read} rows)")
        elif read > limit and not (node["Node Type"] == "Index Only Scan" and limit > ONE_ROW_READS):
            problems.append(f"reads {read} rows of {relation} ({node['Node Type']} using {node.get('Index Name')})")
    return problems


def _placeholders(text: str) -> str:
    return " ".join(re.sub(r"%\(\w+\)s|\$\d+", "?", text).split())


def _literal(value):
    from psycopg.types.json import Json

    return value if not isinstance(value, (dict, list)) else Json(value)


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)
