"""OpenID Connect: an ID or access token (a JWT) asserted by the region's identity provider, verified for
signature (RS256/ES256 against the provider's JWKS), issuer, audience and expiry; its claims name the user
and the organisation. `verify` checks a bearer token sent to the API; `verify_id_token` the ID token of a
sign-in through the browser (engine.web.oidc_flow), against the key set the provider's discovery names.

Configuration (docs/access.md): OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS (the key set as JSON) or
OIDC_JWKS_URL, OIDC_USER_CLAIMS (default ``hsa_id,sub``: the first present names the user),
OIDC_ORGANISATION_CLAIM (default ``org``: an organisation's name as registered), OIDC_NAME_CLAIM
(default ``name``), OIDC_ALGORITHMS (default ``RS256,ES256``), OIDC_LEEWAY (seconds, default 30)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import jwt

from ..access.errors import Unauthenticated
from ..config import setting

_clients: dict[str, jwt.PyJWKClient] = {}


@dataclass
class Identity:
    username: str
    organisation: str | None
    name: str | None
    # The address the provider vouches for (`email`, unless `email_verified` is false): where a user who has
    # chosen none gets notifications.
    email: str | None = None


def _listing(value, default: str) -> list[str]:
    if value is None:
        value = default
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in value if v.strip()]


def configured() -> bool:
    return bool(setting("OIDC_ISSUER") and (setting("OIDC_JWKS") or setting("OIDC_JWKS_URL")))


def _signing_key(token: str):
    header = jwt.get_unverified_header(token)
    inline = setting("OIDC_JWKS")
    if inline is not None:
        keys = jwt.PyJWKSet.from_dict(json.loads(inline) if isinstance(inline, str) else inline)
        kid = header.get("kid")
        for key in keys.keys:
            if kid is None or key.key_id == kid:
                return key
        raise Unauthenticated("The token is signed with a key the identity provider does not publish",
                              "unknown_key")
    return _published_key(token, setting("OIDC_JWKS_URL"))


def _published_key(token: str, url: str):
    """The key that signed the token, from the key set the provider publishes at `url` (cached an hour)."""
    client = _clients.setdefault(url, jwt.PyJWKClient(url, cache_keys=True, lifespan=3600))
    try:
        return client.get_signing_key_from_jwt(token)
    except jwt.PyJWKClientError as err:
        raise Unauthenticated("The token's signing key cannot be found at the identity provider",
                              "unknown_key") from err


FAILURES = [
    (jwt.ExpiredSignatureError, "expired", "The token has expired"),
    (jwt.InvalidAudienceError, "audience", "The token is not meant for this service (audience)"),
    (jwt.InvalidIssuerError, "issuer", "The token is not from the trusted identity provider (issuer)"),
    (jwt.ImmatureSignatureError, "not_yet_valid", "The token is not valid yet"),
    (jwt.MissingRequiredClaimError, "claims", "The token lacks a required claim"),
    (jwt.InvalidAlgorithmError, "algorithm", "The token is signed with an algorithm that is not accepted"),
    (jwt.InvalidSignatureError, "signature", "The token's signature does not verify"),
    (jwt.InvalidTokenError, "malformed", "The token cannot be read"),
]


def verify(token: str) -> Identity:
    """The identity a valid token asserts; Unauthenticated (with a reason) for any other token."""
    if not configured():
        raise Unauthenticated("Sign-in through OpenID Connect is not configured", "oidc_not_configured")
    return identity_from(_decode(token, _signing_key, setting("OIDC_AUDIENCE")))


def verify_id_token(token: str, jwks_uri: str, client_id: str, nonce: str) -> Identity:
    """The identity an ID token from the authorization code flow asserts: signed by a key the provider
    publishes at `jwks_uri`, from OIDC_ISSUER, for this client (`aud`, and `azp` where it names several
    audiences), not expired, carrying the nonce of the sign-in it answers. Unauthenticated otherwise."""
    return identity_from(id_token_claims(token, jwks_uri, client_id, nonce))


def id_token_claims(token: str, jwks_uri: str, client_id: str, nonce: str) -> dict:
    """The claims of an ID token checked as `verify_id_token` checks it (the person's sign-in reads a
    personal-number claim from them)."""
    claims = _decode(token, lambda t: (_signing_key(t) if setting("OIDC_JWKS") is not None
                                       else _published_key(t, jwks_uri)), client_id)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise Unauthenticated("The ID token is meant for another party too (azp)", "audience")
    if not nonce or claims.get("nonce") != nonce:
        raise Unauthenticated("The ID token does not answer this sign-in (nonce)", "nonce")
    return claims


def _decode(token: str, signing_key, audience) -> dict:
    try:
        key = signing_key(token)
        return jwt.decode(
            token, key=key, algorithms=_listing(setting("OIDC_ALGORITHMS"), "RS256,ES256"),
            audience=audience, issuer=setting("OIDC_ISSUER"),
            leeway=float(setting("OIDC_LEEWAY", 30)),
            options={"require": ["exp", "iss", "aud"]},
        )
    except Unauthenticated:
        raise
    except jwt.PyJWTError as err:
        for kind, reason, detail in FAILURES:
            if isinstance(err, kind):
                raise Unauthenticated(detail, reason) from err
        raise Unauthenticated("The token cannot be read", "malformed") from err


def identity_from(claims: dict) -> Identity:
    username = next((str(claims[c]) for c in _listing(setting("OIDC_USER_CLAIMS"), "hsa_id,sub") if claims.get(c)),
                    None)
    if username is None:
        raise Unauthenticated("The token names no user", "claims")
    organisation = claims.get(setting("OIDC_ORGANISATION_CLAIM", "org"))
    email = claims.get(setting("OIDC_EMAIL_CLAIM", "email"))
    return Identity(username=username, organisation=organisation if isinstance(organisation, str) else None,
                    name=claims.get(setting("OIDC_NAME_CLAIM", "name")),
                    email=email if isinstance(email, str) and claims.get("email_verified") is not False else None)
