"""Moving running cases to another version of their region's routine: plan a move, carry it out (a dry run, or
for real in the background), read a run, and undo a case's move. Only process owners of the region."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate, validates

from ..database import db
from ..services import case_migration as service
from .auth import current_principal
from .blueprint import Blueprint
from .presenters import utc
from .problems import problem_response
from .schemas import IDENTIFIER, Int64

migrations_v1 = Blueprint("migrations", __name__, url_prefix="/api/v1",
                          description="Move running cases to another version of their region's routine")

VERSION = validate.Range(min=1, max=2**31 - 1)
ELEMENT_ID = validate.Length(min=1, max=200)
# The most cases one request names by id; a whole region's cases are chosen by `from_version` instead.
MAX_CASE_IDS = 1000


class MigrationPlanIn(Schema):
    region = fields.String(required=True, validate=IDENTIFIER,
                           metadata={"description": "the region whose cases move"})
    from_version = Int64(validate=VERSION, metadata={
        "description": "only the region's active cases on this version (numbered as the region's own versions, "
                       "or the base's where the region has none); all its active cases where left out"})
    case_ids = fields.List(fields.String(validate=validate.Length(min=1, max=36)),
                           validate=validate.Length(min=1, max=MAX_CASE_IDS),
                           metadata={"description": "only these cases of the region"})
    to_version = Int64(validate=VERSION, metadata={
        "description": "the version to move to; the region's latest where left out"})
    mapping = fields.Dict(keys=fields.String(validate=ELEMENT_ID), values=fields.String(validate=ELEMENT_ID),
                          load_default=dict, metadata={
                              "description": "element ids a process owner renamed: old id → id in the new "
                                             "version; every other element keeps its id"})

    @validates("mapping")
    def _mapping_size(self, value, **_):
        if len(value) > 500:
            raise ValidationError("at most 500 renamed elements")


class MigrationIn(MigrationPlanIn):
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "only report what would happen; nothing of the cases is stored"})


class ReasonOut(Schema):
    element = fields.String(allow_none=True, metadata={"description": "the BPMN element id concerned, if any"})
    message = fields.String(metadata={"description": "why, in Swedish"})


class CasePlanOut(Schema):
    case_id = fields.String()
    from_version = fields.Integer(allow_none=True)
    can_move = fields.Boolean()
    reasons = fields.List(fields.Nested(ReasonOut), metadata={"description": "why it cannot move (empty if it can)"})
    retimed = fields.List(fields.String(), metadata={
        "description": "timers whose expression the new version changed: their due moment is calculated again"})


class PlanSummaryOut(Schema):
    total = fields.Integer()
    can_move = fields.Integer()
    cannot_move = fields.Integer()


class MigrationPlanOut(Schema):
    to_version = fields.Integer()
    cases = fields.List(fields.Nested(CasePlanOut))
    summary = fields.Nested(PlanSummaryOut)


class CaseRunOut(CasePlanOut):
    moved = fields.Boolean(metadata={"description": "moved by this run (never on a dry run)"})


class RunSummaryOut(PlanSummaryOut):
    moved = fields.Integer()


class MigrationOut(Schema):
    id = fields.String()
    region = fields.String()
    from_version = fields.Integer(allow_none=True)
    to_version = fields.Integer()
    mapping = fields.Dict(keys=fields.String(), values=fields.String())
    dry_run = fields.Boolean()
    status = fields.String(
        validate=validate.OneOf(["running", "interrupted", "released", "finished", "failed"]), metadata={
            "description": "running: a process is moving the cases (its heartbeat is recent); interrupted: the "
                           "process that moved them stopped (a server worker killed) and no other has taken the run "
                           "over yet: the timer worker does within its next sweep, and so does the API when the run "
                           "is read; it then carries on with the cases not yet moved, and the run is running again, "
                           "with `resumed` counted up; released: the process that moved them was stopped gracefully "
                           "(the timer worker by SIGTERM or SIGINT, a server worker replaced or restarted) and handed "
                           "the run over after the case it was moving: it is taken over as an interrupted run is, "
                           "without waiting for its heartbeat to go stale; finished: every case is moved or "
                           "reported; failed: an unexpected error stopped it (the cases it moved stay moved)"})
    heartbeat_at = fields.DateTime(allow_none=True, metadata={
        "description": "when the process moving the cases last showed it was alive"})
    resumed = fields.Integer(metadata={
        "description": "how many times the run was taken over after the process moving its cases stopped"})
    requested_by = fields.String(allow_none=True)
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    cases = fields.List(fields.Nested(CaseRunOut), metadata={"description": "each case, once the run is finished"})
    summary = fields.Nested(RunSummaryOut, metadata={"description": "the counts so far while it runs"})


class UndoneOut(Schema):
    case_id = fields.String()
    version = fields.Integer(metadata={"description": "the version the case is on again"})
    revision = fields.Integer()


def request_of(body: dict) -> service.Request:
    return service.Request(region=body["region"], from_version=body.get("from_version"),
                           case_ids=body.get("case_ids"), to_version=body.get("to_version"),
                           mapping=dict(body.get("mapping") or {}))


def run_json(run) -> dict:
    found = service.run_out(run)
    for moment in ("started_at", "finished_at", "heartbeat_at"):
        found[moment] = utc(found[moment]) if found[moment] else None
    return found


def in_background(work) -> None:
    """Run a migration's work in a thread of this server: the request that started it is answered at once, and
    the API goes on serving beside it (each case is a short transaction). Should this worker process be killed
    midway, the run's heartbeat stops and another process takes it over: the timer worker, or this API where the
    run is read; replaced after `max_requests` or restarted, it releases the run after the case it is moving, to be
    taken over at once (engine.serving)."""
    service.in_thread(work)


@migrations_v1.route("/migrations/plan")
class MigrationPlan(MethodView):
    @migrations_v1.doc(operationId="planMigration")
    @migrations_v1.arguments(MigrationPlanIn, error_status_code=400)
    @migrations_v1.response(200, MigrationPlanOut)
    @problem_response(migrations_v1, 403, "not a process owner of the region")
    @problem_response(migrations_v1, 404, "nothing is deployed for the region")
    def post(self, body):
        """Whether each of the region's running cases (of `from_version`, or those named) can move to
        `to_version` (the region's latest where left out), and why not: an open task, timer, message wait or
        called stage without its counterpart in the new version (same id, or as `mapping` renames it), a saved
        draft that no longer fits its task's form (the fields named), a value the new version reads that the case
        has not set. Nothing is stored."""
        return service.plan(request_of(body), principal=current_principal())


@migrations_v1.route("/migrations")
class Migrations(MethodView):
    @migrations_v1.doc(operationId="startMigration")
    @migrations_v1.arguments(MigrationIn, error_status_code=400)
    @migrations_v1.response(201, MigrationOut, headers={"Location": {"description": "the run (GET)",
                                                                    "schema": {"type": "string"}}})
    @problem_response(migrations_v1, 403, "not a process owner of the region")
    @problem_response(migrations_v1, 404, "nothing is deployed for the region")
    def post(self, body):
        """Move the cases: a dry run answers with its report (nothing of the cases stored); a real run starts in
        the background and answers at once with its id, each case then moving in a transaction of its own under
        its row lock (all of it or none). Cases that cannot move are reported and stay as they were. Read the
        run's progress and report at its `Location`."""
        background = None if body["dry_run"] else in_background
        run = service.migrate(request_of(body), dry_run=body["dry_run"], principal=current_principal(),
                              background=background)
        return run_json(run), 201, {"Location": f"{migrations_v1.url_prefix}/migrations/{run.id}"}


@migrations_v1.route("/migrations/<string:migration_id>")
class MigrationResource(MethodView):
    @migrations_v1.doc(operationId="getMigration")
    @migrations_v1.response(200, MigrationOut)
    @problem_response(migrations_v1, 403, "not a process owner of the run's region")
    @problem_response(migrations_v1, 404, "no such run")
    def get(self, migration_id):
        """A run: what was asked, by whom, its counts so far, and once finished every case's outcome. A run
        whose process stopped (`interrupted`) or handed it over (`released`) is taken over by this server as it is
        read, and carried on."""
        run = service.get_run(migration_id, principal=current_principal())
        if service.is_stale(run) and service.take_over(run.id, in_background):
            db.session.expire(run)
        return run_json(run)


@migrations_v1.route("/cases/<string:case_id>/migration/undo")
class MigrationUndo(MethodView):
    @migrations_v1.doc(operationId="undoMigration")
    @migrations_v1.response(200, UndoneOut)
    @problem_response(migrations_v1, 403, "not a process owner of the case's region")
    @problem_response(migrations_v1, 404, "no such case")
    @problem_response(migrations_v1, 409, "the case was not moved to the version it is on, or something has "
                                          "happened on it since (a step, a message, a timer, a draft)")
    def post(self, case_id):
        """Move a case back to the version its last move took it from, as it was then: only while nothing has
        happened on it since."""
        case = service.undo(case_id, principal=current_principal())
        return {"case_id": case.id, "version": case.definition.version, "revision": case.revision}
