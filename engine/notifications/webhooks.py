"""Webhooks for the organisations' own systems, signed as the Standard Webhooks specification says: headers
`webhook-id` (the delivery's idempotency key, the same on every retry), `webhook-timestamp` (seconds since the
epoch) and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the secret, which
is `whsec_` and the key in base64). The payload carries the event's kind and ids, never anything about the
person.

Subscriptions are made, listed and deleted by the organisation's admins and process owners; the secret is shown
once, when the subscription is made, and kept encrypted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import sqlalchemy as sa

from .. import audit
from ..access.errors import Forbidden
from ..database import db
from ..privacy.personal_numbers import decrypt_number, encrypt_number
from ..services.errors import InvalidRequest, NotFound
from ..store import NotificationEvent, WebhookSubscription
from ..store.models import new_id, utcnow
from . import kinds

SECRET_PREFIX = "whsec_"
# Seconds to wait before each retry of a delivery that failed: about a day in all (Standard Webhooks'
# suggestion), then the delivery fails for good and its subscription is disabled.
RETRY_DELAYS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
TIMEOUT = 15


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header of a payload."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def payload(event: NotificationEvent) -> bytes:
    """What a webhook receives of an event: its kind, when it happened, and ids."""
    data = {"event_id": event.id, "case_id": event.case_id, "task_id": event.task_id,
            "organisation": event.organisation}
    if event.kind in (kinds.DEADLINE_TOMORROW, kinds.DEADLINE_PASSED):
        data["due_at"] = (event.detail or {}).get("due_at")
    return json.dumps({"type": event.kind, "timestamp": event.created_at.isoformat(), "data": data},
                      separators=(",", ":")).encode()


class DeliveryFailed(Exception):
    """The endpoint could not be reached or did not answer 2xx."""


def deliver(subscription: WebhookSubscription, webhook_id: str, body: bytes) -> None:
    """POST the signed payload; DeliveryFailed unless the endpoint answers 2xx."""
    timestamp = int(time.time())
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "SIP-webhooks",
        "webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(decrypt_number(subscription.secret_encrypted), webhook_id, timestamp, body)})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read(1024)
    except urllib.error.HTTPError as err:
        raise DeliveryFailed(f"the endpoint answered HTTP {err.code}") from err
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise DeliveryFailed(f"the endpoint could not be reached: {reason}") from err


# -- subscriptions, for the organisation's admins and process owners --------------------------------------
def _require_manager(principal) -> None:
    if principal is not None and not (principal.has_role("admin") or principal.has_role("process_owner")):
        audit.record_now("webhooks", principal, outcome="forbidden")
        raise Forbidden("Bara verksamhetens administratörer och processägare hanterar webhooks")


def create_subscription(principal, url, event_kinds) -> tuple[WebhookSubscription, str]:
    """A new subscription of the principal's organisation; returns it and its secret (shown only now)."""
    _require_manager(principal)
    errors = []
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
        host = parts.hostname if parts is not None else None
    except ValueError:  # e.g. "https://[" : no address at all
        parts = host = None
    if parts is None or parts.scheme not in ("https", "http") or not host or len(url) > 2000:
        errors.append({"field": "url", "message": "ange en adress som börjar med https:// (högst 2000 tecken)"})
    if not isinstance(event_kinds, list) or not event_kinds:
        errors.append({"field": "event_kinds", "message": "välj minst en sorts händelse"})
    else:
        for index, kind in enumerate(event_kinds):
            if kind not in kinds.EVENT_KINDS:
                errors.append({"field": f"event_kinds/{index}",
                               "message": f"okänd sorts händelse; välj bland {', '.join(kinds.EVENT_KINDS)}"})
    if errors:
        raise InvalidRequest("Prenumerationen kan inte sparas", errors=errors)
    secret = new_secret()
    subscription = WebhookSubscription(id=new_id(), organisation=principal.organisation if principal else "", url=url,
                                       event_kinds=list(dict.fromkeys(event_kinds)),
                                       secret_encrypted=encrypt_number(secret),
                                       created_by=principal.username if principal else None, failures=0)
    db.session.add(subscription)
    audit.record("webhook_created", principal, detail={"subscription": subscription.id})
    db.session.commit()
    return subscription, secret


def subscriptions_of(principal) -> list[WebhookSubscription]:
    _require_manager(principal)
    return db.session.scalars(sa.select(WebhookSubscription).where(
        WebhookSubscription.organisation == principal.organisation, WebhookSubscription.deleted_at.is_(None))
        .order_by(WebhookSubscription.created_at)).all()


def delete_subscription(principal, subscription_id: str) -> None:
    """Delete (stop) a subscription of the principal's organisation: deliveries already made stay recorded."""
    _require_manager(principal)
    found = db.session.get(WebhookSubscription, subscription_id)
    if found is None or found.deleted_at is not None or found.organisation != principal.organisation:
        raise NotFound("Det finns ingen sådan prenumeration i din verksamhet")
    found.deleted_at = utcnow()
    audit.record("webhook_deleted", principal, detail={"subscription": subscription_id})
    db.session.commit()
