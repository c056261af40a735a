"""case list order: each access row carries its case's creation time, so that an organisation's case list, newest
first, is a range of one index (ix_case_access_created) whatever the number of its cases, instead of reading every
case it may see and sorting them for each page

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("case_access", sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE case_access SET created_at = "
               "(SELECT cases.created_at FROM cases WHERE cases.id = case_access.case_id)")
    op.create_index("ix_case_access_created", "case_access", ["organisation", "created_at", "case_id"])


def downgrade():
    op.drop_index("ix_case_access_created", table_name="case_access")
    with op.batch_alter_table("case_access") as batch:
        batch.drop_column("created_at")
