"""task pages: the kind of a task, its person's name for search and its fingerprint beside each task-list row;
the stage a case is in, the messages it waits for and its person's name for search; the diagram elements each
change of a case ran

Revision ID: 0012
Revises: 0011
"""
import unicodedata
import zlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_task_viewers_kind": ["organisation", "name", "due_sort", "task_id", "fingerprint"],
    "ix_task_viewers_person": ["organisation", "person_key", "due_sort", "task_id"],
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# engine.access.task_viewers.search_key and fingerprint, as they were when this migration was written.
def search_key(text):
    return None if text is None else unicodedata.normalize("NFKC", text).casefold()


def fingerprint(task_id, assignee, due_at):
    due = "" if due_at is None else str((due_at if due_at.tzinfo else due_at.replace(tzinfo=UTC)) - EPOCH)
    return zlib.crc32(f"{task_id}\x1f{assignee or ''}\x1f{due}".encode()) & 0x7FFFFFFF


def upgrade():
    op.add_column("cases", sa.Column("person_key", sa.String(length=200), nullable=True))
    op.add_column("cases", sa.Column("stage", sa.String(length=300), nullable=True))
    op.add_column("cases", sa.Column("waiting", sa.JSON(), nullable=True))
    op.add_column("case_events", sa.Column("elements", sa.JSON(), nullable=True))
    op.add_column("task_viewers", sa.Column("name", sa.String(length=200), nullable=True))
    op.add_column("task_viewers", sa.Column("person_key", sa.String(length=200), nullable=True))
    op.add_column("task_viewers", sa.Column("fingerprint", sa.Integer(), nullable=True))
    backfill()
    for name, columns in INDEXES.items():
        op.create_index(name, "task_viewers", columns)
    # Of indexes equally good for a count, SQLite takes the one created last: the narrow one (see 0007).
    op.drop_index("ix_task_viewers_group", table_name="task_viewers")
    op.create_index("ix_task_viewers_group", "task_viewers", ["organisation", "candidate_group"])


def backfill():
    """The new columns of the rows there are, as the changes write them. A case's stage and the messages it
    waits for are left NULL: they are read from its workflow until the case next changes."""
    bind = op.get_bind()
    cases = sa.table("cases", sa.column("id"), sa.column("person_name"), sa.column("person_key"))
    rows = [{"key_id": i, "person_key": search_key(name)}
            for i, name in bind.execute(sa.select(cases.c.id, cases.c.person_name)) if name is not None]
    if rows:
        bind.execute(cases.update().where(cases.c.id == sa.bindparam("key_id"))
                     .values(person_key=sa.bindparam("person_key")), rows)
    tasks = sa.table("tasks", sa.column("id"), sa.column("name"), sa.column("person_name"))
    viewers = sa.table("task_viewers", sa.column("task_id"), sa.column("organisation"), sa.column("assignee"),
                       sa.column("due_at", sa.DateTime(timezone=True)), sa.column("name"), sa.column("person_key"),
                       sa.column("fingerprint"))
    found = bind.execute(sa.select(viewers.c.task_id, viewers.c.organisation, viewers.c.assignee, viewers.c.due_at,
                                   tasks.c.name, tasks.c.person_name)
                         .join(tasks, tasks.c.id == viewers.c.task_id)).all()
    rows = [{"key_task": task_id, "key_organisation": org, "name": name, "person_key": search_key(person),
             "fingerprint": fingerprint(task_id, assignee, due_at)}
            for task_id, org, assignee, due_at, name, person in found]
    if rows:
        bind.execute(viewers.update().where(viewers.c.task_id == sa.bindparam("key_task"),
                                            viewers.c.organisation == sa.bindparam("key_organisation"))
                     .values(name=sa.bindparam("name"), person_key=sa.bindparam("person_key"),
                             fingerprint=sa.bindparam("fingerprint")), rows)


def downgrade():
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="task_viewers")
    # Plain ALTER TABLE … DROP COLUMN, as in 0009.
    for name in ("fingerprint", "person_key", "name"):
        op.drop_column("task_viewers", name)
    op.drop_column("case_events", "elements")
    for name in ("waiting", "stage", "person_key"):
        op.drop_column("cases", name)
