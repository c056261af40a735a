"""One timer sweep over 100,000 waiting cases of which 100 are due (issue 7: time and messages).

Target: the sweep (`engine.services.cases.fire_due_timers`) takes under a second and touches only the due
cases. One real case is walked to its signed plan, where it waits for its follow-up date (a BPMN timer);
it is cloned 100,000 times straight into the tables, each clone with its own follow-up date written both
into its workflow state (the timer's value and the date in the plan) and into `cases.next_timer_at`, so
every clone is a real case the sweep can restore and fire. Exactly 100 dates fall on or before the moment
of the sweep (the clock is moved with time-machine).

    python bench/timer_sweep.py            # SQLite file
    SIP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/timer_sweep.py
"""

from __future__ import annotations

import cProfile
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time_machine  # noqa: E402

from bench.common import (  # noqa: E402
    captured_statements,
    clones,
    describe_database,
    fresh_app,
    insert_clones,
    machine,
    plan_reads_index,
    print_costs,
    query_plan,
    read_template,
    timed,
    verdict,
)

WAITING = int(os.environ.get("SIP_BENCH_CASES", "100000"))
DUE = 100
FOLLOW_UP = date(2027, 6, 10)  # the template's follow-up date
SWEEP_AT = datetime(2027, 6, 10, 12, tzinfo=UTC)
NOTHING_DUE_AT = datetime(2027, 4, 1, 12, tzinfo=UTC)  # before every follow-up date
PROFILE_AT = SWEEP_AT + timedelta(days=1)  # another 100 fall due on the next day: a sweep of those is profiled

COSTS = [
    ("fire_due_timers", "engine/services/cases.py", "fire_due_timers"),
    ("  ProcessDefinition row read (case.definition)", "sqlalchemy/orm/strategies.py", "_load_for_state"),
    ("  restore workflow state (CaseWorkflow.restore)", "engine/runtime/workflow.py", "restore"),
    ("  fire timers + engine steps (SpiffWorkflow)", "engine/runtime/workflow.py", "fire_timers"),
    ("  store: state_to_json (compact + serialize)", "engine/runtime/serializer.py", "state_to_json"),
    ("    of which compaction", "engine/runtime/compaction.py", "compact"),
    ("    of which converting specs", "serializer/default/process_spec.py", "to_dict"),
    ("  task list / status bookkeeping (human_tasks)", "engine/runtime/workflow.py", "human_tasks"),
    ("  current_data", "engine/runtime/workflow.py", "current_data"),
    ("  thrown messages: latest_definition per message", "engine/services/process_sets.py", "latest_definition"),
    ("  commit (flush, SQL)", "sqlalchemy/orm/session.py", "commit"),
    ("  JSON decoding (json.loads)", "json/__init__.py", "loads"),
]


def main():
    import sqlalchemy as sa
    from sqlalchemy import event

    from engine.database import db
    from engine.services import cases
    from engine.store import Case, CaseEvent, Task
    from tests.routine.walk import CaseWalk

    app, url = fresh_app()
    print(f"database: {describe_database(url)}; {machine()}")
    with app.app_context():
        walk = CaseWalk.start().to_plan(uppfoljningsdatum=FOLLOW_UP.isoformat())
        template = read_template(walk.case_id)
    assert template.case["next_timer_at"] is not None and not template.tasks, "the template must wait for its timer"
    quoted = f'"{FOLLOW_UP.isoformat()}"'
    in_state = template.case["state"].count(quoted)
    assert in_state >= 1, "the follow-up date is not in the workflow state"

    def vary(i, clone):
        case = clone["cases"][0]
        # The template is due at the sweep, so are the first DUE - 1 clones (0..29 days before it); the next
        # DUE fall due one day later (for the profiled sweep), all others 2..366 days after it.
        days = -(i % 30) if i < DUE - 1 else 1 if i < 2 * DUE - 1 else 2 + i % 365
        moved = (FOLLOW_UP + timedelta(days=days)).isoformat()
        case["state"] = case["state"].replace(quoted, f'"{moved}"')
        case["data"] = {**case["data"], "uppfoljningsdatum": moved}
        case["next_timer_at"] = template.case["next_timer_at"] + timedelta(days=days)
        case["person_name"] = f"Person {i:06d}"

    with app.app_context():
        ms, stored = timed(insert_clones, clones(template, WAITING - 1, vary))
        waiting = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.next_timer_at.is_not(None)))
        due = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.next_timer_at <= SWEEP_AT))
        db.session.rollback()
    print(f"filled by cloning one case waiting for its follow-up timer {stored:,} times in {ms / 1000:.1f} s "
          f"(state {len(template.case['state']):,} bytes per case; follow-up date replaced in {in_state} places of it)")
    print(f"{waiting:,} cases wait for a timer (the template and its clones); {due} are due at "
          f"{SWEEP_AT:%Y-%m-%d %H:%M} UTC")

    loaded = []

    def on_load(target, context):
        loaded.append(target.id)

    event.listen(Case, "load", on_load)

    def sweep(at: datetime, label: str, profiler=None):
        loaded.clear()
        with app.app_context():
            timer_events = sa.select(sa.func.count()).select_from(CaseEvent).where(CaseEvent.kind == "timer")
            before = db.session.scalar(timer_events)
            db.session.rollback()
            with time_machine.travel(at, tick=True), captured_statements() as statements:
                if profiler is not None:
                    profiler.enable()
                ms, fired = timed(cases.fire_due_timers, at, 1000)
                if profiler is not None:
                    profiler.disable()
            after = db.session.scalar(timer_events)
            follow_ups = db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(
                Task.name == "genomfor_uppfoljning", Task.state == "open"))
            db.session.rollback()
        print(f"  {label:<46} {ms:9.1f} ms  fired {len(fired):>4}  case rows loaded {len(loaded):>4}  "
              f"timer events written {after - before:>4}  SQL statements {len(statements):>5}  "
              f"open follow-up tasks now {follow_ups}")
        return ms, fired, after - before, statements

    print("\none sweep: fire_due_timers(limit=1000), twenty due cases per transaction")
    idle_ms, idle_fired, _, _ = sweep(NOTHING_DUE_AT, "before any timer is due (nothing due)")
    ms, fired, events, statements = sweep(SWEEP_AT, f"{due} due among {waiting:,} waiting")
    again_ms, again_fired, _, _ = sweep(SWEEP_AT, "again at the same moment (nothing left due)")
    per_case = (ms - idle_ms) / max(1, len(fired))
    print(f"  per fired case: {per_case:.1f} ms; target: sweep < 1 s {verdict(ms < 1000)}; touched only the due cases "
          f"{verdict(len(fired) == due == DUE and events == DUE and not idle_fired and not again_fired)}")

    print(f"  SQL statements of that sweep by kind: {statement_kinds(statements)}")
    first = statements[0]
    with app.app_context():
        plan = query_plan(*first)
    print("\nthe query that finds the due cases:")
    print(f"  {first[0]}")
    print(f"  {'index read' if plan_reads_index(plan, 'ix_cases_next_timer_at') else 'NOT an index read'}:")
    for line in plan:
        print(f"    {line}")
    if ms >= 1000:
        profiler = cProfile.Profile()
        print(f"\nthe sweep missed its target: the {DUE} cases due one day later, swept under cProfile")
        _, profiled, _, _ = sweep(PROFILE_AT, "profiled sweep", profiler)
        print("  ms per fired case by function, cumulative (with profiler overhead):")
        print_costs(profiler, max(1, len(profiled)), COSTS)


def statement_kinds(statements) -> str:
    """'SELECT cases: 101, INSERT case_events: 100, ...' for a list of (statement, parameters)."""
    import re
    from collections import Counter

    kinds = Counter()
    for statement, _ in statements:
        verb = statement.split(None, 1)[0].upper()
        table = re.search(r"(?:FROM|INTO|UPDATE)\s+(\w+)", statement, re.IGNORECASE)
        kinds[f"{verb} {table.group(1) if table else ''}".strip()] += 1
    return ", ".join(f"{kind}: {count}" for kind, count in kinds.most_common())


if __name__ == "__main__":
    main()
