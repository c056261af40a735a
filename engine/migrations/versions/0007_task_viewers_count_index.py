"""task viewers: the narrow index of organisation and group created again, last, so that SQLite counts on it

SQLite's planner sees the three indexes that start with (organisation, candidate_group) as equally good for
counting an organisation's group, and takes the one created last of them. Counting 20,000 rows on the narrow
one reads a third of the pages that the widest one does (0.8 ms against 2.6 ms). PostgreSQL already chose it.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_task_viewers_group", table_name="task_viewers")
    op.create_index("ix_task_viewers_group", "task_viewers", ["organisation", "candidate_group"])


def downgrade():
    pass  # the same index either way
