"""Starting and advancing cases. Every function here is one transaction: all of a change is stored, or
none of it."""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..access import (
    require_case,
    require_message,
    require_task,
    sync_case_access,
    sync_task_viewers,
    sync_task_viewers_of,
)
from ..access.rules import coordinates, open_task_seen, require_sender, viewer
from ..access.sharing import COORDINATOR_GROUP, access_inputs, consent_given_unasked
from ..access.task_viewers import search_key
from ..database import db
from ..forms import FieldError, apply_defaults, validate_submission
from ..forms.case_fields import bind_to_case
from ..forms.organisations import kind_mismatches
from ..notifications.outbox import record_case_change
from ..privacy import number_hash, protect
from ..runtime.diagrams import ProcessDiagram, process_diagrams
from ..runtime.progress import message_senders, message_texts
from ..runtime.workflow import (
    CaseWorkflow,
    CorrelationMismatch,
    NotWaiting,
    ProcessError,
    TaskNotReady,
    Unloadable,
    message_names,
)
from ..scripting.helpers import completing
from ..store import Case, CaseEvent, MessageReceipt, ProcessDefinition, StartReceipt, Task
from ..store.appended import append
from ..store.direct_writes import insert_now, is_new, set_changed, update_later, update_now
from ..store.models import new_id
from .errors import (
    CaseUnloadable,
    Conflict,
    InvalidData,
    InvalidRequest,
    NotFound,
    ProcessFailed,
    ServiceError,
)
from .instructions import render as render_instructions
from .organisation_registry import organisations_for
from .process_sets import latest_definition, require_definition, specs_of

log = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def transaction(case_id: str | None = None, timers: bool = False):
    """One change, one transaction. A stale write (someone else changed the case meanwhile) is a conflict;
    a failure of the process itself leaves the case as it was and records the incident on it. A change made by
    the timer worker (`timers`) that fails parks the case's timers: the incident is recorded once, and the case
    is not swept again until a change of it succeeds (a completion, a message, a move to a mended version)."""
    try:
        yield
        _commit()
    except (StaleDataError, IntegrityError) as err:
        db.session.rollback()
        raise Conflict("The case was changed by someone else meanwhile; read it again and retry") from err
    except OperationalError as err:
        db.session.rollback()
        if "locked" in str(err) or "busy" in str(err).lower():
            raise Conflict("The case is being changed by someone else right now; retry") from err
        raise
    except ProcessError as err:
        db.session.rollback()
        unloadable = isinstance(err, Unloadable)
        if case_id is not None:
            _record_incident(case_id, str(err), once=unloadable or timers, park_timers=timers)
        raise (CaseUnloadable if unloadable else ProcessFailed)(str(err)) from err
    except RecursionError as err:
        # The engine recursed too deeply running or loading the case (data nested beyond what it can take, a
        # structure it walks without end): the case itself cannot go on, and its incident tells staff so.
        db.session.rollback()
        message = ("Ärendets data är nästlade för djupt för att processmotorn ska kunna köra ärendet. / The case's "
                   "data is nested too deeply for the workflow engine to run it")
        if case_id is not None:
            _record_incident(case_id, message, once=timers, park_timers=timers)
        raise ProcessFailed(message) from err
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def reading(case_id: str):
    """A read of a case that needs its workflow: a case whose stored state the engine cannot load answers
    CaseUnloadable (a problem document naming the incident), and its incident is recorded once."""
    try:
        yield
    except Unloadable as err:
        db.session.rollback()
        _record_incident(case_id, str(err), once=True)
        raise CaseUnloadable(str(err)) from err


def _unloadable_noted(case_id: str, err: Unloadable) -> None:
    """A read that shows what it can of a case the engine cannot load: the incident is recorded once."""
    log.warning("case %s cannot be loaded by the workflow engine: %s", case_id, err)
    _record_incident(case_id, str(err), once=True)


# Refused attempts are audited too, each in a transaction of its own that the refused change's rollback leaves
# alone: the status and problem type, never the data sent. Refusals by the access rules (404, 403) are audited
# where they are made.
REFUSAL_OUTCOMES = {400: "invalid", 404: "not_found", 409: "conflict", 422: "invalid"}
_auditing_refusals: ContextVar[bool] = ContextVar("auditing_refusals", default=False)


@contextmanager
def refusals_audited(action: str, principal, user: str | None = None, case_id: str | None = None,
                     task_id: str | None = None, subject_hash: str | None = None, **detail):
    """Audit the refusal (a ServiceError of REFUSAL_OUTCOMES) of what the block attempts, once: a block within
    another (a retry under an idempotency key tried as a completion first) leaves it to the outer one, which
    knows whether the attempt was refused after all."""
    if _auditing_refusals.get():
        yield
        return
    token = _auditing_refusals.set(True)
    try:
        yield
    except ServiceError as err:
        if err.status in REFUSAL_OUTCOMES and not getattr(err, "audited", False):
            _audit_refusal(err, action, principal, user, case_id, task_id, subject_hash, detail)
        raise
    finally:
        _auditing_refusals.reset(token)


def _audit_refusal(err: ServiceError, action: str, principal, user, case_id, task_id, subject_hash,
                   detail: dict) -> None:
    db.session.rollback()
    if task_id is not None:
        row = db.session.get(Task, task_id)
        if row is not None:
            case_id = case_id or row.case_id
            detail = {"task": row.name, **detail}
    outcome = "incident" if err.type == "process-incident" else REFUSAL_OUTCOMES[err.status]
    audit.record_now(action, principal, case_id=case_id, task_id=task_id, user=user, outcome=outcome,
                     subject_hash=subject_hash, detail={**detail, "status": err.status, "problem": err.type})
    err.audited = True


def history(**values) -> None:
    """A row of the case's history, written with the change."""
    append(db.session(), CaseEvent, **values)


def _commit() -> None:
    """Commit, keeping the objects of the change as they were written: under the case's lock they are what
    the database now holds, so the answer built from them needs no second read."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def _record_incident(case_id: str, message: str, once: bool = False, park_timers: bool = False) -> None:
    """The incident on the case and a row of its history; `once`: not again while the case's open incident is
    this one. `park_timers`: the case's timers are swept no more until a change of the case succeeds (which sets
    them from its workflow again)."""
    case = db.session.get(Case, case_id)
    if case is not None:
        if once and case.incident == message:
            if park_timers and case.next_timer_at is not None:
                case.next_timer_at = None
                db.session.commit()
            return
        detail = {"message": message}
        if park_timers and case.next_timer_at is not None:
            detail["timers_parked"] = str(case.next_timer_at)
            case.next_timer_at = None
        case.incident = message
        history(case_id=case_id, kind="incident", detail=detail)
        try:
            db.session.commit()
        except StaleDataError:
            db.session.rollback()


# -- starting -----------------------------------------------------------------------------------------
def start_case(region: str, variables: dict | None = None, person_name: str | None = None,
               actor: str | None = None, principal=None, personal_number: str | None = None,
               receipt: dict | None = None) -> Case:
    """Start a case of the region's latest SIP routine (the base routine where the region has none).
    With a principal, the case is the principal's organisation's (the initiating one) until consent.
    A personal number (normalised) is kept only as a keyed hash and encrypted, never in the process data.
    `receipt` (username, idempotency_key, fingerprint) is stored with the case: see `start_case_once`."""
    if principal is not None:
        actor = principal.username
    subject = number_hash(personal_number) if personal_number else None
    with refusals_audited("start_case", principal, user=actor, subject_hash=subject, region=region):
        return _start_case(region, variables, person_name, actor, principal, personal_number, receipt)


def _start_case(region, variables, person_name, actor, principal, personal_number, receipt) -> Case:
    if principal is not None:
        given = consent_given_unasked(variables or {})
        if given:
            raise InvalidRequest("Consent is recorded by the routine's own steps, not given at the start",
                                 errors=[{"field": f"variables/{name}", "message": "set by the routine when "
                                          "consent is asked; it cannot be given at the start"} for name in given])
    with transaction():
        protected = protect(personal_number) if personal_number else (None, None)
        case = _start(region, "sip", dict(variables or {}), person_name, actor, parent=None,
                      initiating_organisation=principal.organisation if principal else None,
                      initiator_kind=principal.organisation_kind if principal else None, protected=protected)
        audit.record("start_case", principal, case_id=case.id, user=actor, subject_hash=protected[0],
                     detail={"region": region})
        if receipt is not None:
            append(db.session(), StartReceipt, case_id=case.id, **receipt)
    return case


def start_case_once(idempotency_key: str, fingerprint: str, region: str, variables: dict | None = None,
                    principal=None, actor: str | None = None, **details) -> tuple[Case, bool]:
    """`start_case`, applied once per user and idempotency key, so that a client may retry a start whose answer
    it never got. The same key again answers with the case it started (False: not started now); the same key
    for another request (`fingerprint` differs) is a conflict. Returns the case and whether it started now."""
    username = principal.username if principal is not None else actor or "system"
    number = details.get("personal_number")
    with refusals_audited("start_case", principal, user=username, region=region,
                          subject_hash=number_hash(number) if number else None):
        earlier = _started_with(username, idempotency_key, fingerprint, principal)
        if earlier is not None:
            return earlier, False
        receipt = {"username": username, "idempotency_key": idempotency_key, "fingerprint": fingerprint}
        try:
            return start_case(region, variables, principal=principal, actor=actor, receipt=receipt,
                              **details), True
        except Conflict:  # a request with the same key committed first
            earlier = _started_with(username, idempotency_key, fingerprint, principal)
            if earlier is None:
                raise
            return earlier, False


def _started_with(username: str, key: str, fingerprint: str, principal) -> Case | None:
    receipt = db.session.scalars(sa.select(StartReceipt).where(
        StartReceipt.username == username, StartReceipt.idempotency_key == key)).first()
    if receipt is None:
        return None
    if receipt.fingerprint != fingerprint:
        raise Conflict("The idempotency key was used to start another case; use a new key for a new start")
    require_case(principal, receipt.case_id, "start_case")
    audit.record_now("start_case", principal, case_id=receipt.case_id, user=username, outcome="replayed")
    return get_case(receipt.case_id)


def _start(region, key, variables, person_name, actor, parent: Case | None,
           initiating_organisation: str | None = None, initiator_kind: str | None = None,
           protected: tuple = (None, None)) -> Case:
    definition = require_definition(region, key)
    spec, subprocess_specs = specs_of(definition)
    if parent is not None:
        variables.setdefault("foregaende_arende", parent.id)
    cw = CaseWorkflow.start(spec, subprocess_specs, variables)
    if parent is not None:  # a new SIP after this one: the same person, started by its coordinator
        coordinator = (parent.data or {}).get("samordningsansvarig") or {}
        initiating_organisation = coordinator.get("organisation") or parent.initiating_organisation
        initiator_kind = None  # as registered
        protected = (parent.personal_number_hash, parent.personal_number_encrypted)
    case = Case(id=new_id(), status="active", region=region, definition=definition, person_name=person_name,
                person_key=search_key(person_name), state="",
                parent_case_id=parent.id if parent else None, initiating_organisation=initiating_organisation,
                personal_number_hash=protected[0], personal_number_encrypted=protected[1])
    history(case_id=case.id, kind="started", actor=actor,
            detail={"process": key, "version": definition.version, "region": region,
                    "parent_case_id": case.parent_case_id}, elements=cw.ran() or None)
    _store(case, cw, initiator_kind=initiator_kind)
    return case


# -- tasks --------------------------------------------------------------------------------------------
def complete_task(task_id: str, data: dict, actor: str | None = None, case_id: str | None = None,
                  case_revision: int | None = None, principal=None, idempotency_key: str | None = None) -> Case:
    """Complete a human task with the data of its form. With `case_revision`, the case must not have
    changed since the caller read it. With a principal, the task must be visible to it and not claimed by
    someone else. `idempotency_key` is kept with the completion: see `complete_task_once`."""
    if principal is not None:
        actor = principal.username
    with refusals_audited("complete_task", principal, user=actor, task_id=task_id):
        return _complete_task(task_id, data, actor, case_id, case_revision, principal, idempotency_key)


def _complete_task(task_id: str, data: dict, actor: str | None, case_id: str | None, case_revision: int | None,
                   principal, idempotency_key: str | None) -> Case:
    # An open task the principal sees: its case locked in the same statement. Else (a task it does not see, one
    # no longer open, a case moved meanwhile) the checks one by one, each refusing as it does.
    case = _lock_case_of_open_task(task_id, principal)
    row = None if case is not None else _open_task(task_id, case_id,
                                                   read=require_task(principal, task_id, "complete_task"))
    if not isinstance(data, dict):
        raise InvalidData("Task data must be a JSON object", [{"field": "(data)", "message": "not an object"}])
    with transaction(case.id if case is not None else row.case_id):
        if case is None:
            case = _lock_case(row.case_id)
        stored = _stored_open_tasks(case.id)
        if task_id not in stored:
            row = db.session.get(Task, task_id, populate_existing=True)
            raise Conflict(f"The task is already {row.state}")
        row = stored[task_id]
        if case_id is not None and row.case_id != case_id:
            raise NotFound(f"No task {task_id} in case {case_id}")
        if row.assignee and principal is not None and row.assignee != principal.username:
            raise Conflict(f"The task is claimed by {row.assignee}")
        if case_revision is not None and case_revision != case.revision:
            raise Conflict(f"The case has changed since revision {case_revision}; it is at {case.revision}")
        data = _validate_form(row, case, data)
        cw = _load(case)
        try:
            with completing(getattr(principal, "name", None) or actor,
                            getattr(principal, "organisation", None) or row.candidate_group):
                cw.complete(task_id, data)
        except TaskNotReady as err:
            raise Conflict(str(err)) from err
        # Who did it, as signed in: the history shows the person's name and organisation, not a login name.
        by = {"name": principal.name, "organisation": principal.organisation} if getattr(principal, "name", None) \
            else {}
        history(case_id=case.id, kind="task_completed", actor=actor, task_id=task_id, task_name=row.name,
                detail={"title": row.title, **({"by": by} if by else {})}, elements=cw.ran() or None)
        audit.record("complete_task", principal, case_id=case.id, task_id=task_id, user=actor,
                     detail={"task": row.name})
        _store(case, cw, completed_task_id=task_id, completed_by=actor, stored_open=stored,
               completion_key=idempotency_key)
    return case


def complete_task_once(task_id: str, idempotency_key: str, data: dict, principal=None, actor: str | None = None,
                       **details) -> tuple[Case, bool]:
    """`complete_task`, applied once per idempotency key, so that a client may retry a completion whose answer
    it never got: the same user's retry of the completion it made with the key answers with the case as it
    stands (False: not completed now), where another request would be refused as already completed."""
    username = principal.username if principal is not None else actor
    with refusals_audited("complete_task", principal, user=username, task_id=task_id):
        try:
            case = complete_task(task_id, data, principal=principal, actor=actor, idempotency_key=idempotency_key,
                                 **details)
            return case, True
        except Conflict:
            row = db.session.get(Task, task_id, populate_existing=True)
            if row is None or (row.state, row.completed_by, row.completion_key) != ("completed", username,
                                                                                   idempotency_key):
                raise
            audit.record_now("complete_task", principal, case_id=row.case_id, task_id=task_id, user=username,
                             outcome="replayed", detail={"task": row.name})
            return get_case(row.case_id), False


def claim_task(task_id: str, user: str | None = None, principal=None) -> Task:
    """Take a task (as `user`, or as the principal). With a principal, the task must be visible to it."""
    return _assign(task_id, user, principal, "claim_task", taking=True)


def unclaim_task(task_id: str, user: str | None = None, principal=None) -> Task:
    """Give a task back to its group; only its holder (or anyone, while nobody holds it) can."""
    return _assign(task_id, user, principal, "unclaim_task", taking=False)


def _assign(task_id: str, user: str | None, principal, action: str, taking: bool) -> Task:
    if principal is not None:
        user = principal.username
    with refusals_audited(action, principal, user=user, task_id=task_id):
        if principal is not None:
            require_task(principal, task_id, action)
        with transaction():
            row, _ = _task_held_by(task_id, user)
            if set_changed(row, assignee=user if taking else None):
                sync_task_viewers_of(row)
            audit.record(action, principal, case_id=row.case_id, task_id=task_id, user=user)
    return row


def save_draft(task_id: str, data: dict, user: str | None = None, principal=None) -> Task:
    """Keep what someone has filled in so far of a task's form, to finish later. The draft is checked against
    the form except for the fields the form requires, and changes nothing of the case. A task claimed by
    someone else takes no draft from another user; completing or cancelling the task discards its draft."""
    if principal is not None:
        user = principal.username
    with refusals_audited("save_draft", principal, user=user, task_id=task_id):
        if principal is not None:
            require_task(principal, task_id, "save_draft")
        if not isinstance(data, dict):
            raise InvalidData("Task data must be a JSON object", [{"field": "(data)", "message": "not an object"}])
        with transaction():
            row, case = _task_held_by(task_id, user)
            _check_form(row, case, data, partial=True)
            row.draft, row.draft_saved_at, row.draft_saved_by = data, now(), user
            audit.record("save_draft", principal, case_id=row.case_id, task_id=task_id, user=user)
    return row


def discard_draft(task_id: str, user: str | None = None, principal=None) -> None:
    """Throw away a task's draft (there need not be one)."""
    if principal is not None:
        user = principal.username
    with refusals_audited("discard_draft", principal, user=user, task_id=task_id):
        if principal is not None:
            require_task(principal, task_id, "discard_draft")
        with transaction():
            row, _ = _task_held_by(task_id, user)
            if row.draft_saved_at is not None:  # a draft always has its moment; the draft itself is not loaded
                row.draft = row.draft_saved_at = row.draft_saved_by = None
            audit.record("discard_draft", principal, case_id=row.case_id, task_id=task_id, user=user)


def _task_held_by(task_id: str, user: str | None) -> tuple[Task, Case]:
    """The open task and its case, under the case's lock, for `user` to change: read again under the lock, it
    must still be open and not claimed by someone else."""
    row = _open_task(task_id)
    case = _lock_case(row.case_id)
    db.session.refresh(row)
    _open_task(task_id, read=row)
    if row.assignee not in (None, user):
        raise Conflict(f"The task is claimed by {row.assignee}")
    return row, case


def _open_task(task_id: str, case_id: str | None = None, read: Task | None = None) -> Task:
    """The open task (`read` when the caller has just read it)."""
    row = read if read is not None else db.session.get(Task, task_id)
    if row is None or (case_id is not None and row.case_id != case_id):
        raise NotFound(f"No task {task_id}" + (f" in case {case_id}" if case_id else ""))
    if row.state != "open":
        raise Conflict(f"The task is already {row.state}")
    return row


_FORMS_CACHE: dict[tuple, dict] = {}


def forms_of(definition: ProcessDefinition) -> dict:
    """The form schemas of a deployed definition, read once per process (a definition never changes)."""
    key = (definition.id, definition.content_hash)
    found = _FORMS_CACHE.get(key)
    if found is None:
        if len(_FORMS_CACHE) >= 64:
            _FORMS_CACHE.pop(next(iter(_FORMS_CACHE)))
        found = _FORMS_CACHE[key] = definition.forms
    return found


def _validate_form(row: Task, case: Case, data: dict) -> dict:
    """The submitted data checked against the task's form, with the form's defaults filled in. A field the form
    marks `readOnly` shows what the routine put there (a reason, who was absent): what is sent for it is dropped."""
    schema = forms_of(case.definition).get(row.form_schema) if row.form_schema else None
    shown_only = {name for name, prop in ((schema or {}).get("properties") or {}).items()
                  if isinstance(prop, dict) and prop.get("readOnly") is True}
    data = {name: value for name, value in data.items() if name not in shown_only}
    schema = _check_form(row, case, data)
    if schema is None:
        return data
    return {name: value for name, value in apply_defaults(schema, data).items() if name not in shown_only}


def _check_form(row: Task, case: Case, data: dict, partial: bool = False) -> dict | None:
    """Check data against the task's form (InvalidData naming each failing field); a `partial` draft may leave
    out the fields the form requires. Returns the form's schema, None for a task without a form."""
    if not row.form_schema:
        if data:  # a confirmation step: done or not, it takes no fields
            raise InvalidData("This task is a confirmation and takes no fields; send empty data",
                              [{"field": f"data/{name}", "message": "en bekräftelse tar inga fält"}
                               for name in sorted(data)])
        return None
    schema = forms_of(case.definition).get(row.form_schema)
    if schema is None:
        raise ServiceError(f"The form {row.form_schema} of this task is missing from its process set")
    # Choices an earlier step limited or supplied (choicesFrom, optionsFrom), and organisations of the registry
    # (organisationsFrom): checked as the task shows them.
    bound = bind_to_case(schema, task_data(row), organisations_for(case))
    errors = validate_submission(bound, data, partial=partial)
    refused = {error.field for error in errors}  # a kind already refused (not consented) is not told twice
    errors += [FieldError(name, message) for name, message in kind_mismatches(bound, data) if name not in refused]
    errors += [FieldError(name, "set by the routine when consent is asked; this form does not ask for it")
               for name in consent_given_unasked(data, schema.get("properties") or {})]
    if errors:
        raise InvalidData(
            f"{len(errors)} field(s) do not match the form {row.form_schema}",
            [{"field": e.field, "message": e.message} for e in errors],
        )
    return schema


# -- messages and timers ------------------------------------------------------------------------------
def send_message(case_id: str, name: str, payload: dict | None = None, actor: str | None = None,
                 idempotency_key: str | None = None, principal=None) -> tuple[Case, bool]:
    """Deliver a named message (consent withdrawn, meeting cancelled, …) to a case that waits for it.
    A message sent again with the same idempotency key is not applied again. Returns the case and whether
    the message was applied now. With a principal, the case must be shared with it in full."""
    if principal is not None:
        actor = principal.username
    with refusals_audited("message", principal, user=actor, case_id=case_id, message=name):
        return _send_message(case_id, name, payload, actor, idempotency_key, principal)


def _send_message(case_id: str, name: str, payload: dict | None, actor: str | None, idempotency_key: str | None,
                  principal) -> tuple[Case, bool]:
    if principal is not None:
        require_case(principal, case_id, "message", need_full=True)
    case = get_case(case_id)
    if principal is not None:
        require_message(principal, case, name, payload or {})
        with reading(case.id):
            catches = case.waiting if case.waiting is not None else read_workflow(case).waiting_catches()
        require_sender(principal, case.id, name, message_senders(*specs_of(case.definition), catches).get(name))
    if name not in known_messages(case):
        raise NotFound(f"The process of this case knows no message {name!r}",
                       known=sorted(known_messages(case)))
    _require_reason(case, name, payload or {})
    with transaction(case.id):
        case = _lock_case(case.id)
        if idempotency_key is not None:
            seen = db.session.scalars(sa.select(MessageReceipt).where(
                MessageReceipt.case_id == case.id, MessageReceipt.idempotency_key == idempotency_key)).first()
            if seen is not None:
                if seen.message != name:
                    raise Conflict(f"The idempotency key was used for the message {seen.message!r}")
                audit.record("message", principal, case_id=case.id, user=actor, outcome="replayed",
                             detail={"message": name})
                return case, False
            db.session.add(MessageReceipt(case_id=case.id, idempotency_key=idempotency_key, message=name))
        cw = _load(case)
        try:
            cw.send_message(name, payload)
        except NotWaiting as err:
            task = _task_completed_by_message(cw, name, payload or {})
            if task is None:
                waits = ", ".join(err.waiting_for) or "no message"
                if isinstance(err, CorrelationMismatch):
                    values = "; ".join(", ".join(f"{k} = {v!r}" for k, v in each["correlation"].items())
                                       for each in err.expected)
                    raise Conflict(f"The case waits for {name!r} with {values}; the message carries other values "
                                   f"or none. It waits for: {waits}", waiting_for=err.waiting_for,
                                   correlation=err.expected) from err
                raise Conflict(f"The case does not wait for {name!r} now; it waits for: {waits}",
                               waiting_for=err.waiting_for) from err
            row = _open_task(task.id)
            cw.complete(task.id, _validate_form(row, case, (payload or {}).get("data") or {}))
            completed_task_id = task.id
        else:
            completed_task_id = None
        history(case_id=case.id, kind="message", actor=actor, task_id=completed_task_id,
                detail={"message": name, "payload": payload or {}}, elements=cw.ran() or None)
        audit.record("message", principal, case_id=case.id, task_id=completed_task_id, user=actor,
                     detail={"message": name})
        _store(case, cw, completed_task_id=completed_task_id, completed_by=actor)
    return case, True


class ReasonMissing(InvalidData):
    title = "Orsak saknas"


def _require_reason(case: Case, name: str, payload: dict) -> None:
    """The reason the message's catching event asks for (`reason`, engine.runtime.progress.message_reason):
    refused where the event requires it and the payload's `orsak` is empty, or where it is no text."""
    waiting = case.waiting if case.waiting is not None else read_workflow(case).waiting_catches()
    catches = [c for c in waiting if c[0] == name]
    for asked in message_texts(*specs_of(case.definition), catches):
        reason = asked.get("reason")
        if not reason:
            continue
        given = payload.get(reason["field"])
        field = f"payload/{reason['field']}"
        if given is not None and not isinstance(given, str):
            raise ReasonMissing(f"”{asked['title']}”: orsaken ska vara en text",
                                [{"field": field, "message": "Skriv orsaken som text"}])
        if reason["required"] and not (given or "").strip():
            raise ReasonMissing(f"”{asked['title']}” kräver en orsak: {reason['label']}",
                                [{"field": field, "message": f"Fyll i ”{reason['label']}”"}])


def _task_completed_by_message(cw: CaseWorkflow, name: str, payload: dict):
    """The open user task that the message completes: its `completedByMessage` names the message, and the
    payload's `organisation` names its candidate group (needed where several such tasks are open)."""
    waiting = [t for t in cw.human_tasks() if t.completed_by_message == name]
    if "organisation" in payload:
        waiting = [t for t in waiting if t.candidate_group == payload["organisation"]]
    return waiting[0] if len(waiting) == 1 else None


def fire_due_timers(at: datetime | None = None, limit: int = 100, batch: int = 20) -> list[str]:
    """Fire the timers that are due. Reads only the cases whose earliest timer is due (an index). Cases are
    fired `batch` at a time in one transaction, each under a row lock that other workers skip; a case whose
    timer has been fired meanwhile is no longer due, so every timer fires once. When a batch fails, its cases
    are fired one by one, so one failing case neither holds back the others nor is lost."""
    at = at or now()
    due_ids = db.session.scalars(
        sa.select(Case.id).where(Case.next_timer_at <= at).order_by(Case.next_timer_at).limit(limit)
    ).all()
    db.session.rollback()
    fired = []
    for start in range(0, len(due_ids), batch):
        chunk = due_ids[start:start + batch]
        try:
            with transaction():
                definitions = _definitions_of(chunk)
                done = [case_id for case_id in chunk if _fire_case_timers(case_id, at, definitions)]
            fired.extend(done)
        except (Conflict, ProcessFailed):
            for case_id in chunk:
                try:
                    with transaction(case_id, timers=True):
                        if _fire_case_timers(case_id, at):
                            fired.append(case_id)
                except (Conflict, ProcessFailed):
                    continue
    return fired


def _definitions_of(case_ids: list[str]) -> dict[int, ProcessDefinition]:
    """The process definitions the cases run on, by id, read in one statement instead of one per case."""
    return {d.id: d for d in db.session.scalars(sa.select(ProcessDefinition).where(
        ProcessDefinition.id.in_(sa.select(Case.definition_id).where(Case.id.in_(case_ids))))).all()}


def _fire_case_timers(case_id: str, at: datetime, definitions: dict | None = None) -> bool:
    """Fire one case's due timers within the caller's transaction; False when another worker has it or
    had it."""
    case = db.session.scalars(
        sa.select(Case).where(Case.id == case_id, Case.next_timer_at <= at)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)
    ).first()
    if case is None:
        return False
    cw = _load(case, (definitions or {}).get(case.definition_id))
    loaded = case.state
    cw.fire_timers()
    state = cw.dump()
    if state == loaded:
        return False  # not due by the engine's clock after all
    history(case_id=case.id, kind="timer", detail={"due": str(case.next_timer_at)}, elements=cw.ran() or None)
    audit.record("timer", None, case_id=case.id)
    _store(case, cw, state=state)
    return True


# -- reading ------------------------------------------------------------------------------------------
def get_case(case_id: str) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(f"No case {case_id}")
    return case


def read_case(case_id: str, principal=None, action: str = "read_case") -> tuple[Case, str]:
    """A case and the scope the principal has on it (`full`, `own`, or `system` without a principal); a case
    it cannot see is NotFound. The read is audited in a transaction of its own."""
    scope = require_case(principal, case_id, action)
    case = get_case(case_id)
    if principal is not None:
        audit.record_now(action, principal, case_id=case_id, detail={"scope": scope})
    return case, scope


def open_tasks(case_id: str, principal=None) -> list[Task]:
    """The case's open tasks; with a principal, those it may see."""
    if principal is None:
        return db.session.scalars(_open_tasks(False), {"case_id": case_id}).all()
    return db.session.scalars(_open_tasks(True), {"case_id": case_id, **viewer(principal)}).all()


@functools.cache
def _open_tasks(visible_only: bool, fresh: bool = False):
    conditions = [Task.case_id == sa.bindparam("case_id"), Task.state == "open"]
    if visible_only:
        conditions.append(open_task_seen())
    statement = sa.select(Task).where(*conditions).order_by(Task.created_at, Task.id)
    return statement.execution_options(populate_existing=True) if fresh else statement


def open_tasks_of_change(case: Case, principal=None) -> list[Task]:
    """The case's open tasks as the change just committed left them (those the principal sees), as `open_tasks`
    reads them: without reading them again where the change knew them and who sees them."""
    written = db.session().info.get(_OPEN_AFTER_CHANGE, {}).get(case.id)
    if written is None or (principal is not None and written[1] is None):
        return open_tasks(case.id, principal)
    tasks, seen = written
    if principal is None:
        return list(tasks)
    return [task for task in tasks if principal.organisation in seen[task.id]]


# The open tasks a change left, by case id, with who sees each (None: not known), kept from the change until
# the session begins its next transaction: what is read after that may have been changed by others.
_OPEN_AFTER_CHANGE = "open_tasks_after_change"


def _remember_open_tasks(case_id: str, tasks: list[Task], seen: dict[str, set[str]] | None) -> None:
    db.session().info.setdefault(_OPEN_AFTER_CHANGE, {})[case_id] = (tasks, seen)


@sa.event.listens_for(Session, "after_begin")
def _forget_open_tasks(session: Session, _transaction, _connection) -> None:
    session.info.pop(_OPEN_AFTER_CHANGE, None)


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_open_tasks_of_rollback(session: Session, _previous) -> None:
    session.info.pop(_OPEN_AFTER_CHANGE, None)


def task_ids_of(case_id: str, organisation: str | None) -> set[str]:
    """The tasks of a case addressed to an organisation by name: what it documented itself."""
    return set(db.session.scalars(sa.select(Task.id).where(Task.case_id == case_id,
                                                           Task.candidate_group == organisation)).all())


def task_data(task: Task) -> dict:
    """The data a task sees: its own view of the process data (a multi-instance task also its item)."""
    case = db.session.get(Case, task.case_id)
    if task.state != "open":
        return dict(case.data or {})
    found = _load(case).find_task(task.id)
    return json_safe(found.data) if found is not None else dict(case.data or {})


def known_messages(case: Case) -> set[str]:
    return message_names(*specs_of(case.definition))


def json_safe(data: dict) -> dict:
    import json

    return json.loads(json.dumps(data, default=str))


# -- where a case stands in its diagrams ----------------------------------------------------------------
def read_workflow(case: Case) -> CaseWorkflow:
    """The case's workflow, to read where it stands: parsed anew from the stored state, leaving the workflow
    kept for the case's next change to it."""
    spec, subprocess_specs = specs_of(case.definition)
    return CaseWorkflow.read(case.state, spec, subprocess_specs)


def stage_of(case: Case) -> str | None:
    """The name of the subprocess or call activity the case is in; None when it has ended or is in none."""
    if case.status != "active":
        return None
    if case.stage is None:  # not changed since stages were kept with the case
        try:
            return read_workflow(case).stage()
        except Unloadable as err:
            _unloadable_noted(case.id, err)
            return None
    return case.stage or None


def stages_of(rows) -> dict[str, str | None]:
    """The stages of a page of cases (rows with `id`, `status` and `stage`): as kept with each case, or, for the
    active cases not changed since stages were kept, read from their workflows (their states in one statement)."""
    found = {row.id: (row.stage or None) if row.status == "active" else None for row in rows}
    unknown = [row.id for row in rows if row.status == "active" and row.stage is None]
    if unknown:
        for case in db.session.scalars(sa.select(Case).where(Case.id.in_(unknown))).all():
            found[case.id] = stage_of(case)
    return found


def waiting_catches(case: Case) -> list:
    """What the case waits for, as kept with it by every change (read from its workflow for a case not changed
    since); nothing for a case the engine cannot load, whose incident says so."""
    if case.waiting is not None:
        return case.waiting
    try:
        return read_workflow(case).waiting_catches()
    except Unloadable as err:
        _unloadable_noted(case.id, err)
        return []


def available_messages(case: Case, scope: str, principal=None) -> list[dict]:
    """The messages the case waits for now that the principal may send (scope `full`, or the system): each with
    its `name`, and the `title` and `description` the diagram gives the event that catches it. None for a case
    that has ended, or is no longer shared with the principal's organisation. A message whose catching event
    is the coordinator's to send (`sentBy`) is offered to the coordinator's organisation only. What it waits
    for is kept with the case by every change (read from its workflow for a case not changed since)."""
    if case.status != "active" or scope not in ("full", "system"):
        return []
    catches = waiting_catches(case)
    specs = specs_of(case.definition)
    senders = message_senders(*specs, catches)
    if senders and not coordinates(principal, case.id):
        catches = [c for c in catches if senders.get(c[0]) != COORDINATOR_GROUP]
    return message_texts(*specs, catches)


_DIAGRAMS_CACHE: dict[tuple, list[ProcessDiagram]] = {}


def diagrams_of(definition: ProcessDefinition) -> list[ProcessDiagram]:
    """The diagrams of a deployed definition's main process and the processes it calls, read once per process
    (a definition never changes)."""
    key = (definition.id, definition.content_hash)
    found = _DIAGRAMS_CACHE.get(key)
    if found is None:
        if len(_DIAGRAMS_CACHE) >= 16:
            _DIAGRAMS_CACHE.pop(next(iter(_DIAGRAMS_CACHE)))
        bpmn = {f.path: f.content for f in definition.files if f.kind == "bpmn"}
        found = _DIAGRAMS_CACHE[key] = process_diagrams(bpmn, definition.key)
    return found


def case_diagram(case_id: str, principal=None) -> tuple[list[ProcessDiagram], dict[str, dict[str, str]]]:
    """The diagrams a case runs, and where it stands in each: element id -> `completed`, `open`, `waiting` or
    `cancelled`, by process id (every process of the case, with an empty map where it has not been reached).
    What has run comes from the case's history (the elements each change ran; for changes stored before that,
    the user tasks completed), what is open or waiting from its workflow. Its progress is the case's own: it
    needs the whole case (403 where the organisation sees only what it documented itself)."""
    scope = require_case(principal, case_id, "read_case", need_full=True)
    case = get_case(case_id)
    diagrams = diagrams_of(case.definition)
    states: dict[str, dict[str, str]] = {d.id: {} for d in diagrams}
    drawn_in = {element: d.id for d in reversed(diagrams) for element in d.elements}
    events = db.session.execute(sa.select(CaseEvent.kind, CaseEvent.task_name, CaseEvent.elements)
                                .where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
    for kind, task_name, elements in events:
        if elements:
            for process, marks in elements.items():
                if process in states:
                    states[process].update(marks)
        elif kind == "task_completed" and task_name in drawn_in:
            states[drawn_in[task_name]][task_name] = "completed"
    with reading(case_id):
        progress = read_workflow(case).progress()
    for process, marks in progress.items():
        for element, state in marks.items() if process in states else ():
            if state != "completed" or element not in states[process]:
                states[process][element] = state
    if principal is not None:
        audit.record_now("read_case", principal, case_id=case_id, detail={"scope": scope, "view": "diagram"})
    return diagrams, states


def instructions_of(task: Task, case: Case, data: dict | None = None, shared: bool = True) -> str | None:
    """What the diagram tells whoever does the task, with what the case knows filled in (`instructions.render`):
    its `instructionsForEndUser` as stored with it, else the documentation of its BPMN element (Markdown).
    `data` is the task's data (`task_data`) when the caller has it; where the case is not `shared` with the
    reader, nothing of the case is filled in."""
    text = _written_instructions(task, case)
    if not text or "{" not in text:
        return text
    if not shared:
        return render_instructions(text, {}, [])
    if data is None:
        data = task_data(task)
    still_open = [{"namn": t.name, "titel": t.title, "organisation": t.candidate_group}
                  for t in open_tasks(case.id)]
    return render_instructions(text, data, still_open)


def _written_instructions(task: Task, case: Case) -> str | None:
    if task.instructions:
        return task.instructions
    spec, subprocess_specs = specs_of(case.definition)
    process = spec if spec.name == task.process else subprocess_specs.get(task.process)
    if process is None:
        return None
    found = process.task_specs.get(task.name)
    if getattr(found, "documentation", None) is None:  # a multi-instance task's instances carry it
        found = next((each for each in process.task_specs.values()
                      if each.bpmn_id == task.name and getattr(each, "documentation", None)), found)
    text = getattr(found, "documentation", None)
    return text.strip() if text else None


def case_history(case_id: str) -> list[CaseEvent]:
    return db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    ).all()


# -- internals ----------------------------------------------------------------------------------------
@functools.cache
def _locked_case():
    return (sa.select(Case).where(Case.id == sa.bindparam("case_id"))
            .options(joinedload(Case.definition, innerjoin=True))
            .with_for_update(of=Case).execution_options(populate_existing=True))


def _lock_case(case_id: str) -> Case:
    """Read the case for a change, holding its row (PostgreSQL) so that concurrent changes queue up; its
    process definition (which never changes) in the same statement."""
    case = db.session.scalars(_locked_case(), {"case_id": case_id}).first()
    if case is None:
        # PostgreSQL checks a row it waited for against the definition row it joined before the wait: a case
        # moved to another version meanwhile (engine.services.case_migration) is not found, and not locked, by
        # that read. Read again: it now joins the case's new definition.
        case = db.session.scalars(_locked_case(), {"case_id": case_id}).first()
    if case is None:
        raise NotFound(f"No case {case_id}")
    return case


@functools.cache
def _locked_case_of_open_task(visible_only: bool):
    task = sa.select(Task.case_id).where(Task.id == sa.bindparam("task_id"), Task.state == "open",
                                         *([open_task_seen()] if visible_only else []))
    return (sa.select(Case).where(Case.id == task.scalar_subquery())
            .options(joinedload(Case.definition, innerjoin=True))
            .with_for_update(of=Case).execution_options(populate_existing=True))


def _lock_case_of_open_task(task_id: str, principal) -> Case | None:
    """The case of an open task the principal sees (any open task, without one), read and locked as by
    `_lock_case`, in one statement: the task by its key, its viewer row by its key. None where the task is not
    open, not seen, or its case was moved to another version while the lock was awaited."""
    parameters = {"task_id": task_id, **(viewer(principal) if principal is not None else {})}
    return db.session.scalars(_locked_case_of_open_task(principal is not None), parameters).first()


def _stored_open_tasks(case_id: str) -> dict[str, Task]:
    """The case's open task rows by id as stored now: read under the case's lock, they show what committed
    while the lock was awaited."""
    rows = db.session.scalars(_open_tasks(False, fresh=True), {"case_id": case_id})
    return {row.id: row for row in rows}


def _load(case: Case, definition: ProcessDefinition | None = None) -> CaseWorkflow:
    """The case's workflow; `definition` is the case's own when the caller has read it already."""
    spec, subprocess_specs = specs_of(definition or case.definition)
    return CaseWorkflow.restore(case.state, spec, subprocess_specs)


def _store(case: Case, cw: CaseWorkflow, completed_task_id: str | None = None, completed_by: str | None = None,
           state: str | None = None, stored_open: dict[str, Task] | None = None,
           initiator_kind: str | None = None, completion_key: str | None = None) -> None:
    """Write the workflow back and bring the task list, status and timers in step with it: `completed_task_id`
    was completed (by `completed_by`, with the request's `completion_key`) in this change. `state` is the
    workflow's state, `stored_open` the case's open task rows (`_stored_open_tasks`), when the caller has
    already taken them; `initiator_kind` the kind of the organisation starting a new case, as its user signed
    in."""
    with db.session.no_autoflush:
        _store_unflushed(case, cw, completed_task_id, completed_by, state, stored_open, initiator_kind,
                         completion_key)


def _store_unflushed(case: Case, cw: CaseWorkflow, completed_task_id: str | None, completed_by: str | None,
                     state: str | None, stored_open: dict[str, Task] | None, initiator_kind: str | None,
                     completion_key: str | None) -> None:
    moment = now()
    new_case = is_new(case)
    shared_before = None if new_case else access_inputs(case)
    status_before, data_before = (None, None) if new_case else (case.status, case.data)
    thrown = cw.thrown_messages()  # taking them changes the workflow: a state taken before is stale
    if thrown:
        state = None
    status, reason = cw.status()
    if status != case.status:
        history(case_id=case.id, kind="status", detail={"status": status, "reason": reason})
    values = dict(status=status, closure_reason=reason, data=cw.current_data(), next_timer_at=cw.next_timer_due(),
                  stage=cw.stage() or "", waiting=cw.waiting_catches(), incident=None, updated_at=moment)
    for name, value in values.items():  # written below, with the state, in one statement
        (setattr if new_case else set_committed_value)(case, name, value)
    ready = {t.id: t for t in cw.human_tasks()}
    stored = {} if new_case else stored_open if stored_open is not None else _stored_open_tasks(case.id)
    for task_id, row in stored.items():
        if task_id not in ready:
            done = task_id == completed_task_id
            closed = {"completed_by": completed_by} if done else {}
            if done and completion_key is not None:  # in the same UPDATE: a retry with the key is answered
                closed["completion_key"] = completion_key
            if row.draft_saved_at is not None:  # a closed task keeps no draft
                closed.update(draft=None, draft_saved_at=None, draft_saved_by=None)
            # with the case's UPDATE below
            update_later(db.session(), row, state="completed" if done else "cancelled", completed_at=moment,
                         **closed)
    opened = []
    for task_id, task in ready.items():
        if task_id in stored:
            continue
        columns = dict(
            id=task_id, case_id=case.id, region=case.region, name=task.name, title=task.title,
            process=task.process, candidate_group=task.candidate_group, due_at=task.due_at,
            form_schema=task.form_schema, form_ui_schema=task.form_ui_schema, instructions=task.instructions,
            person_name=case.person_name, created_at=moment, state="open",
        )
        append(db.session(), Task, **columns)  # a new row, nothing to track: written at commit
        opened.append(Task(**columns))
    sharing = sync_case_access(case, initiator_kind) if access_inputs(case) != shared_before else None
    seen = sync_task_viewers(case, stored.values(), opened, sharing)
    still_open = [row for task_id, row in stored.items() if task_id in ready]
    _remember_open_tasks(case.id, still_open + sorted(opened, key=lambda task: task.id), seen)
    record_case_change(case, status_before, data_before, opened, sharing)  # the notifications it makes
    state = state if state is not None else cw.dump()
    if new_case:
        case.state = state
        insert_now(db.session(), case)
    else:
        update_now(db.session(), case, state=state, **values)
    for name, payload in thrown:  # after the case's row: a case started now refers to it
        if latest_definition(case.region, name) is not None:
            _start(case.region, name, dict(payload or {}) if isinstance(payload, dict) else {},
                   case.person_name, None, parent=case)
