"""Fields whose options come from the case: `choicesFrom` narrows a choice to what an earlier step allowed
(engine/forms/choices.py), `optionsFrom` makes a text field a choice among what an earlier step recorded
(engine/forms/options.py), `organisationsFrom` makes it a choice among the organisations the product knows
(engine/forms/organisations.py). A form is shown and checked bound to the task's data (and the registry).
"""

from __future__ import annotations

_FOUND: dict[tuple[int, str], tuple[object, frozenset[str]]] = {}


def variables_named(schema, keyword: str) -> frozenset[str]:
    """The variables a form's fields name under `keyword` (none for most forms); remembered per form object."""
    key = (id(schema), keyword)
    found = _FOUND.get(key)
    if found is None or found[0] is not schema:
        names: set[str] = set()
        _collect(schema, keyword, names)
        found = _FOUND[key] = (schema, frozenset(names))
        if len(_FOUND) > 1024:
            _FOUND.pop(next(iter(_FOUND)))
    return found[1]


def _collect(node, keyword: str, names: set[str]) -> None:
    if isinstance(node, dict):
        spec = node.get(keyword)
        if isinstance(spec, dict) and isinstance(spec.get("variable"), str):
            names.add(spec["variable"])
        for value in node.values():
            _collect(value, keyword, names)
    elif isinstance(node, list):
        for value in node:
            _collect(value, keyword, names)


def bind_to_case(schema: dict | None, data: dict | None, organisations=None) -> dict | None:
    """The form's schema as a task with this data shows and checks it (the same object where nothing binds).
    `organisations`: a function giving the (name, kind) of each organisation the case's registry offers, read
    only where a field takes its value from it (`organisationsFrom`, engine/forms/organisations.py)."""
    from .choices import bind_choices
    from .options import bind_options
    from .organisations import bind_organisations

    return bind_organisations(bind_options(bind_choices(schema, data), data), data, organisations)
