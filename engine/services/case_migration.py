"""Moving running cases to another version of their region's routine: plan (can each case move, and why not),
migrate (a dry run, or for real: each case in a transaction of its own under its row lock), and undo a move while
nothing has happened on the case since. What the runtime does to a workflow is in `engine.runtime.migration`;
here are the cases, their task rows and everything kept beside their workflows, rewritten as a completion
rewrites them (`cases._store`)."""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..access import sync_task_viewers_of
from ..access.errors import Forbidden
from ..access.rules import may_deploy
from ..access.sharing import access_inputs
from ..config import setting
from ..database import database_unavailable, db
from ..forms import validate_submission
from ..forms.case_fields import bind_to_case
from ..runtime import migration
from ..runtime.workflow import CaseWorkflow, ProcessError
from ..store import Case, ProcessDefinition, Task
from ..store.appended import append
from ..store.case_migrations import CaseMigration, MigrationRun
from ..store.direct_writes import update_now
from .cases import _load, _lock_case, _store, _stored_open_tasks, forms_of, history, now, transaction
from .errors import Conflict, InvalidRequest, NotFound, ProcessFailed, ServiceError
from .process_sets import BASE_REGION, MAIN_PROCESS, latest_definition, specs_of

log = logging.getLogger(__name__)

# What a case's report says where an error nobody foresaw kept it from moving (the error itself is logged).
UNEXPECTED = "Ett oväntat fel hindrade flytten av ärendet; det är loggat och ärendet är som det var"

# The columns of a task row that come from its diagram: rewritten where the new version describes the task
# otherwise (its id, assignee, claim and draft stay).
DESCRIBED = ("name", "title", "process", "candidate_group", "due_at", "form_schema", "form_ui_schema",
             "instructions")
# Those of them that who sees a task, and its task-list row, follow (engine.access.task_viewers).
VIEWED = {"name", "candidate_group", "due_at"}


class NotMigrated(ServiceError):
    """An undo that cannot be made: nothing to undo, or the case has changed since it was moved."""

    status = 409
    type = "migration-not-undoable"
    title = "Flytten kan inte ångras"


@dataclass
class Request:
    """What to move: the region's cases (those on `from_version`, or those named), to `to_version` (the
    region's latest where not given), with element ids renamed by `mapping`."""

    region: str
    from_version: int | None = None
    case_ids: list[str] | None = None
    to_version: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass
class Verdict:
    case_id: str
    from_version: int | None
    reasons: list[dict]
    retimed: list[str] = field(default_factory=list)
    moved: bool = False
    open_tasks: list = field(default_factory=list)  # as the move describes them (engine.runtime.migration.OpenTask)

    @property
    def can_move(self) -> bool:
        return not self.reasons

    def as_dict(self, with_moved: bool = False) -> dict:
        found = {"case_id": self.case_id, "from_version": self.from_version, "can_move": self.can_move,
                 "reasons": self.reasons, "retimed": self.retimed}
        if with_moved:
            found["moved"] = self.moved
        return found


def require_owner(principal, region: str, action: str, case_id: str | None = None) -> None:
    """Only a process owner of the region moves its cases (the system, without a principal, may)."""
    if may_deploy(principal, region):
        return
    audit.record_now(action, principal, case_id=case_id, outcome="forbidden", detail={"region": region})
    raise Forbidden(f"Att flytta ärenden i regionen {region!r} kräver rollen processägare i den regionen")


# -- what to move, and to what ----------------------------------------------------------------------------
def line_region(region: str) -> str:
    """The region whose versions a region's cases are numbered by: its own once it has deployed one, else the
    base's."""
    own = latest_definition(region, MAIN_PROCESS, fallback=False)
    return region if own is not None else BASE_REGION


def target_of(request: Request) -> ProcessDefinition:
    if request.to_version is None:
        found = latest_definition(request.region, MAIN_PROCESS)
        if found is None:
            raise NotFound(f"Ingen rutin är driftsatt för regionen {request.region!r}")
        return found
    found = db.session.scalars(sa.select(ProcessDefinition).where(
        ProcessDefinition.region == line_region(request.region), ProcessDefinition.key == MAIN_PROCESS,
        ProcessDefinition.version == request.to_version)).first()
    if found is None:
        raise InvalidRequest(f"Version {request.to_version} finns inte för regionen {request.region!r}",
                             errors=[{"field": "to_version", "message": "ingen sådan version är driftsatt"}])
    return found


def check_mapping(mapping: dict[str, str], target: ProcessDefinition) -> None:
    """Each renamed element must be an element of the new version (400 naming the mapping's entry)."""
    spec, subprocess_specs = specs_of(target)
    elements = {s.bpmn_id for each in [spec, *subprocess_specs.values()] for s in each.task_specs.values()}
    elements |= set(subprocess_specs)
    errors = [{"field": f"mapping/{old}", "message": f"'{new}' finns inte i version {target.version}"}
              for old, new in mapping.items() if new not in elements]
    if errors:
        raise InvalidRequest("Mappningen nämner steg som inte finns i den nya versionen", errors=errors)


def selected_cases(request: Request) -> list[tuple[str, int | None]]:
    """(case id, version) of the cases the request names: the region's active cases (of `from_version`), or the
    cases listed (whatever their state, so that the report says why one cannot move); in a stable order."""
    query = (sa.select(Case.id, ProcessDefinition.version)
             .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
             .where(Case.region == request.region))
    if request.case_ids:
        query = query.where(Case.id.in_(request.case_ids))
    else:
        query = query.where(Case.status == "active")
    if request.from_version is not None:
        query = query.where(ProcessDefinition.version == request.from_version,
                            ProcessDefinition.region == line_region(request.region))
    found = [(row[0], row[1]) for row in db.session.execute(query.order_by(Case.created_at, Case.id))]
    if request.case_ids:
        known = {case_id for case_id, _ in found}
        found += [(case_id, None) for case_id in dict.fromkeys(request.case_ids) if case_id not in known]
    return found


# -- whether one case can move ----------------------------------------------------------------------------
class _Mover:
    """The comparisons of one request, made once for all its cases."""

    def __init__(self, request: Request, target: ProcessDefinition):
        self.request = request
        self.target = target
        self.diffs = migration.SpecDiffs(*specs_of(target), request.mapping)
        self._fields: dict[str, set[str]] = {}

    def fields(self, form: str) -> set[str]:
        """Every field a form of either version may set (nested ones too): what a user task puts in the data."""
        if form not in self._fields:
            names: set[str] = set()
            stack = [forms_of(self.target).get(form)]
            while stack:
                current = stack.pop()
                if isinstance(current, dict):
                    if isinstance(current.get("properties"), dict):
                        names.update(current["properties"])
                    stack.extend(current.values())
                elif isinstance(current, list):
                    stack.extend(current)
            self._fields[form] = names
        return self._fields[form]

    def examine(self, case: Case, workflow: CaseWorkflow, drafts: dict[str, dict]) -> Verdict:
        """Whether the case can move; on the way, its workflow is moved (in memory): read it only if it can."""
        verdict = Verdict(case.id, case.definition.version, [])
        if case.status != "active":
            verdict.reasons.append(_reason(None, "Ärendet är avslutat och flyttas inte"))
            return verdict
        if case.definition_id == self.target.id:
            verdict.reasons.append(_reason(None, f"Ärendet går redan på version {self.target.version}"))
            return verdict
        checked = migration.check(workflow.workflow, self.diffs, self.target.version)
        verdict.reasons += [_reason(o.element, o.message) for o in checked.obstacles]
        if not verdict.reasons:
            unset = migration.new_reads(checked, self.diffs, self.fields)
            verdict.reasons += [_reason(o.element, o.message) for o in unset]
        if verdict.reasons:
            return verdict
        try:
            migration.move(workflow.workflow, checked, self.diffs)
            workflow.human_tasks()  # what the new version computes for each open task (due dates, groups)
        except migration.MoveFailed as err:
            verdict.reasons.append(_reason(err.obstacle.element, err.obstacle.message))
            return verdict
        except ProcessError as err:
            verdict.reasons.append(_unset_reason(str(err)))
            return verdict
        verdict.retimed = checked.retimed
        verdict.open_tasks = checked.open_tasks
        verdict.reasons += self._draft_reasons(case, checked, workflow, drafts)
        return verdict

    def _draft_reasons(self, case: Case, checked: migration.MoveCheck, workflow: CaseWorkflow,
                       drafts: dict[str, dict]) -> list[dict]:
        """A saved draft must fit its task's form in the new version; the fields that no longer fit are named."""
        reasons = []
        old_forms, new_forms = forms_of(case.definition), forms_of(self.target)
        for task in checked.open_tasks:
            draft = drafts.get(task.id)
            if draft is None:
                continue
            old_schema = old_forms.get(task.old_form) if task.old_form else None
            new_schema = new_forms.get(task.new_form) if task.new_form else None
            if new_schema == old_schema:
                continue
            if new_schema is None:
                reasons.append(_reason(task.element, f"Uppgiften '{task.title}' har ett sparat utkast men inget "
                                                     "formulär i den nya versionen"))
                continue
            found = workflow.find_task(task.id)
            errors = validate_submission(bind_to_case(new_schema, found.data if found else {}), draft, partial=True)
            if errors:
                fields = ", ".join(f"{e.field} ({e.message})" for e in errors)
                reasons.append(_reason(task.element, f"Det sparade utkastet till uppgiften '{task.title}' passar "
                                                     f"inte det nya formuläret: {fields}"))
        return reasons


def _reason(element: str | None, message: str) -> dict:
    return {"element": element, "message": message}


_UNSET = re.compile(r"^(?P<element>[^:]+): .*name '(?P<name>[^']+)' is not defined")


def _unset_reason(text: str) -> dict:
    """A task property the new version computes (due date, candidate group) that failed: the variable it reads
    before the case sets it, where that is the cause."""
    found = _UNSET.search(text)
    if found:
        return _reason(found["element"], f"Den nya versionen läser '{found['name']}' vid '{found['element']}', "
                                         "men ärendet har inte det värdet än")
    element = text.split(":", 1)[0] if ":" in text else None
    return _reason(element, f"Den nya versionen kan inte beräkna det öppna steget: {text}")


# -- plan ------------------------------------------------------------------------------------------------------
def plan(request: Request, principal=None) -> dict:
    """Per case, whether it can move to the target version and why not; nothing is stored (but the read is
    audited)."""
    require_owner(principal, request.region, "plan_migration")
    target = target_of(request)
    check_mapping(request.mapping, target)
    mover = _Mover(request, target)
    verdicts = list(_examined(mover, selected_cases(request)))
    audit.record_now("plan_migration", principal, detail={
        "region": request.region, "from_version": request.from_version, "to_version": target.version,
        "cases": len(verdicts)})
    return _report(target, verdicts)


# Cases read (with their versions and drafts) in one statement each, this many at a time, by a plan or dry run.
READ_CHUNK = 200


def _examined(mover: _Mover, selected: list[tuple[str, int | None]]):
    """The verdict on each selected case, in order: read a chunk of cases at a time, nothing kept of a chunk
    once it is judged (a region's cases do not all fit in memory at once)."""
    for start in range(0, len(selected), READ_CHUNK):
        chunk = selected[start:start + READ_CHUNK]
        ids = [case_id for case_id, _ in chunk]
        found = {case.id: case for case in db.session.scalars(
            sa.select(Case).where(Case.id.in_(ids)).options(joinedload(Case.definition)))}
        drafts: dict[str, dict] = {}
        for task_id, case_id, draft in db.session.execute(sa.select(Task.id, Task.case_id, Task.draft).where(
                Task.case_id.in_(ids), Task.state == "open", Task.draft_saved_at.is_not(None))):
            if draft is not None:
                drafts.setdefault(case_id, {})[task_id] = draft
        for case_id, version in chunk:
            yield _verdict(mover, found.get(case_id), case_id, version, drafts.get(case_id, {}))
        for case in found.values():
            db.session.expunge(case)
        db.session.rollback()


def _verdict(mover: _Mover, case: Case | None, case_id: str, version: int | None, drafts: dict) -> Verdict:
    if case is None or case.region != mover.request.region:
        return Verdict(case_id, None, [_reason(None, "Inget ärende med detta id finns i regionen")])
    try:
        return mover.examine(case, _read(case), drafts)
    except Exception:  # one case the move cannot read does not hold back the others
        log.exception("examining case %s for a move failed", case_id)
        return Verdict(case_id, version, [_reason(None, UNEXPECTED)])


def _read(case: Case) -> CaseWorkflow:
    spec, subprocess_specs = specs_of(case.definition)
    return CaseWorkflow.read(case.state, spec, subprocess_specs)


def _report(target: ProcessDefinition, verdicts: list[Verdict], with_moved: bool = False) -> dict:
    movable = sum(1 for v in verdicts if v.can_move)
    summary = {"total": len(verdicts), "can_move": movable, "cannot_move": len(verdicts) - movable}
    if with_moved:
        summary["moved"] = sum(1 for v in verdicts if v.moved)
    return {"to_version": target.version, "cases": [v.as_dict(with_moved) for v in verdicts], "summary": summary}


# -- migrate ---------------------------------------------------------------------------------------------------
def migrate(request: Request, dry_run: bool = False, principal=None, actor: str | None = None,
            progress=None, background=None) -> MigrationRun:
    """Move the cases the request names. A dry run reports, per case, what the move would do and stores nothing
    of the cases; for real, each case moves in a transaction of its own under its row lock, all of it or none,
    and a case that cannot move is reported and stays as it was. The run and its report are kept (its id reads
    it back). `progress(verdict)` is called after each case. `background(work)`, where given, runs a real run's
    work elsewhere (a thread of the server) and the run is answered as it starts; its counts grow as it goes.
    The run is held by this process while it works, with a heartbeat; should the process end midway, another
    takes it over once the heartbeat is stale (`take_over`) and moves the cases not yet moved."""
    require_owner(principal, request.region, "migrate")
    actor = principal.username if principal is not None else actor
    target = target_of(request)
    check_mapping(request.mapping, target)
    selected = selected_cases(request)
    holder = holder_name()
    run = MigrationRun(region=request.region, from_version=request.from_version, to_version=target.version,
                       to_definition_id=target.id, mapping=request.mapping, case_ids=request.case_ids,
                       dry_run=dry_run, requested_by=actor, status="running", total=len(selected), moved=0,
                       refused=0, report=[], selected=[list(each) for each in selected], held_by=holder,
                       heartbeat_at=now(), resumed=0)
    db.session.add(run)
    db.session.commit()
    run_id, target_id = run.id, target.id

    def work() -> MigrationRun:
        return _held(run_id, holder, lambda hold: _carry_out(
            hold, request, target_id, selected, dry_run, principal, actor, progress))

    if background is not None and not dry_run:
        background(work)
        return run
    return work()


# How often a run's counts are stored while it goes on, in cases; and at most how many seconds apart its heartbeat
# is (a case that takes longer delays it, which the stale time allows for many times over).
PROGRESS_EVERY = 50
HEARTBEAT_EVERY = 5.0


class HoldLost(Exception):
    """The run was taken over by another process: this one had not shown it was alive for longer than the stale
    time (paused, or cut off from the database), and stops."""


def holder_name() -> str:
    """Who holds a run: the host and process, and a token of this hold."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def stale_after() -> float:
    """Seconds without a heartbeat after which a running run counts as interrupted and is taken over."""
    return float(setting("MIGRATION_STALE_AFTER", 60))


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def is_stale(run: MigrationRun, at: datetime | None = None) -> bool:
    """Whether a run waits to be taken over: released by its holder, or running and its holder has stopped showing
    it is alive."""
    beat = _aware(run.heartbeat_at)
    return run.status == "released" or (
        run.status == "running" and (beat is None or beat < (at or now()) - timedelta(seconds=stale_after())))


def shown_status(run: MigrationRun) -> str:
    """running, released, finished or failed as stored; a running run whose heartbeat is stale is interrupted."""
    return "interrupted" if run.status == "running" and is_stale(run) else run.status


class _Hold:
    """This process's hold on a run: each heartbeat (with the counts so far) is stored only while the run is still
    held by it."""

    def __init__(self, run_id: str, holder: str):
        self.run_id, self.holder = run_id, holder
        self.every = min(HEARTBEAT_EVERY, stale_after() / 4)
        self.last = time.monotonic()

    def held(self):
        return sa.and_(MigrationRun.id == self.run_id, MigrationRun.held_by == self.holder,
                       MigrationRun.status == "running")

    def beat(self, force: bool = False, **values) -> None:
        if not force and time.monotonic() - self.last < self.every:
            return
        stored = db.session.execute(sa.update(MigrationRun).where(self.held()).values(heartbeat_at=now(), **values)
                                    .execution_options(synchronize_session=False))
        db.session.commit()
        if stored.rowcount != 1:
            raise HoldLost(self.run_id)
        self.last = time.monotonic()

    def release(self, **values) -> None:
        """Let the run go, for another process to take over at once (it is no longer held by this one)."""
        stored = db.session.execute(sa.update(MigrationRun).where(self.held()).values(
            status="released", held_by=None, heartbeat_at=now(), **values).execution_options(synchronize_session=False))
        db.session.commit()
        if stored.rowcount != 1:
            raise HoldLost(self.run_id)
        log.warning("migration run %s released by %s as its process stops", self.run_id, self.holder)


# Set as this process stops (the timer worker, a server worker ending gracefully): each run it carries on stops
# after the case it is moving and is released, and another process takes it over at once instead of after the stale
# time.
leaving = threading.Event()
# The threads of this process carrying runs on (`in_thread`).
_carrying: set[threading.Thread] = set()


def leave(timeout: float | None = None) -> None:
    """Release the runs this process's threads carry on, each after the case it is moving; returns once they are
    released (or after `timeout` seconds)."""
    leaving.set()
    deadline = time.monotonic() + timeout if timeout is not None else None
    for thread in list(_carrying):
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))


def _held(run_id: str, holder: str, carry) -> MigrationRun:
    """`carry(hold)` under this process's hold on the run. An unexpected error marks the run failed; a database
    that cannot be reached leaves it running, to be taken over once it answers again."""
    try:
        return carry(_Hold(run_id, holder))
    except HoldLost:
        db.session.rollback()
        log.warning("migration run %s was taken over by another process; this one stops", run_id)
        return db.session.get(MigrationRun, run_id)
    except Exception as err:
        db.session.rollback()
        if not database_unavailable(err):
            mark_failed(run_id, holder)
        raise


def _carry_out(hold: _Hold, request: Request, target_id: int, selected: list, dry_run: bool, principal,
               actor: str | None, progress) -> MigrationRun:
    """Judge (a dry run) or move each selected case in order; a case this run already moved (before it was taken
    over) is reported as moved, not moved again. Should this process be leaving, the run is released after the
    case it is at."""
    run_id = hold.run_id
    target = db.session.get(ProcessDefinition, target_id)
    mover = _Mover(request, target)
    done = {} if dry_run else _moved_by(run_id)
    db.session.rollback()
    verdicts = []
    counts = {"moved": 0, "refused": 0}
    judged = _examined(mover, selected) if dry_run else (
        done.get(case_id) or _migrate_case(mover, run_id, case_id, principal, actor) for case_id, _ in selected)
    for number, verdict in enumerate(judged, start=1):
        verdicts.append(verdict)
        counts["moved"] += verdict.moved
        counts["refused"] += not verdict.can_move
        if progress is not None:
            progress(verdict)
        if number < len(selected):
            if leaving.is_set():
                hold.release(**counts)
                return db.session.get(MigrationRun, run_id)
            hold.beat(force=not dry_run and number % PROGRESS_EVERY == 0, **counts)
    report = _report(target, verdicts, with_moved=True)
    run = db.session.scalars(sa.select(MigrationRun).where(hold.held()).with_for_update()).first()
    if run is None:
        raise HoldLost(run_id)
    run.moved, run.refused = counts["moved"], counts["refused"]
    run.report, run.status, run.finished_at, run.heartbeat_at = report["cases"], "finished", now(), now()
    audit.record("migrate", principal, user=actor, detail={
        "run": run_id, "region": request.region, "from_version": request.from_version,
        "to_version": target.version, "mapping": request.mapping, "dry_run": dry_run, **report["summary"]})
    db.session.commit()
    return run


def _moved_by(run_id: str, case_id: str | None = None) -> dict[str, Verdict]:
    """The cases the run has moved so far, by id, as its report tells them."""
    query = (sa.select(CaseMigration.case_id, ProcessDefinition.version, CaseMigration.retimed)
             .join(ProcessDefinition, ProcessDefinition.id == CaseMigration.from_definition_id)
             .where(CaseMigration.run_id == run_id))
    if case_id is not None:
        query = query.where(CaseMigration.case_id == case_id)
    return {row[0]: Verdict(row[0], row[1], [], retimed=list(row[2] or []), moved=True)
            for row in db.session.execute(query)}


# -- a run whose holder stopped ------------------------------------------------------------------------------------
def _stale_condition():
    threshold = now() - timedelta(seconds=stale_after())
    return sa.or_(MigrationRun.status == "released", sa.and_(
        MigrationRun.status == "running",
        sa.or_(MigrationRun.heartbeat_at.is_(None), MigrationRun.heartbeat_at < threshold)))


def claim(run_id: str, holder: str) -> bool:
    """Take a stale or released run over for `holder`, in one statement that sees the heartbeat as it is then: of
    two processes claiming it at once, one does (the other finds the fresh heartbeat of the first)."""
    claimed = db.session.execute(
        sa.update(MigrationRun).where(MigrationRun.id == run_id, _stale_condition())
        .values(status="running", held_by=holder, heartbeat_at=now(), resumed=MigrationRun.resumed + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return claimed.rowcount == 1


def claim_stale(holder: str) -> str | None:
    """The id of the longest-waiting stale run, now taken over for `holder`; None where there is none."""
    candidates = db.session.scalars(sa.select(MigrationRun.id).where(_stale_condition())
                                    .order_by(MigrationRun.started_at)).all()
    db.session.rollback()
    for run_id in candidates:
        if claim(run_id, holder):
            log.warning("migration run %s had stopped; taken over by %s", run_id, holder)
            return run_id
    return None


def resume(run_id: str, holder: str) -> MigrationRun:
    """Carry on a run taken over for `holder`: the cases it selected as it started, those it moved reported as
    moved, the others moved (or judged, a dry run) now."""
    run = db.session.get(MigrationRun, run_id)
    request = Request(region=run.region, from_version=run.from_version, case_ids=run.case_ids,
                      to_version=run.to_version, mapping=dict(run.mapping or {}))
    selected = [tuple(each) for each in run.selected] if run.selected is not None else _selected_again(run, request)
    dry_run, actor, target_id = run.dry_run, run.requested_by, run.to_definition_id
    db.session.rollback()
    return _held(run_id, holder, lambda hold: _carry_out(
        hold, request, target_id, selected, dry_run, None, actor, None))


def _selected_again(run: MigrationRun, request: Request) -> list[tuple[str, int | None]]:
    """A run started before runs kept their selection: the cases it moved, then those the request selects now."""
    moved = db.session.execute(sa.select(CaseMigration.case_id, ProcessDefinition.version)
                               .join(ProcessDefinition, ProcessDefinition.id == CaseMigration.from_definition_id)
                               .where(CaseMigration.run_id == run.id).order_by(CaseMigration.id)).all()
    found = [(case_id, version) for case_id, version in moved]
    known = {case_id for case_id, _ in found}
    found += [each for each in selected_cases(request) if each[0] not in known]
    update_now(db.session(), run, total=len(found))
    db.session.commit()
    return found


def take_over(run_id: str, background) -> bool:
    """Where the run is stale, take it over and carry it on by `background(work)`; whether it was."""
    holder = holder_name()
    if not claim(run_id, holder):
        return False
    background(lambda: resume(run_id, holder))
    return True


def take_over_stale(background) -> tuple[str, object] | None:
    """Take over the longest-waiting stale run, if any, and carry it on by `background(work)`: its id and what
    `background` returned; None where no run is stale."""
    holder = holder_name()
    run_id = claim_stale(holder)
    if run_id is None:
        return None
    return run_id, background(lambda: resume(run_id, holder))


def in_thread(work) -> threading.Thread:
    """Run a migration's work in a thread of this process, with an app context of its own."""
    app = current_app._get_current_object()

    def run():
        with app.app_context():
            try:
                work()
            except Exception:
                log.exception("a case migration run failed")
            finally:
                db.session.remove()
                _carrying.discard(threading.current_thread())

    thread = threading.Thread(target=run, name="case-migration", daemon=True)
    _carrying.add(thread)
    thread.start()
    return thread


class _Refused(Exception):
    def __init__(self, verdict: Verdict):
        super().__init__("cannot move")
        self.verdict = verdict


def _migrate_case(mover: _Mover, run_id: str, case_id: str, principal, actor: str | None) -> Verdict:
    try:
        with transaction():
            case = _lock_case(case_id)
            if case.region != mover.request.region:
                raise _Refused(Verdict(case_id, None, [_reason(None, "Inget ärende med detta id finns i regionen")]))
            source = case.definition
            state_before = case.state
            stored = _stored_open_tasks(case.id)
            due_before = {task_id: row.due_at.isoformat() if row.due_at else None for task_id, row in stored.items()}
            if case.definition_id == mover.target.id and (earlier := _moved_by(run_id, case_id)):
                raise _Refused(earlier[case_id])  # moved by this run already, before it was taken over
            workflow = _load(case)
            verdict = mover.examine(case, workflow, {row.id: row.draft for row in stored.values()
                                                     if row.draft_saved_at is not None and row.draft is not None})
            if not verdict.can_move:
                raise _Refused(verdict)
            detail = {"run": run_id, "from_version": source.version, "to_version": mover.target.version,
                      "from_definition_id": source.id, "to_definition_id": mover.target.id,
                      "mapping": mover.request.mapping, "retimed": verdict.retimed}
            kept = {task.id for task in verdict.open_tasks if not task.due_changed}
            _put_on(case, workflow, mover.target, stored,
                    due={task_id: row.due_at for task_id, row in stored.items() if task_id in kept})
            history(case_id=case.id, kind="migrated", actor=actor, detail=detail)
            audit.record("migrate_case", principal, case_id=case.id, user=actor, detail=detail)
            append(db.session(), CaseMigration, run_id=run_id, case_id=case.id, from_definition_id=source.id,
                   to_definition_id=mover.target.id, state_before=state_before, revision_after=case.revision,
                   due_before=due_before, retimed=verdict.retimed, migrated_at=now(), migrated_by=actor)
    except _Refused as refused:
        return refused.verdict
    except NotFound:
        db.session.rollback()
        return Verdict(case_id, None, [_reason(None, "Inget ärende med detta id finns i regionen")])
    except Conflict:
        db.session.rollback()
        return Verdict(case_id, _version_of(case_id), [_reason(None, (
            "Ärendet ändrades av någon annan just då och flyttades inte; flytta det igen"))])
    except ProcessFailed as err:
        db.session.rollback()
        return Verdict(case_id, _version_of(case_id), [_reason(None, (
            f"Ärendet kan inte fortsätta i den nya versionen och flyttades inte ({err.detail})"))])
    except Exception:  # one case the move cannot take does not hold back the others; it stays as it was
        db.session.rollback()
        log.exception("moving case %s failed", case_id)
        return Verdict(case_id, _version_of(case_id), [_reason(None, UNEXPECTED)])
    verdict.moved = True
    return verdict


def _version_of(case_id: str) -> int | None:
    found = db.session.scalar(sa.select(ProcessDefinition.version).join(
        Case, Case.definition_id == ProcessDefinition.id).where(Case.id == case_id))
    db.session.rollback()
    return found


def _put_on(case: Case, workflow: CaseWorkflow, definition: ProcessDefinition, stored: dict[str, Task],
            due: dict[str, object]) -> None:
    """Store the case's moved workflow on `definition`, and bring what is kept beside it in step as a completion
    does (`cases._store`): status, data, stage, timers and messages waited for, its task rows (each kept task
    described by the new version, with its id, assignee and draft) and who sees them. A task in `due` keeps the
    due date given there (a due date does not move because of a move, unless its expression changed)."""
    described = {task.id: task for task in workflow.human_tasks()}
    for task_id, moment in due.items():
        if task_id in described:
            described[task_id].due_at = moment
    changed = []
    for task_id, row in stored.items():
        task = described.get(task_id)
        if task is None:
            continue
        values = {name: getattr(task, name) for name in DESCRIBED if getattr(row, name) != getattr(task, name)}
        if values:
            update_now(db.session(), row, **values)
            if VIEWED.intersection(values):
                changed.append(row)
    shared_before = access_inputs(case)
    update_now(db.session(), case, definition_id=definition.id)
    set_committed_value(case, "definition", definition)
    _store(case, workflow, stored_open=stored)
    if access_inputs(case) == shared_before:  # else `_store` wrote every viewer row of the case anew
        # (a task whose group, name or due date changed is seen by others, or listed otherwise)
        for row in changed:
            sync_task_viewers_of(row)


def get_run(run_id: str, principal=None) -> MigrationRun:
    run = db.session.get(MigrationRun, run_id)
    if run is None:
        raise NotFound(f"Ingen flytt med id {run_id}")
    require_owner(principal, run.region, "read_migration")
    return run


def run_out(run: MigrationRun) -> dict:
    """A run as it stands: while it goes on, its counts so far (those that could move are those moved so far)
    and no cases yet."""
    cases = list(run.report or [])
    return {"id": run.id, "region": run.region, "from_version": run.from_version, "to_version": run.to_version,
            "mapping": run.mapping or {}, "dry_run": run.dry_run, "status": shown_status(run),
            "heartbeat_at": run.heartbeat_at, "resumed": run.resumed or 0,
            "requested_by": run.requested_by, "started_at": run.started_at, "finished_at": run.finished_at,
            "cases": cases,
            "summary": {"total": run.total, "can_move": run.total - run.refused if run.status == "finished"
                        else run.moved, "cannot_move": run.refused, "moved": run.moved}}


# -- undo ------------------------------------------------------------------------------------------------------
def undo(case_id: str, principal=None, actor: str | None = None) -> Case:
    """Move a case back to the version it was moved from, as it was then: only while nothing has happened on it
    since (no step, message or timer, no draft saved)."""
    actor = principal.username if principal is not None else actor
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(f"Inget ärende med id {case_id}")
    require_owner(principal, case.region, "undo_migration", case_id=case_id)
    with transaction():
        case = _lock_case(case_id)
        record = db.session.scalars(sa.select(CaseMigration).where(
            CaseMigration.case_id == case_id, CaseMigration.undone_at.is_(None))
            .order_by(CaseMigration.id.desc()).with_for_update()).first()
        if record is None or record.to_definition_id != case.definition_id:
            raise NotMigrated("Ärendet har inte flyttats till den version det går på nu; det finns inget att ångra")
        if case.revision != record.revision_after or _drafted_since(case_id, record.migrated_at):
            raise NotMigrated("Något har hänt i ärendet sedan det flyttades; flytten kan inte ångras")
        source = db.session.get(ProcessDefinition, record.from_definition_id)
        target_version = case.definition.version
        stored = _stored_open_tasks(case.id)
        workflow = CaseWorkflow.restore(record.state_before, *specs_of(source))
        _put_on(case, workflow, source, stored, due={task_id: datetime.fromisoformat(moment) if moment else None
                                                     for task_id, moment in (record.due_before or {}).items()})
        record.undone_at, record.undone_by = now(), actor
        detail = {"run": record.run_id, "from_version": target_version, "to_version": source.version,
                  "to_definition_id": source.id}
        history(case_id=case.id, kind="migration_undone", actor=actor, detail=detail)
        audit.record("undo_migration", principal, case_id=case.id, user=actor, detail=detail)
    return case


def _drafted_since(case_id: str, moment) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(
        Task.case_id == case_id, Task.draft_saved_at > moment)) > 0


def mark_failed(run_id: str, holder: str) -> None:
    """A run whose work stopped on an unexpected error says so instead of running for ever (the cases it moved
    stay moved, each having moved in its own transaction)."""
    db.session.execute(sa.update(MigrationRun).where(MigrationRun.id == run_id, MigrationRun.held_by == holder,
                                                     MigrationRun.status == "running")
                       .values(status="failed", finished_at=now()).execution_options(synchronize_session=False))
    db.session.commit()
