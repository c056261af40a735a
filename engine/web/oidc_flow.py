"""OpenID Connect sign-in through the browser, done by the server: the authorization code flow with PKCE
(S256). The browser only carries the provider's one-time code back; the code verifier, the nonce and where to
go afterwards stay in `sign_in_attempts` (ten minutes), keyed by the SHA-256 of `state`, and the tokens never
leave the server (only the ID token is read, to know who signed in; it is not kept).

Settings (docs/access.md): OIDC_ISSUER (its `/.well-known/openid-configuration` is read and cached an hour),
OIDC_CLIENT_ID, OIDC_CLIENT_SECRET (none: a public client, PKCE alone), OIDC_SCOPES (added to `openid
profile`), OIDC_TOKEN_AUTH_METHOD (`client_secret_basic` by default, or `client_secret_post`),
OIDC_REDIRECT_URI (default: this server's /auth/oidc/callback as the request reached it)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import sqlalchemy as sa

from ..config import setting
from ..database import db
from ..identity import oidc
from ..store import SignInAttempt
from ..store.models import utcnow
from .sessions import aware, digest

ATTEMPT_LIFETIME = timedelta(minutes=10)
DISCOVERY_LIFETIME = 3600
TIMEOUT = 10
_discovered: dict[str, tuple[float, dict]] = {}


class SignInFailed(Exception):
    """A sign-in that did not succeed: `code` is the page's message (`?fel=`), `reason` the audit row's."""

    def __init__(self, code: str, reason: str, username: str | None = None):
        super().__init__(reason)
        self.code, self.reason, self.username = code, reason, username


def configured() -> bool:
    return bool(setting("OIDC_ISSUER") and setting("OIDC_CLIENT_ID"))


def provider() -> dict:
    """The provider's metadata (discovery), cached an hour."""
    issuer = setting("OIDC_ISSUER")
    cached = _discovered.get(issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_LIFETIME:
        return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
            metadata = json.load(answer)
    except (OSError, ValueError) as err:
        raise SignInFailed("leverantor", "discovery") from err
    if not isinstance(metadata, dict) or metadata.get("issuer") != issuer or not all(
            isinstance(metadata.get(k), str) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")):
        raise SignInFailed("leverantor", "discovery")
    _discovered[issuer] = (time.monotonic(), metadata)
    return metadata


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def begin(next_path: str, redirect_uri: str) -> tuple[str, str]:
    """Start a sign-in: (the provider's authorization URL to redirect to, the `state` that binds the browser
    to it). Drops attempts past their time. Commits."""
    metadata = provider()
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    now = utcnow()
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.expires_at <= now))
    db.session.add(SignInAttempt(id=digest(state), code_verifier=verifier, nonce=nonce, next_path=next_path,
                                 created_at=now, expires_at=now + ATTEMPT_LIFETIME))
    db.session.commit()
    scopes = ["openid", "profile"]
    scopes += [s for s in (setting("OIDC_SCOPES") or "").replace(",", " ").split() if s not in scopes]
    query = {"response_type": "code", "client_id": setting("OIDC_CLIENT_ID"), "redirect_uri": redirect_uri,
             "scope": " ".join(scopes), "state": state, "nonce": nonce,
             "code_challenge": _challenge(verifier), "code_challenge_method": "S256"}
    endpoint = metadata["authorization_endpoint"]
    return endpoint + ("&" if "?" in endpoint else "?") + urllib.parse.urlencode(query), state


def take_attempt(state: str) -> SignInAttempt:
    """The attempt `state` names, deleted (a code is answered once); SignInFailed when there is none.
    Commits."""
    attempt = db.session.get(SignInAttempt, digest(state)) if state else None
    if attempt is None:
        raise SignInFailed("misslyckades", "unknown_state")
    db.session.delete(attempt)
    db.session.commit()
    return attempt


def check_time(attempt: SignInAttempt) -> None:
    if utcnow() >= aware(attempt.expires_at):
        raise SignInFailed("tidsgrans", "attempt_expired")


def answered_attempt(state: str, kept: str) -> SignInAttempt:
    """The attempt the provider's answer (the callback) belongs to: its `state` must be the one the browser kept
    in its cookie (`kept`), and name an attempt, which is taken (`take_attempt`). SignInFailed otherwise."""
    if not configured():
        raise SignInFailed("ej_konfigurerad", "oidc_not_configured")
    if not state or not kept or not hmac.compare_digest(state.encode(), kept.encode()):
        raise SignInFailed("misslyckades", "state")
    return take_attempt(state)


def answered_code(attempt: SignInAttempt, answer) -> str:
    """The one-time code of the provider's answer (`answer`: the callback's query arguments) to an attempt still
    in its time, from the provider it was sent to; SignInFailed where the answer is an error (`avbruten` when the
    user cancelled) or holds no code."""
    check_time(attempt)
    issuer = answer.get("iss")
    if issuer is not None and issuer != setting("OIDC_ISSUER"):
        raise SignInFailed("misslyckades", "issuer")
    if error := answer.get("error"):
        code = "avbruten" if error == "access_denied" else "misslyckades"
        raise SignInFailed(code, "provider_" + "".join(c for c in error[:40] if c.isalnum() or c == "_"))
    code = answer.get("code")
    if not code:
        raise SignInFailed("misslyckades", "no_code")
    return code


def _token_request(metadata: dict, form: dict) -> urllib.request.Request:
    client_id, secret = setting("OIDC_CLIENT_ID"), setting("OIDC_CLIENT_SECRET")
    method = setting("OIDC_TOKEN_AUTH_METHOD")
    if method is None:
        supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        method = "client_secret_basic" if "client_secret_basic" in supported else "client_secret_post"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if secret and method == "client_secret_basic":
        pair = f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        form = {**form, "client_id": client_id, **({"client_secret": secret} if secret else {})}
    return urllib.request.Request(metadata["token_endpoint"], data=urllib.parse.urlencode(form).encode(),
                                  headers=headers, method="POST")


def finish(attempt: SignInAttempt, code: str, redirect_uri: str) -> oidc.Identity:
    """Exchange the code (with the attempt's verifier) at the token endpoint and verify the ID token it
    gives; the identity it asserts. SignInFailed, or Unauthenticated for an ID token that fails a check."""
    return oidc.identity_from(finish_claims(attempt, code, redirect_uri))


def finish_claims(attempt: SignInAttempt, code: str, redirect_uri: str) -> dict:
    """`finish`, giving the verified ID token's claims (the person's sign-in matches a personal number)."""
    metadata = provider()
    request = _token_request(metadata, {"grant_type": "authorization_code", "code": code,
                                        "redirect_uri": redirect_uri, "code_verifier": attempt.code_verifier})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            tokens = json.load(answer)
    except urllib.error.HTTPError as err:
        raise SignInFailed("misslyckades", "token_endpoint") from err
    except (OSError, ValueError) as err:
        raise SignInFailed("leverantor", "token_endpoint") from err
    id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
    if not isinstance(id_token, str):
        raise SignInFailed("misslyckades", "no_id_token")
    return oidc.id_token_claims(id_token, metadata["jwks_uri"], setting("OIDC_CLIENT_ID"), attempt.nonce)
