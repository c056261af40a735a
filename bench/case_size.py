"""A SIP lives for years: stored bytes and the time of one step after 1, 5 and 20 follow-up rounds.

Targets (issue: the routine runs end to end): round 20 costs at most 1.5x round 1 in time; the stored
state grows with the plan's content, not with the steps taken.

For comparison, the same routine is driven the same way in SpiffWorkflow alone, without our compaction and
spec sharing: one BpmnWorkflow per case kept in memory, the same diagrams and script engine, the same
tasks completed with the same data (form defaults applied as the engine applies them), the same follow-up
rounds, and after each round the workflow serialized with SpiffWorkflow's BpmnWorkflowSerializer (specs
included, nothing compacted): what an application storing SpiffWorkflow's own serialization would store.

    python bench/case_size.py            # SQLite file
    SIP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/case_size.py
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time_machine  # noqa: E402

from bench.common import describe_database, fresh_app, machine, median, summary, timed  # noqa: E402

ROUNDS = (1, 5, 20)
CASES = 5
FOLLOW_UP = {"mal_uppfyllda": False, "behov_av_samordning": True, "avliden": False, "samtycke_aterkallat": False,
             "nya_risker_eller_mal": False}


def main():
    from engine.services import cases
    from tests.routine.walk import CaseWalk

    app, url = fresh_app()
    print(f"database: {describe_database(url)}; {machine()}")
    per_round = {r: [] for r in ROUNDS}
    spiff_round = {r: [] for r in ROUNDS}
    size, spiff_size, spiff_tasks = {}, {}, {}
    with app.app_context():
        walks = [CaseWalk.start().to_plan(uppfoljningsdatum="2027-06-10") for _ in range(CASES)]
        alone = [SpiffWalk.start(app).to_plan(uppfoljningsdatum="2027-06-10") for _ in range(CASES)]
        for year_index in range(max(ROUNDS)):
            year = 2027 + year_index
            data = {"uppfoljning_genomford": f"{year}-06-10", **FOLLOW_UP}
            with time_machine.travel(datetime(year, 6, 10, 9, tzinfo=UTC), tick=True):
                cases.fire_due_timers(limit=1000)
                for walk in walks:
                    ms, _ = timed(cases.complete_task, walk.task("genomfor_uppfoljning").id, data)
                    if year_index + 1 in ROUNDS:
                        per_round[year_index + 1].append(ms)
                for spiff in alone:
                    spiff.fire_timers()
                    ms, stored = timed(spiff.complete_and_store, "genomfor_uppfoljning", data)
                    if year_index + 1 in ROUNDS:
                        spiff_round[year_index + 1].append(ms)
                        spiff_size[year_index + 1] = len(stored)
                        spiff_tasks[year_index + 1] = spiff.task_count()
            if year_index + 1 in ROUNDS:
                case = walks[0].case
                size[year_index + 1] = len(case.state.encode()) + len(str(case.data).encode())
    print("per round: completing the follow-up task (engine: complete_task, one transaction; SpiffWorkflow alone: "
          "complete + engine steps + serialize)")
    print(f"{'round':>5}  {'engine: complete follow-up task':<44} {'stored bytes':>12}  "
          f"{'SpiffWorkflow alone: same step':<44} {'its bytes':>10} {'its tasks':>9}")
    for r in ROUNDS:
        print(f"{r:>5}  {summary(per_round[r]):<44} {size[r]:>12,}  {summary(spiff_round[r]):<44} "
              f"{spiff_size[r]:>10,} {spiff_tasks[r]:>9,}")
    last, first = max(ROUNDS), min(ROUNDS)
    print(f"engine: time ratio round {last} / round {first}: {median(per_round[last]) / median(per_round[first]):.2f} "
          f"(target <= 1.5); stored bytes ratio {size[last] / size[first]:.2f}")
    print(f"SpiffWorkflow alone: time ratio {median(spiff_round[last]) / median(spiff_round[first]):.2f}; "
          f"bytes ratio {spiff_size[last] / spiff_size[first]:.2f}; "
          f"round {last} stores {spiff_size[last] / size[last]:.1f}x the engine's bytes")


class SpiffWalk:
    """The routine of tests/routine/walk.py driven on one BpmnWorkflow in memory, with SpiffWorkflow only:
    CaseWalk's steps (to_plan, follow_up, ...) run unchanged on top of `tasks`, `do` and `each`."""

    def __init__(self, workflow, forms):
        self.workflow = workflow
        self.forms = forms

    @classmethod
    def start(cls, app, region: str = "base", **variables) -> SpiffWalk:
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

        from engine.scripting import SandboxedScriptEngine
        from engine.services.process_sets import require_definition, specs_of

        definition = require_definition(region)
        spec, subprocess_specs = specs_of(definition)
        variables.setdefault("huvudperson", {"namn": "Anna Andersson"})
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=SandboxedScriptEngine())
        workflow.task_tree.data.update(variables)
        workflow.do_engine_steps()
        return cls(workflow, definition.forms)

    # What CaseWalk's steps use -----------------------------------------------------------------------
    def tasks(self):
        # Only to read each ready task's name and candidate group (evaluates the task's properties).
        from engine.runtime.workflow import CaseWorkflow

        return CaseWorkflow(self.workflow).human_tasks()

    def task(self, name: str, group: str | None = None):
        found = [t for t in self.tasks() if t.name == name and (group is None or t.candidate_group == group)]
        assert found, f"no ready task {name} ({group})"
        return found[0]

    def do(self, name: str, data: dict, group: str | None = None):
        self._complete(self.task(name, group), data)
        return self

    def each(self, name: str, data_for):
        for task in [t for t in self.tasks() if t.name == name]:
            self._complete(task, data_for(task.candidate_group))

    def _complete(self, described, data: dict) -> None:
        from SpiffWorkflow.util.task import TaskState

        from engine.forms import apply_defaults

        if described.form_schema:
            data = apply_defaults(self.forms[described.form_schema], data)
        task = self.workflow.get_task_from_id(UUID(described.id))
        assert task.state == TaskState.READY
        task.data.update(data)
        task.run()
        self.workflow.do_engine_steps()

    # The benchmark's own steps -----------------------------------------------------------------------
    def fire_timers(self) -> None:
        self.workflow.refresh_timers()
        self.workflow.do_engine_steps()

    def complete_and_store(self, name: str, data: dict) -> str:
        from engine.runtime.serializer import SPEC_SERIALIZER

        self.do(name, data)
        return SPEC_SERIALIZER.serialize_json(self.workflow)

    def task_count(self) -> int:
        return len(self.workflow.tasks) + sum(len(s.tasks) for s in self.workflow.subprocesses.values())


def _borrow_walk_steps():
    """CaseWalk's stage methods (to_plan, initiate, consent, ...) reused on SpiffWalk."""
    from tests.routine.walk import CaseWalk

    for name in ("initiate", "consent", "prepare", "acknowledge_all", "premeeting", "meeting", "document_all",
                 "approve_all", "print_plan", "to_plan", "follow_up"):
        setattr(SpiffWalk, name, getattr(CaseWalk, name))


_borrow_walk_steps()

if __name__ == "__main__":
    main()
