"""What staff read when a form's data is refused: each jsonschema error in Swedish, by the kind of check that
failed, naming the field's title (its label in the form) where that helps."""

from __future__ import annotations

from jsonschema.exceptions import ValidationError

from .choices import refusal
from .organisations import refusal as organisation_refusal

TYPES = {
    "string": "text",
    "integer": "ett heltal",
    "number": "ett tal",
    "boolean": "ja eller nej",
    "array": "en lista",
    "object": "en grupp av fält",
    "null": "tomt",
}
FORMATS = {
    "date": "Ange ett datum (ÅÅÅÅ-MM-DD)",
    "date-time": "Ange datum och tid (ÅÅÅÅ-MM-DDTtt:mm:ss)",
    "time": "Ange en tid (tt:mm:ss)",
    "email": "Ange en e-postadress",
    "uri": "Ange en webbadress",
}
CHOOSE = "Välj ett av alternativen"
# When a field fails several checks, the one to tell: a missing value first, then a value of the wrong kind.
PRIORITY = {"required": 0, "dependentRequired": 0, "type": 1, "format": 2, "minLength": 2, "const": 2}


def field_schema(root: dict, path) -> dict | None:
    """The schema of the field at a data path (object keys and list indexes) in a form's schema."""
    node = root
    for part in path:
        if not isinstance(node, dict):
            return None
        if isinstance(part, int):
            node = node.get("items")
        else:
            node = (node.get("properties") or {}).get(part)
    return node if isinstance(node, dict) else None


def _number(value) -> str:
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def _rows(count: int) -> str:
    return "en rad" if count == 1 else f"{count} rader"


def _option_label(root: dict, path, value) -> str | None:
    """The title of the option `value` of a choice field, as the form shows it."""
    found = field_schema(root, path) or {}
    for option in (found.get("oneOf") or found.get("anyOf") or []):
        if isinstance(option, dict) and option.get("const", object()) == value and option.get("title"):
            return option["title"]
    return None


def message(err: ValidationError, root: dict, missing: str | None = None) -> str:
    """The Swedish message for one error of a submission against the form `root`; `missing` is the field a
    `required` error is about."""
    kind, expected = err.validator, err.validator_value
    path = list(err.absolute_path)
    if kind in ("required", "dependentRequired"):
        found = field_schema(root, [*path, missing]) if missing else None
        title = found.get("title") if found else None
        if not isinstance(title, str) or not title.strip():
            return "Obligatoriskt fält"
        return f"Svara på ”{title}”" if found.get("type") == "boolean" else f"Fyll i ”{title}”"
    if kind == "type":
        names = [TYPES.get(t, t) for t in (expected if isinstance(expected, list) else [expected])]
        return f"Fel typ av värde: ska vara {' eller '.join(names)}"
    if kind == "format":
        return FORMATS.get(expected, "Värdet har fel format")
    if kind == "const":
        if expected is True:
            return "Kryssa i rutan för att bekräfta"
        label = _option_label(root, path, expected)
        return f"Här gäller bara ”{label}”" if label else CHOOSE
    if kind == "enum" and expected == [True]:
        return "Kryssa i rutan för att bekräfta"
    if kind in ("enum", "oneOf", "anyOf", "not") and (narrowed := refusal(field_schema(root, path), err.instance)):
        return narrowed
    if kind in ("oneOf", "not", "minLength") and (
            unknown := organisation_refusal(field_schema(root, path), err.instance)):
        return unknown
    if kind in ("enum", "oneOf", "anyOf"):
        return CHOOSE
    if kind == "minLength":
        return "Fältet får inte vara tomt" if expected == 1 else f"Skriv minst {expected} tecken"
    if kind == "maxLength":
        return "Fältet ska vara tomt" if expected == 0 else f"Skriv högst {expected} tecken"
    if kind == "additionalProperties":
        return "Fältet finns inte i formuläret"
    if kind == "minimum":
        return f"Ange minst {_number(expected)}"
    if kind == "maximum":
        return f"Ange högst {_number(expected)}"
    if kind == "exclusiveMinimum":
        return f"Ange mer än {_number(expected)}"
    if kind == "exclusiveMaximum":
        return f"Ange mindre än {_number(expected)}"
    if kind == "multipleOf":
        return f"Ange en multipel av {_number(expected)}"
    if kind == "pattern":
        return "Värdet har fel format"
    if kind == "minItems":
        return f"Lägg till minst {_rows(expected)}"
    if kind == "maxItems":
        return "Listan ska vara tom" if expected == 0 else f"Lägg till högst {_rows(expected)}"
    if kind == "uniqueItems":
        return "Samma val finns flera gånger i listan"
    if kind == "minProperties":
        return "Obligatoriskt fält"
    return "Värdet är inte tillåtet"
