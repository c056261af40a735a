"""Tables of notifications: the outbox of events a change of a case makes for organisations and users, the
deliveries the sender makes of them (one per recipient address or webhook endpoint), the webhook
subscriptions of organisations, and what each user wants to be told."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import db
from .models import new_id, utcnow


class NotificationEvent(db.Model):
    """Something that makes work for an organisation (or one of its users): written in the transaction of the
    change that caused it, so that it exists exactly when the change does. The sender turns it into deliveries
    (`expanded_at`), by the recipients' preferences and the organisation's webhook subscriptions as they stand
    then. `key` is unique: an event found by a sweep (a deadline) is written once however often it is found."""

    __tablename__ = "notification_events"
    __table_args__ = (sa.Index("ix_notification_events_unexpanded", "expanded_at", "created_at"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    case_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    task_id: Mapped[str | None] = mapped_column(sa.String(36))
    # The organisation the event is for; `username`, where the event is for one of its users only (the holder
    # of a claimed task).
    organisation: Mapped[str] = mapped_column(sa.String(200))
    username: Mapped[str | None] = mapped_column(sa.String(200))
    # What the message needs beyond ids: a meeting's date, time, place and iCalendar sequence; a due date.
    # Never anything about the person.
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expanded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Notification(db.Model):
    """One delivery of an event to one address (an e-mail) or endpoint (a webhook). `idempotency_key` (event id
    and address) is unique, so an event is never queued twice for one address; it is also the e-mail's
    Message-ID and the webhook's `webhook-id`, so a receiver can tell a repeat from a new message.

    States: `pending` (due at `next_attempt_at`), `sending` (claimed by a sender until `claimed_until`),
    `sent`, `failed` (given up, `last_error` says why), `digest` (waiting for the user's daily digest),
    `digested` (carried by the digest delivery `digest_id`)."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_due", "status", "next_attempt_at"),
                      sa.Index("ix_notifications_digest", "status", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str | None] = mapped_column(sa.ForeignKey("notification_events.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))  # email, webhook
    recipient: Mapped[str] = mapped_column(sa.String(2000))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    subscription_id: Mapped[str | None] = mapped_column(sa.ForeignKey("webhook_subscriptions.id"))
    idempotency_key: Mapped[str] = mapped_column(sa.String(400), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(36))
    claimed_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    digest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notifications.id"))


class WebhookSubscription(db.Model):
    """An organisation's endpoint for the kinds of events it names. The secret signs every payload (Standard
    Webhooks); it is shown once, when the subscription is made, and stored encrypted. A subscription whose
    deliveries keep failing is disabled, with the reason."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    organisation: Mapped[str] = mapped_column(sa.String(200), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    event_kinds: Mapped[list] = mapped_column(sa.JSON, default=list)
    secret_encrypted: Mapped[str] = mapped_column(sa.Text)
    created_by: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Deliveries that failed for good one after the other; reset by one that arrives.
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    disabled_reason: Mapped[str | None] = mapped_column(sa.Text)
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class NotificationPreference(db.Model):
    """How a user wants to be told of one kind of event: `immediately`, in a `daily` digest, or `never`. A kind
    without a row is told immediately."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    event_kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    choice: Mapped[str] = mapped_column(sa.String(16))
