"""deployment comments: a process owner says why with each deployment, and a deployment that puts an earlier
version back names that version, so that a region's version history reads who, when, why and from where

Revision ID: 0017
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("deployments") as batch:
        batch.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("restored_version", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("deployments") as batch:
        batch.drop_column("restored_version")
        batch.drop_column("comment")
