"""Settings of identity, access and privacy: from the app's configuration, else from an ``SIP_<KEY>``
environment variable. Documented in docs/access.md."""

from __future__ import annotations

import os

from flask import current_app


def setting(key: str, default=None):
    value = current_app.config.get(key)
    if value in (None, ""):
        value = os.environ.get(f"SIP_{key}")
    return default if value in (None, "") else value
