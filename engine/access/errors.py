"""Refusals, as problem documents (engine.api.problems turns every ServiceError into one)."""

from __future__ import annotations

from ..services.errors import ServiceError


class Unauthenticated(ServiceError):
    """No valid identity: the `reason` says which check failed (missing, malformed, expired, signature,
    issuer, audience, revoked, unknown_user, no_organisation, …)."""

    status = 401
    type = "unauthenticated"
    title = "Inte inloggad"

    def __init__(self, detail: str, reason: str):
        super().__init__(detail, reason=reason)
        self.reason = reason


class Forbidden(ServiceError):
    status = 403
    type = "forbidden"
    title = "Åtkomst nekad"
