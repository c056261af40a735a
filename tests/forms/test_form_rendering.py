"""Every form of the routine can be shown by the staff web app (react-jsonschema-form 6, default theme), and a
form it cannot show is refused, naming the file, the field and its line, as a broken diagram is."""

from __future__ import annotations

import re

import pytest

from engine.deployment.form_rendering import check_schema, check_ui_schema

from .conftest import BROKEN, ROOT, SCHEMAS, UNANSWERED, read, ui_of, with_a_row_in_every_list


def checked(schema_path, ui_path=None) -> list[dict]:
    ui_path = ui_path or ui_of(schema_path)
    schema_text, ui_text = schema_path.read_text(encoding="utf-8"), ui_path.read_text(encoding="utf-8")
    schema, ui = read(schema_path), read(ui_path)
    return (check_schema(schema_path.name, schema, schema_text)
            or check_ui_schema(schema_path.name, schema, ui_path.name, ui, ui_text, schema_text))


def fields(schema: dict, at: str = ""):
    """Every field of a form as (path, schema), the fields of a list's rows as `list[]/field`."""
    for key, prop in (schema.get("properties") or {}).items():
        path = f"{at}/{key}" if at else key
        yield path, prop
        if prop.get("type") == "object":
            yield from fields(prop, path)
        if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
            yield f"{path}[]", prop["items"]
            if prop["items"].get("type") == "object":
                yield from fields(prop["items"], f"{path}[]")


def ui_at(ui: dict, path: str) -> dict:
    node = ui
    for part in path.split("/"):
        node = node.get(part.removesuffix("[]"), {})
        if part.endswith("[]"):
            node = node.get("items", {})
    return node


def form_id(path):
    return str(path.relative_to(ROOT))


# -- the routine's forms --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SCHEMAS, ids=form_id)
def test_every_form_of_the_routine_passes_the_check(path):
    assert checked(path) == []


@pytest.mark.parametrize("path", SCHEMAS, ids=form_id)
def test_every_field_row_and_choice_has_a_label(path):
    schema = read(path)
    for at, field in fields(schema):
        name = at.rsplit("/", 1)[-1].removesuffix("[]")
        assert field.get("title") and field["title"] != name, f"{at} has no label of its own"
        for option in field.get("oneOf") or []:
            assert option.get("title"), f"a choice of {at} has no label"


@pytest.mark.parametrize("path", SCHEMAS, ids=form_id)
def test_choices_and_yes_no_questions_have_the_shapes_the_web_app_shows(path):
    schema, ui = read(path), read(ui_of(path))
    for at, field in fields(schema):
        options = field.get("oneOf") or field.get("anyOf")
        if options:
            assert field.get("type") == "string" and all("const" in o for o in options), at
        if field.get("type") == "boolean" and ui_at(ui, at).get("ui:widget") == "radio":
            assert ui_at(ui, at).get("ui:enumNames") == ["Ja", "Nej"], at
        if field.get("type") == "boolean":
            assert "const" not in field, f"{at}: a box must be ticked by a person, not by the form"


def test_the_next_follow_up_is_a_plain_date_left_out_when_empty():
    schema = read(ROOT / "forms" / "genomfor_uppfoljning.schema.json")
    assert schema["properties"]["nasta_uppfoljningsdatum"] == {
        "type": "string", "format": "date", "title": "Nästa uppföljning"}
    assert "nasta_uppfoljningsdatum" not in schema["required"]


# -- what is refused ------------------------------------------------------------------------------------------

REFUSED = [
    # (fixture, the file the problem is in, the field named, its line, words of the message)
    ("choice_without_type", "schema", "svar", 12, ['"type": "string"']),
    ("choice_without_type_in_rows", "schema", "deltagare[]/huvudmannatyp", 23, ['"type": "string"']),
    ("field_without_type", "schema", "anteckning", 12, ['no "type"']),
    ("two_types", "schema", "antal", 13, ["one type"]),
    ("null_type", "schema", "inget", 13, ['"null" shows no control']),
    ("unknown_format", "schema", "telefon", 14, ["'phone'", "date"]),
    ("empty_string_or_date", "schema", "nasta", 16, ["anyOf", "leave an optional field out"]),
    ("list_without_items", "schema", "kontaktade", 12, ['without "items"']),
    ("missing_definition", "schema", "adress", 12, ["'#/$defs/adress'"]),
    ("condition_on_unknown_field", "schema", "ersattare", 33, ["condition", "does not have"]),
    ("condition_on_unknown_nested_field", "schema", "samordningsansvarig/vardcentral", 39,
     ["condition", "does not have"]),
    ("ticked_by_itself", "schema", "godkand", 14, ['"enum": [true]']),
    ("choice_of_wrong_type", "schema", "antal", 12, ['"två"', "'integer'"]),
    ("required_box_without_default", "schema", "informerad", 12, ['"default": false', "radio"]),
    ("unknown_widget", "uischema", "kommentar", 8, ["'stjarnor'", "textarea"]),
    ("widget_of_another_type", "uischema", "informerad", 8, ["'textarea'", "'boolean'", "radio"]),
    ("ui_for_unknown_field", "uischema", "kommentarer", 7, ["does not have"]),
    ("ui_for_unknown_field_in_rows", "uischema", "mal[]/delmal", 8, ["does not have"]),
    ("order_with_unknown_field", "uischema", "datum", 2, ["ui:order", "'datum'"]),
    ("order_leaving_out_a_field", "uischema", "informerad", 2, ["ui:order", "leaves out", "'informerad'"]),
    ("visible_when_unknown_field", "uischema", "kommentar", 9, ["visibleWhen", "'informerat'", "does not have"]),
    ("choices_from_a_text_field", "schema", "huvudman", 15, ["choicesFrom", "is no choice", "oneOf"]),
    ("choices_from_without_a_variable", "schema", "deltagare[]/huvudmannatyp", 27,
     ["choicesFrom", '{"variable": NAME, "message": TEXT}']),
    ("organisations_from_badly_written", "schema", "organisation", 15,
     ["organisationsFrom", '{"kindsFrom": NAME, "kindField": FIELD, "message": TEXT}']),
    ("organisations_from_a_choice", "schema", "organisation", 21, ["organisationsFrom", "is no text field"]),
]


@pytest.mark.parametrize("name, kind, field, line, words", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_form_the_web_app_cannot_show_well_is_refused_naming_the_field(name, kind, field, line, words):
    [found] = checked(BROKEN / f"{name}.schema.json")
    assert found["file"] == f"{name}.{kind}.json"
    assert (found["element"], found["line"], found["check"]) == (field, line, "rendering")
    assert f"'{field}'" in found["message"]
    for word in words:
        assert word in found["message"]


def test_local_definitions_enums_and_radio_buttons_pass():
    assert checked(BROKEN / "fine.schema.json") == []


# -- the web app's own renderer -------------------------------------------------------------------------------

CONTROL = '<(?:input|select|textarea)[^>]*\\bid="{id}(?:-\\d+)?"'


def rendered_ids(path: str) -> str:
    """The id rjsf gives a field (`deltagare[]/namn` in the first row: root_deltagare_0_namn)."""
    return "_".join(["root", *[p.replace("[]", "_0") for p in path.split("/")]])


def test_every_field_of_every_form_gets_a_control_in_the_web_app(render):
    forms = [{"name": form_id(p), "schema": read(p), "uiSchema": read(ui_of(p)),
              "formData": with_a_row_in_every_list(read(p))} for p in SCHEMAS]
    shown = render(forms)
    for form in forms:
        html, error = shown[form["name"]]
        assert error is None, (form["name"], error)
        assert "unsupported-field" not in html and "rjsf-config-error" not in html, form["name"]
        every = dict(fields(form["schema"]))
        for at, field in every.items():
            if field.get("type") == "object" or (field.get("type") == "array" and not field.get("uniqueItems")):
                continue  # a group, or a list of rows: the fields of its (first) row are checked one by one
            if at.endswith("[]") and every[at.removesuffix("[]")].get("uniqueItems"):
                continue  # the choices of a list of choices: checked as the list
            assert re.search(CONTROL.format(id=re.escape(rendered_ids(at))), html), (form["name"], at)


def test_nothing_is_answered_before_a_person_answers_it_but_the_forms_own_defaults(render):
    forms = [{"name": form_id(p), "schema": read(p), "uiSchema": read(ui_of(p)), "formData": {},
              "behavior": UNANSWERED} for p in SCHEMAS]
    shown = render(forms)
    for form in forms:
        html, error = shown[form["name"]]
        assert error is None
        ticked = set(re.findall(r'<input[^>]*\bid="(root_\w+?)(?:-\d+)?"[^>]*\bchecked=""', html))
        by_id = {rendered_ids(at): field for at, field in fields(form["schema"])}
        assert {i for i in ticked if by_id[i].get("default") is not True} == set(), form["name"]
        defaults = {key for key, prop in form["schema"]["properties"].items() if prop.get("default") is True}
        assert {rendered_ids(key) for key in defaults} <= ticked, form["name"]
        assert not re.search(r'<option value="[^"]+" selected=""', html), form["name"]


UNSHOWABLE = ["choice_without_type", "choice_without_type_in_rows", "field_without_type", "list_without_items",
              "missing_definition", "null_type", "unknown_widget", "widget_of_another_type",
              "order_leaving_out_a_field"]


def test_what_the_check_calls_unshowable_is_unshowable_in_the_web_app(render):
    forms = []
    for name in UNSHOWABLE:
        schema = read(BROKEN / f"{name}.schema.json")
        forms.append({"name": name, "schema": schema, "uiSchema": read(BROKEN / f"{name}.uischema.json"),
                      "formData": with_a_row_in_every_list(schema)})
    forms.append({"name": "fine", "schema": read(BROKEN / "fine.schema.json"),
                  "uiSchema": read(BROKEN / "fine.uischema.json"), "formData": {}})
    shown = render(forms)
    for form in forms:
        html, error = shown[form["name"]]
        field = checked(BROKEN / f"{form['name']}.schema.json")
        failed = bool(error) or "unsupported-field" in html or "rjsf-config-error" in html or bool(
            field and not re.search(CONTROL.format(id=re.escape(rendered_ids(field[0]["element"]))), html))
        assert failed == (form["name"] != "fine"), (form["name"], error, html[:300])
