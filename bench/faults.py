"""The fault suite: load from several clients against two API nodes and two timer workers while the processes
under them fail, then every case checked against what the clients believe they did.

Set up as two machines behind a load balancer would run: two gunicorn masters, each on its own port with its own
workers (gunicorn.conf.py, workers replaced after a small `max_requests`), and two timer workers
(`flask --app engine worker`), on one database. Each client signs in as its own member of staff and goes through
journeys: start a case, complete its first task, load the case. It sends each request to one node and, when the
answer does not come or is a 5xx, sends it again (to the other node) with the same `Idempotency-Key`, as a client
behind a load balancer does. Meanwhile:
- a gunicorn worker of one node or the other is killed (`kill -9`) every few seconds; its master starts another;
- a timer worker is killed (`kill -9`) while it sweeps cases whose follow-up timer is due, and started again;
- on PostgreSQL, the database server is restarted (`pg_ctlcluster ... restart`) once, mid-run.

Printed: requests made and errors by kind. Then verified, against the database and over the API:
- lost: a journey the client saw succeed whose case is missing, or not advanced by exactly the completion made;
- duplicated: cases started beyond one per journey, a completion applied twice, a timer fired twice;
- every case loads over the API and advances (its next task, the consent, is completed once the faults end);
- every case whose timer was due has fired it once and waits at its follow-up.

    python bench/faults.py                       # SQLite file
    SIP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test_faults_suite python bench/faults.py
    python bench/faults.py --seconds 120 --clients 8

Restarting PostgreSQL affects every database on the server: run it against a server of your own. The database
named is wiped. `--no-restart` leaves PostgreSQL running.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    clones,
    describe_database,
    free_port,
    fresh_app,
    insert_clones,
    machine,
    read_template,
    sign_in,
)
from tests.routine.walk import HUVUDMAN_KINDS  # noqa: E402

REGION = "kristianstad"
ORGANISATION = ("Kristianstads kommun, hemtjänst Norr", "kommun_sol", "kristianstad")
PERSON = {"personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}
KOMMUN = {"namn": "Eva Ek", "organisation": ORGANISATION[0], "huvudmannatyp": "kommun_sol",
          "yrke": "Biståndshandläggare", "kontakt": "044-13 50 00"}
ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Anna Andersson", "alder": 82},
              "samordningsansvarig": KOMMUN, "sip_behovs": True}
# The consent, as tests/routine/walk.py gives it: the case advances from NEXT_TASK to preparing the meeting.
CONSENT = {"samtycke": "givet", "samtycke_datum": "2026-11-27", "samtycke_informationsutbyte": True,
           "samtycke_huvudman": list(HUVUDMAN_KINDS)}
FIRST_TASK, NEXT_TASK, FOLLOW_UP_TASK = "bedom_behov_av_sip", "inhamta_samtycke", "genomfor_uppfoljning"
RETRIED = {500, 502, 503, 504}
GIVE_UP_AFTER = 60.0  # seconds a client goes on sending one request again before it gives up
FOLLOW_UP = date(2027, 6, 10)  # the walked template's follow-up date, replaced by a past one in its clones


# -- processes ------------------------------------------------------------------------------------------------
def environment(url: str, **settings) -> dict[str, str]:
    return dict(os.environ, SIP_DATABASE_URL=url, **{f"SIP_{k}": str(v) for k, v in settings.items()})


class Node:
    """One API node: a gunicorn master with its workers on a port of its own."""

    def __init__(self, url: str, logs: Path, name: str, workers: int, max_requests: int):
        self.port = free_port()
        self.name = name
        self.log = open(logs / f"{name}.log", "w+b")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "engine:create_app()"], cwd=ROOT,
            env=environment(url, BIND=f"127.0.0.1:{self.port}", WORKERS=workers, THREADS=4,
                            MAX_REQUESTS=max_requests, MAX_REQUESTS_JITTER=max_requests // 5),
            stdout=subprocess.DEVNULL, stderr=self.log)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/health")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.log.seek(0)
        raise RuntimeError(f"{self.name} did not start: {self.log.read().decode()[-2000:]}")

    def workers(self) -> list[int]:
        try:
            return [int(pid) for pid in Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
                    .read_text().split()]
        except OSError:
            return []

    def recycled(self) -> int:
        self.log.flush()
        return (Path(self.log.name).read_text(errors="replace").count("Autorestarting worker"))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class TimerWorker:
    """`flask --app engine worker`, sweeping due timers every second, 40 cases at a time."""

    def __init__(self, url: str, logs: Path, name: str):
        self.url, self.name = url, name
        self.log = open(logs / f"{name}.log", "ab")  # noqa: SIM115
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "engine", "worker", "--interval", "1", "--batch", "40"],
            cwd=ROOT, env=environment(self.url), stdout=self.log, stderr=self.log)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def exited(self) -> bool:
        """Whether the worker ended by itself (not killed here): it must outlive a restart of the database."""
        return self.process.poll() is not None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# -- the clients ------------------------------------------------------------------------------------------------
@dataclass
class Journey:
    case_id: str | None = None
    started: bool = False
    completed: bool = False
    loaded: bool = False
    failure: str | None = None


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    errors: Counter = field(default_factory=Counter)
    journeys: list[Journey] = field(default_factory=list)

    def count(self, error: str | None = None) -> None:
        with self.lock:
            self.requests += 1
            if error:
                self.errors[error] += 1


class Client:
    """A member of staff's client behind a load balancer: requests go to the nodes in turn; a request whose
    answer does not come, or is a 5xx, is sent again to the next node, with the same Idempotency-Key."""

    def __init__(self, ports: list[int], token: str, tally: Tally):
        self.ports, self.token, self.tally = ports, token, tally
        self.turn = random.randrange(len(ports))
        self.connections: dict[int, http.client.HTTPConnection] = {}

    def _connection(self, port: int) -> http.client.HTTPConnection:
        if port not in self.connections:
            self.connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        return self.connections[port]

    def call(self, method: str, path: str, body: dict | None = None, key: str | None = None):
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        if key is not None:
            headers["Idempotency-Key"] = key
        deadline = time.monotonic() + GIVE_UP_AFTER
        while True:
            self.turn = (self.turn + 1) % len(self.ports)
            port = self.ports[self.turn]
            conn = self._connection(port)
            wait = 0.0
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            except (http.client.HTTPException, OSError) as err:
                conn.close()
                self.connections.pop(port, None)
                self.tally.count(type(err).__name__)
            else:
                if response.status not in RETRIED:
                    self.tally.count()
                    return response.status, (json.loads(raw) if raw else None)
                kind = f"HTTP {response.status}"
                if response.getheader("Content-Type") != "application/problem+json":
                    kind += f" ({response.getheader('Content-Type')})"
                self.tally.count(kind)
                wait = min(float(response.getheader("Retry-After") or 0.2), 1.0)
            if time.monotonic() > deadline:
                return None, None
            time.sleep(wait or 0.05)

    def journey(self) -> Journey:
        journey = Journey()
        status, body = self.call("POST", "/api/v1/cases", {"region": REGION, "person": PERSON, "variables": {}},
                                 key=str(uuid.uuid4()))
        if status not in (200, 201):  # 200: the answer to a start sent again, as it was first made
            journey.failure = f"start answered {status}: {body}"
            return journey
        journey.case_id, journey.started = body["id"], True
        task = next(t["id"] for t in body["open_tasks"] if t["name"] == FIRST_TASK)
        status, body = self.call("POST", f"/api/v1/tasks/{task}/complete", {"data": ASSESSMENT}, key=str(uuid.uuid4()))
        if status != 200:
            journey.failure = f"completion answered {status}: {body}"
            return journey
        journey.completed = True
        status, body = self.call("GET", f"/api/v1/cases/{journey.case_id}")
        journey.loaded = status == 200
        if not journey.loaded:
            journey.failure = f"loading answered {status}: {body}"
        return journey

    def run(self, until: float) -> None:
        while time.monotonic() < until:
            journey = self.journey()
            with self.tally.lock:
                self.tally.journeys.append(journey)
        for conn in self.connections.values():
            conn.close()


# -- cases waiting for a timer ----------------------------------------------------------------------------------
def seed_due_timers(app, count: int) -> list[str]:
    """`count` cases at their signed plan whose follow-up timer is due (clones of one walked case, each with a
    follow-up date in the past); their ids."""
    import sqlalchemy as sa

    from engine.database import db
    from engine.store import Case
    from tests.routine.walk import CaseWalk

    with app.app_context():
        walk = CaseWalk.start().to_plan(uppfoljningsdatum=FOLLOW_UP.isoformat())
        template = read_template(walk.case_id)
        db.session.execute(sa.update(Case).where(Case.id == walk.case_id).values(next_timer_at=None))
        db.session.commit()
    quoted = f'"{FOLLOW_UP.isoformat()}"'
    today = datetime.now(UTC).date()
    ids = []

    def vary(i, clone):
        case = clone["cases"][0]
        due = today - timedelta(days=1 + i % 20)
        case["state"] = case["state"].replace(quoted, f'"{due.isoformat()}"')
        case["data"] = {**case["data"], "uppfoljningsdatum": due.isoformat()}
        case["next_timer_at"] = datetime.combine(due, datetime.min.time(), UTC)
        case["person_name"] = f"Person {i:05d}"
        ids.append(case["id"])

    with app.app_context():
        insert_clones(clones(template, count, vary))
    return ids


def due_count(app) -> int:
    import sqlalchemy as sa

    from engine.database import db
    from engine.store import Case

    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(Case)
                                     .where(Case.next_timer_at <= datetime.now(UTC)))
        except Exception:  # noqa: BLE001 - the database is restarting: not known now
            return -1
        finally:
            db.session.remove()


# -- faults ---------------------------------------------------------------------------------------------------
@dataclass
class Faults:
    worker_kills: int = 0
    timer_kills: int = 0
    timer_kills_mid_sweep: int = 0
    postgres_restarts: int = 0
    log: list[str] = field(default_factory=list)


def restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True,
                   capture_output=True, timeout=120)


def inject(app, nodes: list[Node], timers: list[TimerWorker], start: float, seconds: float, kill_every: float,
           postgres: bool, faults: Faults, stop: threading.Event) -> None:
    """Kill a gunicorn worker every `kill_every` seconds; kill a timer worker mid-sweep at a fifth of the run
    (and once more later if timers are still due); restart PostgreSQL at two fifths."""
    timer_at = [start + seconds * 0.2, start + seconds * 0.6]
    restart_at = start + seconds * 0.4 if postgres else None
    next_kill = start + kill_every / 2
    while not stop.wait(0.1):
        now = time.monotonic()
        if now >= next_kill:
            node = random.choice(nodes)
            pids = node.workers()
            if pids:
                pid = random.choice(pids)
                try:
                    os.kill(pid, signal.SIGKILL)
                    faults.worker_kills += 1
                    faults.log.append(f"{now - start:5.1f} s  kill -9 worker {pid} of {node.name}")
                except ProcessLookupError:
                    pass
            next_kill = now + kill_every
        if timer_at and now >= timer_at[0]:
            timer_at.pop(0)
            due = due_count(app)
            timer = random.choice(timers)
            timer.kill()
            faults.timer_kills += 1
            faults.timer_kills_mid_sweep += due > 0
            faults.log.append(f"{now - start:5.1f} s  kill -9 {timer.name} ({due} cases with a due timer left)")
            timer.start()
        if restart_at is not None and now >= restart_at:
            restart_at = None
            began = time.monotonic()
            restart_postgres()
            faults.postgres_restarts += 1
            faults.log.append(f"{now - start:5.1f} s  PostgreSQL restarted ({time.monotonic() - began:.1f} s)")


# -- verification ---------------------------------------------------------------------------------------------
@dataclass
class Verdict:
    journeys: int
    succeeded: int
    unfinished: list[str]
    lost: list[str]
    duplicated: list[str]
    not_loading: list[str]
    advanced: int
    timers_due: int
    timers_fired_once: int
    timer_problems: list[str]

    @property
    def ok(self) -> bool:
        return not (self.unfinished or self.lost or self.duplicated or self.not_loading or self.timer_problems)


def verify(app, ports: list[int], token: str, tally: Tally, timer_cases: list[str]) -> Verdict:
    import sqlalchemy as sa

    from engine.database import db
    from engine.store import Case, CaseEvent, Task

    journeys = tally.journeys
    lost, duplicated, not_loading, timer_problems = [], [], [], []
    with app.app_context():
        cases = {row.id: row for row in db.session.execute(
            sa.select(Case.id, Case.revision, Case.next_timer_at)
            .where(Case.id.not_in(timer_cases) if timer_cases else sa.true())).all()}
        tasks: dict[str, list] = {}
        for row in db.session.execute(sa.select(Task.case_id, Task.name, Task.state)).all():
            tasks.setdefault(row.case_id, []).append((row.name, row.state))
        timer_events = Counter(db.session.scalars(sa.select(CaseEvent.case_id).where(CaseEvent.kind == "timer")))
        db.session.remove()
    started = [j for j in journeys if j.case_id]
    claimed = Counter(j.case_id for j in started)
    duplicated += [f"case {case_id} answered to {n} starts" for case_id, n in claimed.items() if n > 1]
    ours = {case_id for case_id in cases if case_id not in timer_cases}
    template = ours - set(claimed)
    # Beyond the journeys' cases: the walked template of the timer cases, and nothing else.
    if len(template) > 1:
        duplicated.append(f"{len(template) - 1} case(s) stored that no client was answered for")
    for journey in started:
        case = cases.get(journey.case_id)
        if case is None:
            lost.append(f"case {journey.case_id} the client started is not stored")
            continue
        names = tasks.get(journey.case_id, [])
        if journey.completed:
            completed = names.count((FIRST_TASK, "completed"))
            open_next = names.count((NEXT_TASK, "open"))
            if completed != 1 or open_next != 1 or case.revision != 2:
                (duplicated if case.revision > 2 or open_next > 1 else lost).append(
                    f"case {journey.case_id}: revision {case.revision}, {FIRST_TASK} completed {completed}x, "
                    f"{NEXT_TASK} open {open_next}x")
    for case_id in timer_cases:
        fired = timer_events.get(case_id, 0)
        follow_ups = tasks.get(case_id, []).count((FOLLOW_UP_TASK, "open"))
        if fired != 1 or follow_ups != 1:
            timer_problems.append(f"timer case {case_id}: fired {fired}x, {FOLLOW_UP_TASK} open {follow_ups}x")
    # Every case a client started loads over the API, and advances: its next task (consent) is completed.
    client = Client(ports, token, Tally())
    advanced = 0
    for case_id in sorted(claimed):
        status, body = client.call("GET", f"/api/v1/cases/{case_id}")
        if status != 200:
            not_loading.append(f"case {case_id}: loading answered {status}")
            continue
        waiting = [t["id"] for t in body["open_tasks"] if t["name"] == NEXT_TASK]
        if not waiting:
            continue  # its first completion was lost: counted above
        status, body = client.call("POST", f"/api/v1/tasks/{waiting[0]}/complete", {"data": CONSENT},
                                   key=str(uuid.uuid4()))
        if status != 200 or not body["next_tasks"]:
            not_loading.append(f"case {case_id}: completing {NEXT_TASK} answered {status}: {body}")
        else:
            advanced += 1
    unfinished = [f"{j.case_id or '(no case)'}: {j.failure}" for j in journeys if j.failure]
    succeeded = sum(1 for j in journeys if j.loaded)
    return Verdict(len(journeys), succeeded, unfinished, lost, duplicated, not_loading, advanced, len(timer_cases),
                   len(timer_cases) - len(timer_problems), timer_problems)


# -- the run ----------------------------------------------------------------------------------------------------
@dataclass
class Report:
    database: str
    seconds: float
    clients: int
    requests: int
    errors: Counter
    faults: Faults
    recycled: int
    timer_exits: int
    verdict: Verdict

    def lines(self) -> list[str]:
        v, f = self.verdict, self.faults
        out = [f"database: {self.database}; {machine()}",
               f"{self.clients} clients for {self.seconds:.0f} s against 2 API nodes and 2 timer workers",
               f"faults: {f.worker_kills} gunicorn workers killed (kill -9), {f.timer_kills} timer workers killed "
               f"({f.timer_kills_mid_sweep} with due timers left), {f.postgres_restarts} PostgreSQL restart(s); "
               f"{self.recycled} workers replaced after max_requests; "
               f"{self.timer_exits} timer workers ended by themselves",
               *("    " + line for line in f.log),
               f"requests made: {self.requests:,}; errors by kind (each answered by sending the request again):",
               *(f"    {kind:<32} {n:6,}" for kind, n in self.errors.most_common()),
               *([] if self.errors else ["    none"]),
               f"journeys (start, complete the first task, load): {v.journeys:,}, {v.succeeded:,} done; "
               f"{v.advanced:,} cases advanced afterwards (consent completed)",
               f"lost: {len(v.lost)}; duplicated: {len(v.duplicated)}; not loading or advancing: {len(v.not_loading)}; "
               f"unfinished: {len(v.unfinished)}",
               f"timers due at the start: {v.timers_due}, fired exactly once: {v.timers_fired_once}",
               *("    " + p for p in (v.lost + v.duplicated + v.not_loading + v.unfinished + v.timer_problems)[:20]),
               "VERDICT: " + ("OK" if v.ok and not self.timer_exits else "FAILED")]
        return out


def run(url: str | None = None, seconds: float = 60.0, clients: int = 6, workers: int = 2, kill_every: float = 4.0,
        timer_cases: int = 200, max_requests: int = 300, restart: bool | None = None, echo=print) -> Report:
    """The whole suite; `restart` (default: on PostgreSQL) restarts PostgreSQL mid-run."""
    app, url = fresh_app(url)
    postgres = url.startswith("postgresql")
    restart = postgres if restart is None else restart and postgres
    logs = Path(tempfile.mkdtemp(prefix="sip-faults-"))
    echo(f"setting up on {describe_database(url)} (logs in {logs})")
    with app.app_context():
        tokens = [sign_in(f"faults.client{i}", ORGANISATION) for i in range(clients)]
        checker = sign_in("faults.checker", ORGANISATION)
    seeded = seed_due_timers(app, timer_cases)
    nodes = [Node(url, logs, f"api-{n}", workers, max_requests) for n in (1, 2)]
    timers: list[TimerWorker] = []
    tally, faults, stop = Tally(), Faults(), threading.Event()
    try:
        for node in nodes:
            node.wait_ready()
        timers = [TimerWorker(url, logs, f"timer-{n}") for n in (1, 2)]
        ports = [node.port for node in nodes]
        start = time.monotonic()
        until = start + seconds
        threads = [threading.Thread(target=Client(ports, token, tally).run, args=(until,)) for token in tokens]
        injector = threading.Thread(target=inject, args=(app, nodes, timers, start, seconds, kill_every, restart,
                                                         faults, stop))
        for thread in threads:
            thread.start()
        injector.start()
        for thread in threads:
            thread.join()
        stop.set()
        injector.join()
        elapsed = time.monotonic() - start
        # The timer workers finish what is due (after a kill, a case is due again until a sweep fires it).
        deadline = time.monotonic() + 60
        while due_count(app) != 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        verdict = verify(app, ports, checker, tally, seeded)
        recycled = sum(node.recycled() for node in nodes)
        timer_exits = sum(timer.exited() for timer in timers)
    finally:
        for timer in timers:
            timer.stop()
        for node in nodes:
            node.stop()
    return Report(describe_database(url), elapsed, clients, tally.requests, tally.errors, faults, recycled, timer_exits,
                  verdict)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per API node")
    parser.add_argument("--kill-every", type=float, default=3.0, help="seconds between kills of gunicorn workers")
    parser.add_argument("--timer-cases", type=int, default=400, help="cases whose follow-up timer is due")
    parser.add_argument("--max-requests", type=int, default=500, help="gunicorn max_requests (±20 %% jitter)")
    parser.add_argument("--no-restart", action="store_true", help="do not restart PostgreSQL")
    args = parser.parse_args()
    report = run(seconds=args.seconds, clients=args.clients, workers=args.workers, kill_every=args.kill_every,
                 timer_cases=args.timer_cases, max_requests=args.max_requests, restart=not args.no_restart)
    print("\n".join(report.lines()))
    return 0 if report.verdict.ok and not report.timer_exits else 1


if __name__ == "__main__":
    sys.exit(main())
