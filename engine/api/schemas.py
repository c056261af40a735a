"""Request and response schemas of the API (English field names; process data as the diagrams name it)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from ..people.personal_number import InvalidPersonalNumber, parse_personal_number

IDENTIFIER = validate.Regexp(r"^[a-z0-9_]{1,64}$", error="lower-case letters, digits and _ only (1–64)")
STATUSES = ("active", "cancelled", "declined", "closed")


def personal_number(value: str) -> None:
    """A valid personnummer or samordningsnummer; the message never repeats the number."""
    try:
        parse_personal_number(value)
    except InvalidPersonalNumber as err:
        raise ValidationError(f"not a valid personnummer or samordningsnummer: {err}") from err


class PersonIn(Schema):
    personal_number = fields.String(required=True, validate=personal_number, metadata={
        "description": "personnummer or samordningsnummer, YYYYMMDD-NNNN or YYMMDD-NNNN"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class StartCaseIn(Schema):
    region = fields.String(required=True, validate=IDENTIFIER)
    person = fields.Nested(PersonIn, required=True)
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class ProcessOut(Schema):
    key = fields.String()
    version = fields.Integer()
    region = fields.String()
    deployed_at = fields.DateTime()


class TaskOut(Schema):
    id = fields.String()
    name = fields.String(metadata={"description": "the BPMN id of the task: what kind of task it is"})
    title = fields.String()
    kind = fields.String()
    case_id = fields.String()
    person_name = fields.String(allow_none=True)
    region = fields.String()
    process = fields.String()
    candidate_group = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    state = fields.String()
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)


class FormOut(Schema):
    schema = fields.Dict(allow_none=True)
    ui_schema = fields.Dict(allow_none=True)


class TaskDetailOut(TaskOut):
    instructions = fields.String(allow_none=True)
    form = fields.Nested(FormOut)
    data = fields.Dict()


class EventOut(Schema):
    at = fields.DateTime()
    kind = fields.String()
    actor = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    task_name = fields.String(allow_none=True)
    detail = fields.Dict()


class CaseOut(Schema):
    id = fields.String()
    region = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    closure_reason = fields.String(allow_none=True)
    process = fields.Nested(ProcessOut)
    person = fields.Dict()
    coordinator = fields.Dict(allow_none=True)
    participants = fields.List(fields.Dict())
    open_tasks = fields.List(fields.Nested(TaskOut))
    plan = fields.Dict()
    history = fields.List(fields.Nested(EventOut))
    revision = fields.Integer()
    parent_case_id = fields.String(allow_none=True)
    next_timer_at = fields.DateTime(allow_none=True)
    incident = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class StartedCaseOut(Schema):
    """A case just started: what it is and what is to be done first. Its plan and history are at its
    `Location` (GET /cases/{id})."""

    id = fields.String()
    region = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    process = fields.Nested(ProcessOut)
    person = fields.Dict()
    open_tasks = fields.List(fields.Nested(TaskOut))
    revision = fields.Integer()
    parent_case_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CaseSummaryOut(Schema):
    id = fields.String()
    region = fields.String()
    status = fields.String()
    closure_reason = fields.String(allow_none=True)
    person_name = fields.String(allow_none=True)
    process = fields.Nested(ProcessOut)
    revision = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PageQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class CaseQuery(PageQuery):
    region = fields.String(validate=IDENTIFIER)
    status = fields.String(validate=validate.OneOf(STATUSES))
    personal_number = fields.String(validate=personal_number, metadata={
        "description": "the person's cases, found by the number's keyed hash (the number is never stored plain)"})


class CaseListOut(Schema):
    items = fields.List(fields.Nested(CaseSummaryOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class TaskQuery(PageQuery):
    candidate_group = fields.String(validate=validate.Length(max=200))
    assignee = fields.String(validate=validate.Length(max=200))
    case_id = fields.String(validate=validate.Length(max=36))
    region = fields.String(validate=IDENTIFIER)
    due_before = fields.AwareDateTime(default_timezone=None)
    due_after = fields.AwareDateTime(default_timezone=None)
    state = fields.String(load_default="open", validate=validate.OneOf(("open", "completed", "cancelled")))
    sort = fields.String(load_default="due", validate=validate.OneOf(("due", "-due", "created", "-created")))


class TaskListOut(Schema):
    items = fields.List(fields.Nested(TaskOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class ClaimIn(Schema):
    user = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "optional: the signed-in user acts; if given, it must be the signed-in user's name"})


class CompleteIn(Schema):
    data = fields.Dict(keys=fields.String(), required=True)
    user = fields.String(validate=validate.Length(min=1, max=200))
    case_revision = fields.Integer(metadata={"description": "fail with 409 if the case changed since this revision"})


class CompletionOut(Schema):
    case = fields.Nested(CaseSummaryOut)
    next_tasks = fields.List(fields.Nested(TaskOut))


class MessageIn(Schema):
    payload = fields.Dict(keys=fields.String(), load_default=dict)
    user = fields.String(validate=validate.Length(min=1, max=200))


class EvaluateIn(Schema):
    variables = fields.Dict(keys=fields.String(), load_default=dict)
    region = fields.String(validate=IDENTIFIER)


class EvaluateOut(Schema):
    result = fields.Raw()


class AuditEventOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    user = fields.String(allow_none=True)
    organisation = fields.String(allow_none=True)
    action = fields.String()
    case_id = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    remote_addr = fields.String(allow_none=True)
    outcome = fields.String()
    detail = fields.Dict()


class AuditListOut(Schema):
    items = fields.List(fields.Nested(AuditEventOut))
    total = fields.Integer()


class HealthOut(Schema):
    status = fields.String()
    database = fields.String()
