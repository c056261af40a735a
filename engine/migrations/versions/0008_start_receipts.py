"""start receipts: idempotency keys of started cases

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "start_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_start_receipts_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_start_receipts")),
        sa.UniqueConstraint("username", "idempotency_key", name=op.f("uq_start_receipts_username_idempotency_key")),
    )


def downgrade():
    op.drop_table("start_receipts")
