"""completion keys: the Idempotency-Key a task was completed with

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("tasks", sa.Column("completion_key", sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column("tasks", "completion_key")  # plain ALTER TABLE, as in 0009
