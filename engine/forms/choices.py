"""Choices a case narrows: a form field whose options are limited to what an earlier step of the case recorded.

A choice field (const options under `oneOf`/`anyOf`, or an `enum`), or the items of a list of choices, may say

    "choicesFrom": {"variable": "samtycke_huvudman",
                    "message": "Den enskilde har inte samtyckt till att den här huvudmannen deltar"}

Where the task's data holds that variable as a list, the field offers only the options whose values are in it:
the form is shown so, and a completion or draft is checked so, and a value outside it is refused with the
`message` (Swedish, at the field). Where the variable is missing, the field offers all its options.
"""

from __future__ import annotations

import copy
import json

from .case_fields import variables_named

KEYWORD = "choicesFrom"


def choices_variables(schema) -> frozenset[str]:
    """The variables a form's fields take their choices from (none for most forms)."""
    return variables_named(schema, KEYWORD)


_BOUND: dict[tuple, tuple[object, dict]] = {}


def bind_choices(schema: dict | None, data: dict | None) -> dict | None:
    """The form's schema as a task with this data shows and checks it: each field with `choicesFrom` keeps only
    the options its variable lists. The same object when nothing is narrowed; a narrowed copy is built once
    per form and set of allowed values, so its validator is built once too."""
    if not isinstance(schema, dict):
        return schema
    names = choices_variables(schema)
    if not names:
        return schema
    data = data or {}
    allowed = {name: _values(data[name]) for name in names if name in data and isinstance(data[name], list)}
    if not allowed:
        return schema
    key = (id(schema), json.dumps(sorted((k, sorted(map(_key, v))) for k, v in allowed.items())))
    found = _BOUND.get(key)
    if found is not None and found[0] is schema:
        return found[1]
    bound = copy.deepcopy(schema)
    _narrow(bound, allowed)
    _BOUND[key] = (schema, bound)
    if len(_BOUND) > 512:
        _BOUND.pop(next(iter(_BOUND)))
    return bound


def _key(value) -> str:
    return json.dumps(value, sort_keys=True)


def _values(listed: list) -> list:
    return [v for v in listed if isinstance(v, (str, int, float, bool))]


def _narrow(node, allowed: dict[str, list]) -> None:
    if isinstance(node, list):
        for value in node:
            _narrow(value, allowed)
        return
    if not isinstance(node, dict):
        return
    spec = node.get(KEYWORD)
    if isinstance(spec, dict) and spec.get("variable") in allowed:
        values = allowed[spec["variable"]]
        refused: list = []
        for key in ("oneOf", "anyOf"):
            options = node.get(key)
            if isinstance(options, list):
                kept = [o for o in options if isinstance(o, dict) and "const" in o and o["const"] in values]
                refused += [o["const"] for o in options if isinstance(o, dict) and "const" in o and o not in kept]
                if kept:
                    node[key] = kept
                else:
                    node["not"] = {}  # nothing may be chosen; the options stay so that the form still shows
        if isinstance(node.get("enum"), list):
            kept = [v for v in node["enum"] if v in values]
            refused += [v for v in node["enum"] if v not in kept]
            if kept:
                node["enum"] = kept
            else:
                node["not"] = {}
        # The values the form has but this case does not allow: sending one of them gets the form's `message`.
        node[KEYWORD] = {**spec, "refused": refused}
    for name, value in node.items():
        if name != KEYWORD:
            _narrow(value, allowed)


def refusal(field_schema: dict | None, value) -> str | None:
    """What staff read when they send one of the form's values that the case does not allow here: the form's own
    words (None for a value the form does not have at all, or a field nothing narrowed)."""
    spec = (field_schema or {}).get(KEYWORD)
    if not isinstance(spec, dict) or value not in (spec.get("refused") or ()):
        return None
    message = spec.get("message")
    return message if isinstance(message, str) and message.strip() else None
