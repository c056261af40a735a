"""Request and response schemas of the API (English field names; process data as the diagrams name it)."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from ..people.personal_number import InvalidPersonalNumber, parse_personal_number

IDENTIFIER = validate.Regexp(r"^[a-z0-9_]{1,64}$", error="lower-case letters, digits and _ only (1–64)")
STATUSES = ("active", "cancelled", "declined", "closed")
INT64 = (-(2**63), 2**63 - 1)


class Int64(fields.Integer):
    """An integer read from a request: within 64 bits, what both databases store and compare (SQLite's driver
    raises OverflowError beyond), refused otherwise naming the parameter. Documented as int64, with its bounds
    where the field gives no narrower range of its own."""

    default_error_messages = {"int64": f"must be an integer from {INT64[0]} to {INT64[1]}"}

    def __init__(self, *args, metadata=None, **kwargs):
        bounds = {"format": "int64"}
        if not kwargs.get("validate"):
            bounds.update(minimum=INT64[0], maximum=INT64[1])
        super().__init__(*args, metadata={**bounds, **(metadata or {})}, **kwargs)

    def _validated(self, value) -> int:
        number = super()._validated(value)
        if not INT64[0] <= number <= INT64[1]:
            raise self.make_error("int64")
        return number


def moment_in_range(value: datetime) -> None:
    """A moment the task list can compare with due dates: between the years 1900 and 2200, in UTC."""
    try:
        utc_value = value.astimezone(UTC)
    except OverflowError:
        utc_value = None
    if utc_value is None or not 1900 <= utc_value.year < 2200:
        raise ValidationError("must be between the years 1900 and 2200")


def personal_number(value: str) -> None:
    """A valid personnummer or samordningsnummer; the message (Swedish, for the person who typed the number)
    never repeats the number."""
    try:
        parse_personal_number(value)
    except InvalidPersonalNumber as err:
        raise ValidationError(str(err)) from err


PERSONAL_NUMBER_PATTERN = r"^([0-9]{2})?[0-9]{6}[-+]?[0-9]{4}$"
PERSONAL_NUMBER_CHECKS = (
    "personnummer or samordningsnummer, YYYYMMDD-NNNN or YYMMDD-NNNN (`+` for a person aged 100 or more). Beyond "
    "the pattern the server checks that the date exists (a samordningsnummer adds 60 to the day) and is not in the "
    "future, and that the last digit is the Luhn check digit over the ten digits YYMMDDNNN; digits of other "
    "scripts (fullwidth １９１２…), any dash and spaces are normalised first, so one number written two ways is one "
    "person. A number that fails is refused (400) with a Swedish message that never repeats it")


class PersonIn(Schema):
    personal_number = fields.String(required=True, validate=personal_number, metadata={
        "description": PERSONAL_NUMBER_CHECKS, "pattern": PERSONAL_NUMBER_PATTERN, "example": "19121212-1212"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"example": "Tolvan Tolvansson"})


class StartCaseIn(Schema):
    region = fields.String(required=True, validate=IDENTIFIER, metadata={
        "description": "the region whose routine the case runs (the base routine where it has no variant)",
        "example": "kristianstad"})
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
    draft_saved_at = fields.DateTime(allow_none=True, metadata={
        "description": "when someone last saved a draft of the task's form (`PUT /tasks/{id}/draft`); null: none"})
    draft_saved_by = fields.String(allow_none=True)


class FormOut(Schema):
    schema = fields.Dict(allow_none=True)
    ui_schema = fields.Dict(allow_none=True)


class DraftOut(Schema):
    data = fields.Dict(metadata={"description": "the form's fields as last saved; fields it requires may be missing"})
    saved_at = fields.DateTime()
    saved_by = fields.String(allow_none=True)


class CoordinatorOut(Schema):
    """The samordningsansvarig as the case records it."""

    organisation = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class MeetingOut(Schema):
    """The SIP meeting as the case records it: the date it was held, else the date planned."""

    date = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    time = fields.String(allow_none=True, metadata={"description": "as written: 10:00"})
    place = fields.String(allow_none=True)


class CaseTaskOut(Schema):
    """An open task of a case: who has what to do, and by when."""

    id = fields.String()
    name = fields.String(metadata={"description": "the BPMN id of the task: what kind of task it is"})
    title = fields.String()
    candidate_group = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)


class TaskCaseOut(Schema):
    """The case a task belongs to, as the one doing the task needs it beside the form."""

    id = fields.String()
    person_name = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(STATUSES)})
    stage = fields.String(allow_none=True, metadata={
        "description": "the name of the stage the case is in (the subprocess or call activity in progress, as "
                       "its diagram names it); null when the case has ended"})
    coordinator = fields.Nested(CoordinatorOut, allow_none=True)
    meeting = fields.Nested(MeetingOut, allow_none=True, metadata={
        "description": "the SIP meeting (planned or held); null before it is planned"})
    participants = fields.List(fields.Nested("ParticipantOut"))
    open_tasks = fields.List(fields.Nested(CaseTaskOut), metadata={
        "description": "the case's open tasks your organisation sees, this one included"})


class TaskDetailOut(TaskOut):
    instructions = fields.String(allow_none=True, metadata={
        "description": "what the diagram tells whoever does the task (its documentation, or the modeler's "
                       "instructions for the end user): Markdown as written; render it as untrusted text"})
    case_revision = fields.Integer(metadata={
        "description": "the case's revision as this data shows it: send it with the completion to be refused (409) "
                       "rather than complete against a case that changed meanwhile"})
    form = fields.Nested(FormOut)
    data = fields.Dict()
    draft = fields.Nested(DraftOut, allow_none=True, metadata={
        "description": "what someone has filled in so far and saved to finish later; fill the form from it"})
    case = fields.Nested(TaskCaseOut, allow_none=True, metadata={
        "description": "the case the task belongs to; null where the case is no longer shared with your "
                       "organisation in full"})


class EventOut(Schema):
    at = fields.DateTime()
    kind = fields.String()
    actor = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    task_name = fields.String(allow_none=True)
    detail = fields.Dict()


class InterventionOut(Schema):
    """One intervention of the plan: who does what, how often, when and where."""

    what = fields.String()
    provided_by = fields.String(metadata={"description": "the organisation (huvudman) or other actor"})
    kind_of_provider = fields.String(allow_none=True, metadata={"description": "kommun_sol, primarvard, …"})
    how_often = fields.String()
    when = fields.String()
    where = fields.String()
    who = fields.String(metadata={"description": "the unit or person responsible"})


class ParticipantOut(Schema):
    name = fields.String(allow_none=True)
    profession = fields.String()
    organisation = fields.String(allow_none=True)
    kind = fields.String(allow_none=True, metadata={"description": "the kind of huvudman: kommun_sol, primarvard, …"})
    contact = fields.String()
    no_action = fields.Boolean(metadata={"description": "the organisation takes part without an intervention"})
    no_action_reason = fields.String()
    approved_by = fields.String(allow_none=True, metadata={
        "description": "who approved the plan for the organisation, as signed in when it did; null before then"})


class RelativeOut(Schema):
    name = fields.String()
    relation = fields.String()
    contact = fields.String()
    guardian = fields.Boolean(metadata={"description": "a guardian (vårdnadshavare) rather than a relative"})


class ContactOut(Schema):
    name = fields.String()
    organisation = fields.String()
    contact = fields.String(metadata={"description": "phone or other contact details, as recorded"})


class DischargeOut(Schema):
    hospital = fields.String(metadata={"description": "the hospital and ward, as recorded"})
    ready_on = fields.String(allow_none=True, metadata={"description": "ready for discharge (YYYY-MM-DD)"})


class MissingConsentOut(Schema):
    requirement = fields.String(metadata={"description": "the summons' requirement, as the routine names it",
                                          "example": "hsl"})
    huvudman = fields.String(metadata={"description": "who is missing, in Swedish words",
                                       "example": "hälso- och sjukvården (HSL)"})
    reason = fields.String(metadata={"description": "why consent is lacking, as documented"})


class PlanPersonOut(Schema):
    name = fields.String(allow_none=True)


class PlanOut(Schema):
    """The SIP as a document. It answers the four questions of 2 kap. 7 § SoL and 16 kap. 4 § HSL: which
    interventions are needed, who provides each, what others do, and who holds the overall responsibility."""

    case_id = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    scope = fields.String(metadata={"enum": ["full", "own"], "description": (
        "`own`: the case is no longer shared with your organisation; you see what it documented itself")})
    ready = fields.Boolean(metadata={"description": "the plan is agreed and documented"})
    person = fields.Nested(PlanPersonOut)
    current_situation = fields.String()
    main_goal = fields.String()
    goals = fields.List(fields.Dict(), metadata={"description": "the goals as the routine's forms record them"})
    interventions = fields.List(fields.Nested(InterventionOut))
    providers = fields.List(fields.String())
    others_actions = fields.List(fields.Nested(InterventionOut), metadata={
        "description": "what the person, relatives and others than the huvudmän do"})
    own_actions = fields.String(metadata={
        "description": "what the person and their relatives do themselves, in their words (empty if not recorded)"})
    if_help_needed = fields.String(metadata={
        "description": "whom to turn to if help is needed or something does not work (empty if not recorded)"})
    question = fields.String(metadata={
        "description": "the question the SIP is to answer, as formulated with the family (empty if not recorded)"})
    works_well = fields.String(metadata={"description": "what works well now (empty if not recorded)"})
    works_less_well = fields.String(metadata={"description": "what works less well now (empty if not recorded)"})
    summary = fields.String(metadata={"description": "the meeting's summary of who does what (empty if none)"})
    relatives = fields.List(fields.Nested(RelativeOut), metadata={
        "description": "guardians, and the relatives who take part"})
    missing_consent = fields.List(fields.Nested(MissingConsentOut), metadata={
        "description": "a kind of huvudman the routine requires to take part, without consent to it, and why "
                       "(`samtycke_saknas`); empty when nothing is missing"})
    whom_to_call = fields.Nested(ContactOut, allow_none=True, metadata={
        "description": "whom the person calls when something does not work: the coordinator"})
    discharge = fields.Nested(DischargeOut, allow_none=True, metadata={
        "description": "a SIP at discharge from hospital: from which ward, ready for discharge when; else null"})
    overall_responsibility = fields.String(allow_none=True)
    coordinator = fields.Dict(allow_none=True, metadata={"description": "the samordningsansvarig, as recorded"})
    participants = fields.List(fields.Nested(ParticipantOut))
    meeting_date = fields.String(allow_none=True, metadata={"description": "the SIP meeting (YYYY-MM-DD)"})
    follow_up_date = fields.String(allow_none=True, metadata={"description": "the next follow-up (YYYY-MM-DD)"})
    latest_follow_up = fields.String(allow_none=True, metadata={"description": "the latest follow-up (YYYY-MM-DD)"})


class MessageReasonOut(Schema):
    """What the sender of a message is asked: a text sent as the payload's `field`."""

    field = fields.String(metadata={"description": "the payload's field that carries the reason",
                                    "example": "orsak"})
    label = fields.String(metadata={"description": "the question, in Swedish, from the diagram",
                                    "example": "Varför ställs mötet in?"})
    required = fields.Boolean(metadata={"description": "the message is refused (422) without it"})


class AvailableMessageOut(Schema):
    """A message the case waits for now, as its diagram names and describes the event that catches it."""

    name = fields.String(metadata={"description": "send it as POST /cases/{id}/messages/{name}",
                                   "example": "samtycke_aterkallat"})
    title = fields.String(metadata={"example": "Samtycket återkallas"})
    description = fields.String(metadata={"description": "what will happen (Swedish), from the diagram"})
    reason = fields.Nested(MessageReasonOut, allow_none=True, metadata={
        "description": "the reason the sender is asked for and the routine keeps with the message (null: none)"})


class CaseOut(Schema):
    id = fields.String()
    region = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    closure_reason = fields.String(allow_none=True)
    process = fields.Nested(ProcessOut)
    stage = fields.String(allow_none=True, metadata={
        "description": "the name of the stage the case is in (the subprocess or call activity in progress, as "
                       "its diagram names it); null when the case has ended",
        "example": "Förberedelse och kallelse"})
    person = fields.Dict()
    coordinator = fields.Dict(allow_none=True)
    participants = fields.List(fields.Dict())
    open_tasks = fields.List(fields.Nested(TaskOut))
    plan = fields.Nested(PlanOut)
    history = fields.List(fields.Nested(EventOut))
    available_messages = fields.List(fields.Nested(AvailableMessageOut), metadata={
        "description": "the messages the case waits for now that you may send; empty when there are none, or "
                       "the case is no longer shared with your organisation in full"})
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


class CaseListItemOut(CaseSummaryOut):
    """A case as the case list shows it."""

    stage = fields.String(allow_none=True, metadata={
        "description": "the name of the stage the case is in (the subprocess or call activity in progress, as "
                       "its diagram names it); null when the case has ended",
        "example": "Förberedelse och kallelse"})
    next_due_at = fields.DateTime(allow_none=True, metadata={
        "description": "the earliest due date of the case's open tasks that your organisation sees"})
    coordinator = fields.Nested(CoordinatorOut, allow_none=True)


class PageQuery(Schema):
    limit = Int64(load_default=50, validate=validate.Range(min=1, max=200))
    offset = Int64(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class CaseQuery(PageQuery):
    region = fields.String(validate=IDENTIFIER)
    status = fields.String(validate=validate.OneOf(STATUSES))
    personal_number = fields.String(validate=personal_number, metadata={
        "pattern": PERSONAL_NUMBER_PATTERN,
        "description": "the person's cases, found by the number's keyed hash (the number is never stored plain); "
                       "checked and normalised as a started case's `person/personal_number`"})
    coordinated_by = fields.String(validate=validate.OneOf(("me",)), metadata={
        "description": "`me`: only the cases your organisation coordinates (the acting samordningsansvarig)"})
    person = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "part of the person's name, in any case"})


class CaseListOut(Schema):
    items = fields.List(fields.Nested(CaseListItemOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class TaskQuery(PageQuery):
    candidate_group = fields.String(validate=validate.Length(max=200), metadata={
        "description": "whom the task is for: a role (`samordningsansvarig`, `deltagande_huvudman`), a kind of "
                       "huvudman (`kommun_sol`, `primarvard`, …) or a participating organisation's name"})
    assignee = fields.String(validate=validate.Length(max=200), metadata={
        "description": "who has claimed the task: a user name, or `me` for the signed-in user"})
    case_id = fields.String(validate=validate.Length(max=36))
    region = fields.String(validate=IDENTIFIER)
    due_before = fields.AwareDateTime(default_timezone=None, validate=moment_in_range, metadata={
        "description": "due before this moment (ISO 8601 with a time zone, in UTC between the years 1900 and 2200); "
                       "tasks without a due date are left out"})
    due_after = fields.AwareDateTime(default_timezone=None, validate=moment_in_range, metadata={
        "description": "due at or after this moment (in UTC between the years 1900 and 2200); tasks without a due "
                       "date are left out"})
    state = fields.String(load_default="open", validate=validate.OneOf(("open", "completed", "cancelled")))
    sort = fields.String(load_default="due", validate=validate.OneOf(("due", "-due", "created", "-created")),
                         metadata={"description": "by due date (undated last) or creation; `-` for latest first"})
    name = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "the kind of task: its BPMN id, as in the task's `name` (`inhamta_samtycke`)"})
    person = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "part of the person's name, in any case"})


class TaskKindOut(Schema):
    name = fields.String(metadata={"description": "the BPMN id of the kind of task (filter the list by it)"})
    title = fields.String()
    count = fields.Integer()


class TaskSummaryOut(Schema):
    """What your organisation's open tasks come to. Cheap to ask for: poll it, and read the list again when
    `version` changes."""

    mine = fields.Integer(metadata={"description": "claimed by you"})
    organisation = fields.Integer(metadata={"description": "every open task your organisation sees"})
    unassigned = fields.Integer(metadata={"description": "claimed by nobody"})
    overdue = fields.Integer(metadata={"description": "due before now"})
    due_today = fields.Integer(metadata={"description": "due within today, Swedish time"})
    kinds = fields.List(fields.Nested(TaskKindOut), metadata={"description": "the open tasks by kind"})
    version = fields.String(metadata={
        "description": "opaque; changes whenever one of these tasks is added, removed, claimed, given back or "
                       "given another due date, and only then"})


class TaskListOut(Schema):
    items = fields.List(fields.Nested(TaskOut))
    total = fields.Integer(metadata={"description": (
        "the tasks the filters find: exact up to 1,000 at every request; a larger total is counted in full at most "
        "every ten seconds by each server process, for the same filters (the page itself is read anew every time, "
        "and a last page that is not full gives the exact total)")})
    limit = fields.Integer()
    offset = fields.Integer()


class ClaimIn(Schema):
    user = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "optional: the signed-in user acts; if given, it must be the signed-in user's name"})


FORM_DATA = ("the form's fields. Beyond this schema the server checks them against the task's own form: its JSON "
             "Schema (draft 2020-12) is the task's `form.schema` (GET /tasks/{task_id}); each failing field is named "
             "in a 422 `validation-failed` problem with a Swedish message. Dates the form asks for are ISO dates "
             "(YYYY-MM-DD)")


class DraftIn(Schema):
    data = fields.Dict(keys=fields.String(), required=True, metadata={
        "description": FORM_DATA + "; a draft may leave out the fields the form requires"})
    user = fields.String(validate=validate.Length(min=1, max=200))


class CompleteIn(DraftIn):
    data = fields.Dict(keys=fields.String(), required=True, metadata={"description": FORM_DATA})
    case_revision = Int64(metadata={"description": "fail with 409 if the case changed since this revision"})


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


class ProcessDiagramOut(Schema):
    id = fields.String(metadata={"description": "the BPMN process id", "example": "sip"})
    name = fields.String(metadata={"example": "Samordnad individuell plan"})
    file = fields.String(metadata={"description": "the deployed file that draws it", "example": "sip.bpmn"})
    xml = fields.String(metadata={"description": "the deployed BPMN 2.0 XML, the same for every case of the "
                                                 "version (no case data)"})


ELEMENT_STATES = ("completed", "open", "waiting", "cancelled")


class CaseDiagramOut(Schema):
    """The diagrams a case runs and where it stands in them."""

    processes = fields.List(fields.Nested(ProcessDiagramOut), metadata={
        "description": "the main process, then each process it calls, in the order the calls meet them"})
    states = fields.Dict(keys=fields.String(), values=fields.Dict(
        keys=fields.String(), values=fields.String(validate=validate.OneOf(ELEMENT_STATES))), metadata={
        "description": "by process id, then element id: `completed` (has run), `open` (a task to do now), "
                       "`waiting` (a timer or message event waiting, or a stage in progress with nothing to do "
                       "in it now; a stage with something to do is `open`), `cancelled` (stopped before it "
                       "finished). Every process is there, with no elements before the case reaches it"})
    calls = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.String()),
                        metadata={"description": "by process id: call activity id -> the id of the process it calls"})


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


class FieldErrorOut(Schema):
    field = fields.String(metadata={"description": "the field, as a path: `person/personal_number`, `data/sip_behovs`"})
    message = fields.String()


class ProblemDocument(Schema):
    """Every error of the API: an RFC 9457 problem document, sent as application/problem+json."""

    class Meta:
        unknown = INCLUDE  # extension members: `waiting_for`, `problems`, `files`, …

    type = fields.String(required=True, metadata={
        "description": "stable: /problems/not-found, /problems/conflict, /problems/validation-failed, …"})
    title = fields.String(required=True, metadata={"description": "short, in Swedish"})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "what went wrong in this request"})
    errors = fields.List(fields.Nested(FieldErrorOut), metadata={
        "description": "for a request or form that fails validation: one entry per field and message"})
    waiting_for = fields.List(fields.String(), metadata={
        "description": "for a message no step waits for: the messages the case waits for now"})
    correlation = fields.List(fields.Dict(), metadata={
        "description": "for a message whose correlation does not match: each event waiting for it (`message`, "
                       "`event`) with the values its payload must carry (`correlation`)"})
