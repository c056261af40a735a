"""Configuration: defaults, overridden by the mapping given to `create_app` or by an environment variable
of the same name prefixed with ``SIP_``. Settings of identity, access and privacy (docs/access.md) are read
when used, with `setting`."""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_config(instance_path: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'sip.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # The national base routine: diagrams, tables and forms.
        "PROCESSES_DIR": str(PROJECT_ROOT / "processes"),
        "FORMS_DIR": str(PROJECT_ROOT / "forms"),
        # How many reverse proxies in front of the app to believe about the client's address (X-Forwarded-For),
        # which the audit trail records. 0: none; the header is then ignored, as any client can send it.
        "TRUSTED_PROXIES": 0,
        # "development" allows the demo sign-in and cookies over plain http (docs/access.md); anything else is
        # production.
        "ENVIRONMENT": "production",
        # The built staff web app (`npm --prefix webapp run build`), served at / (engine/web/app_shell.py).
        "WEBAPP_DIR": str(PROJECT_ROOT / "webapp" / "dist"),
        # Webhooks go only to globally routable addresses over https (engine/notifications/destinations.py). The
        # internal addresses, networks and host names, comma-separated, that on-premise receivers may be on
        # ("10.20.0.0/16,127.0.0.1/32"); and "true" to allow plain http:// (so does the development setting).
        "WEBHOOK_ALLOWED_NETWORKS": "",
        "WEBHOOK_ALLOW_HTTP": "",
    }


def from_environment() -> dict:
    """Settings taken from ``SIP_*`` environment variables (``SIP_DATABASE_URL`` names the database)."""
    settings = {}
    if url := os.environ.get("SIP_DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = url
    for key in ("PROCESSES_DIR", "FORMS_DIR", "TRUSTED_PROXIES", "ENVIRONMENT", "WEBAPP_DIR",
                "WEBHOOK_ALLOWED_NETWORKS", "WEBHOOK_ALLOW_HTTP"):
        if value := os.environ.get(f"SIP_{key}"):
            settings[key] = value
    return settings


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def setting(key: str, default=None):
    """A setting from the app's configuration, else from the ``SIP_<KEY>`` environment variable."""
    value = current_app.config.get(key)
    if value in (None, ""):
        value = os.environ.get(f"SIP_{key}")
    return default if value in (None, "") else value
