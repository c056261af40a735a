"""What each user wants to be told, and where: an e-mail address, and per kind of event every event at once
(`immediately`), a daily digest (`daily`) or nothing (`never`). A kind the user has not chosen for is told at
once, so that nobody misses work until they open the settings."""

from __future__ import annotations

import re

import sqlalchemy as sa

from .. import audit
from ..database import db
from ..services.errors import InvalidRequest, NotFound
from ..store import NotificationPreference, User
from . import kinds

# An address as a person types it: something@domain.tld, no spaces, no angle brackets or commas.
EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def _user(principal) -> User:
    user = db.session.scalars(sa.select(User).where(User.username == principal.username)).first()
    if user is None:
        raise NotFound("Användaren finns inte")
    return user


def choices_of(user_id: int) -> dict[str, str]:
    chosen = dict(db.session.execute(sa.select(NotificationPreference.event_kind, NotificationPreference.choice)
                                     .where(NotificationPreference.user_id == user_id)).all())
    return {kind: chosen.get(kind, kinds.IMMEDIATELY) for kind in kinds.EVENT_KINDS}


def read(principal) -> dict:
    user = _user(principal)
    return {"email": user.email, "preferences": choices_of(user.id)}


def update(principal, email=None, preferences=None, email_given: bool = False) -> dict:
    """Change the principal's address (where `email_given`; None or "" removes it) and choices (those named)."""
    user = _user(principal)
    errors = []
    if email_given and email not in (None, ""):
        if not isinstance(email, str) or len(email) > 320 or not EMAIL.match(email):
            errors.append({"field": "email", "message": "ange en e-postadress som namn@exempel.se"})
    preferences = preferences or {}
    if not isinstance(preferences, dict):
        errors.append({"field": "preferences", "message": "ange ett val per sorts händelse"})
        preferences = {}
    for kind, choice in preferences.items():
        if kind not in kinds.EVENT_KINDS:
            errors.append({"field": f"preferences/{kind}", "message": "okänd sorts händelse"})
        elif choice not in kinds.CHOICES:
            errors.append({"field": f"preferences/{kind}",
                           "message": "välj immediately (varje händelse), daily (sammanfattning) eller never"})
    if errors:
        raise InvalidRequest("Inställningarna kan inte sparas", errors=errors)
    if email_given:
        user.email = email or None
    stored = {row.event_kind: row for row in db.session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind, choice in preferences.items():
        if kind in stored:
            stored[kind].choice = choice
        else:
            db.session.add(NotificationPreference(user_id=user.id, event_kind=kind, choice=choice))
    audit.record("notification_settings", principal, detail={"kinds": sorted(preferences)})
    db.session.commit()
    return read(principal)
