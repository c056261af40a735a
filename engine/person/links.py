"""One-time links to a case's own view. The coordinator makes one for the person, or for a guardian where the
case records guardians (`vardnadshavare`, as the variants for children do); the link is shown once, only its
SHA-256 is stored, and it opens one session once, before it expires (PERSON_LINK_HOURS, default 72)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from .. import audit
from ..access.errors import Forbidden
from ..access.rules import coordinates, require_case
from ..config import setting
from ..database import db
from ..services import cases as case_service
from ..services.errors import Conflict, InvalidData
from ..store.models import utcnow
from ..store.person_access import PersonLink

ROLES = ("person", "guardian")


class LinkRefused(Exception):
    """A link that does not open: `reason` is `unknown`, `used` or `expired`."""

    def __init__(self, reason: str, link: PersonLink | None = None):
        super().__init__(reason)
        self.reason, self.link = reason, link


@dataclass(frozen=True)
class MadeLink:
    token: str
    role: str
    guardian_name: str | None
    expires_at: datetime


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_hours() -> float:
    return float(setting("PERSON_LINK_HOURS", 72))


def guardians_of(case) -> list[str]:
    """The names of the guardians the case records (the variants for children ask for them)."""
    return [g["namn"] for g in (case.data or {}).get("vardnadshavare") or []
            if isinstance(g, dict) and isinstance(g.get("namn"), str) and g["namn"].strip()]


def make_link(case_id: str, principal, role: str = "person", guardian_name: str | None = None) -> MadeLink:
    """A new one-time link to the case's own view, made by its coordinator. A guardian's link names one of the
    guardians the case records. Audited; the token is returned once and never stored."""
    with case_service.refusals_audited("make_person_link", principal, case_id=case_id, role=role):
        require_case(principal, case_id, "make_person_link", need_full=True)
        if principal is not None and not coordinates(principal, case_id):
            db.session.rollback()
            audit.record_now("make_person_link", principal, case_id=case_id, outcome="denied")
            err = Forbidden("Only the coordinator's organisation sends the person a link to their plan")
            err.audited = True
            raise err
        case = case_service.get_case(case_id)
        errors = []
        if role not in ROLES:
            errors.append({"field": "role", "message": "ska vara person eller guardian"})
        elif role == "guardian":
            names = guardians_of(case)
            if not names:
                errors.append({"field": "role", "message": "ärendet har inga vårdnadshavare registrerade"})
            elif guardian_name not in names:
                errors.append({"field": "guardian_name",
                               "message": "ska vara en av ärendets vårdnadshavare: " + ", ".join(names)})
        elif guardian_name is not None:
            errors.append({"field": "guardian_name", "message": "anges bara för en vårdnadshavare"})
        if errors:
            raise InvalidData("Länken kan inte göras så som den begärdes", errors)
        if case.status != "active":
            raise Conflict("Ärendet är avslutat: ingen ny länk görs till det")
        token = secrets.token_urlsafe(32)
        now = utcnow()
        expires = now + timedelta(hours=link_hours())
        guardian = guardian_name if role == "guardian" else None
        db.session.add(PersonLink(id=digest(token), case_id=case_id, role=role, guardian_name=guardian,
                                  created_by=principal.username if principal is not None else "system",
                                  created_at=now, expires_at=expires))
        audit.record("make_person_link", principal, case_id=case_id, detail={"role": role})
        db.session.commit()
        return MadeLink(token, role, guardian, expires)


def peek(token: str) -> PersonLink:
    """The link a token names, still unused and unexpired; LinkRefused otherwise. Changes nothing."""
    link = db.session.get(PersonLink, digest(token)) if token else None
    if link is None:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used", link)
    if utcnow() >= _aware(link.expires_at):
        raise LinkRefused("expired", link)
    return link


def use(token: str) -> PersonLink:
    """Use the link once: a single UPDATE marks it used only where it is unused and unexpired, so two browsers
    opening it at once get one session between them. LinkRefused otherwise. Does not commit."""
    link = peek(token)
    now = utcnow()
    done = db.session.execute(sa.update(PersonLink).where(
        PersonLink.id == link.id, PersonLink.used_at.is_(None), PersonLink.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        raise LinkRefused("used", link)
    return link


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
