"""PostgreSQL beside SQLite as the open cases grow: the same requests, in one run, against two gunicorns on the
same machine, at each size of SIZES (10,000 and 100,000 open cases).

At each size both databases are filled the same way (bench.common.fill_open_cases: one organisation with a fifth
of the cases, 1,000 organisations sharing the rest), then the two servers answer in turn, in blocks of BLOCK
requests, so both see the same stretch of the machine's load:
- `GET /api/v1/tasks?candidate_group=samordningsansvarig&limit=50` by staff of a typical organisation and of the
  large one; target p95 < 10 ms on both databases;
- `GET /api/v1/cases?limit=50`, the case list, for both;
- completing a task (`POST /api/v1/tasks/{id}/complete`), one client, the large organisation's cases; target:
  PostgreSQL's median no more than 1.5x SQLite's;
- completions per second with THROUGHPUT_CLIENTS clients for THROUGHPUT_SECONDS, each server in turn (A B B A);
  targets for PostgreSQL: at least 90/s at 100,000 (twice the 45/s it had), and no more than 20 % fewer at the
  largest size than at the smallest.

    SIP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sip_bench nice -n 10 python bench/scale_speed.py

The PostgreSQL database is wiped. SIP_BENCH_SIZES (default "10000,100000") sets the sizes.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_speed import ASSESSMENT, REGION, USER, USER_ORG, complete_concurrently  # noqa: E402
from bench.common import (  # noqa: E402
    LARGE_ORG,
    ORGANISATIONS,
    Client,
    fill_open_cases,
    fresh_app,
    gunicorn,
    machine,
    median,
    organisation,
    p95,
    sign_in,
    verdict,
)

SIZES = tuple(int(size) for size in os.environ.get("SIP_BENCH_SIZES", "10000,100000").split(","))
SAMPLES = 200  # per step and database
BLOCK = 20  # requests to one server before the other's turn
WARMUP = 60  # completions per server before measuring, spread over WARM_CONNECTIONS connections (warm_up)
WARM_CONNECTIONS = 12
TYPICAL_USERS = 20
THROUGHPUT_CLIENTS = 4
THROUGHPUT_SECONDS = 10.0
GROUP = "samordningsansvarig"
TASK_LIST = f"/api/v1/tasks?candidate_group={GROUP}&limit=50"
CASE_LIST = "/api/v1/cases?limit=50"
# Throughput at 100,000 cases before the fix (PostgreSQL, 4 clients, this machine): the target is twice that.
THROUGHPUT_BEFORE = 45.0


@dataclass
class Server:
    """One database filled for a size, served by a gunicorn of its own."""

    name: str
    base: str
    large_token: str
    typical_tokens: list[str]
    tasks: list[str]  # open first tasks of the large organisation's cases, to complete
    filled_seconds: float
    samples: dict[str, list[float]] = field(default_factory=dict)
    throughput: list[float] = field(default_factory=list)
    commits: list[float] = field(default_factory=list)  # commit_latency, measured after the requests

    def take(self, n: int) -> list[str]:
        taken, self.tasks = self.tasks[:n], self.tasks[n:]
        return taken


def prepare(app, size: int) -> tuple[float, str, list[str], list[str]]:
    """Fill the app's database with `size` open cases; sign in staff of the large and of typical organisations.
    Returns the seconds the filling took, the large organisation's token, typical ones, and the large
    organisation's open first tasks."""
    import sqlalchemy as sa

    from engine.database import db
    from engine.store import Case, Task

    with app.app_context():
        sign_in(USER, USER_ORG)
    filled = fill_open_cases(app, size, REGION, USER)
    rng = random.Random(size)
    with app.app_context():
        large = sign_in("large", LARGE_ORG)
        holding = sorted({i % ORGANISATIONS for i in range(filled.large, size)})  # organisations with cases
        typical = [sign_in(f"staff{i}", organisation(i))
                   for i in rng.sample(holding, min(TYPICAL_USERS, len(holding)))]
        tasks = db.session.scalars(
            sa.select(Task.id).join(Case, Case.id == Task.case_id)
            .where(Task.state == "open", Task.name == "bedom_behov_av_sip",
                   Case.initiating_organisation == LARGE_ORG[0])).all()
        db.session.rollback()
    return filled.seconds, large, typical, list(tasks)


def in_turns(servers: list[Server], step: str, request, samples: int) -> None:
    """`request(server, client) -> ms`, BLOCK at a time on each server in turn, until each has `samples`."""
    clients = {server.name: (Client(server.base, server.large_token),
                             [Client(server.base, token) for token in server.typical_tokens]) for server in servers}
    try:
        for server in servers:
            server.samples[step] = []
        for _ in range(0, samples, BLOCK):
            for server in servers:
                for _ in range(min(BLOCK, samples - len(server.samples[step]))):
                    server.samples[step].append(request(server, *clients[server.name]))
    finally:
        for large, typical in clients.values():
            for client in (large, *typical):
                client.close()


def listing(path: str, who: str):
    rng = random.Random(4)

    def request(server: Server, large: Client, typical: list[Client]) -> float:
        client = large if who == "large" else rng.choice(typical)
        status, body, ms = client.call("GET", path)
        assert status == 200 and body["items"], (status, body)
        return ms

    return request


def completing(server: Server, large: Client, typical: list[Client]) -> float:
    [task_id] = server.take(1)
    status, body, ms = large.call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": ASSESSMENT})
    assert status == 200, (status, body)
    return ms


def throughput(servers: list[Server], seconds: float, clients: int = THROUGHPUT_CLIENTS):
    """Completions per second, each server in turn and then in reverse order (A B B A): each client completes
    its own share of the large organisation's tasks, one after the other, until the time is up."""
    for server in servers + servers[::-1]:
        share = len(server.tasks) // (2 if not server.throughput else 1) // clients
        lists = [server.take(share) for _ in range(clients)]
        latencies, errors, elapsed, ran_out = complete_concurrently(server.base, server.large_token, lists, seconds)
        assert errors == 0, f"{errors} completions failed on {server.name}"
        server.throughput.append(len(latencies) / elapsed)
        server.samples.setdefault("throughput latency", []).extend(latencies)
        if ran_out:
            print(f"    note: a client ran out of tasks on {server.name} before the time was up")


STEPS = (
    ("task list, typical organisation", "GET /tasks, typical organisation"),
    ("task list, large organisation", "GET /tasks, large organisation"),
    ("case list, typical organisation", "GET /cases, typical organisation"),
    ("case list, large organisation", "GET /cases, large organisation"),
    ("complete a task", "POST /tasks/{id}/complete, one client"),
    ("throughput latency", f"completion latency with {THROUGHPUT_CLIENTS} clients"),
)


def measure(servers: list[Server]) -> None:
    """Every step on every server, in turns (SAMPLES, WARMUP and THROUGHPUT_SECONDS as set when it runs)."""
    samples, warmup, seconds = SAMPLES, WARMUP, THROUGHPUT_SECONDS
    for server in servers:
        warm_up(server, warmup)
    for step, path, who in (("task list, typical organisation", TASK_LIST, "typical"),
                            ("task list, large organisation", TASK_LIST, "large"),
                            ("case list, typical organisation", CASE_LIST, "typical"),
                            ("case list, large organisation", CASE_LIST, "large")):
        in_turns(servers, step, listing(path, who), samples)
    in_turns(servers, "complete a task", completing, samples)
    throughput(servers, seconds)


def warm_up(server: Server, completions: int) -> None:
    """Every worker of the server warm for every step, as a server is after its first minutes: gunicorn gives each
    new connection to one of its workers, and each worker restores the routine's specs, compiles its statements
    and has psycopg prepare them on its own. So the warm-up opens WARM_CONNECTIONS connections as the large
    organisation's staff (completions and both lists on each) and one per typical organisation's staff member."""
    per_connection = max(1, completions // WARM_CONNECTIONS)
    for _ in range(WARM_CONNECTIONS):
        client = Client(server.base, server.large_token)
        for task_id in server.take(per_connection):
            status, body, _ = client.call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": ASSESSMENT})
            assert status == 200, (status, body)
        for path in (TASK_LIST, CASE_LIST) * per_connection:
            status, body, _ = client.call("GET", path)
            assert status == 200, (status, body)
        client.close()
    for token in server.typical_tokens:
        client = Client(server.base, token)
        for path in (TASK_LIST, CASE_LIST) * 3:
            status, body, _ = client.call("GET", path)
            assert status == 200, (status, body)
        client.close()


def commit_latency(url: str, n: int = 50) -> list[float]:
    """ms of a one-row INSERT and its COMMIT, n times, on the database of `url` as the app connects to it: what
    every request that writes (a completion, the audit row of a read) waits for at least. PostgreSQL waits for
    its write-ahead log to reach the disk; SQLite in WAL mode with synchronous=NORMAL does not at each commit."""
    import sqlalchemy as sa

    from engine import create_app
    from engine.database import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    samples = []
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_commit_probe (x INTEGER)"))
        conn.commit()
        for _ in range(n):
            start = time.perf_counter()
            conn.execute(sa.text("INSERT INTO bench_commit_probe (x) VALUES (1)"))
            conn.commit()
            samples.append((time.perf_counter() - start) * 1000)
        conn.execute(sa.text("DROP TABLE bench_commit_probe"))
        conn.commit()
    return samples


def report(size: int, servers: list[Server]) -> dict[str, float]:
    """The size's table, PostgreSQL's ratio to SQLite, and the targets' verdicts for PostgreSQL. Returns
    PostgreSQL's (or the only database's) completions per second."""
    names = [server.name for server in servers]
    print(f"\n  {size:,} open cases; filled in " + ", ".join(f"{s.filled_seconds:.0f} s ({s.name})" for s in servers))
    header = "".join(f"{name + ' median / p95':>28}" for name in names)
    print(f"    {'step':<44}{header}" + ("   PostgreSQL / SQLite (median, p95)" if len(servers) == 2 else ""))
    for step, label in STEPS:
        cells = "".join(f"{median(s.samples[step]):>16.2f} / {p95(s.samples[step]):>6.2f} ms" for s in servers)
        ratio = ""
        if len(servers) == 2:
            first, second = (s.samples[step] for s in servers)
            ratio = f"   {median(second) / median(first):5.2f}x, {p95(second) / p95(first):5.2f}x"
        print(f"    {label:<44}{cells}{ratio}")
    if all(s.commits for s in servers):
        cells = "".join(f"{median(s.commits):>16.2f} / {p95(s.commits):>6.2f} ms" for s in servers)
        print(f"    {'a one-row INSERT and COMMIT (the disk)':<44}{cells}")
    cells = "".join(f"{sum(s.throughput) / len(s.throughput):>21.1f} /s    " for s in servers)
    rounds = "; ".join(f"{s.name}: " + ", ".join(f"{x:.1f}" for x in s.throughput) for s in servers)
    print(f"    {'completions per second, ' + str(THROUGHPUT_CLIENTS) + ' clients':<44}{cells}   (rounds: {rounds})")
    target = servers[-1]
    for step in ("task list, typical organisation", "task list, large organisation"):
        print(f"    target {target.name}: {step} p95 < 10 ms {verdict(p95(target.samples[step]) < 10)}")
    if len(servers) == 2:
        ratio = median(target.samples["complete a task"]) / median(servers[0].samples["complete a task"])
        print(f"    target {target.name}: complete median <= 1.5x SQLite's {verdict(ratio <= 1.5)} ({ratio:.2f}x)")
    per_second = sum(target.throughput) / len(target.throughput)
    if size >= 100_000:
        print(f"    target {target.name}: >= {2 * THROUGHPUT_BEFORE:.0f} completions/s "
              f"{verdict(per_second >= 2 * THROUGHPUT_BEFORE)} ({per_second:.1f})")
    return per_second


def main():
    postgres_url = os.environ.get("SIP_BENCH_DATABASE_URL")
    if not postgres_url:
        sys.exit("set SIP_BENCH_DATABASE_URL=postgresql://... (a database the benchmark may wipe)")
    print(f"PostgreSQL beside SQLite; {machine()}")
    per_second = {}
    for size in SIZES:
        with ExitStack() as stack:
            servers, urls = [], []
            for name, url in (("SQLite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"),
                              ("PostgreSQL", postgres_url)):
                app, url = fresh_app(url)
                seconds, large, typical, tasks = prepare(app, size)
                base = stack.enter_context(gunicorn(url))
                servers.append(Server(name, base, large, typical, tasks, seconds))
                urls.append(url)
            measure(servers)
            for server, url in zip(servers, urls, strict=True):
                server.commits = commit_latency(url)
            per_second[size] = report(size, servers)
    if len(SIZES) > 1:
        smallest, largest = min(SIZES), max(SIZES)
        change = per_second[largest] / per_second[smallest] - 1
        print(f"\n  PostgreSQL completions per second at {largest:,} against {smallest:,}: "
              f"{per_second[largest]:.1f} / {per_second[smallest]:.1f} ({change:+.0%}); "
              f"no more than 20 % fewer {verdict(change >= -0.2)}")
    print(f"  {machine()}")


if __name__ == "__main__":
    main()
