"""No form may ask for a personal identity number (personnummer or samordningsnummer). What a form is given
becomes process data of the case, which every participant reads; the number lives only in the case's
protected column (docs/access.md, "Personal identity numbers"), given when the case is started. So a field
that would hold one is refused at deployment, naming the file, the field and its line:

- a field whose name, lowercased, ASCII-folded and with separators dropped, contains `personnummer`,
  `personalnumber`, `samordningsnummer` or `personnr` (`Personnummer`, `personal_number`, `person_nr` ...);
- a field whose `title` mentions a personnummer or samordningsnummer;
- a field whose `pattern` matches a personal number ("19121212-1212", "191212121212", "121212-1212" ...) but
  none of the ordinary values a generic pattern also lets through (a name, a phone number, a date);
- a field whose `default`, `examples`, `const` or `enum` holds something shaped like a personal number.

Fields are found at any depth: groups, list rows, `$defs`, `allOf`/`anyOf`/`oneOf` and conditions. The
message never repeats a value found, so a number written into a form does not end up in an error message.
"""

from __future__ import annotations

import re
import unicodedata

from .form_rendering import _line, json_lines

CHECK = "privacy"
MESSAGE = "A form must not ask for a personal identity number: the case keeps it in its protected column"

NAME_WORDS = ("personnummer", "personalnumber", "samordningsnummer", "personnr")
TITLE_WORDS = ("personnummer", "samordningsnummer", "personnr")
# Personal numbers as they are written: with and without century, separator and as samordningsnummer.
NUMBER_SAMPLES = ("19121212-1212", "191212121212", "121212-1212", "1212121212", "121212+1212", "701063-2391",
                  "197010632391")
# What a pattern that is not one for personal numbers lets through too.
ORDINARY_SAMPLES = ("Anna Andersson", "070-123 45 67", "+46 70 123 45 67", "2026-12-05", "a")
# A personal number's shape inside a text: YYYYMMDD-NNNN / YYYYMMDDNNNN, or YYMMDD-NNNN / YYMMDD+NNNN.
NUMBER_IN_TEXT = re.compile(r"(?<!\d)(?:(?:18|19|20)(\d{2})(\d{2})(\d{2})[-+]?|(\d{2})(\d{2})(\d{2})[-+])\d{4}(?!\d)")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_VALUES = ("items", "additionalProperties", "contains", "not", "if", "then", "else", "propertyNames",
                 "unevaluatedItems", "unevaluatedProperties")
SCHEMA_MAPS = ("patternProperties", "dependentSchemas")


def folded(text: str) -> str:
    """Lowercase, ASCII-folded (å -> a), letters and digits only."""
    text = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9]", "", text.encode("ascii", "ignore").decode("ascii"))


def looks_like_a_number(value) -> bool:
    """Whether a value (a text, or any text within a list or object) holds a personal number's shape with a
    date in it (a samordningsnummer has 60 added to the day)."""
    if isinstance(value, str):
        for match in NUMBER_IN_TEXT.finditer(value):
            month, day = (int(g) for g in (match.groups()[1:3] if match.group(1) else match.groups()[4:6]))
            if 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91):
                return True
        return False
    if isinstance(value, list):
        return any(looks_like_a_number(v) for v in value)
    if isinstance(value, dict):
        return any(looks_like_a_number(v) for v in value.values())
    return False


def pattern_for_numbers(pattern) -> bool:
    if not isinstance(pattern, str):
        return False
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False  # not one Python reads: the schema check has its say
    return (any(compiled.search(s) for s in NUMBER_SAMPLES)
            and not any(compiled.search(s) for s in ORDINARY_SAMPLES))


WHY_SV = {"is named like one": "heter som ett", "has a pattern that matches one": "har ett mönster (pattern) "
          "som passar ett", "has the title": "har rubriken", "has a value in": "har ett värde i"}


def _why_sv(reason: str) -> str:
    for english, swedish in WHY_SV.items():
        if reason.startswith(english):
            rest = reason[len(english):]
            return swedish + (rest.replace(" shaped like one", " som ser ut som ett") if rest else "")
    return reason


def why(key: str | None, schema: dict) -> str | None:
    """Why the field `key` (None for a schema that is not a named field) with the schema `schema` would
    hold a personal number, or None."""
    if key is not None and any(w in folded(key) for w in NAME_WORDS):
        return "is named like one"
    title = schema.get("title")
    if isinstance(title, str) and any(w in folded(title) for w in TITLE_WORDS):
        return f"has the title {title!r}"
    if schema.get("type") in (None, "string") or (isinstance(schema.get("type"), list)
                                                  and "string" in schema["type"]):
        if pattern_for_numbers(schema.get("pattern")):
            return "has a pattern that matches one"
    for word in ("default", "examples", "const", "enum"):
        if word in schema and looks_like_a_number(schema[word]):
            return f"has a value in {word!r} shaped like one"
    return None


def check_schema(path: str, schema: dict, text: str | None = None) -> list[dict]:
    """Every field of a form's JSON Schema, at any depth, that would hold a personal identity number."""
    lines = json_lines(text) if text else {}
    found: list[dict] = []
    reported: set[str] = set()

    def report(name: str, at: tuple, reason: str) -> None:
        if name in reported:
            return
        reported.add(name)
        at_line = _line(lines, at)
        field_sv = f"Fältet '{name}'" if name != "(the form)" else "Formuläret"
        found.append({"file": path, "element": name or None, "line": at_line, "check": CHECK,
                      "message": f"{MESSAGE}. The field '{name}' {reason}; leave it out",
                      "message_sv": f"{field_sv} i formuläret {path}{f', rad {at_line}' if at_line else ''}, "
                      f"{_why_sv(reason)} personnummer. Ett formulär får inte fråga efter ett personnummer eller "
                      "samordningsnummer: ärendet har det i sin skyddade kolumn. Ta bort fältet"})

    def walk(schema, at: tuple, name: str, key: str | None) -> None:
        if not isinstance(schema, dict):
            return
        reason = why(key, schema)
        if reason:
            report(name or "(the form)", at, reason)
        prefix = f"{name}/" if name else ""
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for field, sub in properties.items():
                walk(sub, (*at, "properties", field), prefix + field, field)
        for word in SCHEMA_VALUES:
            if word in schema:
                walk(schema[word], (*at, word), f"{name}[]" if word in ("items", "contains") else name, None)
        for word in SCHEMA_LISTS:
            if isinstance(schema.get(word), list):
                for index, sub in enumerate(schema[word]):
                    walk(sub, (*at, word, index), f"{name}[]" if word == "prefixItems" else name, None)
        for word in SCHEMA_MAPS:
            if isinstance(schema.get(word), dict):
                for field, sub in schema[word].items():
                    walk(sub, (*at, word, field), prefix + field, field if word == "dependentSchemas" else None)
        for word in ("$defs", "definitions"):
            if isinstance(schema.get(word), dict):
                for field, sub in schema[word].items():
                    walk(sub, (*at, word, field), f"{word}/{field}", field)

    walk(schema, (), "", None)
    return found
