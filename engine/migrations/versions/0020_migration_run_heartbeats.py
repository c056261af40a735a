"""migration runs that outlive their process: who carries a run on and when it last showed it was alive, how often
it was taken over, the cases it selected; and the timers each moved case had recalculated, for a run's report when
another process finishes it

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("migration_runs") as batch:
        batch.add_column(sa.Column("held_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resumed", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("selected", sa.JSON(), nullable=True))
    # A run still running when this arrives was started by a server without heartbeats: it last showed it was
    # alive when it started, and is taken over once that is long enough ago.
    op.execute("UPDATE migration_runs SET heartbeat_at = started_at WHERE status = 'running'")
    op.create_index("ix_migration_runs_status", "migration_runs", ["status"])
    with op.batch_alter_table("case_migrations") as batch:
        batch.add_column(sa.Column("retimed", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("case_migrations") as batch:
        batch.drop_column("retimed")
    op.drop_index("ix_migration_runs_status", table_name="migration_runs")
    with op.batch_alter_table("migration_runs") as batch:
        batch.drop_column("selected")
        batch.drop_column("resumed")
        batch.drop_column("heartbeat_at")
        batch.drop_column("held_by")
