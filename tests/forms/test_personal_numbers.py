"""No form asks for a personal identity number: what a form is given becomes process data, which every
participant of the case reads, while the number is kept in the case's protected column only (docs/access.md).
A form with a field that would hold one is refused at deployment, naming the file, the field and its line."""

from __future__ import annotations

import pytest

from engine.deployment.form_privacy import MESSAGE, looks_like_a_number, pattern_for_numbers, why
from engine.deployment.form_rendering import check_schema, check_ui_schema
from engine.deployment.validation import check_json_schema

from .conftest import BROKEN, ROOT, SCHEMAS, read, ui_of


def form_id(path):
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", SCHEMAS, ids=form_id)
def test_no_form_of_the_routine_asks_for_a_personal_identity_number(path):
    assert check_json_schema(path.name, read(path), path.read_text(encoding="utf-8")) == []


REFUSED = [
    # (fixture, the field named, its line, words of the message)
    ("personal_number_in_a_group", "huvudperson/personnummer", 20, ["named like one"]),
    ("personal_number_by_title", "id_nummer", 12, ["title", "Samordningsnummer"]),
    ("personal_number_in_rows", "narstaende[]/Personal_Number", 23, ["named like one"]),
    ("personal_number_by_pattern", "identitet", 12, ["pattern"]),
    ("personal_number_as_example", "identitet", 12, ["'examples'"]),
    ("personal_number_in_definitions", "$defs/person/personnr", 25, ["named like one"]),
]


@pytest.mark.parametrize("name, field, line, words", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_form_asking_for_a_personal_identity_number_is_refused_naming_the_field(name, field, line, words):
    path = BROKEN / f"{name}.schema.json"
    [found] = check_json_schema(path.name, read(path), path.read_text(encoding="utf-8"))
    assert found["file"] == path.name
    assert (found["element"], found["line"], found["check"]) == (field, line, "privacy")
    assert found["message"].startswith(MESSAGE) and f"'{field}'" in found["message"]
    for word in words:
        assert word in found["message"]
    assert "1212" not in found["message"]  # the value found is not repeated


@pytest.mark.parametrize("name", [r[0] for r in REFUSED])
def test_those_forms_could_be_shown_so_it_is_the_number_that_refuses_them(name):
    path = BROKEN / f"{name}.schema.json"
    schema, ui = read(path), read(ui_of(path))
    assert check_schema(path.name, schema) == []
    assert check_ui_schema(path.name, schema, ui_of(path).name, ui) == []


@pytest.mark.parametrize("key", ["personnummer", "PersonNummer", "huvudperson_personnr", "personal_number",
                                 "personalNumber", "Samordnings-nummer", "samordningsnümmer"])
def test_a_field_named_for_the_number_is_refused_however_it_is_written(key):
    assert why(key, {"type": "string", "title": "Nummer"}) == "is named like one"


@pytest.mark.parametrize("pattern", ["^(\\d{2})?\\d{6}[-+]?\\d{4}$", "^\\d{8}-\\d{4}$", "\\d{6}-\\d{4}",
                                     "^[0-9]{6}[-+][0-9]{4}$", "^(19|20)?[0-9]{10}$"])
def test_a_pattern_for_personal_numbers_is_refused(pattern):
    assert pattern_for_numbers(pattern)
    assert why("nummer", {"type": "string", "title": "Nummer", "pattern": pattern})


@pytest.mark.parametrize("pattern", ["^([01][0-9]|2[0-3]):[0-5][0-9]$", "^[0-9-]+$", "\\S", ".*",
                                     "^\\+?[0-9 -]{6,20}$", "^\\d{4}-\\d{2}-\\d{2}$", "(", "^[A-Z]{3}$"])
def test_a_pattern_that_is_not_for_personal_numbers_passes(pattern):
    assert not pattern_for_numbers(pattern)


@pytest.mark.parametrize("value", ["19121212-1212", "191212121212", "121212-1212", "121212+1212", "701063-2391",
                                   ["Till exempel 19121212-1212"], {"nummer": "197010632391"}])
def test_a_default_or_example_shaped_like_a_personal_number_is_refused(value):
    assert looks_like_a_number(value)
    assert why("uppgift", {"type": "string", "title": "Uppgift", "default": value})
    assert why("uppgift", {"type": "string", "title": "Uppgift", "examples": [value]})


@pytest.mark.parametrize("value", ["0701234567", "070-123 45 67", "2026-12-05", "12:30", "Anna", "1212", 191212121212])
def test_ordinary_values_are_not_taken_for_a_personal_number(value):
    assert not looks_like_a_number(value)
