"""Organisations the product knows: a text field whose value is an organisation of the registry (the
`organisations` table, within the case's region), so that staff choose the unit that takes part instead of
typing its name, and the tasks addressed to it reach its staff.

    "organisationsFrom": {"kindsFrom": "samtycke_huvudman",
                          "message": "Välj en av verksamheterna i listan: …"}

Where the case's region has organisations, the field offers their names (each option titled by it); with
`kindsFrom`, only those whose registered huvudman kind the variable lists, where the task's data holds that
variable as a list. The form is shown so, and a completion or draft is checked so: any other value is refused
with the `message` (Swedish, at the field). Where the registry has no organisation for the case (a form
previewed without a case, a region nobody has registered), the field is an ordinary text field.

With `"kindField": FIELD`, the field FIELD of the same row holds the organisation's huvudman kind, and a row whose
kind is not the chosen organisation's registered one is refused at FIELD (`kind_mismatches`): the kind of a unit
is a fact of the registry, not a second answer that may contradict it. The bound keyword keeps `kindField` and
gains `kinds` (each offered name to its registered kind): the web app reads them to set the row's kind when an
organisation is chosen (webapp/src/forms/organisations.ts).

The registry is read by the caller (engine.services), which passes it as a function giving (name, kind) pairs,
so this module knows no database.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable

KEYWORD = "organisationsFrom"
DEFAULT_MESSAGE = "Välj en av organisationerna i listan"

Registry = Callable[[], Iterable[tuple[str, str]]]


_BOUND: dict[tuple, tuple[object, dict]] = {}


def bind_organisations(schema: dict | None, data: dict | None, registry: Registry | None) -> dict | None:
    """The form's schema as a task with this data shows and checks it: each field with `organisationsFrom`
    offers the registry's organisations (those of the kinds its `kindsFrom` variable lists, where the data has
    it). The same object where nothing is bound; a bound copy is built once per form and set of options."""
    if not isinstance(schema, dict) or registry is None or not _has_keyword(schema):
        return schema
    known = sorted(set(registry()))
    if not known:
        return schema
    data = data or {}
    key = (id(schema), json.dumps(known), json.dumps(_kinds_given(schema, data), sort_keys=True))
    found = _BOUND.get(key)
    if found is not None and found[0] is schema:
        return found[1]
    bound = copy.deepcopy(schema)
    _bind(bound, known, data)
    _BOUND[key] = (schema, bound)
    if len(_BOUND) > 256:
        _BOUND.pop(next(iter(_BOUND)))
    return bound


_HAS: dict[int, tuple[object, bool]] = {}


def _has_keyword(schema: dict) -> bool:
    found = _HAS.get(id(schema))
    if found is None or found[0] is not schema:
        found = _HAS[id(schema)] = (schema, _contains(schema))
        if len(_HAS) > 1024:
            _HAS.pop(next(iter(_HAS)))
    return found[1]


def _contains(node) -> bool:
    if isinstance(node, dict):
        return isinstance(node.get(KEYWORD), dict) or any(_contains(v) for v in node.values())
    if isinstance(node, list):
        return any(_contains(v) for v in node)
    return False


def _kinds_given(node, data: dict) -> dict[str, list | None]:
    """The kinds' variables the form's organisation fields name, with what the data holds of each."""
    given: dict[str, list | None] = {}

    def walk(value) -> None:
        if isinstance(value, dict):
            spec = value.get(KEYWORD)
            if isinstance(spec, dict) and isinstance(spec.get("kindsFrom"), str):
                listed = data.get(spec["kindsFrom"])
                given[spec["kindsFrom"]] = sorted(map(str, listed)) if isinstance(listed, list) else None
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(node)
    return given


def _bind(node, known: list[tuple[str, str]], data: dict) -> None:
    if isinstance(node, list):
        for value in node:
            _bind(value, known, data)
        return
    if not isinstance(node, dict):
        return
    spec = node.get(KEYWORD)
    if isinstance(spec, dict):
        kinds = data.get(spec.get("kindsFrom")) if isinstance(spec.get("kindsFrom"), str) else None
        offered = [name for name, kind in known if not isinstance(kinds, list) or kind in kinds]
        node.pop("minLength", None)
        if offered:
            node["oneOf"] = [{"const": name, "title": name} for name in offered]
        else:
            node["not"] = {}  # nothing to choose from: no value is right
        node[KEYWORD] = {**spec, "offered": offered}
        if isinstance(spec.get("kindField"), str):
            node[KEYWORD]["kinds"] = {name: kind for name, kind in known if name in offered}
    for name, value in node.items():
        if name != KEYWORD:
            _bind(value, known, data)


def refusal(field_schema: dict | None, value) -> str | None:
    """What staff read when they send an organisation the field does not offer (None for a field not bound)."""
    spec = (field_schema or {}).get(KEYWORD)
    if not isinstance(spec, dict) or "offered" not in spec or value in spec["offered"]:
        return None
    message = spec.get("message")
    return message if isinstance(message, str) and message.strip() else DEFAULT_MESSAGE


def kind_mismatches(schema: dict | None, data, at: str = "") -> list[tuple[str, str]]:
    """(field, Swedish message) for each row of `data` whose organisation, chosen in a field bound with a
    `kindField`, is registered as another huvudman kind than the row's kind field says."""
    found: list[tuple[str, str]] = []
    if not isinstance(schema, dict):
        return found
    if isinstance(data, list) and isinstance(schema.get("items"), dict):
        for index, row in enumerate(data):
            found += kind_mismatches(schema["items"], row, f"{at}{index}/")
        return found
    properties = schema.get("properties")
    if not isinstance(data, dict) or not isinstance(properties, dict):
        return found
    for name, field in properties.items():
        spec = field.get(KEYWORD) if isinstance(field, dict) else None
        if isinstance(spec, dict) and isinstance(spec.get("kinds"), dict):
            kind_field = spec["kindField"]
            chosen = data.get(name)
            registered = spec["kinds"].get(chosen) if isinstance(chosen, str) else None
            if registered is not None and kind_field in data and data[kind_field] != registered:
                title = _title_of(properties.get(kind_field), registered)
                found.append((f"{at}{kind_field}", f"{chosen} är registrerad som {title}: välj det"))
        if name in data:
            found += kind_mismatches(field, data[name], f"{at}{name}/")
    return found


def _title_of(field, value: str) -> str:
    """The option's title where the field gives one ("Primärvård (regionen)"), else the value."""
    for option in (field or {}).get("oneOf") or []:
        if isinstance(option, dict) and option.get("const") == value and option.get("title"):
            return str(option["title"])
    return value
