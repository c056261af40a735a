"""notifications: the outbox of events a change of a case makes for organisations and users, their deliveries by
e-mail and webhook, the organisations' webhook subscriptions, each user's preferences, and the users' e-mail
addresses

Revision ID: 0018
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("email", sa.String(320), nullable=True))
    op.create_table(
        "notification_events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("task_id", sa.String(36)),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("username", sa.String(200)),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expanded_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_notification_events_case_id", "notification_events", ["case_id"])
    op.create_index("ix_notification_events_unexpanded", "notification_events", ["expanded_at", "created_at"])
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("event_kinds", sa.JSON, nullable=False),
        sa.Column("secret_encrypted", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_webhook_subscriptions_organisation", "webhook_subscriptions", ["organisation"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(36), sa.ForeignKey("notification_events.id")),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(2000), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("subscription_id", sa.String(36), sa.ForeignKey("webhook_subscriptions.id")),
        sa.Column("idempotency_key", sa.String(400), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(36)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest_id", sa.Integer, sa.ForeignKey("notifications.id")),
    )
    op.create_index("ix_notifications_event_id", "notifications", ["event_id"])
    op.create_index("ix_notifications_due", "notifications", ["status", "next_attempt_at"])
    op.create_index("ix_notifications_digest", "notifications", ["status", "user_id"])
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("event_kind", sa.String(32), primary_key=True),
        sa.Column("choice", sa.String(16), nullable=False),
    )


def downgrade():
    op.drop_table("notification_preferences")
    op.drop_table("notifications")
    op.drop_table("webhook_subscriptions")
    op.drop_table("notification_events")
    # Not a batch copy of `users`: SQLite would drop the table that api_tokens and user_roles refer to.
    op.execute("ALTER TABLE users DROP COLUMN email")
