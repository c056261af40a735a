"""One-time links to the person's own view (/min-plan), made by the case's coordinator: the link is answered
once, only its hash is stored (engine.person.links)."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..person import links
from .auth import current_principal
from .blueprint import Blueprint
from .problems import problem_response

person_links_v1 = Blueprint("person_links", __name__, url_prefix="/api/v1",
                            description="Links for the person to their own plan")


class PersonLinkIn(Schema):
    role = fields.String(load_default="person", validate=validate.OneOf(links.ROLES), metadata={
        "description": "`person` (the person whose plan it is) or `guardian` (one of the guardians the case records)"})
    guardian_name = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "for a guardian: their name as the case records it (`vardnadshavare`)"})


class PersonLinkOut(Schema):
    url = fields.String(required=True, metadata={"description": "the link, shown once; it opens the plan once"})
    role = fields.String(required=True)
    guardian_name = fields.String(allow_none=True)
    expires_at = fields.DateTime(required=True, metadata={"description": "when the link stops working"})


@person_links_v1.route("/cases/<string:case_id>/person-links")
class PersonLinks(MethodView):
    @person_links_v1.doc(operationId="createPersonLink")
    @person_links_v1.arguments(PersonLinkIn, error_status_code=400, required=False)
    @person_links_v1.response(201, PersonLinkOut)
    @problem_response(person_links_v1, 403, "only the coordinator's organisation makes links for the person")
    @problem_response(person_links_v1, 404, "no such case")
    @problem_response(person_links_v1, 409, "the case has ended")
    @problem_response(person_links_v1, 422, "a guardian that the case does not record, or a name for the person")
    def post(self, body, case_id):
        """A one-time link for the person (or a guardian of a child, where the case records guardians) to read
        their plan, see who takes part, withdraw consent and answer SIP-kollen. The link is in the answer only;
        it expires after PERSON_LINK_HOURS (default 72) and opens once."""
        made = links.make_link(case_id, current_principal(), body["role"], body.get("guardian_name"))
        return {"url": url_for("person.open_link", token=made.token, _external=True), "role": made.role,
                "guardian_name": made.guardian_name, "expires_at": made.expires_at}, 201
