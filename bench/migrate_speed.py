"""Moving a region's running cases to a new version of its routine while the API serves beside it (issue 19).

The database is filled as for the task list (bench.common.fill_open_cases: clones of one real case waiting at its
first task, one organisation with a fifth of them), on version 1 of the base routine. Version 2 is deployed (the
first task's title changed, so that every case's task row is rewritten), then `flask --app engine cases migrate`
moves every case of the region in a process of its own, each case in its own transaction under its row lock,
while a gunicorn serving the same database answers staff of the large organisation listing their tasks and
reading cases, one request after the other. Printed: cases moved per second, and the API's median and p95 before
and during the run.

    python bench/migrate_speed.py --cases 10000                       # SQLite file
    SIP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sip_bench python bench/migrate_speed.py

The PostgreSQL database is wiped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_speed import REGION, USER, USER_ORG  # noqa: E402
from bench.common import (  # noqa: E402
    LARGE_ORG,
    Client,
    describe_database,
    fill_open_cases,
    fresh_app,
    gunicorn,
    machine,
    median,
    p95,
    sign_in,
)

ROOT = Path(__file__).resolve().parent.parent
TASK_LIST = "/api/v1/tasks?candidate_group=samordningsansvarig&limit=50"
BEFORE_SAMPLES = 200


def new_version(app) -> int:
    """Version 2 of the base: the first task of the routine renamed for staff."""
    from engine.services.process_sets import deploy, read_process_folder

    with app.app_context():
        files = read_process_folder(app.config["PROCESSES_DIR"], app.config["FORMS_DIR"])
        path = "bpmn/initiering_och_samtycke.bpmn"
        old = 'name="Bedöm behov av SIP"'
        assert old in files[path], "the first task's name is not where the benchmark expects it"
        files[path] = files[path].replace(old, 'name="Bedöm behovet av en SIP"', 1)
        definition, created = deploy(files, deployed_by="bench")
        assert created
        return definition.version


def request_loop(client: Client, case_ids: list[str], stop) -> list[float]:
    """Requests one after the other until `stop(samples so far)`: the task list, then a case, in turn."""
    samples, i = [], 0
    while not stop(samples):
        path = TASK_LIST if i % 2 == 0 else f"/api/v1/cases/{case_ids[i % len(case_ids)]}"
        status, _, ms = client.call("GET", path)
        assert status == 200, (status, path)
        samples.append(ms)
        i += 1
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=int(os.environ.get("SIP_BENCH_CASES", "10000")))
    args = parser.parse_args()

    import sqlalchemy as sa

    from engine.database import db
    from engine.store import Case, ProcessDefinition
    from engine.store.case_migrations import MigrationRun

    app, url = fresh_app()
    print(f"database: {describe_database(url)}; {machine()}")
    with app.app_context():
        sign_in(USER, USER_ORG)
    filled = fill_open_cases(app, args.cases, REGION, USER)
    with app.app_context():
        token = sign_in("large", LARGE_ORG)
        case_ids = db.session.scalars(sa.select(Case.id).where(Case.initiating_organisation == LARGE_ORG[0])
                                      .limit(200)).all()
        db.session.rollback()
    to_version = new_version(app)
    print(f"filled {filled.cases:,} open cases of {REGION} on version 1 in {filled.seconds:.1f} s; "
          f"version {to_version} deployed")
    from engine.services import case_migration

    with app.app_context():
        started = time.perf_counter()
        planned = case_migration.plan(case_migration.Request(REGION, from_version=1))
        seconds = time.perf_counter() - started
    print(f"plan (what the studio's page asks, in-process, nothing else running): {planned['summary']} in "
          f"{seconds:.1f} s, {planned['summary']['total'] / seconds:.1f} cases/s")

    with gunicorn(url, workers=2) as base:
        client = Client(base, token)
        for _ in range(20):  # every worker reads the routine's specs once
            client.call("GET", TASK_LIST)
        deadline = time.monotonic() + 3600
        before = request_loop(client, case_ids, lambda samples: len(samples) >= BEFORE_SAMPLES)

        env = dict(os.environ, SIP_DATABASE_URL=url)
        started = time.perf_counter()
        with tempfile.TemporaryFile("w+") as output, tempfile.TemporaryFile("w+") as errors:
            command = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "engine", "cases", "migrate", "--region", REGION,
                 "--from-version", "1", "--by", "bench"], cwd=ROOT, env=env, stdout=output, stderr=errors, text=True)
            during = request_loop(client, case_ids,
                                  lambda _: command.poll() is not None or time.monotonic() > deadline)
            command.wait()
            wall = time.perf_counter() - started
            output.seek(0)
            errors.seek(0)
            lines, problems = output.read().strip().splitlines(), errors.read()
        client.close()

    assert command.returncode == 0, problems[-3000:]
    with app.app_context():
        run = db.session.scalars(sa.select(MigrationRun).order_by(MigrationRun.started_at.desc())).first()
        moved_on = db.session.scalar(
            sa.select(sa.func.count()).select_from(Case)
            .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
            .where(Case.region == REGION, Case.status == "active", ProcessDefinition.version == to_version))
        seconds = (run.finished_at - run.started_at).total_seconds()
        moved, total = run.moved, run.total
        db.session.rollback()
    print(lines[-1])
    print(f"\nmoved {moved:,} of {total:,} cases ({moved_on:,} now on version {to_version}) in "
          f"{seconds:.1f} s: {moved / seconds:.1f} cases/s (the command's whole run, start-up included: "
          f"{wall:.1f} s)")
    print("API beside it, GET task list and GET case in turn, one client (median / p95):")
    print(f"  before the run: {median(before):.2f} / {p95(before):.2f} ms (n = {len(before)})")
    print(f"  during the run: {median(during):.2f} / {p95(during):.2f} ms (n = {len(during)})")


if __name__ == "__main__":
    main()
