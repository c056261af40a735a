"""Options a case supplies: a text field, or the items of a list, whose options are what an earlier step of the
case recorded (the participants summoned, the organisations in the plan), so that staff choose them instead of
typing them again.

    "optionsFrom": {"variable": "kallade_organisationer"}

Where the task's data holds that variable as a list of texts, the field offers exactly those: the form shows
them as choices, and a completion is checked against them. Where the variable is missing (a form previewed
without a case), the field is an ordinary text field.
"""

from __future__ import annotations

import copy

from .case_fields import variables_named

KEYWORD = "optionsFrom"

def options_variables(schema) -> frozenset[str]:
    """The variables a form's fields take their options from (none for most forms)."""
    return variables_named(schema, KEYWORD)


def bind_options(schema: dict | None, data: dict | None) -> dict | None:
    """The form's schema as a task with this data shows and checks it: each field with `optionsFrom` offers the
    texts its variable lists (as `oneOf` options, each titled by itself; a list of them chooses each once). The
    same object when nothing is bound."""
    if not isinstance(schema, dict):
        return schema
    names = options_variables(schema)
    if not names:
        return schema
    data = data or {}
    given = {name: _texts(data[name]) for name in names if isinstance(data.get(name), list)}
    if not given:
        return schema
    bound = copy.deepcopy(schema)
    _bind(bound, given)
    return bound


def _texts(listed: list) -> list[str]:
    return list(dict.fromkeys(v for v in listed if isinstance(v, str) and v))


def _bind(node, given: dict[str, list[str]]) -> None:
    if isinstance(node, list):
        for value in node:
            _bind(value, given)
        return
    if not isinstance(node, dict):
        return
    spec = node.get(KEYWORD)
    if isinstance(spec, dict) and spec.get("variable") in given:
        values = given[spec["variable"]]
        node.pop("minLength", None)
        if values:
            node["oneOf"] = [{"const": value, "title": value} for value in values]
        else:
            node["not"] = {}  # nothing to choose from: no value is right
    for name, value in node.items():
        if name != KEYWORD:
            _bind(value, given)
    items = node.get("items")
    if node.get("type") == "array" and isinstance(items, dict) and KEYWORD in items and "oneOf" in items:
        node["uniqueItems"] = True  # a list of options: each chosen once, shown as checkboxes

