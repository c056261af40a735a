"""Every timer fires once: two workers sweeping at the same time, and a worker killed mid-sweep."""

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import time_machine

from engine import create_app
from engine.database import db
from engine.services import cases
from tests.routine.walk import CaseWalk

ROOT = Path(__file__).resolve().parents[2]
DUE = datetime(2027, 6, 11, 9, tzinfo=UTC)

# The follow-up, and each participant told of it.
FOLLOW_UP = ["genomfor_uppfoljning", "kvittera_uppfoljning", "kvittera_uppfoljning"]


def planned_cases(n: int) -> list[str]:
    with time_machine.travel(datetime(2026, 11, 27, 9, tzinfo=UTC), tick=False):
        return [CaseWalk.start().to_plan(uppfoljningsdatum="2027-06-10").case_id for _ in range(n)]


def timer_events(case_id: str) -> int:
    return [e.kind for e in cases.case_history(case_id)].count("timer")


def test_two_workers_at_the_same_time_fire_each_timer_once(app, migrated):
    ids = planned_cases(12)
    fired: list[list[str]] = []
    barrier = threading.Barrier(2)

    def worker():
        worker_app = create_app({"SQLALCHEMY_DATABASE_URI": migrated})
        with worker_app.app_context():
            barrier.wait()
            fired.append(cases.fire_due_timers(limit=100))
            db.session.remove()

    with time_machine.travel(DUE, tick=False):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    db.session.expire_all()
    assert sorted(fired[0] + fired[1]) == sorted(ids), "each due case fired by exactly one worker"
    assert [timer_events(i) for i in ids] == [1] * len(ids)
    for case_id in ids:
        assert sorted(t.name for t in cases.open_tasks(case_id)) == FOLLOW_UP
    with time_machine.travel(DUE, tick=False):
        assert cases.fire_due_timers() == []


KILLED_WORKER = """
import os, signal, sys
from datetime import datetime, UTC
import sqlalchemy as sa
from engine import create_app
from engine.database import db
from engine.services.cases import _load, _store
from engine.store import Case
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.app_context():
    case = db.session.scalars(sa.select(Case).where(Case.id == sys.argv[2]).with_for_update()).one()
    workflow = _load(case)
    workflow.fire_timers()
    _store(case, workflow)
    db.session.flush()
    print("fired, not committed", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_worker_killed_mid_sweep_leaves_the_timer_to_the_next_run(app, migrated):
    [case_id] = planned_cases(1)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with time_machine.travel(DUE, tick=False):
        result = subprocess.run([sys.executable, "-c", KILLED_WORKER, migrated, case_id], env=env,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == -9, result.stderr[-2000:]
    assert "fired, not committed" in result.stdout
    db.session.expire_all()
    assert timer_events(case_id) == 0
    assert cases.open_tasks(case_id) == []
    with time_machine.travel(DUE, tick=False):
        assert cases.fire_due_timers() == [case_id]
    assert timer_events(case_id) == 1
    assert sorted(t.name for t in cases.open_tasks(case_id)) == FOLLOW_UP
