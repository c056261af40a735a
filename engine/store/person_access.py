"""Tables of the person's own view: one-time links a coordinator makes for the person (or a guardian), and the
person's browser sessions. Neither holds a secret a browser has: a link's row is keyed by the SHA-256 of its
token, a session's by the SHA-256 of its cookie's token; a person signed in by e-legitimation is known only by
the keyed hash of their personal number, as cases keep it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import db
from .models import utcnow


class PersonLink(db.Model):
    """A one-time link to one case's own view: for the person (`role` `person`) or for a guardian
    (`guardian`, `guardian_name` as the case records them). It opens once, before `expires_at`."""

    __tablename__ = "person_links"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # SHA-256 of the link's token
    case_id: Mapped[str] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    guardian_name: Mapped[str | None] = mapped_column(sa.String(200))
    created_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class PersonSession(db.Model):
    """A person's (or guardian's) signed-in browser. Signed in by e-legitimation it holds the keyed hash of the
    personal number (`subject_hash`: every case of that number); signed in by a link, the one case it opened
    (`case_id`). It ends at `expires_at`, after PERSON_SESSION_IDLE_MINUTES without a request, or at sign-out."""

    __tablename__ = "person_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # SHA-256 of the cookie's token
    role: Mapped[str] = mapped_column(sa.String(16))
    via: Mapped[str] = mapped_column(sa.String(16))
    subject_hash: Mapped[str | None] = mapped_column(sa.String(64))
    case_id: Mapped[str | None] = mapped_column(sa.ForeignKey("cases.id"))
    guardian_name: Mapped[str | None] = mapped_column(sa.String(200))
    link_id: Mapped[str | None] = mapped_column(sa.String(64))
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
