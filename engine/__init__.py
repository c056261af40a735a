"""SIP — samordnad individuell plan — run as BPMN and DMN on SpiffWorkflow behind a Flask task-list API."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import default_config, from_environment, normalise_database_url
from .database import db, engine_options, migrate, replace_ended_connections, tune_sqlite
from .last_resort import LastResort

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


def create_app(config: dict | None = None) -> Flask:
    """The app factory: configuration from defaults, ``SIP_*`` environment variables, then `config`."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(default_config(app.instance_path))
    app.config.update(from_environment())
    app.config.update(config or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                             app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        tune_sqlite(db.engine)
        replace_ended_connections(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)

    from . import store  # noqa: F401  (registers the tables)
    from .api import register_api
    from .cli import register_commands
    from .web import register_web

    register_api(app)
    register_commands(app)
    register_web(app)
    behind_proxies(app)
    app.wsgi_app = LastResort(app.wsgi_app)
    return app


def behind_proxies(app: Flask) -> None:
    """Behind `TRUSTED_PROXIES` reverse proxies, the client's address and scheme are those they forward."""
    value = app.config["TRUSTED_PROXIES"]
    try:
        proxies = int(value)
    except (TypeError, ValueError):
        proxies = -1
    if not 0 <= proxies <= 10:
        raise ValueError(f"TRUSTED_PROXIES must be a whole number from 0 to 10, not {value!r}")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
