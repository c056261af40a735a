"""The files of a region's deployed routine, one by one, as the studio's editors open them (a decision table in
dmn-js, a diagram in bpmn-js, a form's JSON Schema in a text editor). A routine holds no personal data: every
signed-in user may read it."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..services import deployed_files as service
from .blueprint import Blueprint
from .presenters import utc
from .problems import problem_response
from .schemas import Int64

studio_files_v1 = Blueprint("studio_files", __name__, url_prefix="/api/v1",
                            description="The deployed files of a region's routine, to open in an editor")


class FileQuery(Schema):
    # A version is stored as a 32-bit integer (PostgreSQL's `integer`): beyond it is no version, and refused.
    version = Int64(validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "the region's own version to read; without it the version the region runs now (the "
                       "base's where it has none of its own)"})


class FileRoutineOut(Schema):
    region = fields.String(required=True, metadata={"description": "whose version it is: the region's or `base`"})
    version = fields.Integer(required=True)
    deployed_at = fields.DateTime(required=True)
    deployed_by = fields.String(required=True, allow_none=True)


class DeployedFileOut(Schema):
    region = fields.String(required=True, metadata={"description": "the region asked for"})
    path = fields.String(required=True, metadata={"example": "dmn/mobilt_vardteam.dmn"})
    kind = fields.String(required=True, metadata={"description": "bpmn, dmn or form"})
    source = fields.String(required=True, metadata={
        "description": "`region` when the file is the region's own (an override of the base), else `base`"})
    routine = fields.Nested(FileRoutineOut, required=True)
    content = fields.String(required=True, metadata={"description": "the file's text as deployed"})


@studio_files_v1.route("/regions/<string:region>/files/<path:path>")
class DeployedFileResource(MethodView):
    @studio_files_v1.doc(operationId="getDeployedFile")
    @studio_files_v1.arguments(FileQuery, location="query", error_status_code=400)
    @studio_files_v1.response(200, DeployedFileOut)
    @problem_response(studio_files_v1, 404, "nothing deployed for the region (or that version of it), or no "
                                            "file of that path in it")
    def get(self, query, region, path):
        """A file of the routine the region runs, by its path in the set (`bpmn/sip.bpmn`,
        `dmn/mobilt_vardteam.dmn`, `forms/inhamta_samtycke.schema.json`), with whether it is the region's own."""
        found = service.deployed_file(region, path, query.get("version"))
        definition = found.definition
        source = "base" if definition.region == "base" or not found.own else "region"
        return {"region": region, "path": found.path, "kind": found.kind, "source": source,
                "routine": {"region": definition.region, "version": definition.version,
                            "deployed_at": utc(definition.deployed_at), "deployed_by": definition.deployed_by},
                "content": found.content}
