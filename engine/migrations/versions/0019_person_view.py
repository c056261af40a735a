"""the person's own view: one-time links to a case, and the person's browser sessions

Revision ID: 0019
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "person_links",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("guardian_name", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_person_links_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_links")),
    )
    op.create_index(op.f("ix_person_links_case_id"), "person_links", ["case_id"])
    op.create_table(
        "person_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("subject_hash", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("guardian_name", sa.String(length=200), nullable=True),
        sa.Column("link_id", sa.String(length=64), nullable=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_person_sessions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_sessions")),
    )
    op.create_index(op.f("ix_person_sessions_expires_at"), "person_sessions", ["expires_at"])


def downgrade():
    op.drop_table("person_sessions")
    op.drop_table("person_links")
