"""From an `Authorization: Bearer …` header to a Principal: an API token (``sip_…``) or an OpenID Connect
JWT. Every failure is an Unauthenticated with a reason, and an audit row."""

from __future__ import annotations

import sqlalchemy as sa

from .. import audit
from ..access.errors import Unauthenticated
from ..access.principal import Principal
from ..database import db
from ..store import Organisation, User
from . import oidc
from .tokens import PREFIX, find_user, token_holder


def principal_of(user: User, remote_addr: str | None, via: str) -> Principal:
    org = user.organisation
    return _principal(user.username, user.name, user.roles, org and (org.name, org.kind, org.region), remote_addr,
                      via)


def _principal(username: str, name: str | None, roles, organisation: tuple | None, remote_addr: str | None,
               via: str) -> Principal:
    """The principal of a signed-in user; `organisation` is (name, kind, region), None for a user of none."""
    if organisation is None:
        _refuse(username, "The user belongs to no organisation", "no_organisation")
    org_name, kind, region = organisation
    return Principal(username=username, name=name, organisation=org_name, organisation_kind=kind, region=region,
                     roles=tuple(roles or ("staff",)), remote_addr=remote_addr, via=via)


def _check_active(username: str, active: bool) -> None:
    if not active:
        _refuse(username, "The user's access has been revoked", "revoked")


def _refuse(username: str, message: str, reason: str):
    err = Unauthenticated(message, reason)
    err.username = username
    raise err


def _from_api_token(token: str, remote_addr: str | None) -> Principal:
    holder = token_holder(token)
    if holder is None:
        raise Unauthenticated("The token is not known", "unknown_token")
    if holder.revoked_at is not None:
        raise Unauthenticated("The token has been revoked", "revoked")
    _check_active(holder.username, holder.active)
    organisation = (holder.organisation, holder.kind, holder.region) if holder.organisation else None
    return _principal(holder.username, holder.name, holder.roles, organisation, remote_addr, "token")


def _from_oidc(token: str, remote_addr: str | None) -> Principal:
    return principal_of(user_of(oidc.verify(token)), remote_addr, "oidc")


def user_of(identity: oidc.Identity) -> User:
    """The user an identity from the provider is, in the organisation it asserts (a first sign-in creates the
    user as staff); Unauthenticated for a revoked user or an organisation not registered here. Commits."""
    user = find_user(identity.username)
    if user is not None:
        _check_active(user.username, user.active)
    if not identity.organisation:
        raise Unauthenticated("The token names no organisation", "no_organisation")
    org = db.session.scalars(sa.select(Organisation).where(Organisation.name == identity.organisation)).first()
    if org is None:
        raise Unauthenticated("The token's organisation is not registered here", "no_organisation")
    if user is None:  # first sign-in: a staff member of the organisation the provider asserts
        user = User(username=identity.username, name=identity.name, organisation=org, roles=["staff"], active=True,
                    email=identity.email)
        db.session.add(user)
        db.session.commit()
    elif user.organisation_id != org.id:
        # The provider now asserts another organisation (the user moved, or acts for a second one): the user
        # acts for that one, with the roles given there, staff if none. The roles given for the organisation
        # they came from stay with it; they do not follow the user.
        user.organisation, user.name = org, identity.name or user.name
        user.roles = user.roles or ["staff"]
        db.session.commit()
    elif identity.name and user.name != identity.name:
        user.name = identity.name
        db.session.commit()
    if identity.email and not user.email:  # an address the user chose themselves stays
        user.email = identity.email
        db.session.commit()
    return user


def authenticate(header: str | None, remote_addr: str | None) -> Principal:
    """The principal of a request, or Unauthenticated (already audited)."""
    try:
        if not header:
            raise Unauthenticated("Sign in: send Authorization: Bearer <token>", "missing")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("The Authorization header must be 'Bearer <token>'", "malformed")
        if token.startswith(PREFIX):
            return _from_api_token(token, remote_addr)
        if token.count(".") == 2:
            return _from_oidc(token, remote_addr)
        raise Unauthenticated("The token is neither an API token nor a JWT", "malformed")
    except Unauthenticated as err:
        db.session.rollback()
        audit.record_now("sign_in", None, user=getattr(err, "username", None) or "(unauthenticated)",
                         remote_addr=remote_addr, outcome="failed", detail={"reason": err.reason})
        raise
