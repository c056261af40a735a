"""Trying a draft routine before it is deployed: the studio sends the files a process owner edited (multipart, as
a deployment) with answers to the tasks, and gets back the tasks that would come, for whom, due when, and where
the routine would stop. Nothing is stored."""

from __future__ import annotations

import json

from flask import request
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from ..access.rules import require_deploy
from ..services import draft_walk as service
from ..services.errors import InvalidRequest
from .auth import current_principal
from .blueprint import Blueprint
from .deployments import read_uploads
from .guards import _NOT_FINITE, MESSAGES, _unstorable_in
from .problems import field_errors, problem_response
from .schemas import IDENTIFIER

draft_walks_v1 = Blueprint("draft_walks", __name__, url_prefix="/api/v1",
                           description="Try a draft routine: walk it in memory with chosen answers; nothing stored")

WALK_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object",
        "required": ["region"],
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": "the draft's BPMN, DMN and form files (parts named `files`, as a deployment); "
                                     "the region's other files are taken as deployed. None: the routine as it is"},
            "region": {"type": "string", "pattern": "^[a-z0-9_]{1,64}$",
                       "description": "the region whose routine the draft changes (`base` for the national one)"},
            "answers": {"type": "string", "description": "JSON object: BPMN element id of a task -> the form data "
                        "to answer it with (merged over the default answer), or a list of such, one per time the "
                        "task comes (the last repeating). A task not named gets the default: its form's first "
                        "valid choice, yes for a yes/no question, today for a date, a sample text"},
            "variables": {"type": "string", "description": "JSON object: the case's data at its start (the person "
                          "`huvudperson` defaults to a sample person)"},
        },
    }}},
}


class WalkForm(Schema):
    region = fields.String(required=True, validate=IDENTIFIER)
    answers = fields.String(load_default=None)
    variables = fields.String(load_default=None)


class WalkOptionOut(Schema):
    value = fields.Raw(metadata={"description": "the value sent for the option"})
    title = fields.String(metadata={"description": "what the form shows for it"})


class WalkChoiceOut(Schema):
    field = fields.String(metadata={"description": "the form's field"})
    title = fields.String(metadata={"description": "the field's title in the form"})
    options = fields.List(fields.Nested(WalkOptionOut))


class WalkStepOut(Schema):
    element = fields.String(metadata={"description": "the task's BPMN element id"})
    name = fields.String(metadata={"description": "the task's name in the diagram"})
    process = fields.String(metadata={"description": "the process (diagram) the task is in"})
    candidate_group = fields.String(allow_none=True, metadata={
        "description": "whom the task is for: the organisation or kind of organisation (its lane, or "
                       "`candidateGroups`)"})
    due_at = fields.DateTime(allow_none=True, metadata={"description": "when it is due, as the engine computes it"})
    form = fields.String(allow_none=True, metadata={"description": "the form's JSON Schema file"})
    answer = fields.Dict(metadata={"description": "the data the task was answered with"})
    chosen = fields.Boolean(metadata={"description": "the answer was given in `answers` (else the default)"})
    choices = fields.List(fields.Nested(WalkChoiceOut), metadata={
        "description": "the form's top-level choices, to choose another answer with"})
    occurrence = fields.Integer(metadata={"description": "the how-manieth time this task comes in the walk"})


class WalkStopOut(Schema):
    class Meta:
        unknown = EXCLUDE

    kind = fields.String(metadata={"description": "ended, waiting (for a message or a later timer), incident (a "
                                                  "step failed), invalid_answer (the form refused the answer), "
                                                  "repeats (a task came back unchanged) or limit"})
    status = fields.String(metadata={"description": "ended: closed, cancelled or declined"})
    reason = fields.String(allow_none=True, metadata={"description": "ended: `avslutsorsak`"})
    messages = fields.List(fields.String(), metadata={"description": "waiting: the messages the case waits for"})
    timer_due = fields.DateTime(allow_none=True, metadata={"description": "waiting: when its next timer fires"})
    message = fields.String(metadata={"description": "incident: what failed"})
    element = fields.String(allow_none=True, metadata={"description": "the task it stopped at"})
    name = fields.String(metadata={"description": "repeats: the task's name"})
    errors = fields.List(fields.Dict(), metadata={"description": "invalid_answer: field and message of each"})
    steps = fields.Integer(metadata={"description": "limit: the most tasks a walk completes"})
    waiting_tasks = fields.List(fields.String(), metadata={"description": "limit: the tasks open then"})


class WalkOut(Schema):
    region = fields.String()
    steps = fields.List(fields.Nested(WalkStepOut))
    stop = fields.Nested(WalkStopOut)
    started_processes = fields.List(fields.String(), metadata={
        "description": "processes whose new cases the routine would start (a message naming them)"})


def _json_field(form: dict, name: str):
    text = form.get(name)
    if text in (None, ""):
        return None
    try:
        value = json.loads(text, parse_constant=lambda _: _NOT_FINITE)
    except RecursionError as err:
        raise InvalidRequest(f"{name} is nested too deeply", errors=[{"field": name, "message": MESSAGES["depth"]}]) \
            from err
    except ValueError as err:
        raise InvalidRequest(f"{name} is not JSON", errors=[{"field": name, "message": "not JSON"}]) from err
    found = _unstorable_in(value, check_text=True)  # what a JSON body may not hold, this field may not either
    if found is not None:
        where, reason = found
        field = name if where == "(body)" else f"{name}/{where}"
        raise InvalidRequest(f"{name} holds what cannot be run", errors=[{"field": field, "message": MESSAGES[reason]}])
    if not isinstance(value, dict):
        raise InvalidRequest(f"{name} must be a JSON object", errors=[{"field": name, "message": "not an object"}])
    return value


@draft_walks_v1.route("/studio/walk")
class DraftWalk(MethodView):
    @draft_walks_v1.doc(operationId="walkDraftRoutine", requestBody=WALK_BODY)
    @draft_walks_v1.response(200, WalkOut, description="the walk: the tasks that came and where it stopped")
    @problem_response(draft_walks_v1, 403, "not a process owner of the region")
    @problem_response(draft_walks_v1, 413, "a file or the request is too large")
    @problem_response(draft_walks_v1, 422, "the draft would not deploy: `problems` lists file, element, line and "
                                           "message")
    def post(self):
        """Walk the region's routine with the draft files in place of the deployed ones, in memory, with the real
        engine and the forms' own checks: each task answered (as chosen, else by default), until the routine
        ends, waits for a message or a later timer, fails, or a form refuses an answer. Stores nothing."""
        if not request.mimetype.startswith("multipart/form-data"):
            raise InvalidRequest("Send the draft as multipart/form-data: parts named 'files', and 'region'",
                                 errors=[{"field": "(body)", "message": "expected multipart/form-data"}])
        try:
            form = WalkForm().load({k: v for k, v in request.form.items() if k in WalkForm().fields},
                                   unknown=EXCLUDE)
        except ValidationError as err:
            raise InvalidRequest("The request does not have the expected shape",
                                 errors=field_errors(err.messages)) from err
        require_deploy(current_principal(), form["region"])
        storages = request.files.getlist("files")
        texts = read_uploads(storages) if storages else {}
        result = service.walk_draft(texts, form["region"], answers=_json_field(form, "answers"),
                                    variables=_json_field(form, "variables"))
        return result.out()
