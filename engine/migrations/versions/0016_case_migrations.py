"""case migrations: moving running cases to another version of their routine, each run with its report, and each
case moved with its state before, so that the move can be undone

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "migration_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=True),
        sa.Column("to_version", sa.Integer(), nullable=False),
        sa.Column("to_definition_id", sa.Integer(), sa.ForeignKey("process_definitions.id"), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("case_ids", sa.JSON(), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
    )
    op.create_index("ix_migration_runs_region", "migration_runs", ["region"])
    op.create_table(
        "case_migrations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.String(36), sa.ForeignKey("migration_runs.id"), nullable=False),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("from_definition_id", sa.Integer(), sa.ForeignKey("process_definitions.id"), nullable=False),
        sa.Column("to_definition_id", sa.Integer(), sa.ForeignKey("process_definitions.id"), nullable=False),
        sa.Column("state_before", sa.Text(), nullable=False),
        sa.Column("revision_after", sa.Integer(), nullable=False),
        sa.Column("due_before", sa.JSON(), nullable=False),
        sa.Column("migrated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("migrated_by", sa.String(200), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_case_migrations_run_id", "case_migrations", ["run_id"])
    op.create_index("ix_case_migrations_case_id", "case_migrations", ["case_id"])


def downgrade():
    op.drop_table("case_migrations")
    op.drop_table("migration_runs")
