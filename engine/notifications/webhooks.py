"""Webhooks for the organisations' own systems, signed as the Standard Webhooks specification says: headers
`webhook-id` (the delivery's idempotency key, the same on every retry), `webhook-timestamp` (seconds since the
epoch) and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the secret, which
is `whsec_` and the key in base64). The payload carries the event's kind and ids, never anything about the
person.

Subscriptions are made, listed and deleted by the organisation's admins and process owners; the secret is shown
once, when the subscription is made, and kept encrypted. Where a webhook may go (checked when subscribing and at
every delivery) is decided in engine.notifications.destinations."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import secrets
import ssl
import time
from urllib.parse import urlsplit

import sqlalchemy as sa

from .. import audit
from ..access.errors import Forbidden
from ..database import db
from ..privacy.personal_numbers import decrypt_number, encrypt_number
from ..services.errors import InvalidRequest, NotFound, ServiceError
from ..store import NotificationEvent, WebhookSubscription
from ..store.models import new_id, utcnow
from . import destinations, kinds

SECRET_PREFIX = "whsec_"
# Seconds to wait before each retry of a delivery that failed: about a day in all (Standard Webhooks'
# suggestion), then the delivery fails for good and its subscription is disabled.
RETRY_DELAYS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
TIMEOUT = 15
# What the admin who subscribes is told beyond the reason a delivery records.
REFUSED_HINT = {
    destinations.INTERNAL: " (loopback, privat, länklokal, reserverad eller multicast); en mottagare i ett internt "
                           "nät kräver att driften tillåter nätet",
    destinations.NOT_HTTPS: "; okrypterad http tas inte emot",
}


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
    """The endpoint could not be reached, may not be, or did not answer 2xx; the message (Swedish) is what the
    organisation's admin is shown."""


def deliver(subscription: WebhookSubscription, webhook_id: str, body: bytes) -> None:
    """POST the signed payload to the addresses the subscription's URL resolves to now, once they are checked;
    DeliveryFailed unless the endpoint answers 2xx (a redirect is not followed)."""
    try:
        destination = destinations.check(subscription.url)
    except destinations.Refused as err:
        raise DeliveryFailed(str(err)) from err
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": "SIP-webhooks",
               "webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
               "webhook-signature": signature(decrypt_number(subscription.secret_encrypted), webhook_id, timestamp,
                                              body)}
    try:
        status = destinations.post(destination, body, headers, TIMEOUT)
    except TimeoutError as err:
        raise DeliveryFailed(f"mottagaren svarade inte inom {TIMEOUT} sekunder") from err
    except ConnectionRefusedError as err:
        raise DeliveryFailed("mottagaren tog inte emot anslutningen") from err
    except ssl.SSLCertVerificationError as err:
        raise DeliveryFailed("mottagarens TLS-certifikat godtogs inte") from err
    except ssl.SSLError as err:
        raise DeliveryFailed("TLS-förbindelsen med mottagaren misslyckades") from err
    except (OSError, http.client.HTTPException) as err:
        raise DeliveryFailed("mottagaren kunde inte nås") from err
    if 300 <= status < 400:
        raise DeliveryFailed(f"mottagaren svarade HTTP {status}, en omdirigering, som inte följs; ange adressen "
                             "den pekar på")
    if not 200 <= status < 300:
        raise DeliveryFailed(f"mottagaren svarade HTTP {status}")


class RefusedAddress(ServiceError):
    """A well-formed address the server will not send to (422), naming the reason at `url`."""

    status = 422
    type = "webhook-address-refused"
    title = "Adressen tas inte emot"

    def __init__(self, reason: str):
        super().__init__("Prenumerationen kan inte sparas", errors=[{"field": "url", "message": reason}])


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
        if parts is not None:
            parts.port  # noqa: B018 (a port out of range or not a number raises)
    except ValueError:  # e.g. "https://[" or "https://x:99999": no address at all
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
    try:
        destinations.check(url, unresolved_ok=True)
    except destinations.Refused as err:
        raise RefusedAddress(str(err) + REFUSED_HINT.get(str(err), "")) from err
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
