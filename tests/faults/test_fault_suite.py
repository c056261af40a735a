"""The fault suite's short form (bench/faults.py has the full one): clients against two API nodes and two timer
workers while gunicorn workers and a timer worker are killed, and on PostgreSQL the database server restarts;
nothing the clients were told is lost or done twice, every case loads, every due timer fires once."""

from __future__ import annotations

import sqlalchemy as sa

from bench.faults import run
from tests.faults.test_database_outage import server_admin


def test_no_case_is_lost_or_duplicated_while_processes_fail(migrated, tmp_path):
    if migrated.startswith("postgresql"):
        # A database of its own: the suite wipes the one it runs on.
        name = sa.make_url(migrated).database + "_suite"
        url = sa.make_url(migrated).set(database=name).render_as_string(hide_password=False)
        admin = server_admin(migrated)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'faults.sqlite3'}"

    report = run(url, seconds=20, clients=4, workers=2, kill_every=5, timer_cases=40, max_requests=60,
                 echo=lambda line: None)
    print("\n".join(report.lines()))

    verdict, faults = report.verdict, report.faults
    assert faults.worker_kills >= 3 and faults.timer_kills >= 1
    assert faults.postgres_restarts == (1 if url.startswith("postgresql") else 0)
    assert verdict.journeys >= 4 and verdict.succeeded == verdict.journeys
    assert (verdict.lost, verdict.duplicated, verdict.not_loading, verdict.unfinished) == ([], [], [], [])
    assert verdict.advanced == verdict.journeys
    assert verdict.timer_problems == [] and verdict.timers_fired_once == 40
    assert report.timer_exits == 0
    # Faults answer as connections that end, or as problem documents; never as a server error.
    assert not [kind for kind in report.errors if kind.startswith("HTTP 500") or "(" in kind]
