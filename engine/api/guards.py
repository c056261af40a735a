"""Checks every request passes before its view: its size, no NUL character anywhere in it, and a JSON body
that every later step can store, run and read back.

PostgreSQL cannot store a NUL character in text, and no field of the routine needs one. Refused here, such a
request gets a 400 naming where the character is, instead of failing in the database.

A JSON body may hold what no schema of the API looks into (a case's variables, a form's data, a message's
payload), and what neither database nor the workflow engine can take: a lone UTF-16 surrogate (`"\\ud800"`:
no UTF-8 encoding exists for it), structures nested so deeply that the engine cannot load the case again once
stored, numbers beyond 64 bits, `NaN` and `Infinity`. Each is refused at entry with a 400 naming the field."""

from __future__ import annotations

import json
import math
import re

from flask import Flask, abort, request

from ..services.errors import InvalidRequest

NUL = "\x00"
# How deeply a JSON body may nest (the body itself is level 1). The routine's forms nest about six levels; the
# workflow engine and its serializer load data some hundreds of levels deep (the tests check a case at this
# limit is loaded and completed after a restart).
MAX_DEPTH = 32
INT64 = (-(2**63), 2**63 - 1)
SURROGATE = re.compile("[\ud800-\udfff]")
# In a JSON text a surrogate can only be written as an escape: the body is walked for one only when it holds such
# an escape (a valid pair, an emoji escaped by the client, is one too, and passes).
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_NOT_FINITE = object()

MESSAGES = {
    "surrogate": "innehåller ett ogiltigt tecken (ett ensamt UTF-16-surrogat)",
    "depth": f"är för djupt nästlat (högst {MAX_DEPTH} nivåer)",
    "integer": "talet är för stort (högst 64 bitar)",
    "not_finite": "är inget ändligt tal",
}


def register_guards(app: Flask) -> None:
    @app.before_request
    def refuse_oversized_bodies():
        limit = app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and request.content_length > limit:
            abort(413, f"The body is larger than {limit} bytes")

    @app.before_request
    def refuse_nul_characters():
        where = nul_in_request()
        if where is not None:
            raise InvalidRequest("The request holds a NUL character, which no field may contain",
                                 errors=[{"field": where, "message": "contains a NUL character"}])

    @app.before_request
    def refuse_unstorable_json():
        found = unstorable_in_request()
        if found is not None:
            where, reason = found
            raise InvalidRequest(DETAILS[reason], errors=[{"field": where, "message": MESSAGES[reason]}])


DETAILS = {
    "surrogate": "The request holds a lone UTF-16 surrogate, which is no character and cannot be stored",
    "depth": f"The body is nested more than {MAX_DEPTH} levels deep",
    "integer": "The body holds an integer beyond 64 bits",
    "not_finite": "The body holds NaN or Infinity, which is no number JSON knows",
}


def unstorable_in_request() -> tuple[str, str] | None:
    """(where, why) the request holds what cannot be stored, run and read back, or None. `where` is
    `(path)`, `query/<name>` or the field's path in a JSON body; `why` a key of MESSAGES."""
    if SURROGATE.search(request.path):
        return "(path)", "surrogate"
    for name, values in request.args.lists():
        if SURROGATE.search(name) or any(SURROGATE.search(value) for value in values):
            return f"query/{SURROGATE.sub('', name)}", "surrogate"
    if not request.is_json:
        return None
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        value = json.loads(raw, parse_constant=lambda _: _NOT_FINITE)
    except RecursionError:
        return "(body)", "depth"
    except ValueError:
        return None  # not JSON: the view answers that
    return _unstorable_in(value, check_text=SURROGATE_ESCAPE.search(raw) is not None)


def _unstorable_in(document, check_text: bool) -> tuple[str, str] | None:
    """The first value of a parsed JSON document that cannot be stored, breadth first, without recursion."""
    level = [("", document)]
    depth = 0
    while level:
        depth += 1
        deeper = []
        for path, value in level:
            if isinstance(value, dict):
                items = value.items()
            elif isinstance(value, list):
                items = enumerate(value)
            else:
                reason = _unstorable_scalar(value, check_text)
                if reason is not None:
                    return path or "(body)", reason
                continue
            if depth > MAX_DEPTH:
                return path or "(body)", "depth"
            for key, item in items:
                if check_text and isinstance(key, str) and SURROGATE.search(key):
                    return _join(path, SURROGATE.sub("", key)), "surrogate"
                deeper.append((_join(path, key), item))
        level = deeper
    return None


def _unstorable_scalar(value, check_text: bool) -> str | None:
    if value is _NOT_FINITE:
        return "not_finite"
    if isinstance(value, str):
        return "surrogate" if check_text and SURROGATE.search(value) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if INT64[0] <= value <= INT64[1] else "integer"
    if isinstance(value, float) and not math.isfinite(value):
        return "not_finite"  # 1e400
    return None


def _join(path: str, key) -> str:
    return f"{path}/{key}" if path else str(key)


def nul_in_request() -> str | None:
    """Where the request holds a NUL character (`(path)`, `query/<name>`, `header/<name>`, or the field's
    path in a JSON body), or None."""
    if NUL in request.path:
        return "(path)"
    for name, values in request.args.lists():
        if NUL in name or any(NUL in value for value in values):
            return f"query/{name.replace(NUL, '')}"
    for name, value in request.headers.items():
        if NUL in value:
            return f"header/{name}"
    # In JSON a NUL can only be written as the escape \u0000: the body is parsed only when it holds that text.
    if request.is_json and b"\\u0000" in request.get_data(cache=True):
        try:
            return _nul_in(json.loads(request.get_data(cache=True)), "")
        except (ValueError, RecursionError):
            return None  # not JSON: the view answers that
    return None


def _nul_in(value, path: str) -> str | None:
    if isinstance(value, str):
        return (path or "(body)") if NUL in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        name = f"{path}/{key}" if path else str(key)
        if NUL in str(key):
            return name.replace(NUL, "")
        found = _nul_in(item, name)
        if found is not None:
            return found
    return None
