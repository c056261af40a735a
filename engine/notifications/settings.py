"""The sender's settings, from the app's configuration or ``SIP_*`` environment variables (docs/notifications.md)."""

from __future__ import annotations

from ..config import setting


def smtp() -> dict:
    return {"host": setting("SMTP_HOST", "localhost"), "port": int(setting("SMTP_PORT", 25)),
            "user": setting("SMTP_USER"), "password": setting("SMTP_PASSWORD"),
            "security": setting("SMTP_SECURITY", "none"),  # none, starttls or ssl
            "from": setting("SMTP_FROM", "sip@localhost")}


def base_url() -> str:
    """The web app's address as staff reach it, for the links in e-mails."""
    return str(setting("BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def mail_domain() -> str:
    """The domain of the sender's address: the right-hand side of Message-IDs and calendar UIDs."""
    return smtp()["from"].rpartition("@")[2] or "localhost"


def digest_hour() -> int:
    """The hour (Swedish time) after which each day's digest goes out."""
    return int(setting("NOTIFY_DIGEST_HOUR", 7))
