"""Deployments and deployed process definitions: process owners upload BPMN, DMN and form files for a
region; every file is checked before anything is stored."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ..deployment.files import FileProblem, set_path
from ..deployment.problems import in_two_languages
from ..services import deployments as service
from ..services.errors import InvalidProcessSet, InvalidRequest
from ..services.process_sets import BASE_REGION
from .auth import current_principal, requires_process_owner
from .blueprint import Blueprint
from .presenters import utc
from .problems import field_errors, problem_response
from .schemas import IDENTIFIER, Int64, PageQuery

COMMENT_MAX = 2000

deployments_v1 = Blueprint("deployments", __name__, url_prefix="/api/v1",
                           description="Deploy BPMN, DMN and forms per region; read what is deployed")

class DeploymentForm(Schema):
    region = fields.String(required=True, validate=IDENTIFIER,
                           metadata={"description": "the region the files are for (`base` for the national routine)"})
    deployed_by = fields.String(validate=validate.Length(min=1, max=200),
                                metadata={"description": "who deploys; replaced by the signed-in user"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "only validate and report; store nothing"})
    replace = fields.Boolean(load_default=False, metadata={
        "description": "the files are the region's whole variant: drop its earlier overrides"})
    comment = fields.String(validate=validate.Length(max=COMMENT_MAX), metadata={
        "description": "why, in the deployer's words; shown in the region's version history"})


UPLOAD_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object",
        "required": ["region", "files"],
        "properties": {
            "files": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "binary"},
                      "description": "BPMN (.bpmn), DMN (.dmn) and form (.json) files, each in a part named "
                                     "`files`; the file name decides kind and path (bpmn/, dmn/, forms/)"},
            "region": {"type": "string", "pattern": "^[a-z0-9_]{1,64}$",
                       "description": "the region the files are for (`base` for the national routine)"},
            "deployed_by": {"type": "string", "maxLength": 200,
                            "description": "who deploys (the signed-in user replaces it)"},
            "dry_run": {"type": "boolean", "default": False, "description": "only validate and report"},
            "replace": {"type": "boolean", "default": False,
                        "description": "the files are the region's whole variant: drop its earlier overrides"},
            "comment": {"type": "string", "maxLength": COMMENT_MAX,
                        "description": "why, in the deployer's words; shown in the region's version history"},
        },
    }}},
}


class ProblemOut(Schema):
    file = fields.String(allow_none=True)
    element = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    message = fields.String(metadata={"description": "what is wrong, in English"})
    message_sv = fields.String(metadata={"description": "what is wrong, where (file, element id and name, line) "
                                                        "and what to write instead, in Swedish: what a person reads"})
    check = fields.String(metadata={"description": "size, files, xml, xsd, diagram, forms, privacy, rendering, "
                                                   "references, scripts, instructions, loops (a loop with no wait "
                                                   "state, or one no gateway can leave), spiffworkflow"})


class FileReportOut(Schema):
    path = fields.String()
    kind = fields.String()
    source = fields.String(metadata={"description": "upload, region (its earlier override) or base"})
    problems = fields.Integer()


class DeploymentOut(Schema):
    id = fields.Integer()
    region = fields.String()
    key = fields.String()
    version = fields.Integer()
    definition_id = fields.Integer(allow_none=True)
    created = fields.Boolean(metadata={"description": "false when the content equalled the latest version"})
    content_hash = fields.String()
    deployed_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "api, cli, init, or restore (an earlier version put back)"})
    files = fields.List(fields.String(), metadata={"description": "the paths uploaded"})
    overrides = fields.List(fields.String(), metadata={"description": "the region's own paths after it"})
    comment = fields.String(allow_none=True, metadata={"description": "why, in the deployer's words"})
    restored_version = fields.Integer(allow_none=True, metadata={
        "description": "the earlier version this deployment put back, if that is what it did"})


class DeploymentResultOut(Schema):
    valid = fields.Boolean()
    dry_run = fields.Boolean()
    region = fields.String()
    key = fields.String()
    changed = fields.Boolean(metadata={"description": "a new version was (or, on a dry run, would be) made"})
    version = fields.Integer(metadata={"description": "the version deployed (or that would be)"})
    content_hash = fields.String()
    files = fields.List(fields.Nested(FileReportOut))
    problems = fields.List(fields.Nested(ProblemOut))
    deployment = fields.Nested(DeploymentOut, allow_none=True)


class DeploymentQuery(PageQuery):
    region = fields.String(validate=IDENTIFIER)


class DeploymentListOut(Schema):
    items = fields.List(fields.Nested(DeploymentOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class DefinitionQuery(PageQuery):
    region = fields.String(validate=IDENTIFIER)
    key = fields.String(validate=validate.Length(min=1, max=128))
    latest = fields.Boolean(load_default=False, metadata={"description": "only each region's latest version"})


class DefinitionOut(Schema):
    id = fields.Integer()
    region = fields.String()
    key = fields.String()
    version = fields.Integer()
    content_hash = fields.String()
    deployed_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True)
    file_count = fields.Integer(metadata={"description": "BPMN, DMN and form files in the version"})


class DefinitionListOut(Schema):
    items = fields.List(fields.Nested(DefinitionOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class DiagramQuery(Schema):
    region = fields.String(load_default=BASE_REGION, validate=IDENTIFIER)
    # A version is stored as a 32-bit integer (PostgreSQL's `integer`): beyond it is no version, and refused.
    version = Int64(validate=validate.Range(min=1, max=2**31 - 1))


def deployment_out(record) -> dict:
    return {"id": record.id, "region": record.region, "key": record.key, "version": record.version,
            "definition_id": record.definition_id, "created": record.created, "content_hash": record.content_hash,
            "deployed_at": utc(record.deployed_at), "deployed_by": record.deployed_by, "source": record.source,
            "files": list(record.files or []), "overrides": list(record.overrides or []),
            "comment": record.comment, "restored_version": record.restored_version}


def result_out(result: service.DeploymentResult) -> dict:
    return {"valid": result.valid, "dry_run": result.dry_run, "region": result.region, "key": result.key,
            "changed": result.changed, "version": result.version, "content_hash": result.content_hash,
            "files": result.file_reports(), "problems": result.problems,
            "deployment": deployment_out(result.deployment) if result.deployment is not None else None}


def definition_out(definition, file_count: int | None = None) -> dict:
    return {"id": definition.id, "region": definition.region, "key": definition.key, "version": definition.version,
            "content_hash": definition.content_hash, "deployed_at": utc(definition.deployed_at),
            "deployed_by": definition.deployed_by, "file_count": file_count}


def read_form() -> dict:
    """The form fields of a deployment (multipart/form-data), or 400 naming each bad field."""
    if not request.mimetype.startswith("multipart/form-data"):
        raise InvalidRequest("Send the files as multipart/form-data: parts named 'files', and 'region'",
                             errors=[{"field": "(body)", "message": "expected multipart/form-data"}])
    try:
        form = DeploymentForm().load({k: v for k, v in request.form.items() if k in DeploymentForm().fields},
                                     unknown=EXCLUDE)
    except ValidationError as err:
        raise InvalidRequest("The request does not have the expected shape",
                             errors=field_errors(err.messages)) from err
    if not request.files.getlist("files"):
        raise InvalidRequest("No files: send BPMN, DMN or form JSON files in parts named 'files'",
                             errors=[{"field": "files", "message": "Missing data for required field."}])
    return form


def read_uploads(storages) -> dict[str, str]:
    """The uploaded files by their path in the set, each read no further than the size limit."""
    limit = service.max_file_bytes()
    raw, problems = {}, []
    for storage in storages:
        if not hasattr(storage, "read"):
            raise InvalidRequest("Each part named 'files' must be a file upload",
                                 errors=[{"field": "files", "message": "not a file"}])
        try:
            path = set_path(storage.filename)
        except FileProblem as err:
            problems.append(err.problem)
            continue
        if path in raw:
            problems.append({"file": path, "element": None, "line": None, "check": "files",
                             "message": "The same file name is uploaded twice",
                             "message_sv": f"Filnamnet {path} laddas upp två gånger; skicka varje fil en gång"})
            continue
        raw[path] = storage.read(limit + 1)
    if problems:
        raise in_two_languages(InvalidProcessSet("Några av de uppladdade filerna kan inte ingå i en rutin", problems),
                               "Some uploads cannot be files of a process set")
    return service.decode_uploads(raw)


@deployments_v1.route("/deployments")
class Deployments(MethodView):
    @deployments_v1.doc(operationId="listDeployments")
    @deployments_v1.arguments(DeploymentQuery, location="query", error_status_code=400)
    @deployments_v1.response(200, DeploymentListOut)
    def get(self, query):
        """Deployments, newest first (each accepted one; refused ones store nothing)."""
        rows, total = service.list_deployments(query.get("region"), query["limit"], query["offset"])
        return {"items": [deployment_out(r) for r in rows], "total": total,
                "limit": query["limit"], "offset": query["offset"]}

    @deployments_v1.doc(operationId="deployProcessSet", requestBody=UPLOAD_BODY)
    @deployments_v1.response(201, DeploymentResultOut, description="a new version was deployed")
    @deployments_v1.alt_response(200, schema=DeploymentResultOut,
                                 description="dry run, or content unchanged: nothing new deployed")
    @problem_response(deployments_v1, 403, "not a process owner of the region")
    @problem_response(deployments_v1, 413, "a file or the request is too large")
    @problem_response(deployments_v1, 422, "the files fail validation: `problems` lists file, element, line and "
                                           "message")
    def post(self):
        """Deploy BPMN, DMN and form files to a region: the base plus the region's overrides, checked first
        (safe XML, XSD, SpiffWorkflow's parse, forms, called decisions and processes, diagram interchange,
        the script policy). A new version only when the merged content changed; running cases keep theirs."""
        return self.deploy(read_form())

    @requires_process_owner
    def deploy(self, form):
        """Only a process owner of the region deploys; `deployed_by` is then the signed-in user."""
        texts = read_uploads(request.files.getlist("files"))
        result = service.deploy_files(texts, form["region"], deployed_by=form.get("deployed_by"),
                                      dry_run=form["dry_run"], replace=form["replace"], source="api",
                                      principal=current_principal(), comment=form.get("comment"))
        status = 201 if result.deployment is not None and result.changed else 200
        return result_out(result), status


@deployments_v1.route("/process-definitions")
class Definitions(MethodView):
    @deployments_v1.doc(operationId="listProcessDefinitions")
    @deployments_v1.arguments(DefinitionQuery, location="query", error_status_code=400)
    @deployments_v1.response(200, DefinitionListOut)
    def get(self, query):
        """Deployed process definitions per region: key, version, when and by whom, content hash."""
        rows, total = service.list_definitions(query.get("region"), query.get("key"), query["latest"],
                                               query["limit"], query["offset"])
        counts = service.file_counts(rows)
        return {"items": [definition_out(d, counts.get(d.id, 0)) for d in rows], "total": total,
                "limit": query["limit"], "offset": query["offset"]}


@deployments_v1.route("/process-definitions/<string:key>/xml")
class DefinitionDiagram(MethodView):
    @deployments_v1.doc(operationId="getProcessDiagram")
    @deployments_v1.arguments(DiagramQuery, location="query", error_status_code=400)
    @deployments_v1.response(200, {"type": "string", "description": "BPMN 2.0 XML"},
                             description="the BPMN file as deployed", content_type="application/xml")
    @problem_response(deployments_v1, 404, "no such process, or no such version of it in the region")
    def get(self, query, key):
        """The main BPMN of a deployed version, to open in a modeler; without `version` the latest the
        region runs (the base's where it has no variant)."""
        definition = service.find_definition(key, query["region"], query.get("version"))
        path, text = service.main_diagram(definition)
        name = path.rsplit("/", 1)[-1]
        return Response(text, mimetype="application/xml", headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "X-Process-Region": definition.region, "X-Process-Version": str(definition.version)})
