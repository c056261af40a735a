"""task drafts: what someone has filled in so far of an open task's form

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


COLUMNS = ("draft", "draft_saved_at", "draft_saved_by")


def upgrade():
    op.add_column("tasks", sa.Column("draft", sa.JSON(), nullable=True))
    op.add_column("tasks", sa.Column("draft_saved_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tasks", sa.Column("draft_saved_by", sa.String(length=200), nullable=True))


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): copying the table, as batch mode would, fails on
    # the rows of other tables that refer to it.
    for name in reversed(COLUMNS):
        op.drop_column("tasks", name)
