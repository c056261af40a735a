"""The forms of a region's routine as deployed: to list, read and try them without a case (the studio's form
preview). A form holds no personal data, so every signed-in user may read and check one; a check stores nothing."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from ..services import forms as service
from ..services.process_sets import BASE_REGION
from .blueprint import Blueprint
from .problems import problem_response
from .schemas import IDENTIFIER, FieldErrorOut

forms_v1 = Blueprint("forms", __name__, url_prefix="/api/v1",
                     description="The forms of a region's deployed routine: read them, and check data against one")

NO_SUCH_FORM = "no such region, or no form of that name in the routine the region runs"


class FormQuery(Schema):
    region = fields.String(load_default=BASE_REGION, validate=IDENTIFIER, metadata={
        "description": "the region whose routine's forms to read (`base` for the national routine); a region "
                       "without a variant of its own runs the base's", "example": "kristianstad"})


class RoutineVersionOut(Schema):
    key = fields.String(required=True, metadata={"description": "the main process, `sip`"})
    version = fields.Integer(required=True)
    region = fields.String(required=True, metadata={
        "description": "whose version it is: the region's own, or `base` where the region has none"})


class RoutineFormTaskOut(Schema):
    id = fields.String(required=True, metadata={"description": "the user task's BPMN id (a task's `name`)"})
    name = fields.String(required=True, metadata={"description": "the user task's name in the diagram"})
    process = fields.String(required=True, metadata={"description": "the process (diagram) the task is in"})


class RoutineFormSummaryOut(Schema):
    name = fields.String(required=True, metadata={"description": "the form's name: its schema file without "
                                                                 "`.schema.json`", "example": "inhamta_samtycke"})
    title = fields.String(required=True, metadata={"description": "the schema's title"})
    schema_file = fields.String(required=True)
    ui_schema_file = fields.String(required=True, allow_none=True)
    tasks = fields.List(fields.Nested(RoutineFormTaskOut), required=True, metadata={
        "description": "the user tasks that show the form (none for a form file no task names)"})


class RoutineFormListOut(Schema):
    region = fields.String(required=True)
    process = fields.Nested(RoutineVersionOut, required=True)
    items = fields.List(fields.Nested(RoutineFormSummaryOut), required=True, metadata={"description": "by title"})


class RoutineFormOut(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    region = fields.String(required=True)
    schema = fields.Dict(required=True, metadata={"description": "the JSON Schema (2020-12) data is checked with"})
    ui_schema = fields.Dict(required=True, allow_none=True, metadata={"description": "how the form is shown"})


class FormCheckIn(Schema):
    data = fields.Dict(keys=fields.String(), required=True, metadata={"description": "the form's data, as a "
                                                                                   "task's completion sends it"})


class FormCheckOut(Schema):
    valid = fields.Boolean(required=True)
    errors = fields.List(fields.Nested(FieldErrorOut), required=True, metadata={
        "description": "each failing field with the Swedish message a completion would be refused with"})
    data = fields.Dict(required=True, allow_none=True, metadata={
        "description": "when valid, the data as the routine would receive it: with the form's defaults filled in"})


def summary_out(form: service.FormOfRoutine) -> dict:
    return {"name": form.name, "title": form.title, "schema_file": form.schema_file,
            "ui_schema_file": form.ui_schema_file, "tasks": form.tasks}


def form_links() -> dict:
    return {"validate": {"operationId": "validateForm", "description": "check data against the form",
                         "parameters": {"name": "$response.body#/name", "region": "$response.body#/region"}}}


@forms_v1.route("/forms")
class Forms(MethodView):
    @forms_v1.doc(operationId="listForms", responses={200: {"links": {
        "form": {"operationId": "getForm", "description": "the first form with its schema and UI schema",
                 "parameters": {"name": "$response.body#/items/0/name", "region": "$response.body#/region"}}}}})
    @forms_v1.arguments(FormQuery, location="query", error_status_code=400)
    @forms_v1.response(200, RoutineFormListOut)
    @problem_response(forms_v1, 404, "no such region, or nothing deployed for it or the base")
    def get(self, query):
        """The forms of the routine the region runs now (its latest version, the base's where it has none),
        with the user tasks that show each."""
        definition = service.region_definition(query["region"])
        return {"region": query["region"],
                "process": {"key": definition.key, "version": definition.version, "region": definition.region},
                "items": [summary_out(f) for f in service.forms_of_definition(definition)]}


@forms_v1.route("/forms/<string:name>")
class FormResource(MethodView):
    @forms_v1.doc(operationId="getForm", responses={200: {"links": form_links()}})
    @forms_v1.arguments(FormQuery, location="query", error_status_code=400)
    @forms_v1.response(200, RoutineFormOut)
    @problem_response(forms_v1, 404, NO_SUCH_FORM)
    def get(self, query, name):
        """A form as the region's routine has it: its JSON Schema and UI schema, to render as a task shows it."""
        form = service.find_form(service.region_definition(query["region"]), name)
        return {"name": form.name, "title": form.title, "region": query["region"], "schema": form.schema,
                "ui_schema": form.ui_schema}


@forms_v1.route("/forms/<string:name>/validate")
class FormCheck(MethodView):
    @forms_v1.doc(operationId="validateForm")
    @forms_v1.arguments(FormQuery, location="query", error_status_code=400)
    @forms_v1.arguments(FormCheckIn, error_status_code=400)
    @forms_v1.response(200, FormCheckOut)
    @problem_response(forms_v1, 404, NO_SUCH_FORM)
    def post(self, query, body, name):
        """Check data against a form exactly as completing a task with it checks it, and answer which fields
        fail and why (in Swedish). A check, not a submission: valid or not the answer is 200, and nothing is
        stored."""
        form = service.find_form(service.region_definition(query["region"]), name)
        errors, data = service.check_data(form, body["data"])
        return {"valid": not errors, "errors": [{"field": e.field, "message": e.message} for e in errors],
                "data": data}
