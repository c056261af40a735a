"""A run that moves cases outlives the process moving them: killed midway (a gunicorn worker killed; the command
killed), the run shows it is interrupted, and the timer worker, or the API where the run is read, takes it over and
moves the cases not yet moved; each case moves once, is reported once, and goes on. Stopped gracefully (the timer
worker by SIGTERM, a gunicorn worker replaced), the process hands the run over after the case it is moving, and it
is taken over at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from engine.database import db
from engine.services import case_migration as service
from engine.services import cases
from engine.store import Case, ProcessDefinition
from engine.store.case_migrations import CaseMigration, MigrationRun
from tests.api.conftest import user_token
from tests.api.over_http import call
from tests.servers import ROOT, gunicorn

from .conftest import REGION, START, Walk, deploy_version, edited, routine
from .test_api import ORGANISATION

CASES = 600
STALE_AFTER = 1  # seconds, for the processes the tests start
REFUSED_EVERY = 10  # every tenth case has a draft the new version's form refuses


@pytest.fixture
def region_cases(first):
    """CASES cases of the small routine waiting at their form, every tenth with a draft that version 2 refuses;
    and version 2. (ids of all, ids of those refused)"""
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False):
        case_ids = [cases.start_case(REGION, dict(START), person_name=f"Person {i}").id for i in range(CASES)]
    refused = case_ids[::REFUSED_EVERY]
    for case_id in refused:
        [task] = [t for t in cases.open_tasks(case_id) if t.name == "fyll_i"]
        cases.save_draft(task.id, {"antal": 3}, user="eva")
    deploy_version(edited(routine(), "forms/fyll_i.schema.json", '"antal": {"type": "integer"',
                          '"antal": {"type": "string"'))
    return case_ids, set(refused)


def environment(database_url: str, stale_after: float = STALE_AFTER) -> dict:
    return dict(os.environ, SIP_DATABASE_URL=database_url, SIP_MIGRATION_STALE_AFTER=str(stale_after))


def flask(database_url: str, *args: str, stale_after: float = STALE_AFTER, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "engine", *args], cwd=ROOT,
                            env=environment(database_url, stale_after), text=True, **options)


def worker_once(database_url: str) -> subprocess.Popen:
    return flask(database_url, "worker", "--once", stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def the_run() -> MigrationRun:
    db.session.rollback()
    return db.session.scalars(sa.select(MigrationRun).where(MigrationRun.dry_run.is_(False))).one()


def moved_so_far() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(CaseMigration))


def wait_for(condition, seconds: float = 120, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def killed_midway(process: subprocess.Popen, at_least: int) -> int:
    """SIGKILL the process once it has moved `at_least` cases: how many it had moved (fewer than all)."""
    wait_for(lambda: moved_so_far() >= at_least or process.poll() is not None, what="the first cases to move")
    assert process.poll() is None, "the run ended before it could be killed: give it more cases"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    moved = moved_so_far()
    assert moved < CASES - CASES // REFUSED_EVERY, "the run had moved every case before it was killed"
    return moved


def assert_moved_once(run_id: str, case_ids: list[str], refused: set[str]) -> dict:
    """The run is finished with each selected case reported once, moved once (those without a refused draft) and
    on version 2, the others on version 1; the run as read back."""
    db.session.rollback()
    run = db.session.get(MigrationRun, run_id)
    out = service.run_out(run)
    assert out["status"] == "finished", out["status"]
    movable = len(case_ids) - len(refused)
    assert out["summary"] == {"total": len(case_ids), "can_move": movable, "cannot_move": len(refused),
                              "moved": movable}
    assert sorted(c["case_id"] for c in out["cases"]) == sorted(case_ids)  # each once
    for found in out["cases"]:
        assert found["moved"] is (found["case_id"] not in refused), found
        assert found["from_version"] == 1
        if found["case_id"] in refused:
            assert "antal" in found["reasons"][0]["message"]
    moves = dict(db.session.execute(sa.select(CaseMigration.case_id, sa.func.count())
                                    .group_by(CaseMigration.case_id)).all())
    assert moves == {case_id: 1 for case_id in case_ids if case_id not in refused}
    versions = dict(db.session.execute(sa.select(Case.id, ProcessDefinition.version).join(
        ProcessDefinition, ProcessDefinition.id == Case.definition_id).where(Case.region == REGION)).all())
    assert versions == {case_id: 1 if case_id in refused else 2 for case_id in case_ids}
    migrated = [e for case_id in (case_ids[1], case_ids[-1]) for e in cases.case_history(case_id)
                if e.kind == "migrated"]
    assert len(migrated) == 2
    db.session.rollback()
    return out


def assert_cases_go_on(*case_ids: str) -> None:
    """A moved case loads and advances on the new version."""
    for case_id in case_ids:
        walk = Walk.__new__(Walk)
        walk.case_id = case_id
        walk.do("fyll_i", {"anteckning": "Klar", "antal": "tre"})
        assert sorted(t.name for t in walk.tasks()) == ["kvittera", "kvittera"]
        assert walk.case.definition.version == 2


def test_a_run_killed_midway_is_carried_on_by_the_timer_worker_once(app, migrated, region_cases):
    case_ids, refused = region_cases
    command = flask(migrated, "cases", "migrate", "--region", REGION, "--from-version", "1", "--by", "agare",
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    moved_before = killed_midway(command, at_least=120)

    run = the_run()
    assert run.status == "running" and run.resumed == 0
    app.config["MIGRATION_STALE_AFTER"] = STALE_AFTER
    wait_for(lambda: service.run_out(the_run())["status"] == "interrupted", seconds=10, what="a stale heartbeat")

    # Two timer workers at once: one takes the run over, the other finds it held.
    workers = [worker_once(migrated) for _ in range(2)]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    carried = [out for out, _ in outputs if f"carried on migration run {run.id}" in out]
    assert len(carried) == 1, outputs

    out = assert_moved_once(run.id, case_ids, refused)
    assert out["resumed"] == 1 and moved_so_far() > moved_before
    first_moved = next(c for c in case_ids if c not in refused)
    last_moved = next(c for c in reversed(case_ids) if c not in refused)
    assert_cases_go_on(first_moved, last_moved)
    # Nothing is left to take over.
    again = worker_once(migrated)
    assert "migration run" not in again.communicate(timeout=120)[0]


def test_a_healthy_run_is_not_taken_over(app, migrated, region_cases):
    case_ids, refused = region_cases
    command = flask(migrated, "cases", "migrate", "--region", REGION, "--from-version", "1", "--by", "agare",
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: moved_so_far() > 0, what="the first case to move")
    run = the_run()
    holder, started = run.held_by, run.started_at.replace(tzinfo=UTC)
    checked_late = 0
    while command.poll() is None:
        out, err = worker_once(migrated).communicate(timeout=120)
        assert "migration run" not in out, (out, err)
        if command.poll() is None and datetime.now(UTC) - started > timedelta(seconds=STALE_AFTER * 2):
            checked_late += 1  # the run had gone on longer than the stale time, its heartbeat kept it
    assert command.returncode == 1  # the command's own ending: some cases could not move
    assert checked_late >= 1, "the run ended before a worker looked at it after the stale time: more cases"
    out = assert_moved_once(run.id, case_ids, refused)
    assert out["resumed"] == 0 and the_run().held_by == holder


def test_an_api_worker_killed_midway_leaves_a_run_the_api_carries_on_when_read(app, migrated, region_cases):
    """No timer worker runs: gunicorn's worker holding the run is killed, and reading the run over the API has
    another worker take it over."""
    case_ids, refused = region_cases
    token = user_token("agare", ORGANISATION, roles=("staff", "process_owner"))
    with gunicorn(migrated, WORKERS=2, MIGRATION_STALE_AFTER=STALE_AFTER) as base:
        status, started = call(base, token, "POST", "/migrations", {"region": REGION, "from_version": 1})
        assert status == 201 and started["status"] == "running", started
        wait_for(lambda: moved_so_far() >= 120, what="the first cases to move")
        holder_pid = int(the_run().held_by.split(":")[1])
        os.kill(holder_pid, signal.SIGKILL)
        time.sleep(0.5)
        moved_before = moved_so_far()
        assert moved_before < CASES - CASES // REFUSED_EVERY, "the run had moved every case before the kill"

        def read():
            status, body = call(base, token, "GET", f"/migrations/{started['id']}")
            assert status == 200, body
            return body

        wait_for(lambda: read()["resumed"] == 1, seconds=30, what="the run to be taken over as it is read")
        wait_for(lambda: read()["status"] == "finished", what="the run to finish")
        assert read()["summary"]["moved"] == CASES - len(refused)
    out = assert_moved_once(started["id"], case_ids, refused)
    assert out["resumed"] == 1 and int(the_run().held_by.split(":")[1]) != holder_pid
    assert_cases_go_on(case_ids[1], case_ids[-1])


def assert_released_between_cases(run_id: str, refused: set[str]) -> None:
    """The run is released, held by nobody, midway; each case is on version 2 with its move recorded, or on
    version 1 without (none left half-moved), and the run's counts say so."""
    db.session.rollback()
    run = db.session.get(MigrationRun, run_id)
    assert service.run_out(run)["status"] == "released" and run.held_by is None
    moves = set(db.session.scalars(sa.select(CaseMigration.case_id)))
    assert run.moved == len(moves) < CASES - len(refused), "every case had moved before the stop: more cases"
    on_new = set(db.session.scalars(sa.select(Case.id).join(ProcessDefinition, ProcessDefinition.id ==
                                                             Case.definition_id).where(ProcessDefinition.version == 2)))
    assert on_new == moves
    db.session.rollback()


# Longer than any test here takes: a run taken over under it was released, not stale.
NEVER_STALE = 3600


def test_a_timer_worker_stopped_by_sigterm_releases_its_run_to_be_taken_over_at_once(app, migrated, region_cases):
    """The timer worker carrying on a run is stopped as `docker stop` stops it: it stops after the case it is moving
    and hands the run over, and another worker takes it over on its next sweep, not after the stale time."""
    case_ids, refused = region_cases
    command = flask(migrated, "cases", "migrate", "--region", REGION, "--from-version", "1", "--by", "agare",
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    moved_before = killed_midway(command, at_least=60)
    run_id = the_run().id

    worker = flask(migrated, "worker", "--interval", "0.2", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: moved_so_far() >= moved_before + 60 or worker.poll() is not None,
             what="the worker to carry the run on")
    assert worker.poll() is None, worker.communicate()
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, (out, err)
    assert_released_between_cases(run_id, refused)
    assert f"carrying on migration run {run_id}" in out and "releasing the migration run" in out, (out, err)
    assert out.rstrip().endswith("stopped"), out

    # Taken over at once by a worker that would otherwise wait an hour; that one (`--once`, as cron runs it) is
    # stopped midway too, and the next finishes the run.
    moved_before = moved_so_far()
    claimant = flask(migrated, "worker", "--once", stale_after=NEVER_STALE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
    wait_for(lambda: moved_so_far() >= moved_before + 60 or claimant.poll() is not None,
             what="another worker to take the run over")
    assert claimant.poll() is None, claimant.communicate()
    claimant.send_signal(signal.SIGTERM)
    out, err = claimant.communicate(timeout=30)
    assert claimant.returncode == 0, (out, err)
    assert_released_between_cases(run_id, refused)
    assert f"released migration run {run_id}" in out, (out, err)

    claimant = flask(migrated, "worker", "--once", stale_after=NEVER_STALE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
    out, err = claimant.communicate(timeout=300)
    assert claimant.returncode == 0 and f"carried on migration run {run_id}" in out, (out, err)
    assert "released" not in out, out
    report = assert_moved_once(run_id, case_ids, refused)
    assert report["resumed"] == 3
    assert_cases_go_on(case_ids[1], case_ids[-1])


def test_an_api_worker_stopped_gracefully_releases_its_run_to_the_api(app, migrated, region_cases):
    """A gunicorn worker carrying a run is stopped as gunicorn replaces one (SIGTERM): it hands the run over after
    the case it is moving, and reading the run has another worker take it over at once."""
    case_ids, refused = region_cases
    token = user_token("agare", ORGANISATION, roles=("staff", "process_owner"))
    with gunicorn(migrated, WORKERS=2, MIGRATION_STALE_AFTER=NEVER_STALE) as base:
        status, started = call(base, token, "POST", "/migrations", {"region": REGION, "from_version": 1})
        assert status == 201 and started["status"] == "running", started
        wait_for(lambda: moved_so_far() >= 120, what="the first cases to move")
        holder_pid = int(the_run().held_by.split(":")[1])
        os.kill(holder_pid, signal.SIGTERM)

        def gone() -> bool:
            try:
                os.kill(holder_pid, 0)
            except ProcessLookupError:
                return True
            return False

        wait_for(gone, seconds=40, what="the worker to end")
        assert_released_between_cases(started["id"], refused)
        status, body = call(base, token, "GET", f"/migrations/{started['id']}")
        assert status == 200 and body["resumed"] == 1 and body["status"] in ("running", "finished"), body

        def read():
            status, body = call(base, token, "GET", f"/migrations/{started['id']}")
            assert status == 200, body
            return body

        wait_for(lambda: read()["status"] == "finished", what="the run to finish")
    out = assert_moved_once(started["id"], case_ids, refused)
    assert out["resumed"] == 1 and int(the_run().held_by.split(":")[1]) != holder_pid


def test_two_claimers_of_a_stale_run_never_both_take_it(app, first):
    """Many stale runs, each claimed by two threads at the same moment (each its own session and connection):
    every run is taken by exactly one."""
    old = datetime.now(UTC) - timedelta(minutes=10)
    run_ids = []
    for _ in range(30):
        run = MigrationRun(region=REGION, from_version=1, to_version=1, to_definition_id=first.id, mapping={},
                           dry_run=True, requested_by="agare", status="running", total=0, moved=0, refused=0,
                           report=[], selected=[], held_by="gone:1:x", heartbeat_at=old, resumed=0)
        db.session.add(run)
        db.session.flush()
        run_ids.append(run.id)
    db.session.commit()
    barrier = threading.Barrier(2)
    won: dict[str, list[str]] = {run_id: [] for run_id in run_ids}

    def claimer(name: str):
        with app.app_context():
            for run_id in run_ids:
                barrier.wait(timeout=30)
                if service.claim(run_id, name):
                    won[run_id].append(name)
            db.session.remove()

    threads = [threading.Thread(target=claimer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(names) == 1 for names in won.values()), won
    db.session.rollback()
    assert {r.held_by for r in db.session.scalars(sa.select(MigrationRun))} <= {"a", "b"}
    assert {r.resumed for r in db.session.scalars(sa.select(MigrationRun))} == {1}


def test_a_run_left_running_by_a_server_before_heartbeats_is_finished_by_the_worker(app, first):
    """A run still running from before runs kept their selection and heartbeat: the cases it moved are reported
    as moved (not refused as already on the new version), the rest of its request is moved now."""
    walks = [Walk() for _ in range(3)]
    deploy_version(edited(routine(), "forms/fyll_i.schema.json", '"antal": {"type": "integer"',
                          '"antal": {"type": "string"'))
    run = service.migrate(service.Request(REGION, case_ids=[walks[0].case_id]), actor="agare")
    db.session.execute(sa.update(MigrationRun).where(MigrationRun.id == run.id).values(
        status="running", finished_at=None, case_ids=None, from_version=1, selected=None, heartbeat_at=None,
        held_by=None, report=[], total=1))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert f"carried on migration run {run.id}" in result.output
    db.session.expire_all()
    out = service.run_out(db.session.get(MigrationRun, run.id))
    assert out["status"] == "finished" and out["resumed"] == 1
    assert out["summary"] == {"total": 3, "can_move": 3, "cannot_move": 0, "moved": 3}
    reported = [c["case_id"] for c in out["cases"]]
    assert reported[0] == walks[0].case_id and sorted(reported) == sorted(w.case_id for w in walks)
    assert all(c["moved"] and c["from_version"] == 1 and not c["reasons"] for c in out["cases"])
    assert [w.history().count("migrated") for w in walks] == [1, 1, 1]
