"""The person's browser sessions, apart from staff's: the cookie `sip_person_session` (HttpOnly, SameSite=Lax,
path /min-plan) holds an opaque token whose SHA-256 keys a row of `person_sessions`. The staff API and pages
never read it, so a person's session opens nothing of staff's. A form that changes something carries the
session's CSRF token. A session lasts PERSON_SESSION_HOURS (default 2) at most and ends after
PERSON_SESSION_IDLE_MINUTES (default 20) without a request."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, request

from ..config import setting
from ..database import db
from ..store.models import utcnow
from ..store.person_access import PersonSession
from ..web.sessions import aware, digest, secure_cookies

COOKIE = "sip_person_session"
PATH = "/min-plan"
REFRESH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Person:
    """Who is signed in to the person's view: the person (`role` `person`) or a guardian (`guardian`), signed in
    `via` `oidc` (every case of `subject_hash`) or `link` (the one case `case_id`)."""

    session_id: str
    role: str
    via: str
    subject_hash: str | None
    case_id: str | None
    guardian_name: str | None
    link_id: str | None
    csrf_token: str

    @property
    def audit_user(self) -> str:
        """How the audit trail and the case's history name them: never a personal number."""
        return "vardnadshavare" if self.role == "guardian" else "den_enskilde"


def hours() -> float:
    return float(setting("PERSON_SESSION_HOURS", 2))


def idle_minutes() -> float:
    return float(setting("PERSON_SESSION_IDLE_MINUTES", 20))


def create(role: str, via: str, *, subject_hash: str | None = None, case_id: str | None = None,
           guardian_name: str | None = None, link_id: str | None = None) -> tuple[str, Person]:
    """A new session, replacing this browser's; drops sessions past their end. Commits."""
    now = utcnow()
    doomed = PersonSession.expires_at <= now
    if old := request.cookies.get(COOKIE):
        doomed = sa.or_(doomed, PersonSession.id == digest(old))
    db.session.execute(sa.delete(PersonSession).where(doomed))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    row = PersonSession(id=digest(token), role=role, via=via, subject_hash=subject_hash, case_id=case_id,
                        guardian_name=guardian_name, link_id=link_id, csrf_token=csrf, created_at=now,
                        last_seen_at=now, expires_at=now + timedelta(hours=hours()))
    db.session.add(row)
    db.session.commit()
    return token, _person(row)


def _person(row: PersonSession) -> Person:
    return Person(row.id, row.role, row.via, row.subject_hash, row.case_id, row.guardian_name, row.link_id,
                  row.csrf_token)


def current() -> Person | None:
    """This browser's person session, when valid; None otherwise (an ended one is deleted)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    row = db.session.get(PersonSession, digest(token))
    if row is None:
        return None
    now = utcnow()
    last_seen = aware(row.last_seen_at)
    if now >= aware(row.expires_at) or now >= last_seen + timedelta(minutes=idle_minutes()):
        db.session.delete(row)
        db.session.commit()
        return None
    if now - last_seen >= REFRESH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return _person(row)


def end() -> None:
    if token := request.cookies.get(COOKIE):
        db.session.execute(sa.delete(PersonSession).where(PersonSession.id == digest(token)))
        db.session.commit()


def set_cookie(response: Response, token: str) -> Response:
    response.set_cookie(COOKIE, token, path=PATH, httponly=True, samesite="Lax", secure=secure_cookies())
    return response


def clear_cookie(response: Response) -> Response:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="Lax", secure=secure_cookies())
    return response


def csrf_matches(person: Person, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(sent.encode(), person.csrf_token.encode())
