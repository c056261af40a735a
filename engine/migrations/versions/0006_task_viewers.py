"""task viewers: who sees which open task, one row per task and organisation, for the task list

Revision ID: 0006
Revises: 0005
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# engine.store.identity.NO_DUE_DATE, as it was when this migration was written.
NO_DUE_DATE = datetime(9999, 1, 1, tzinfo=UTC)

INDEXES = {
    "ix_task_viewers_group": ["organisation", "candidate_group"],
    "ix_task_viewers_group_due": ["organisation", "candidate_group", "due_sort", "task_id"],
    "ix_task_viewers_group_created": ["organisation", "candidate_group", "created_at", "task_id"],
    "ix_task_viewers_due": ["organisation", "due_sort", "task_id"],
    "ix_task_viewers_created": ["organisation", "created_at", "task_id"],
    "ix_task_viewers_assignee_due": ["organisation", "assignee", "due_sort", "task_id"],
    "ix_task_viewers_case_id": ["case_id"],
}


def upgrade():
    op.create_table(
        "task_viewers",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("candidate_group", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_sort", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_task_viewers_task_id_tasks")),
        sa.PrimaryKeyConstraint("task_id", "organisation", name=op.f("pk_task_viewers")),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "task_viewers", columns)
    backfill()


def backfill():
    """A row for every open task and organisation that sees it (engine.access.task_viewers): the acting
    coordinator's organisation, a full-scope organisation a role group maps to, an organisation the candidate
    group names, and the assignee's organisation, each with access to the case."""
    tasks = sa.table("tasks", *(sa.column(c) for c in (
        "id", "case_id", "state", "candidate_group", "region", "assignee", "due_at", "created_at")))
    access = sa.table("case_access", sa.column("case_id"), sa.column("organisation"), sa.column("scope"),
                      sa.column("coordinator", sa.Boolean()))
    groups = sa.table("case_groups", sa.column("case_id"), sa.column("group"), sa.column("organisation"))
    users = sa.table("users", sa.column("username"), sa.column("organisation_id"))
    organisations = sa.table("organisations", sa.column("id"), sa.column("name"))
    viewers = sa.table("task_viewers", *(sa.column(c) for c in (
        "task_id", "organisation", "case_id", "candidate_group", "region", "assignee", "due_at", "due_sort",
        "created_at")))
    full = access.c.scope == "full"
    by_group = sa.select(groups.c.case_id).where(
        groups.c.case_id == tasks.c.case_id, groups.c.group == tasks.c.candidate_group,
        groups.c.organisation == access.c.organisation).exists()
    by_assignee = sa.select(users.c.username).join(organisations, organisations.c.id == users.c.organisation_id) \
        .where(users.c.username == tasks.c.assignee, organisations.c.name == access.c.organisation).exists()
    seen = (
        sa.select(tasks.c.id, access.c.organisation, tasks.c.case_id, tasks.c.candidate_group, tasks.c.region,
                  tasks.c.assignee, tasks.c.due_at,
                  sa.func.coalesce(tasks.c.due_at, sa.literal(NO_DUE_DATE, sa.DateTime(timezone=True))),
                  tasks.c.created_at)
        .join(access, access.c.case_id == tasks.c.case_id)
        .where(tasks.c.state == "open", sa.or_(
            sa.and_(full, access.c.coordinator.is_(True)),
            sa.and_(full, by_group),
            tasks.c.candidate_group == access.c.organisation,
            by_assignee,
        ))
    )
    op.execute(viewers.insert().from_select([c.name for c in viewers.columns], seen))
    if op.get_bind().dialect.name == "postgresql":
        # Rows come and go with every step: vacuum and analyze the table after 2 % of it changed rather than
        # the default 20 %, so that the list's index-only count stays index-only.
        op.execute("ALTER TABLE task_viewers SET (autovacuum_vacuum_scale_factor = 0.02, "
                   "autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)")


def downgrade():
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="task_viewers")
    op.drop_table("task_viewers")
