"""The web app's server-side sessions. The browser holds an opaque token in the `sip_session` cookie
(HttpOnly); the database holds only its SHA-256, with the user, a CSRF token, and when the session ends: at
`expires_at` (SESSION_HOURS after sign-in, default 8) or after SESSION_IDLE_MINUTES (default 60) without a
request. `last_seen_at` is written at most once a minute, so that most requests only read.

The `sip_csrf` cookie (readable by the web app's scripts, SameSite=Strict) holds the session's CSRF token:
a request that changes something sends it back in `X-CSRF-Token`, which another site cannot read or send."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Response, g, request
from sqlalchemy.orm import joinedload

from .. import audit
from ..access.errors import Unauthenticated
from ..access.principal import Principal
from ..config import setting
from ..database import db
from ..identity import principal_of
from ..services.errors import ServiceError
from ..store import User, WebSession
from ..store.models import utcnow

SESSION_COOKIE = "sip_session"
CSRF_COOKIE = "sip_csrf"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REFRESH_EVERY = timedelta(minutes=1)


class CsrfRefused(ServiceError):
    status = 403
    type = "csrf"
    title = "Ogiltig säkerhetstoken"

    def __init__(self):
        super().__init__("Sidans säkerhetstoken saknas eller stämmer inte. Ladda om sidan och försök igen.")


@dataclass(frozen=True)
class Session:
    id: str
    username: str
    csrf_token: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def session_hours() -> float:
    return float(setting("SESSION_HOURS", 8))


def idle_minutes() -> float:
    return float(setting("SESSION_IDLE_MINUTES", 60))


def development() -> bool:
    return setting("ENVIRONMENT", "production") == "development"


def secure_cookies() -> bool:
    """Cookies are Secure, except in the development setting over plain http."""
    return not (development() and request.scheme == "http")


def create(username: str) -> tuple[str, Session]:
    """A new session for the user, replacing the one this browser had; its token (for the cookie) and the
    session. Drops every session past its absolute end. Commits."""
    now = utcnow()
    old = request.cookies.get(SESSION_COOKIE)
    doomed = WebSession.expires_at <= now
    if old:
        doomed = sa.or_(doomed, WebSession.id == digest(old))
    db.session.execute(sa.delete(WebSession).where(doomed))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    row = WebSession(id=digest(token), username=username, csrf_token=csrf, created_at=now, last_seen_at=now,
                     expires_at=now + timedelta(hours=session_hours()))
    db.session.add(row)
    db.session.commit()
    return token, Session(row.id, username, csrf)


def set_cookies(response: Response, token: str, session: Session) -> Response:
    secure = secure_cookies()
    response.set_cookie(SESSION_COOKIE, token, path="/", httponly=True, samesite="Lax", secure=secure)
    response.set_cookie(CSRF_COOKIE, session.csrf_token, path="/", httponly=False, samesite="Strict", secure=secure)
    return response


def clear_cookies(response: Response) -> Response:
    secure = secure_cookies()
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=secure)
    response.delete_cookie(CSRF_COOKIE, path="/", httponly=False, samesite="Strict", secure=secure)
    return response


def end(token: str | None) -> None:
    """Sign-out: the session is deleted (its cookie no longer signs anyone in). Commits."""
    if token:
        db.session.execute(sa.delete(WebSession).where(WebSession.id == digest(token)))
        db.session.commit()


def _load(token: str) -> tuple[Session, User]:
    """The session of a cookie's token and its user; Unauthenticated (not audited) otherwise. Refreshes
    `last_seen_at` when a minute or more old (and commits)."""
    found = db.session.execute(
        sa.select(WebSession, User).join(User, User.username == WebSession.username)
        .options(joinedload(User.organisation)).where(WebSession.id == digest(token))).first()
    if found is None:
        raise Unauthenticated("The session is not known: sign in again", "unknown_session")
    row, user = found
    now = utcnow()
    last_seen = aware(row.last_seen_at)
    if now >= aware(row.expires_at) or now >= last_seen + timedelta(minutes=idle_minutes()):
        db.session.delete(row)
        db.session.commit()
        err = Unauthenticated("The session has ended: sign in again", "session_expired")
        err.username = user.username
        raise err
    if not user.active:
        err = Unauthenticated("The user's access has been revoked", "revoked")
        err.username = user.username
        raise err
    session = Session(row.id, user.username, row.csrf_token)
    if now - last_seen >= REFRESH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return session, user


def authenticate(token: str, remote_addr: str | None) -> tuple[Principal, Session]:
    """The principal of a request signed in by its session cookie, or Unauthenticated (audited, and the
    answer clears the cookies)."""
    try:
        session, user = _load(token)
        return principal_of(user, remote_addr, "session"), session
    except Unauthenticated as err:
        db.session.rollback()
        g.clear_session_cookies = True
        audit.record_now("sign_in", None, user=getattr(err, "username", None) or "(unauthenticated)",
                         remote_addr=remote_addr, outcome="failed", detail={"reason": err.reason, "via": "session"})
        raise


def signed_in() -> tuple[Session, User] | None:
    """This browser's session and its user when the session is valid, else None (for pages: no audit row)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        session, user = _load(token)
    except Unauthenticated:
        db.session.rollback()
        return None
    return (session, user) if user.organisation is not None else None


def csrf_matches(session: Session, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(sent.encode(), session.csrf_token.encode())


def require_csrf(principal: Principal, session: Session) -> None:
    """A request that changes something, signed in by its cookie, must send the session's CSRF token."""
    if request.method in UNSAFE_METHODS and not csrf_matches(session, request.headers.get(CSRF_HEADER)):
        audit.record_now("sign_in", principal, outcome="denied", detail={"reason": "csrf", "via": "session"})
        raise CsrfRefused()
