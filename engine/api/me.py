"""Who is signed in: the web app asks once, to show the user and what they may do."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from .auth import current_principal
from .blueprint import Blueprint
from .problems import problem_response

me_v1 = Blueprint("me", __name__, url_prefix="/api/v1", description="The signed-in user")


class MeOut(Schema):
    username = fields.String(required=True, metadata={"description": "the user name (HSA-id, OIDC subject, …)"})
    name = fields.String(allow_none=True, metadata={"description": "the person's name"})
    organisation = fields.String(required=True, metadata={"description": "the organisation acted for"})
    organisation_kind = fields.String(required=True, metadata={"description": "its huvudman kind"})
    region = fields.String(required=True, metadata={"description": "its region"})
    roles = fields.List(fields.String(), required=True, metadata={"description": "staff, process_owner, admin"})
    via = fields.String(required=True, metadata={
        "description": "how the request signed in: `session` (the web app's cookie), `token` (an API token) or "
                       "`oidc` (an OpenID Connect JWT)"})


@me_v1.route("/me")
class Me(MethodView):
    @me_v1.doc(operationId="getMe")
    @me_v1.response(200, MeOut)
    @problem_response(me_v1, 401, "not signed in, or the session has ended")
    def get(self):
        """The signed-in user, the organisation they act for, their roles, and how they signed in."""
        p = current_principal()
        return {"username": p.username, "name": p.name, "organisation": p.organisation,
                "organisation_kind": p.organisation_kind, "region": p.region, "roles": list(p.roles), "via": p.via}
