"""A SIP lives for years: stored bytes and the time of one step after 1, 5 and 20 follow-up rounds.

Targets (issue: the routine runs end to end): round 20 costs at most 1.5x round 1 in time; the stored
state grows with the plan's content, not with the steps taken. For comparison the same workflow is
also serialized the way SpiffWorkflow stores it by default (specs included, nothing compacted).

    python bench/case_size.py            # SQLite file
    SIP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/case_size.py
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time_machine  # noqa: E402

from bench.common import fresh_app, median, summary, timed  # noqa: E402

ROUNDS = (1, 5, 20)
CASES = 5


def main():
    from engine.runtime.serializer import SPEC_SERIALIZER
    from engine.services import cases
    from engine.services.cases import _load
    from tests.routine.walk import CaseWalk

    app, url = fresh_app()
    print(f"database: {url.split('@')[-1]}")
    per_round = {r: [] for r in ROUNDS}
    size = {}
    spiff_size = {}
    with app.app_context():
        walks = [CaseWalk.start().to_plan(uppfoljningsdatum="2027-06-10") for _ in range(CASES)]
        for year_index in range(max(ROUNDS)):
            year = 2027 + year_index
            with time_machine.travel(datetime(year, 6, 10, 9, tzinfo=UTC), tick=True):
                cases.fire_due_timers(limit=1000)
                for walk in walks:
                    task = walk.task("genomfor_uppfoljning")
                    data = {"uppfoljning_genomford": f"{year}-06-10", "mal_uppfyllda": False,
                            "behov_av_samordning": True, "avliden": False, "samtycke_aterkallat": False,
                            "nya_risker_eller_mal": False}
                    ms, _ = timed(cases.complete_task, task.id, data)
                    if year_index + 1 in ROUNDS:
                        per_round[year_index + 1].append(ms)
            if year_index + 1 in ROUNDS:
                case = walks[0].case
                size[year_index + 1] = len(case.state.encode()) + len(str(case.data).encode())
                spiff_size[year_index + 1] = len(SPEC_SERIALIZER.serialize_json(_load(case).workflow))
    print(f"{'round':>5}  {'complete follow-up task':<44} {'stored bytes':>12}  {'SpiffWorkflow default':>21}")
    for r in ROUNDS:
        print(f"{r:>5}  {summary(per_round[r]):<44} {size[r]:>12,}  {spiff_size[r]:>21,}")
    ratio = median(per_round[20]) / median(per_round[1])
    print(f"time ratio round 20 / round 1: {ratio:.2f} (target <= 1.5)")
    print(f"stored bytes ratio round 20 / round 1: {size[20] / size[1]:.2f}")


if __name__ == "__main__":
    main()
