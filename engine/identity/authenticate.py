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
    if user.organisation is None:
        err = Unauthenticated("The user belongs to no organisation", "no_organisation")
        err.username = user.username
        raise err
    org = user.organisation
    return Principal(username=user.username, name=user.name, organisation=org.name, organisation_kind=org.kind,
                     region=org.region, roles=tuple(user.roles or ("staff",)), remote_addr=remote_addr, via=via)


def _check_active(user: User) -> None:
    if not user.active:
        err = Unauthenticated("The user's access has been revoked", "revoked")
        err.username = user.username
        raise err


def _from_api_token(token: str, remote_addr: str | None) -> Principal:
    holder = token_holder(token)
    if holder is None:
        raise Unauthenticated("The token is not known", "unknown_token")
    if holder.revoked_at is not None:
        raise Unauthenticated("The token has been revoked", "revoked")
    if not holder.active or holder.organisation is None:
        err = Unauthenticated("The user's access has been revoked", "revoked") if not holder.active \
            else Unauthenticated("The user belongs to no organisation", "no_organisation")
        err.username = holder.username
        raise err
    return Principal(username=holder.username, name=holder.name, organisation=holder.organisation,
                     organisation_kind=holder.kind, region=holder.region, roles=tuple(holder.roles or ("staff",)),
                     remote_addr=remote_addr, via="token")


def _from_oidc(token: str, remote_addr: str | None) -> Principal:
    identity = oidc.verify(token)
    user = find_user(identity.username)
    if user is not None:
        _check_active(user)
    if not identity.organisation:
        raise Unauthenticated("The token names no organisation", "no_organisation")
    org = db.session.scalars(sa.select(Organisation).where(Organisation.name == identity.organisation)).first()
    if org is None:
        raise Unauthenticated("The token's organisation is not registered here", "no_organisation")
    if user is None:  # first sign-in: a staff member of the organisation the provider asserts
        user = User(username=identity.username, name=identity.name, organisation=org, roles=["staff"], active=True)
        db.session.add(user)
        db.session.commit()
    elif user.organisation_id != org.id or (identity.name and user.name != identity.name):
        user.organisation, user.name = org, identity.name or user.name
        db.session.commit()
    return principal_of(user, remote_addr, "oidc")


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
