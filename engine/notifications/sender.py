"""The sender: turns the outbox's events into deliveries and delivers them, each once.

A sweep (`sweep`):
1. **Expands** the events not yet expanded, each in one transaction: a delivery per user of the organisation
   (the event's user only, where it names one) with an e-mail address who wants the kind of event told
   (at once: `pending`; in the daily digest: `digest`), and one per webhook subscription of the organisation
   for the kind. Each delivery's idempotency key (a hash of the event id and the address or subscription) is
   unique, so an event expanded twice queues nothing twice.
2. **Gathers the digests** once the day's digest hour has come: one e-mail per user, carrying the user's waiting
   deliveries, made in one transaction with marking them carried.
3. **Claims** due deliveries (`pending` and due, or `sending` whose claim has lapsed: a sender that died), marking
   them `sending` under a claim token until a lease ends, in one statement (PostgreSQL: `FOR UPDATE SKIP
   LOCKED`, so two senders never claim one delivery; SQLite: one writer at a time), and commits.
4. **Delivers** them one by one, recording each result in its own transaction right after it: `sent`; or,
   on failure, due again after a backoff, until it fails for good.

A sender killed after its claim and before delivering loses nothing: the claim lapses with its lease and
another sweep delivers. The one window left is between the receiver's acceptance and the commit that records it
(milliseconds): a sender killed exactly there sends that one message again, with the same Message-ID or
`webhook-id`, which the receiver can recognise. An SMTP server accepts a message only when it answers the end
of its data, so a sender killed while waiting for that answer has sent nothing."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..calendar import SWEDISH_TIME
from ..database import db
from ..store import Notification, NotificationEvent, NotificationPreference, Organisation, User, WebhookSubscription
from ..store.models import new_id, utcnow
from . import kinds, mail, settings, webhooks

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)
# E-mail retries: after 1, 2, 4, … minutes, at most an hour apart, for about a day.
MAIL_ATTEMPTS = 30


def idempotency_key(*parts) -> str:
    """The key of one delivery: the same parts give the same key (a hex digest, fit for a Message-ID)."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:40]


def _insert_new(model, rows: list[dict]):
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(rows).on_conflict_do_nothing(index_elements=["idempotency_key"])


# -- 1. expanding events into deliveries -------------------------------------------------------------------
def expand_events(limit: int = 200) -> int:
    """Expand up to `limit` events; returns how many."""
    ids = db.session.scalars(sa.select(NotificationEvent.id).where(NotificationEvent.expanded_at.is_(None))
                             .order_by(NotificationEvent.created_at).limit(limit)).all()
    db.session.rollback()
    done = 0
    for event_id in ids:
        event = db.session.scalars(
            sa.select(NotificationEvent).where(NotificationEvent.id == event_id,
                                               NotificationEvent.expanded_at.is_(None))
            .with_for_update(skip_locked=True)).first()
        if event is None:  # another sender has it
            db.session.rollback()
            continue
        taken = db.session.execute(sa.update(NotificationEvent).where(
            NotificationEvent.id == event_id, NotificationEvent.expanded_at.is_(None)).values(expanded_at=utcnow()))
        if taken.rowcount != 1:
            db.session.rollback()
            continue
        rows = _deliveries_of(event)
        if rows:
            db.session.execute(_insert_new(Notification, rows))
        db.session.commit()
        done += 1
    return done


def _deliveries_of(event: NotificationEvent) -> list[dict]:
    moment = utcnow()
    users = sa.select(User.id, User.email).join(Organisation, Organisation.id == User.organisation_id).where(
        Organisation.name == event.organisation, User.active.is_(True), User.email.is_not(None), User.email != "")
    if event.username:
        users = users.where(User.username == event.username)
    found = db.session.execute(users.order_by(User.id)).all()
    chosen = dict(db.session.execute(
        sa.select(NotificationPreference.user_id, NotificationPreference.choice).where(
            NotificationPreference.user_id.in_([user.id for user in found]),
            NotificationPreference.event_kind == event.kind)).all()) if found else {}
    rows = []
    for user in found:
        choice = chosen.get(user.id, kinds.IMMEDIATELY)
        if choice == kinds.NEVER:
            continue
        rows.append(dict(event_id=event.id, channel="email", recipient=user.email, user_id=user.id,
                         subscription_id=None, idempotency_key=idempotency_key(event.id, user.email.lower()),
                         status="digest" if choice == kinds.DAILY else "pending", attempts=0,
                         next_attempt_at=moment, created_at=moment))
    for subscription in db.session.scalars(sa.select(WebhookSubscription).where(
            WebhookSubscription.organisation == event.organisation, WebhookSubscription.deleted_at.is_(None),
            WebhookSubscription.disabled_at.is_(None))):
        if event.kind in (subscription.event_kinds or []):
            rows.append(dict(event_id=event.id, channel="webhook", recipient=subscription.url, user_id=None,
                             subscription_id=subscription.id,
                             idempotency_key=idempotency_key(event.id, "webhook", subscription.id),
                             status="pending", attempts=0, next_attempt_at=moment, created_at=moment))
    return rows


# -- 2. the daily digests -----------------------------------------------------------------------------------
def gather_digests(at: datetime | None = None, now: bool = False) -> int:
    """Make the digest e-mail of each user with deliveries waiting for it, once the day's digest hour has come
    (`now`: at once, with everything waiting). Returns how many digests were made."""
    at = at or utcnow()
    local = at.astimezone(SWEDISH_TIME)
    cutoff = at if now else datetime.combine(local.date(), time(settings.digest_hour()), SWEDISH_TIME)
    if cutoff > at:
        return 0
    before = cutoff.astimezone(UTC)  # rows are stored in UTC; SQLite compares the digits, not the instant
    users = db.session.scalars(sa.select(Notification.user_id).where(
        Notification.status == "digest", Notification.created_at < before).distinct()).all()
    db.session.rollback()
    made = 0
    for user_id in users:
        user = db.session.get(User, user_id)
        if user is None or not user.email:
            continue
        key = idempotency_key("digest", user_id, cutoff.isoformat() if now else local.date().isoformat())
        db.session.execute(_insert_new(Notification, [dict(
            event_id=None, channel="email", recipient=user.email, user_id=user_id, subscription_id=None,
            idempotency_key=key, status="pending", attempts=0, next_attempt_at=at, created_at=at)]))
        digest = db.session.scalars(sa.select(Notification).where(Notification.idempotency_key == key)).one()
        carried = db.session.execute(sa.update(Notification).where(
            Notification.user_id == user_id, Notification.status == "digest", Notification.created_at < before,
        ).values(status="digested", digest_id=digest.id))
        if carried.rowcount and digest.status == "pending":
            db.session.commit()
            made += 1
        else:  # today's digest went out already: what came after it waits for tomorrow's
            db.session.rollback()
    return made


# -- 3. claiming ----------------------------------------------------------------------------------------------
def claim(limit: int, lease: timedelta = LEASE, at: datetime | None = None) -> tuple[str, list[int]]:
    """Claim up to `limit` due deliveries for this sender until the lease ends; returns the claim token and the
    ids claimed, committed."""
    at = at or utcnow()
    token = new_id()
    due = sa.or_(sa.and_(Notification.status == "pending", Notification.next_attempt_at <= at),
                 sa.and_(Notification.status == "sending", Notification.claimed_until < at))
    chosen = (sa.select(Notification.id).where(due).order_by(Notification.next_attempt_at, Notification.id)
              .limit(limit).with_for_update(skip_locked=True))
    claimed = db.session.execute(
        sa.update(Notification).where(Notification.id.in_(chosen))
        .values(status="sending", claimed_by=token, claimed_until=at + lease, attempts=Notification.attempts + 1)
        .returning(Notification.id)).scalars().all()
    db.session.commit()
    return token, sorted(claimed)


# -- 4. delivering --------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}"


def deliver_claimed(token: str, ids: list[int], mailer: mail.Mailer, outcome: Outcome) -> None:
    for notification_id in ids:
        row = db.session.get(Notification, notification_id, populate_existing=True)
        if row is None or row.claimed_by != token or row.status != "sending":
            db.session.rollback()
            continue
        try:
            if row.channel == "webhook":
                _deliver_webhook(row)
            else:
                mailer.send(_mail_of(row))
        except Exception as err:  # noqa: BLE001 (any failure of one delivery is recorded on it, not raised)
            if not isinstance(err, webhooks.DeliveryFailed | OSError) and not mail.permanent(err) \
                    and not _smtp_error(err):
                log.exception("delivery %s failed", row.id)
            _record_failure(row, token, err, outcome)
            continue
        done = db.session.execute(sa.update(Notification).where(
            Notification.id == row.id, Notification.claimed_by == token, Notification.status == "sending",
        ).values(status="sent", sent_at=utcnow(), claimed_until=None, last_error=None))
        if row.subscription_id is not None:
            db.session.execute(sa.update(WebhookSubscription).where(
                WebhookSubscription.id == row.subscription_id).values(failures=0))
        db.session.commit()
        if done.rowcount:
            outcome.sent += 1


def _smtp_error(err: Exception) -> bool:
    import smtplib

    return isinstance(err, smtplib.SMTPException)


def _mail_of(row: Notification):
    if row.event_id is None:  # a digest: the events it carries
        events = db.session.scalars(sa.select(NotificationEvent).join(
            Notification, Notification.event_id == NotificationEvent.id).where(Notification.digest_id == row.id)
            .order_by(NotificationEvent.created_at)).all()
        return mail.digest_mail(events, row.recipient, row.idempotency_key)
    return mail.event_mail(db.session.get(NotificationEvent, row.event_id), row.recipient, row.idempotency_key)


def _deliver_webhook(row: Notification) -> None:
    subscription = db.session.get(WebhookSubscription, row.subscription_id)
    if subscription is None or subscription.deleted_at is not None or subscription.disabled_at is not None:
        raise webhooks.DeliveryFailed("the subscription was deleted or disabled")
    event = db.session.get(NotificationEvent, row.event_id)
    webhooks.deliver(subscription, "msg_" + row.idempotency_key, webhooks.payload(event))


def _record_failure(row: Notification, token: str, err: Exception, outcome: Outcome) -> None:
    """Due again after a backoff, or failed for good: a refused address at once, an e-mail after MAIL_ATTEMPTS
    tries, a webhook after a day of retries (which disables its subscription, with the reason)."""
    message = str(err)[:500] or type(err).__name__
    db.session.rollback()
    attempts = row.attempts
    if row.channel == "webhook":
        if isinstance(err, webhooks.DeliveryFailed) and "deleted or disabled" in message:
            final = True
        else:
            final = attempts > len(webhooks.RETRY_DELAYS)
        delay = timedelta(seconds=webhooks.RETRY_DELAYS[min(attempts, len(webhooks.RETRY_DELAYS)) - 1])
    else:
        final = mail.permanent(err) or attempts >= MAIL_ATTEMPTS
        delay = timedelta(minutes=min(2 ** (attempts - 1), 60))
    values = {"status": "failed", "claimed_until": None} if final else \
        {"status": "pending", "next_attempt_at": utcnow() + delay, "claimed_until": None}
    db.session.execute(sa.update(Notification).where(
        Notification.id == row.id, Notification.claimed_by == token, Notification.status == "sending",
    ).values(last_error=message, **values))
    if row.subscription_id is not None and final and "deleted or disabled" not in message:
        db.session.execute(sa.update(WebhookSubscription).where(
            WebhookSubscription.id == row.subscription_id, WebhookSubscription.disabled_at.is_(None),
        ).values(failures=WebhookSubscription.failures + 1, disabled_at=utcnow(),
                 disabled_reason=f"Leveranserna misslyckades i ett dygn; senast: {message}"))
    db.session.commit()
    if final:
        outcome.failed += 1
    else:
        outcome.retrying += 1
    outcome.errors.append(message)


def sweep(batch: int = 50, lease: timedelta = LEASE, digest_now: bool = False) -> Outcome:
    """One sweep: expand, gather digests, then claim and deliver until nothing is due."""
    outcome = Outcome()
    while expand_events() > 0:
        pass
    gather_digests(now=digest_now)
    mailer = mail.Mailer(timeout=max(5.0, lease.total_seconds() / 4))
    try:
        while True:
            token, ids = claim(batch, lease)
            if not ids:
                break
            deliver_claimed(token, ids, mailer, outcome)
    finally:
        mailer.close()
    return outcome
