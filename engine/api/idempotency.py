"""Idempotency keys: a client retrying a write whose answer it lost sends the key it sent first, and the write
is applied once (starting a case, completing a task, delivering a message)."""

from __future__ import annotations

import json

from flask import request

from ..privacy import keyed_hash
from ..services.errors import InvalidRequest

IDEMPOTENCY_KEY = {"in": "header", "name": "Idempotency-Key", "required": False,
                   "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                   "description": "a key of the client's choosing (a UUID, say): the request is applied once, and a "
                                  "retry with the same key answers as the first did"}
IDEMPOTENCY_REPLAYED = {"Idempotency-Replayed": {"description": "with an `Idempotency-Key`: `true` when this answers a "
                                                                "retry and nothing was applied now",
                                                 "schema": {"type": "string", "enum": ["true", "false"]}}}


def idempotency_key() -> str | None:
    """The request's `Idempotency-Key` header: a retry with the same key is applied once."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 0 < len(key) <= 200:
        raise InvalidRequest("The Idempotency-Key header must be 1–200 characters",
                             errors=[{"field": "Idempotency-Key", "message": "must be 1–200 characters"}])
    return key


def request_fingerprint(body: dict) -> str:
    """What tells a retry from another request under the same key: a keyed hash (the body holds a personal
    number)."""
    return keyed_hash(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str))


def replay_headers(key: str | None, applied: bool) -> dict:
    """The answer's `Idempotency-Replayed` header, where the request had a key."""
    return {} if key is None else {"Idempotency-Replayed": "false" if applied else "true"}
