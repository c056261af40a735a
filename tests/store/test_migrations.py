"""The Alembic migrations build the tables that the models describe, so a database migrated in production has
the columns, indexes and constraints the code expects."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.database import db


def test_migrated_database_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
