"""Signing in and out through the browser.

- `GET /logga-in[?next=/path][&fel=CODE]`: the sign-in page: the organisation's sign-in (OpenID Connect)
  where it is configured; in the development setting, the demo users that exist.
- `GET /auth/oidc/start?next=…` → the provider; `GET /auth/oidc/callback` ← the provider (engine.web.oidc_flow).
- `POST /auth/demo` (development only; a login CSRF token in a cookie and the form): signs in as a demo user.
- `POST /auth/logga-ut` (the session's CSRF token in `X-CSRF-Token` or the form's `csrf_token`): signs out.

A sign-in replaces the browser's session, is audited (`sign_in`, and its failures with their reason), and goes
on to `next` when it is a path of this site. A failure goes back to the sign-in page with a message in
Swedish; never an error page."""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload

from .. import audit
from ..access.errors import Unauthenticated
from ..api.problems import problem
from ..config import setting
from ..database import db
from ..identity import find_user, principal_of, user_of
from ..identity.demo import ADMIN, DEMO
from ..store import User
from . import oidc_flow, sessions
from .pages import message_page, protect, safe_next, to_sign_in

log = logging.getLogger(__name__)

sign_in_pages = Blueprint("sign_in", __name__, template_folder="templates")
sign_in_pages.after_request(protect)

LOGIN_CSRF_COOKIE = "sip_login_csrf"
LOGIN_CSRF_LIFETIME = 30 * 60
STATE_COOKIE = "sip_oidc_state"
STATE_PATH = "/auth/oidc/"

# ?fel=CODE: what the sign-in page says. Only these texts are shown, never text from the request.
ERRORS = {
    "misslyckades": "Inloggningen misslyckades. Försök igen.",
    "avbruten": "Inloggningen avbröts.",
    "tidsgrans": "Inloggningen tog för lång tid. Försök igen.",
    "sidan": "Sidan hade hunnit bli för gammal. Försök igen.",
    "organisation": "Din organisation är inte ansluten till SIP. Kontakta förvaltningen av SIP.",
    "sparrad": "Ditt konto är spärrat i SIP. Kontakta förvaltningen av SIP.",
    "leverantor": "Inloggningstjänsten svarar inte just nu. Försök igen om en stund.",
    "ej_konfigurerad": "Inloggning med din organisations inloggning är inte inställd på den här servern.",
    "okand_anvandare": "Användaren finns inte.",
    "session": "Du har blivit utloggad eftersom sessionen tog slut. Logga in igen.",
}
REASON_ERRORS = {"no_organisation": "organisation", "revoked": "sparrad"}
REGIONS = {"kristianstad": "Kristianstad", "jonkoping": "Jönköping", "vastra_gotaland": "Västra Götaland",
           "stockholm": "Stockholm", "base": "Förvaltning"}


def demo_usernames() -> list[str]:
    return [row[3] for rows in DEMO.values() for row in rows] + [ADMIN[4]]


def demo_users() -> list[tuple[str, list[dict]]]:
    """The demo users that exist and may sign in, by region in the demo's order: [(region's name, [user])]."""
    order = demo_usernames()
    users = db.session.scalars(sa.select(User).options(joinedload(User.organisation))
                               .where(User.username.in_(order), User.active.is_(True))).all()
    users = sorted((u for u in users if u.organisation is not None), key=lambda u: order.index(u.username))
    regions: dict[str, list[dict]] = {}
    for user in users:
        regions.setdefault(user.organisation.region, []).append(
            {"username": user.username, "name": user.name or user.username, "organisation": user.organisation.name})
    return [(REGIONS.get(region, region), people) for region, people in regions.items()]


@sign_in_pages.get("/logga-in")
def sign_in_page():
    next_path = safe_next(request.args.get("next"))
    code = request.args.get("fel")
    error = ERRORS.get(code, ERRORS["misslyckades"]) if code is not None else None
    demo = demo_users() if sessions.development() else []
    login_csrf = None
    if demo:
        login_csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    oidc_url = url_for("sign_in.oidc_start") + ("?" + urlencode({"next": next_path}) if next_path != "/" else "")
    response = make_response(render_template(
        "web/logga_in.html", error=error, oidc=oidc_flow.configured(), oidc_url=oidc_url, demo=demo,
        login_csrf=login_csrf, next_path=next_path))
    response.headers["Cache-Control"] = "no-store"
    if login_csrf:
        # Path=/: the page reuses it, so that another sign-in page loaded meanwhile (another tab) leaves this
        # one's form valid.
        response.set_cookie(LOGIN_CSRF_COOKIE, login_csrf, max_age=LOGIN_CSRF_LIFETIME, path="/",
                            httponly=True, samesite="Strict", secure=sessions.secure_cookies())
    return response


def _signed_in(user: User, via: str, next_path: str):
    """Start the user's session (replacing this browser's), audit it, and go on."""
    principal = principal_of(user, request.remote_addr, "session")
    token, session = sessions.create(user.username)
    audit.record_now("sign_in", principal, detail={"via": via})
    return sessions.set_cookies(redirect(next_path, 303), token, session)


def _failed(code: str, reason: str, via: str, next_path: str = "/", username: str | None = None):
    db.session.rollback()
    audit.record_now("sign_in", None, user=username or "(unauthenticated)", remote_addr=request.remote_addr,
                     outcome="failed", detail={"reason": reason, "via": via})
    return to_sign_in(code, next_path)


@sign_in_pages.post("/auth/demo")
def demo_sign_in():
    """Development only: sign in as a demo user (`flask --app engine demo` creates them)."""
    if not sessions.development():
        abort(404)
    next_path = safe_next(request.form.get("next"))
    sent, kept = request.form.get("csrf_token") or "", request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not sent or not kept or not hmac.compare_digest(sent.encode(), kept.encode()):
        return _failed("sidan", "login_csrf", "demo", next_path)
    username = request.form.get("username") or ""
    user = find_user(username) if username in demo_usernames() else None
    if user is None or user.organisation is None:
        return _failed("okand_anvandare", "unknown_user", "demo", next_path)
    if not user.active:
        return _failed("sparrad", "revoked", "demo", next_path, user.username)
    response = _signed_in(user, "demo", next_path)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/", httponly=True, samesite="Strict",
                           secure=sessions.secure_cookies())
    return response


def redirect_uri() -> str:
    return setting("OIDC_REDIRECT_URI") or url_for("sign_in.oidc_callback", _external=True)


def _state_cookie(response, state: str | None):
    secure = sessions.secure_cookies()
    if state is None:
        response.delete_cookie(STATE_COOKIE, path=STATE_PATH, httponly=True, samesite="Lax", secure=secure)
    else:
        response.set_cookie(STATE_COOKIE, state, max_age=int(oidc_flow.ATTEMPT_LIFETIME.total_seconds()),
                            path=STATE_PATH, httponly=True, samesite="Lax", secure=secure)
    return response


@sign_in_pages.get("/auth/oidc/start")
def oidc_start():
    """To the provider's sign-in, with PKCE; the browser is bound to the attempt by a cookie holding `state`."""
    next_path = safe_next(request.args.get("next"))
    if not oidc_flow.configured():
        return to_sign_in("ej_konfigurerad", next_path)
    try:
        url, state = oidc_flow.begin(next_path, redirect_uri())
    except oidc_flow.SignInFailed as err:
        return _failed(err.code, err.reason, "oidc", next_path)
    except Exception:  # noqa: BLE001 (a sign-in never ends in an error page)
        log.exception("OpenID Connect sign-in could not start")
        return _failed("misslyckades", "error", "oidc", next_path)
    return _state_cookie(redirect(url, 302), state)


@sign_in_pages.get("/auth/oidc/callback")
def oidc_callback():
    """The provider's answer: the code is exchanged and the ID token verified here; then the session."""
    state, kept = request.args.get("state") or "", request.cookies.get(STATE_COOKIE) or ""
    next_path = "/"
    try:
        attempt = oidc_flow.answered_attempt(state, kept)
        next_path = safe_next(attempt.next_path)
        code = oidc_flow.answered_code(attempt, request.args)
        user = user_of(oidc_flow.finish(attempt, code, redirect_uri()))
        response = _signed_in(user, "oidc", next_path)
    except oidc_flow.SignInFailed as err:
        response = _failed(err.code, err.reason, "oidc", next_path, err.username)
    except Unauthenticated as err:
        response = _failed(REASON_ERRORS.get(err.reason, "misslyckades"), err.reason, "oidc", next_path,
                           getattr(err, "username", None))
    except Exception:  # noqa: BLE001 (a sign-in never ends in an error page)
        log.exception("OpenID Connect sign-in failed")
        response = _failed("misslyckades", "error", "oidc", next_path)
    return _state_cookie(response, None)


@sign_in_pages.post("/auth/logga-ut")
def sign_out():
    """End the session (server-side) and clear the cookies; 204 for a fetch asking for JSON, else to the
    sign-in page."""
    accepts = request.accept_mimetypes
    wants_json = accepts.accept_json and not accepts.accept_html
    found = sessions.signed_in()
    if found is not None:
        session, user = found
        sent = request.headers.get(sessions.CSRF_HEADER) or request.form.get("csrf_token")
        if not sessions.csrf_matches(session, sent):
            refused = sessions.CsrfRefused()
            if wants_json:
                return problem(403, refused.detail, type_=refused.type, title=refused.title)
            return message_page(403, refused.title, "Utloggningen kunde inte göras eftersom sidans säkerhetstoken "
                                "saknas eller inte stämmer. Ladda om sidan och försök igen.")
        principal = principal_of(user, request.remote_addr, "session")
        audit.record_now("sign_out", principal)
    sessions.end(request.cookies.get(sessions.SESSION_COOKIE))  # also a session past its time, or unknown
    response = make_response("", 204) if wants_json else redirect("/logga-in", 303)
    return sessions.clear_cookies(response)
