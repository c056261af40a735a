"""Trying a draft decision table in the studio: the DMN text as edited, not yet deployed, with input values.
Only a region's process owners try drafts for it; nothing is stored."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..access import require_deploy
from ..services import decision_trials as service
from .auth import current_principal
from .blueprint import Blueprint
from .problems import problem_response
from .schemas import IDENTIFIER

studio_decisions_v1 = Blueprint("studio_decisions", __name__, url_prefix="/api/v1",
                                description="Try a draft decision table before deploying it")

# A DMN file is checked against the deployment's per-file limit when deployed; a draft is held to the body limit.
DRAFT_MAX_CHARS = 1_000_000


class DraftDecisionIn(Schema):
    region = fields.String(required=True, validate=IDENTIFIER, metadata={
        "description": "the region whose draft it is: the region's other deployed tables are loaded beside it, "
                       "so it may require a decision of another file", "example": "kristianstad"})
    dmn = fields.String(required=True, validate=validate.Length(min=1, max=DRAFT_MAX_CHARS), metadata={
        "description": "the draft DMN file's XML"})
    path = fields.String(validate=validate.Regexp(r"^dmn/[\w][\w.\-]{0,199}\.dmn$"), metadata={
        "description": "the path the draft replaces in the region's set", "example": "dmn/mobilt_vardteam.dmn"})
    decision_id = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={
        "description": "the decision of the draft to evaluate", "example": "mobilt_vardteam"})
    variables = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "the input values, by the names the table's input expressions read"})


class DraftDecisionOut(Schema):
    decision_id = fields.String(required=True)
    result = fields.Raw(required=True, metadata={
        "description": "as a business rule task gets it: an object of the outputs (a list of them for a "
                       "multi-row result of several columns)"})


@studio_decisions_v1.route("/studio/decisions/evaluate")
class DraftDecisionResource(MethodView):
    @studio_decisions_v1.doc(operationId="evaluateDraftDecision")
    @studio_decisions_v1.arguments(DraftDecisionIn, error_status_code=400)
    @studio_decisions_v1.response(200, DraftDecisionOut)
    @problem_response(studio_decisions_v1, 403, "not a process owner of the region")
    @problem_response(studio_decisions_v1, 422, "the draft gives no result for these inputs (such as several rules "
                                                "matching under the hit policy UNIQUE: `rules` names them) or "
                                                "cannot be read: `problems` lists file, element, line and message")
    def post(self, body):
        """Evaluate a decision of a draft DMN file, not deployed, for the given inputs, as a running case would;
        a table that gives no result answers 422 saying why in Swedish, never 500."""
        require_deploy(current_principal(), body["region"])
        result = service.try_draft(body["dmn"], body["decision_id"], body["variables"], region=body["region"],
                                   path=body.get("path"))
        return {"decision_id": body["decision_id"], "result": result}
