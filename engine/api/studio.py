"""The process studio's API: a region's routine as deployed (each file the base's or the region's own), a file
as a difference from the base, the region's version history with what each version changed and how many running
cases it has, and an earlier version deployed again with a comment. Process owners and administrators read; only
the region's own process owners deploy."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..services import studio as service
from ..services.errors import InvalidRequest
from .auth import current_principal
from .blueprint import Blueprint
from .deployments import COMMENT_MAX, DeploymentResultOut, result_out
from .presenters import utc
from .problems import problem_response
from .schemas import IDENTIFIER, Int64, PageQuery

studio_v1 = Blueprint("studio", __name__, url_prefix="/api/v1",
                      description="The process studio: a region's routine, its difference from the base, its versions")

VERSION_MAX = 2**31 - 1
NOT_STUDIO = "not a process owner or an administrator"
NO_REGION = "no such region, or no such version of its routine"


def checked_region(region: str) -> str:
    if IDENTIFIER.regex.match(region) is None:
        raise InvalidRequest("Regionen ska vara ett id: små bokstäver a–z, siffror och _ (1–64 tecken)",
                             errors=[{"field": "region", "message": "små bokstäver a–z, siffror och _ (1–64 tecken)"}])
    return region


def checked_version(version: int) -> int:
    if not 1 <= version <= VERSION_MAX:
        raise InvalidRequest("Versionen ska vara ett heltal från 1",
                             errors=[{"field": "version", "message": f"ett heltal 1–{VERSION_MAX}"}])
    return version


def readable(region: str) -> str:
    service.require_studio(current_principal())
    return checked_region(region)


class VersionQuery(Schema):
    version = Int64(validate=validate.Range(min=1, max=VERSION_MAX), metadata={
        "description": "a version of the region's own; without it, the version the region runs now"})


class DiffQuery(VersionQuery):
    path = fields.String(required=True, validate=validate.Length(min=1, max=300), metadata={
        "description": "the file's path in the set, e.g. `bpmn/tjanstemannamote.bpmn`"})


class RestoreIn(Schema):
    comment = fields.String(validate=validate.Length(max=COMMENT_MAX), metadata={
        "description": "why the earlier version is put back; shown in the version history"})


class RunsOut(Schema):
    region = fields.String(required=True, metadata={"description": "whose version it is: the region's or `base`"})
    version = fields.Integer(required=True)


class RoutineFileOut(Schema):
    path = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "bpmn, dmn, schema (a form), uischema, other"})
    origin = fields.String(required=True, metadata={"description": "`region`: the region's own; `base`: the base's"})
    hash = fields.String(required=True, metadata={"description": "SHA-256 of the file's text"})
    title = fields.String(allow_none=True, metadata={"description": "its processes', decisions' or form's name"})
    base_path = fields.String(allow_none=True, metadata={"description": "the base file it stands in for"})
    status = fields.String(required=True, metadata={
        "description": "against the base as it is now: same, changed, or added (the base has no such file)"})


class MissingFileOut(Schema):
    path = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(allow_none=True)


class RoutineOut(Schema):
    region = fields.String(required=True)
    process = fields.Nested(RunsOut, required=True, metadata={"description": "the version listed"})
    base_version = fields.Integer(allow_none=True, metadata={"description": "the base's latest version"})
    files = fields.List(fields.Nested(RoutineFileOut), required=True)
    missing = fields.List(fields.Nested(MissingFileOut), required=True, metadata={
        "description": "base files the version does not have (a restored version from before they were added)"})


class ElementOut(Schema):
    id = fields.String(required=True)
    type = fields.String(required=True, metadata={"description": "the element's kind: userTask, sequenceFlow, "
                                                                "decision, rule, field, form …"})
    name = fields.String(allow_none=True)
    within = fields.String(allow_none=True, metadata={"description": "the process, decision or group it is in"})


class ChangeOut(Schema):
    aspect = fields.String(required=True, metadata={
        "description": "name, type, attribute:<name>, property:<name>, incoming, outgoing, <child element path>, "
                       "input:<column>, output:<column>, description, hit_policy, required, schema:<key>, ui:<key>"})
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)


class ChangedElementOut(ElementOut):
    changes = fields.List(fields.Nested(ChangeOut), required=True)


class FileDiffOut(Schema):
    path = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "same, changed, added or removed"})
    readable = fields.Boolean(required=True, metadata={"description": "false: compared as whole files only"})
    added = fields.List(fields.Nested(ElementOut), required=True)
    removed = fields.List(fields.Nested(ElementOut), required=True)
    changed = fields.List(fields.Nested(ChangedElementOut), required=True)
    moved = fields.List(fields.Nested(ElementOut), required=True, metadata={
        "description": "elements only moved in the drawing"})


class RegionFileDiffOut(FileDiffOut):
    region = fields.String(required=True)
    version = fields.Integer(required=True)
    base_path = fields.String(allow_none=True, metadata={"description": "the base file compared with"})
    base_version = fields.Integer(allow_none=True)


class PathChangesOut(Schema):
    added = fields.List(fields.String(), required=True)
    removed = fields.List(fields.String(), required=True)
    changed = fields.List(fields.String(), required=True)


class VersionOut(Schema):
    version = fields.Integer(required=True)
    definition_id = fields.Integer(required=True)
    deployed_at = fields.DateTime(required=True)
    deployed_by = fields.String(allow_none=True)
    content_hash = fields.String(required=True)
    comment = fields.String(allow_none=True)
    source = fields.String(allow_none=True, metadata={"description": "api, cli, init, restore; none if unrecorded"})
    restored_version = fields.Integer(allow_none=True, metadata={"description": "the version it put back"})
    previous_version = fields.Integer(allow_none=True)
    running_cases = fields.Integer(required=True, metadata={"description": "the region's running cases on it"})
    changes = fields.Nested(PathChangesOut, required=True, metadata={"description": "since the version before"})


class BaseVersionCasesOut(Schema):
    version = fields.Integer(required=True)
    running_cases = fields.Integer(required=True)


class VersionListOut(Schema):
    region = fields.String(required=True)
    key = fields.String(required=True)
    items = fields.List(fields.Nested(VersionOut), required=True, metadata={"description": "newest first"})
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    current = fields.Nested(RunsOut, allow_none=True, metadata={"description": "what new cases start on"})
    running_cases = fields.Integer(required=True, metadata={"description": "all the region's running cases"})
    base_versions = fields.List(fields.Nested(BaseVersionCasesOut), required=True, metadata={
        "description": "the region's running cases that run a version of the base"})


class VersionChangesOut(Schema):
    region = fields.String(required=True)
    version = fields.Integer(required=True)
    previous_version = fields.Integer(allow_none=True)
    files = fields.List(fields.Nested(FileDiffOut), required=True)


class FormChoiceOut(Schema):
    name = fields.String(required=True, metadata={"description": "the form's name: its file without .schema.json"})
    schema = fields.String(required=True, metadata={"description": "what a task's formJsonSchemaFilename says"})
    uischema = fields.String(allow_none=True, metadata={"description": "what formUiSchemaFilename says, if any"})
    title = fields.String(allow_none=True)
    path = fields.String(required=True)
    for_person = fields.Boolean(required=True, metadata={
        "description": "whether the person's page can show it, as personFormJsonSchemaFilename names a form"})


class DecisionChoiceOut(Schema):
    id = fields.String(required=True, metadata={"description": "what a business rule task's calledDecisionId says"})
    name = fields.String(allow_none=True)
    path = fields.String(required=True)


class GroupChoiceOut(Schema):
    name = fields.String(required=True, metadata={"description": "the candidate group"})
    label = fields.String(allow_none=True, metadata={"description": "the lane's name it comes from, if it does"})
    source = fields.String(required=True, metadata={
        "description": "`lane`: a lane's group; `task`: a group a task names in candidateGroups"})


class MessageChoiceOut(Schema):
    name = fields.String(required=True)
    sent_in = fields.List(fields.String(), required=True, metadata={"description": "files that send it"})
    received_in = fields.List(fields.String(), required=True, metadata={
        "description": "files that receive it (an event, a receive task, or a user task it completes)"})
    correlation = fields.List(fields.String(), required=True, metadata={
        "description": "the correlation properties read from it"})


class ProcessChoiceOut(Schema):
    id = fields.String(required=True)
    name = fields.String(allow_none=True)
    path = fields.String(required=True)


class NotificationVariableOut(Schema):
    key = fields.String(required=True, metadata={"description": "as the property writes it: `<key>=<variable>`"})
    label = fields.String(required=True, metadata={"description": "what the variable holds, in Swedish"})


class NotificationKindOut(Schema):
    kind = fields.String(required=True, metadata={"description": "the first word of a `notification` property"})
    label = fields.String(required=True, metadata={"description": "what it does, in Swedish"})
    on = fields.String(required=True, validate=validate.OneOf(["user_task", "message_catch"]), metadata={
        "description": "where it belongs: a user task, or an event that catches a message"})
    variables = fields.List(fields.Nested(NotificationVariableOut), required=True)


class CatalogOut(Schema):
    region = fields.String(required=True)
    version = fields.Integer(required=True)
    routine_region = fields.String(required=True, metadata={
        "description": "whose version it is: the region's or `base`"})
    forms = fields.List(fields.Nested(FormChoiceOut), required=True)
    decisions = fields.List(fields.Nested(DecisionChoiceOut), required=True)
    groups = fields.List(fields.Nested(GroupChoiceOut), required=True)
    group_expressions = fields.List(fields.String(), required=True, metadata={
        "description": "candidateGroups expressions the diagrams use that are not a quoted name"})
    messages = fields.List(fields.Nested(MessageChoiceOut), required=True)
    processes = fields.List(fields.Nested(ProcessChoiceOut), required=True)
    notification_kinds = fields.List(fields.Nested(NotificationKindOut), required=True, metadata={
        "description": "what a `notification` property may say"})


def routine_out(found: service.Routine) -> dict:
    return {"region": found.region,
            "process": {"region": found.definition.region, "version": found.definition.version},
            "base_version": found.base.version if found.base is not None else None,
            "files": found.files, "missing": found.missing}


@studio_v1.route("/regions/<string:region>/routine")
class RegionRoutine(MethodView):
    @studio_v1.doc(operationId="getRegionRoutine", responses={200: {"links": {
        "diff": {"operationId": "getRegionFileDiff", "description": "the first file as a difference from the base",
                 "parameters": {"region": "$response.body#/region", "path": "$response.body#/files/0/path"}}}}})
    @studio_v1.arguments(VersionQuery, location="query", error_status_code=400)
    @studio_v1.response(200, RoutineOut)
    @problem_response(studio_v1, 403, NOT_STUDIO)
    @problem_response(studio_v1, 404, NO_REGION)
    def get(self, query, region):
        """The region's routine as deployed: each diagram, table and form, marked the base's or the region's own,
        with its hash and how it stands to the base."""
        return routine_out(service.routine(readable(region), query.get("version")))


@studio_v1.route("/regions/<string:region>/routine/catalog")
class RegionRoutineCatalog(MethodView):
    @studio_v1.doc(operationId="getRegionRoutineCatalog")
    @studio_v1.arguments(VersionQuery, location="query", error_status_code=400)
    @studio_v1.response(200, CatalogOut)
    @problem_response(studio_v1, 403, NOT_STUDIO)
    @problem_response(studio_v1, 404, NO_REGION)
    def get(self, query, region):
        """What the region's routine has for a diagram to name: its forms, decisions, groups, messages and
        processes, as the diagram editor offers them to choose from."""
        return service.catalog(readable(region), query.get("version"))


@studio_v1.route("/regions/<string:region>/routine/diff")
class RegionFileDiff(MethodView):
    @studio_v1.doc(operationId="getRegionFileDiff")
    @studio_v1.arguments(DiffQuery, location="query", error_status_code=400)
    @studio_v1.response(200, RegionFileDiffOut)
    @problem_response(studio_v1, 403, NOT_STUDIO)
    @problem_response(studio_v1, 404, NO_REGION + ", or no such file in it")
    def get(self, query, region):
        """A file of the region's routine as a difference from the base: diagram elements, table rules or form
        fields added, removed and changed (by id), and diagram elements only moved."""
        return service.region_file_diff(readable(region), query["path"], query.get("version"))


@studio_v1.route("/regions/<string:region>/versions")
class RegionVersions(MethodView):
    @studio_v1.doc(operationId="listRegionVersions")
    @studio_v1.arguments(PageQuery, location="query", error_status_code=400)
    @studio_v1.response(200, VersionListOut)
    @problem_response(studio_v1, 403, NOT_STUDIO)
    @problem_response(studio_v1, 404, NO_REGION)
    def get(self, query, region):
        """The region's versions, newest first: who deployed each, when and why, which files it changed, and how
        many of the region's running cases run it."""
        found = service.versions(readable(region), query["limit"], query["offset"])
        for item in found["items"]:
            item["deployed_at"] = utc(item["deployed_at"])
        return found


@studio_v1.route("/regions/<string:region>/versions/<int:version>/changes")
class RegionVersionChanges(MethodView):
    @studio_v1.doc(operationId="getRegionVersionChanges")
    @studio_v1.response(200, VersionChangesOut)
    @problem_response(studio_v1, 400, "the version is out of range")
    @problem_response(studio_v1, 403, NOT_STUDIO)
    @problem_response(studio_v1, 404, NO_REGION)
    def get(self, region, version):
        """What a version changed since the version before it: each file added, removed or changed, element by
        element."""
        return service.version_changes(readable(region), checked_version(version))


@studio_v1.route("/regions/<string:region>/versions/<int:version>/restore")
class RegionVersionRestore(MethodView):
    @studio_v1.doc(operationId="restoreRegionVersion")
    @studio_v1.arguments(RestoreIn, error_status_code=400)
    @studio_v1.response(201, DeploymentResultOut, description="a new version with the earlier version's content")
    @studio_v1.alt_response(200, schema=DeploymentResultOut,
                            description="the earlier version's content is what the region runs: nothing new")
    @problem_response(studio_v1, 403, "not a process owner of the region")
    @problem_response(studio_v1, 404, NO_REGION)
    @problem_response(studio_v1, 409, "another deployment to the region was stored at the same time")
    @problem_response(studio_v1, 422, "the earlier version no longer passes the deployment's checks")
    def post(self, body, region, version):
        """Deploy an earlier version of the region again, with a comment: a new version with exactly that
        version's files, checked as any deployment is. Running cases keep the version they run."""
        result = service.restore(readable(region), checked_version(version), body.get("comment"),
                                 current_principal())
        return result_out(result), 201 if result.changed else 200
