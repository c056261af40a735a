"""Sign-in for the API: every request under /api/v1 except the health check and the API's documentation
carries `Authorization: Bearer <token>`, or comes from the web app with its session cookie (and, to change
anything, the session's CSRF token in `X-CSRF-Token`); the principal is kept in `flask.g` for the views."""

from __future__ import annotations

import functools

from flask import Flask, g, request

from .. import audit
from ..access import require_deploy
from ..access.errors import Forbidden
from ..identity import authenticate
from ..services.errors import ServiceError
from ..web import sessions

PUBLIC = ("/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/swagger-ui/")


def register_authentication(app: Flask, api=None) -> None:
    @app.before_request
    def sign_in():
        path = request.path
        if not path.startswith("/api/v1") or path.startswith(PUBLIC) or request.method == "OPTIONS":
            return None
        header = request.headers.get("Authorization")
        cookie = request.cookies.get(sessions.SESSION_COOKIE)
        if not header and cookie:
            g.principal, session = sessions.authenticate(cookie, request.remote_addr)
            sessions.require_csrf(g.principal, session)
            return None
        g.principal = authenticate(header, request.remote_addr)
        return None

    if api is not None:
        api.spec.components.security_scheme("bearer", {
            "type": "http", "scheme": "bearer",
            "description": "An API token (`flask --app engine tokens issue`) or an OpenID Connect JWT"})
        api.spec.components.security_scheme("session", {
            "type": "apiKey", "in": "cookie", "name": sessions.SESSION_COOKIE,
            "description": "The web app's session (signed in at /logga-in); a request that changes something "
                           "also sends the `sip_csrf` cookie's value in the `X-CSRF-Token` header"})
        api.spec.options["security"] = [{"bearer": []}, {"session": []}]


def current_principal():
    """The signed-in principal of this request (None outside a request: the system)."""
    return g.get("principal")


def acting_as(claimed: str | None):
    """The principal; a `user` named in a body must be the principal itself."""
    principal = current_principal()
    if claimed is not None and principal is not None and claimed != principal.username:
        raise Forbidden("You can act only as yourself: leave out `user`, or give your own user name")
    return principal


def requires_process_owner(view):
    """For a view whose first argument is a form with `region`: only a process owner of that region may go on;
    `deployed_by` becomes the principal; the deployment (or its refusal) is audited. Apply it below the
    flask-smorest decorators, right above the function. A stored deployment is audited by the deploy service
    in its own transaction, and a refused one here. A dry run stores nothing and is not audited: the studio's
    editors check a draft at every pause in typing (one denied for want of the role is, by require_deploy)."""

    @functools.wraps(view)
    def wrapper(self, form, *args, **kwargs):
        principal = current_principal()
        region = form.get("region")
        require_deploy(principal, region)
        if principal is not None:
            form = {**form, "deployed_by": principal.username}
        if form.get("dry_run"):
            return view(self, form, *args, **kwargs)
        try:
            return view(self, form, *args, **kwargs)
        except ServiceError as err:
            audit.record_now("deploy", principal, outcome="failed", detail={"region": region, "problem": err.type})
            raise

    return wrapper
