"""Tables of signing in through the browser: the web app's server-side sessions, and OpenID Connect sign-ins
under way. Neither holds a secret a browser has: a session's row is keyed by the SHA-256 of the token its
cookie holds, an attempt's by the SHA-256 of its `state`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import db
from .models import utcnow


class WebSession(db.Model):
    """A signed-in browser. It ends at `expires_at` (SESSION_HOURS after sign-in), after SESSION_IDLE_MINUTES
    without a request (from `last_seen_at`, refreshed at most once a minute), or at sign-out."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # SHA-256 of the cookie's token
    username: Mapped[str] = mapped_column(sa.String(200), index=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class SignInAttempt(db.Model):
    """An OpenID Connect sign-in between the redirect to the provider and its answer (ten minutes at most):
    the PKCE code verifier, the nonce the ID token must carry, and where to go once signed in."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # SHA-256 of `state`
    code_verifier: Mapped[str] = mapped_column(sa.String(128))
    nonce: Mapped[str] = mapped_column(sa.String(64))
    next_path: Mapped[str] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
