"""The Flask-SQLAlchemy and Flask-Migrate handles shared by the store and the app factory."""

import logging
import select
import sqlite3

import sqlalchemy.exc as sa_exc
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

log = logging.getLogger(__name__)

# Stable constraint names so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# An error of the database server or the way to it, not of the request: the server is down or restarting, a
# connection it held was ended (PostgreSQL's AdminShutdown), the pool has no connection to give, SQLite is
# locked for longer than its busy timeout. Answered 503 with Retry-After (engine.api.problems).
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError, sa_exc.TimeoutError)


# SQLite reports a mistake in a statement ("no such column") as an OperationalError too: only these say that
# the database cannot be used just now.
SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly", "disk is full")


def _unavailable(err: BaseException) -> bool:
    if isinstance(err, sa_exc.DBAPIError) and err.connection_invalidated:
        return True
    if not isinstance(err, UNAVAILABLE):
        return False
    if isinstance(getattr(err, "orig", None), sqlite3.Error):
        return any(words in str(err.orig).lower() for words in SQLITE_UNAVAILABLE)
    return True


def database_unavailable(err: BaseException | None) -> bool:
    """Whether `err`, or an error it was raised from or wraps, says the database cannot be reached."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if _unavailable(err):
            return True
        err = getattr(err, "original_exception", None) or err.__cause__ or err.__context__
    return False


class Database(SQLAlchemy):
    def _teardown_session(self, exc: BaseException | None) -> None:
        """The session ends after every request: its rollback or close on a connection the database has ended
        (a restart of PostgreSQL during the request) must not turn an answer already made into a server error
        page. The pool invalidates that connection; the next request checks out a live one."""
        try:
            super()._teardown_session(exc)
        except Exception as err:
            if not database_unavailable(err):
                raise
            log.warning("the session's connection was lost at the end of a request: %s", err)
            try:
                self.session.remove()
            except Exception:  # noqa: BLE001 - the registry is cleared either way
                self.session.registry.clear()


db = Database(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()


def tune_sqlite(engine) -> None:
    """SQLite as a server database: write-ahead log, and wait for a busy database instead of failing.
    With the write-ahead log, synchronous=NORMAL keeps every committed change across a crash of the
    process; only a power cut may lose the last transactions (never corrupting the file). Production
    runs PostgreSQL."""
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # Text SQLite gives back that is not UTF-8 (a lone surrogate stored in JSON, read out by json_extract)
        # reads with U+FFFD in its place instead of failing the query that meets it.
        dbapi_connection.text_factory = _text


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def engine_options(url: str, options: dict) -> dict:
    """The pool's settings for `url`: on a database server, connections are renewed after an hour, before a
    firewall or the server drops them unseen, and each is checked as it is drawn (`replace_ended_connections`).
    The connection returned last is drawn first: a request finds the statements psycopg has prepared and the
    server's caches warm on it, where drawing them in turn spreads every statement's first five executions (before
    psycopg prepares it) over all the pool's connections."""
    if url.startswith("sqlite"):
        return dict(options)
    return {"pool_recycle": 3600, "pool_use_lifo": True, "connect_args": POSTGRESQL_CONNECT_ARGS, **options}


def replace_ended_connections(engine) -> None:
    """On PostgreSQL, a pooled connection the server has ended is replaced as it is drawn, instead of failing the
    request that draws it, and without a round trip. A server that ends a connection (a restart, an
    administrator's pg_terminate_backend, a timeout) says so on its socket: its last message and the close wait
    there to be read, while a live idle connection has nothing to read. Such a connection is discarded and the
    pool draws another (a DisconnectionError from a checkout listener). A check by a round trip (SQLAlchemy's
    pre-ping) costs one more round trip on every request."""
    from sqlalchemy import event

    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, _record, _proxy):
        if _ended(dbapi_connection):
            raise sa_exc.DisconnectionError("the database server has ended this connection")


def _ended(dbapi_connection) -> bool:
    try:
        if dbapi_connection.closed:
            return True
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    except Exception:  # noqa: BLE001 - a connection whose socket cannot even be asked is no use either
        return True


# PostgreSQL's own plan cache. psycopg prepares a statement run five times on a connection, and PostgreSQL may
# then keep one generic plan for every value, estimated for an average organisation. A statement whose generic
# plan reads every row of the caller's organisation (the visibility check of a task once hashed all of an
# organisation's `task_viewers` rows: 15 ms instead of 0.2 ms for one with 20,000 open tasks) is a defect of the
# statement: tests/store/test_hot_path_plans.py reads, for every statement of the hot path, the plan PostgreSQL
# uses after warm-up and the generic plan it could keep, on a large table. Planning every execution anew instead
# (plan_cache_mode=force_custom_plan) cost 1-2 ms a request on the 2-core machine of the benchmarks.
POSTGRESQL_CONNECT_ARGS: dict = {}
