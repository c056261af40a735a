"""Shared helpers of the benchmarks: an app on a fresh database, timing statistics, a real gunicorn with a
keep-alive HTTP client, bulk clones of a real case, and query plans."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_url() -> str:
    """The database the benchmark may wipe: SIP_BENCH_DATABASE_URL, or a new SQLite file."""
    return os.environ.get("SIP_BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"


def fresh_app(url: str | None = None):
    from engine import create_app
    from engine.cli import initialise_database

    url = url or bench_url()
    if url.startswith("postgresql"):
        import sqlalchemy as sa

        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        initialise_database()
    return app, url


def describe_database(url: str) -> str:
    return "PostgreSQL " + url.split("@")[-1] if url.startswith("postgresql") else "SQLite " + url.split("///")[-1]


def machine() -> str:
    """Cores, date and load: the machine may be shared, and its load moves every figure."""
    from datetime import UTC, datetime

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {load}"


# -- timing -------------------------------------------------------------------------------------------
def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, result


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def summary(samples_ms: list[float]) -> str:
    return f"median {median(samples_ms):7.2f} ms   p95 {p95(samples_ms):7.2f} ms   (n={len(samples_ms)})"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


# -- a real gunicorn ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(url: str, workers: int | None = None, env: dict[str, str] | None = None) -> Iterator[str]:
    """gunicorn with the product's configuration (gunicorn.conf.py) on 127.0.0.1, serving `url` (with more
    SIP_* settings in `env`). Yields the base URL; the server and its workers are stopped on the way out."""
    port = free_port()
    env = dict(os.environ, **(env or {}), SIP_DATABASE_URL=url, SIP_BIND=f"127.0.0.1:{port}")
    if workers is not None:
        env["SIP_WORKERS"] = str(workers)
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "engine:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: " + Path(log.name).read_text()[-2000:])
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)


class Client:
    """One HTTP client on one connection, kept alive as long as the server keeps it open. http.client
    reconnects by itself after a response that says `Connection: close`; a connection the server closed while
    it was idle (gunicorn's keep-alive timeout) is opened again and the request sent once more, as HTTP clients
    do, and counted."""

    def __init__(self, base: str, token: str | None = None):
        host, port = base.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        self.token = token
        self.connections_closed_by_server = 0
        self.idle_connections_closed = 0

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, object, float]:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
                self.idle_connections_closed += 1
                continue
            raw = response.read()
            ms = (time.perf_counter() - start) * 1000
            if response.will_close:
                self.connections_closed_by_server += 1
            return response.status, (json.loads(raw) if raw else None), ms
        raise AssertionError("unreachable")

    def close(self):
        self.conn.close()


# -- signing in ---------------------------------------------------------------------------------------
def sign_in(username: str, organisation: tuple[str, str, str], roles=("staff",)) -> str:
    """A staff user of an organisation (name, huvudman kind, region) with a fresh API token; call inside an
    app context."""
    from engine.database import db
    from engine.identity import ensure_organisation, ensure_user, issue_token

    org = ensure_organisation(*organisation)
    ensure_user(username, username, org, list(roles))
    token = issue_token(username)
    db.session.commit()
    return token


def principal(username: str):
    from engine.identity import find_user
    from engine.identity.authenticate import principal_of

    return principal_of(find_user(username), None, "token")


# -- cloning a real case in bulk ----------------------------------------------------------------------
# The rows that belong to a case besides its own: its open tasks, its 'started' event, who may see it, and who
# sees which of its open tasks (in this order: a viewer row refers to its task).
DEPENDENTS = ("tasks", "case_events", "case_access", "case_groups", "task_viewers")


@dataclass
class Template:
    """A real case as stored: its row and the rows that belong to it (see DEPENDENTS)."""

    case: dict
    rows: dict[str, list[dict]] = field(default_factory=dict)
    # The organisation of each user a task of the case is claimed by: who sees a claimed task follows it.
    assignee_organisations: dict[str, str] = field(default_factory=dict)

    @property
    def tasks(self) -> list[dict]:
        return self.rows["tasks"]


def read_template(case_id: str) -> Template:
    import sqlalchemy as sa

    from engine.database import db

    tables = db.metadata.tables
    cases_t = tables["cases"]
    with db.engine.connect() as conn:
        case = dict(conn.execute(sa.select(cases_t).where(cases_t.c.id == case_id)).mappings().one())
        rows = {}
        for name in DEPENDENTS:
            if name not in tables:
                continue
            table = tables[name]
            query = sa.select(table).where(table.c.case_id == case_id)
            if name == "tasks":
                query = query.where(table.c.state == "open")
            if name == "case_events":
                query = query.where(table.c.kind == "started")
            rows[name] = [dict(r) for r in conn.execute(query).mappings()]
    for event in rows.get("case_events", []):
        event.pop("id")
    with db.session.no_autoflush:
        from engine.access.task_viewers import organisations_of_users

        assignees = organisations_of_users({t["assignee"] for t in rows.get("tasks", []) if t["assignee"]})
    db.session.rollback()
    return Template(case, rows, assignees)


def clones(template: Template, count: int, vary: Callable[[int, dict], None] | None = None) -> Iterator[dict]:
    """`count` copies of a case, each with a fresh case id and fresh ids for every task of its workflow (the
    open ones and those still to come, which the task list will show later), substituted inside the workflow
    state and in the task rows alike, so every clone is a consistent case that can be restored and advanced.
    Each clone is {table name: rows}; `vary(i, clone)` may change it before it is stored. Its viewer rows are
    then derived from its (varied) tasks, access rows and role groups by the product's own rule."""
    import re

    state = json.loads(template.case["state"])
    task_ids = set(state["tasks"]) | set(state.get("subprocesses", {}))
    for sub in state.get("subprocesses", {}).values():
        task_ids |= set(sub["tasks"])
    for task in template.tasks:
        assert task["id"] in task_ids, "the open task is not in the workflow state"
    pattern = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    for i in range(count):
        case_id = str(uuid.uuid4())
        fresh = {old: str(uuid.uuid4()) for old in task_ids}
        clone = {name: [{**row, "case_id": case_id} for row in rows] for name, rows in template.rows.items()}
        for task in clone["tasks"]:
            task["id"] = fresh[task["id"]]
        new_state = pattern.sub(lambda m, ids=fresh: ids.get(m.group(0), m.group(0)), template.case["state"])
        clone["cases"] = [{**template.case, "id": case_id, "state": new_state}]
        if vary is not None:
            vary(i, clone)
        if "task_viewers" in clone:
            clone["task_viewers"] = viewer_rows(clone, template.assignee_organisations)
        yield clone


def viewer_rows(clone: dict, assignee_organisations: dict[str, str]) -> list[dict]:
    """The `task_viewers` rows of a cloned case, as engine.access.task_viewers writes them."""
    from types import SimpleNamespace

    from engine.access.task_viewers import organisations_seeing, viewer_columns

    access = {row["organisation"]: (row["scope"], row["coordinator"]) for row in clone["case_access"]}
    groups = {(row["group"], row["organisation"]) for row in clone["case_groups"]}
    rows = []
    for task in clone["tasks"]:
        seen = organisations_seeing(task["candidate_group"], assignee_organisations.get(task["assignee"]),
                                    access, groups)
        columns = viewer_columns(SimpleNamespace(**task))
        rows += [{"task_id": task["id"], "organisation": org, **columns} for org in sorted(seen)]
    return rows


def insert_clones(rows: Iterator[dict], chunk: int = 2000) -> int:
    """Store cloned cases with their rows straight into the tables: executemany on SQLite, COPY on
    PostgreSQL, one transaction per chunk. Then ANALYZE (PostgreSQL: VACUUM ANALYZE), as a database in use
    would have statistics, and a checkpoint: the pages the load wrote are on disk before anything is measured,
    rather than written out by a checkpoint in the middle of the measurements. Returns the number of cases
    stored."""
    import sqlalchemy as sa

    from engine.database import db

    tables = db.metadata.tables
    count = 0
    batch: list[dict] = []

    def flush():
        with db.engine.begin() as conn:
            for name in ("cases", *DEPENDENTS):
                _bulk(conn, tables[name], [row for clone in batch for row in clone.get(name, [])])
        batch.clear()

    for clone in rows:
        batch.append(clone)
        count += 1
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(sa.text("VACUUM ANALYZE"))
            conn.execute(sa.text("CHECKPOINT"))
        else:
            conn.execute(sa.text("ANALYZE"))
            conn.commit()
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return count


def _bulk(conn, table, rows: list[dict]) -> None:
    import sqlalchemy as sa

    if not rows:
        return
    columns = [c for c in table.columns if c.name in rows[0]]
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    raw = conn.connection.driver_connection
    names = ", ".join(f'"{c.name}"' for c in columns)
    is_json = [isinstance(c.type, sa.JSON) for c in columns]
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c.name]) if j and row[c.name] is not None else row[c.name]
                            for c, j in zip(columns, is_json, strict=True)])


# -- 100,000 open cases ------------------------------------------------------------------------------
LARGE_ORG = ("Malmö stad, hemtjänst", "kommun_sol", "skane")
LARGE_SHARE = 0.2  # one organisation holds a fifth of all open cases
ORGANISATIONS = 1000  # the rest is spread over this many organisations


def organisation(i: int) -> tuple[str, str, str]:
    """The i-th organisation: name, huvudman kind, region."""
    if i % 2:
        return f"Region Skåne, vårdcentral {i:04d}", "primarvard", "skane"
    return f"Kommun {i:04d}, hemtjänst", "kommun_sol", "skane"


@dataclass
class Filled:
    template: Template
    group: str  # the candidate group of every case's open task
    cases: int  # stored
    large: int  # of which the large organisation's
    seconds: float


def fill_open_cases(app, count: int, region: str, starter: str,
                    claimed_by: Callable[[int, str], str | None] | None = None) -> Filled:
    """`count` open cases, each a clone of one real case started in `region` by the user `starter` (of an
    organisation of its own) and waiting at its first task (candidate group `samordningsansvarig`). Each case
    belongs to the organisation that started it (its access rows, role groups and task viewer rows say so):
    LARGE_ORG holds LARGE_SHARE of them, ORGANISATIONS organisations `organisation(i)` share the rest. Most
    tasks are due within two months, one in ten has no due date. `claimed_by(i, organisation)` may name the
    user (of that organisation) who has claimed the i-th case's task."""
    from engine.services import cases

    rng = random.Random(4)
    today = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        template_case = cases.start_case(region, {"huvudperson": {"namn": "Mall Mallsson"}},
                                         person_name="Mall Mallsson", principal=principal(starter))
        template = read_template(template_case.id)
    own_org = template.case["initiating_organisation"]
    assert {r["organisation"] for r in template.rows["case_access"]} == {own_org}, template.rows["case_access"]
    large = int(count * LARGE_SHARE)

    def vary(i, clone):
        case, task = clone["cases"][0], clone["tasks"][0]
        org = LARGE_ORG[0] if i < large else organisation(i % ORGANISATIONS)[0]
        case["initiating_organisation"] = org
        for row in clone["case_access"] + clone["case_groups"]:
            row["organisation"] = org
        task["due_at"] = None if i % 10 == 0 else today + timedelta(minutes=rng.randrange(60 * 24 * 60))
        task["created_at"] = case["created_at"] = case["updated_at"] = today - timedelta(minutes=i)
        for row in clone["case_access"]:
            row["created_at"] = case["created_at"]
        case["person_name"] = task["person_name"] = f"Person {i:06d}"
        if claimed_by is not None and (user := claimed_by(i, org)):
            task["assignee"] = user
            template.assignee_organisations[user] = org

    with app.app_context():
        ms, stored = timed(insert_clones, clones(template, count, vary))
    return Filled(template, template.tasks[0]["candidate_group"], stored, large, ms / 1000)


# -- query plans --------------------------------------------------------------------------------------
@contextmanager
def captured_statements() -> Iterator[list[tuple[str, object]]]:
    """The SQL statements (text and parameters) the app's engine runs inside the block."""
    from sqlalchemy import event

    from engine.database import db

    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def query_plan(statement: str, parameters) -> list[str]:
    """EXPLAIN QUERY PLAN (SQLite) or EXPLAIN ANALYZE (PostgreSQL) of a statement as the driver ran it."""
    from engine.database import db

    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters).all()
            return [r[0] for r in rows]
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return [r[-1] for r in rows]


def index_read(plan: list[str], table: str) -> str | None:
    """The index through which a plan (SQLite's or PostgreSQL's, as `query_plan` gives it) reads `table` (a
    table or alias): its name, '(full scan)', or None where the plan does not read it."""
    for number, line in enumerate(plan):
        found = re.search(r"(?:SEARCH|SCAN) (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", line)
        if found and found.group(1) == table:
            return found.group(2) or "(full scan)"
        found = re.search(r"(Index Only Scan|Index Scan|Bitmap Heap Scan|Seq Scan)(?: using (\w+))? on (\w+)"
                          r"(?: (\w+))?", line)
        if found and (found.group(4) or found.group(3)) == table:
            if found.group(1) == "Seq Scan":
                return "(full scan)"
            if found.group(1) == "Bitmap Heap Scan":
                below = next((x for x in plan[number + 1:] if "Bitmap Index Scan on" in x), "")
                return below.split("Bitmap Index Scan on", 1)[-1].split()[0] if below else "(bitmap)"
            return found.group(2)
    return None


def plan_reads_index(plan: list[str], index: str) -> bool:
    """The plan reaches its rows through `index` and never scans a whole table."""
    text = "\n".join(plan)
    if index not in text:
        return False
    for line in plan:
        if line.strip().startswith("SCAN ") and " USING " not in line:  # SQLite full scan
            return False
        if "Seq Scan" in line:  # PostgreSQL full scan
            return False
    return True


# -- profiles -----------------------------------------------------------------------------------------
def print_costs(profiler, n: int, costs: list[tuple[str, str, str]], top: int = 12) -> None:
    """Cumulative ms per operation of chosen functions (label, file fragment, function name), then the
    functions with the most own time."""
    import io
    import pstats

    stats = pstats.Stats(profiler).stats
    for label, fragment, function in costs:
        # The outermost of same-named functions in one file (Session.commit calls SessionTransaction.commit).
        cumulative = max((ct for (file, _, fn), (_, _, _, ct, _) in stats.items()
                          if fn == function and fragment in file), default=0)
        if cumulative:
            print(f"    {label:<52} {cumulative * 1000 / n:7.2f} ms")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("    top own time (tottime, all calls):")
    for line in lines[start:start + top + 1]:
        print("    " + line.replace(str(Path(sys.prefix)), "<venv>").replace(str(ROOT), "."))
