"""API tokens for local use and tests, issued by an administrator's command. Only the SHA-256 of a token is
stored; a token works until it or its user is revoked."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime
from typing import NamedTuple

import sqlalchemy as sa

from ..database import db
from ..services.errors import NotFound
from ..store import ApiToken, Organisation, User, UserRole
from ..store.identity import ROLES

PREFIX = "sip_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ensure_organisation(name: str, kind: str, region: str) -> Organisation:
    org = db.session.scalars(sa.select(Organisation).where(Organisation.name == name)).first()
    if org is None:
        org = Organisation(name=name, kind=kind, region=region)
        db.session.add(org)
    else:
        org.kind, org.region = kind, region
    db.session.flush()
    return org


def ensure_user(username: str, name: str | None = None, organisation: Organisation | None = None,
                roles: list[str] | tuple[str, ...] = ("staff",)) -> User:
    user = find_user(username)
    if user is None:
        user = User(username=username, roles=[])
        db.session.add(user)
    user.name = name or user.name or username
    if organisation is not None:
        user.organisation = organisation
    user.roles = list(roles)
    user.active, user.revoked_at = True, None
    db.session.flush()
    return user


def find_user(username: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.username == username)).first()


def issue_token(username: str, label: str | None = None) -> str:
    """A new token for the user; returned once, stored only as its hash. The caller commits."""
    user = find_user(username)
    if user is None:
        raise NotFound(f"No user {username}")
    token = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=token_hash(token), label=label))
    db.session.flush()
    return token


def revoke_tokens(username: str) -> int:
    """Revoke every token of the user; how many were revoked."""
    user = find_user(username)
    if user is None:
        raise NotFound(f"No user {username}")
    moment = datetime.now(UTC)
    tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id,
                                                          ApiToken.revoked_at.is_(None))).all()
    for row in tokens:
        row.revoked_at = moment
    return len(tokens)


def revoke_user(username: str) -> None:
    """The user can no longer sign in, with a token or through OpenID Connect."""
    user = find_user(username)
    if user is None:
        raise NotFound(f"No user {username}")
    user.active, user.revoked_at = False, datetime.now(UTC)


class TokenHolder(NamedTuple):
    revoked_at: datetime | None
    username: str
    name: str | None
    active: bool
    roles: tuple[str, ...]
    organisation: str | None
    kind: str | None
    region: str | None


def token_holder(token: str) -> TokenHolder | None:
    """What signing in with an API token needs, read in one statement as plain values (no objects to track:
    every request signs in): revoked_at, username, name, active, the roles given for the user's organisation,
    organisation, kind, region; None for an unknown token. `organisation` is None for a user of none. Run on
    the session's connection: plain values need none of the ORM's handling of a statement, which costs as
    much as the query."""
    rows = db.session.connection().execute(_token_holder(), {"token_hash": token_hash(token)}).all()
    if not rows:
        return None
    held = {row.role for row in rows}
    first = rows[0]
    return TokenHolder(first.revoked_at, first.username, first.name, first.active,
                       tuple(role for role in ROLES if role in held), first.organisation, first.kind, first.region)


@functools.cache
def _token_holder():
    # One row per role the user holds in their present organisation (one row with no role if none).
    return (sa.select(ApiToken.revoked_at, User.username, User.name, User.active, UserRole.role,
                      Organisation.name.label("organisation"), Organisation.kind, Organisation.region)
            .join(User, User.id == ApiToken.user_id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .outerjoin(UserRole, sa.and_(UserRole.user_id == User.id,
                                         UserRole.organisation_id == User.organisation_id))
            .where(ApiToken.token_hash == sa.bindparam("token_hash")))
