"""Fixtures: a real database (a SQLite file, or the PostgreSQL named by SIP_TEST_DATABASE_URL), migrated
with Alembic, and the base routine deployed from processes/ and forms/."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from engine import create_app
from engine.database import db

# audit_events is append-only (database triggers refuse DELETE): tests look at rows by case id or by id.
TABLES = ["notification_preferences", "notifications", "webhook_subscriptions", "notification_events",
          "case_migrations", "migration_runs", "person_sessions", "person_links",
          "task_viewers", "case_access", "case_groups", "api_tokens", "user_roles", "users", "organisations",
          "message_receipts", "start_receipts", "case_events", "tasks", "cases", "deployments", "process_files",
          "process_definitions"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("SIP_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'sip.sqlite3'}"
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def migrated(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        db.engine.dispose()
    return database_url


def _wipe():
    for table in TABLES:
        db.session.execute(sa.text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture
def app(migrated):
    """An app on a clean database with the base routine deployed, inside an app context."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": migrated, "TESTING": True})
    with app.app_context():
        _wipe()
        from engine.services.process_sets import deploy, read_process_folder

        deploy(read_process_folder(app.config["PROCESSES_DIR"], app.config["FORMS_DIR"]), deployed_by="tests")
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def restart(migrated):
    """Replace the running app by a new one on the same database, as after a server restart."""
    from engine.runtime.serializer import forget_cached_specs

    contexts = []

    def _restart():
        db.session.remove()
        forget_cached_specs()
        new_app = create_app({"SQLALCHEMY_DATABASE_URI": migrated, "TESTING": True})
        ctx = new_app.app_context()
        ctx.push()
        contexts.append(ctx)
        return new_app

    yield _restart
    for ctx in reversed(contexts):
        db.session.remove()
        ctx.pop()
