"""no lone surrogates: text a JSON body once brought in as a lone UTF-16 surrogate (`"\\ud800"`, which is no
character) is stored with U+FFFD in its place, in the cases' data and state, the tasks' drafts and the history

Requests holding one are refused since; stored ones made PostgreSQL refuse every JSON operator on the row (the
case list reads the coordinator with one) and the printed plan fail to encode. Only rows whose text holds such
an escape are read and written.

Revision ID: 0014
Revises: 0013
"""
import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# (table, key column, JSON column): what a request's text is kept in.
COLUMNS = [("cases", "id", "data"), ("cases", "id", "state"), ("tasks", "id", "draft"),
           ("case_events", "id", "detail")]
SURROGATE = re.compile("[\ud800-\udfff]")


def _scrubbed(value):
    if isinstance(value, str):
        return SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrubbed(k): _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def scrub(connection) -> int:
    """Replace every lone surrogate in the stored JSON by U+FFFD; the number of values rewritten."""
    changed = 0
    postgresql = connection.dialect.name == "postgresql"
    for table, key, column in COLUMNS:
        # Stored JSON is written by Python's json.dumps: a surrogate only ever as a lower-case escape.
        rows = connection.execute(sa.text(
            f"SELECT {key}, CAST({column} AS TEXT) FROM {table} WHERE CAST({column} AS TEXT) LIKE :escape ESCAPE '!'"),
            {"escape": "%\\ud%"}).all()
        for row_key, text in rows:
            before = json.loads(text)
            after = _scrubbed(before)
            if after == before:  # the escape of a valid pair, or the text "\\ud…"
                continue
            value = ":value" if column == "state" or not postgresql else "CAST(:value AS json)"
            connection.execute(sa.text(f"UPDATE {table} SET {column} = {value} WHERE {key} = :key"),
                               {"value": json.dumps(after, separators=(",", ":")), "key": row_key})
            changed += 1
    return changed


def upgrade():
    scrub(op.get_bind())


def downgrade():
    pass
