"""Whether the staff web app can show a form: react-jsonschema-form (rjsf 6, its default theme) renders each
field by the type it resolves the field's schema to (`getSchemaType`), a choice as a select or radio buttons
when every option of its `oneOf`/`anyOf` is a `const` (`isSelect`), and a widget named in the UI schema only if
the theme has it for that type (`getWidget`). A field it cannot resolve shows no control or "Unsupported field
schema", and a `ui:order` that leaves out a field stops the whole form. These checks mirror those rules, so
such a form is refused at deployment, naming the file, the field and the line, instead of failing in front of
the staff who must fill it in.

Field paths read like data paths, with `[]` for the items of a list: `deltagare[]/huvudmannatyp`.
"""

from __future__ import annotations

import json
from json.decoder import JSONDecodeError, scanstring

CHECK = "rendering"

# The field components of rjsf's SchemaField by type; a type outside them falls back to "Unsupported field".
FIELD_TYPES = {"array", "boolean", "integer", "number", "object", "string"}
# The formats the default theme has a widget for, and which the validator knows, among those a form may use.
STRING_FORMATS = {"date", "date-time", "email", "uri", "time", "data-url"}
# `widgetMap` of @rjsf/utils' getWidget: the widget names the default theme has per type.
WIDGETS_BY_TYPE = {
    "boolean": {"checkbox", "radio", "select", "hidden"},
    "string": {"text", "password", "email", "hostname", "ipv4", "ipv6", "uri", "data-url", "radio", "select",
               "textarea", "hidden", "date", "datetime", "date-time", "alt-date", "alt-datetime", "time", "color",
               "file"},
    "number": {"text", "select", "updown", "range", "radio", "hidden"},
    "integer": {"text", "select", "updown", "range", "radio", "hidden"},
    "array": {"select", "checkboxes", "files", "hidden"},
    "object": {"hidden"},
}
# The widgets and fields of the default theme's registry, which a UI schema may also name directly.
THEME_WIDGETS = {
    "AltDateWidget", "AltDateTimeWidget", "CheckboxWidget", "CheckboxesWidget", "ColorWidget", "DateWidget",
    "DateTimeWidget", "EmailWidget", "FileWidget", "HiddenWidget", "PasswordWidget", "RadioWidget", "RangeWidget",
    "RatingWidget", "SelectWidget", "TextWidget", "TextareaWidget", "TimeWidget", "UpDownWidget", "URLWidget",
}
THEME_FIELDS = {
    "AnyOfField", "ArrayField", "BooleanField", "FallbackField", "NumberField", "ObjectField", "OneOfField",
    "SchemaField", "StringField", "NullField",
}
CHECKBOX_WIDGETS = {"checkbox", "CheckboxWidget"}
CONDITION_KEYS = ("if", "then", "else")
MAX_REF_DEPTH = 16


def problem(file: str, field: str | None, message: str, line: int | None, message_sv: str | None = None) -> dict:
    """A problem of the check: `message` in English, `message_sv` what a process owner reads (the file, the
    field and the line are put before it)."""
    found = {"file": file, "element": field or None, "line": line, "message": message, "check": CHECK}
    if message_sv:
        at = f", rad {line}" if line else ""
        found["message_sv"] = f"I formulärfilen {file}{at}: {message_sv}"
    return found


# -- where things are in a JSON file ----------------------------------------------------------------------------


def json_lines(text: str) -> dict[tuple, int]:
    """The line of every member and item of a JSON document, by its path of keys and indexes (an object's
    member at the line of its key). Empty when the text is not JSON."""
    lines: dict[tuple, int] = {}
    decoder = json.JSONDecoder()

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    def value(i: int, path: tuple) -> int:
        i = skip(i)
        lines.setdefault(path, text.count("\n", 0, i) + 1)
        if text.startswith("{", i):
            i = skip(i + 1)
            if text.startswith("}", i):
                return i + 1
            while True:
                i = skip(i)
                start = i
                key, i = scanstring(text, i + 1)
                lines[(*path, key)] = text.count("\n", 0, start) + 1
                i = skip(i) + 1  # the colon
                i = skip(value(i, (*path, key)))
                if text.startswith("}", i):
                    return i + 1
                i += 1  # the comma
        if text.startswith("[", i):
            i = skip(i + 1)
            if text.startswith("]", i):
                return i + 1
            index = 0
            while True:
                i = skip(value(i, (*path, index)))
                if text.startswith("]", i):
                    return i + 1
                i, index = i + 1, index + 1
        return decoder.raw_decode(text, i)[1]

    try:
        value(0, ())
    except (JSONDecodeError, ValueError, IndexError, RecursionError):
        return {}
    return lines


def _line(lines: dict[tuple, int], at: tuple) -> int | None:
    while at and at not in lines:
        at = at[:-1]
    return lines.get(at)


# -- how rjsf reads a schema ------------------------------------------------------------------------------------


def _js_truthy(value) -> bool:
    return value not in (None, False, 0, "") if not isinstance(value, (list, dict)) else True


def _guess_type(value) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "object" if isinstance(value, dict) else "string"


def schema_type(schema: dict):
    """The type rjsf gives a field (`getSchemaType`): its `type`, else guessed from a truthy `const`, an `enum`
    (a string) or object keywords; a list of two types with "null" is the other one. None when it has none."""
    type_ = schema.get("type")
    if not _js_truthy(type_):
        if _js_truthy(schema.get("const")):
            return _guess_type(schema["const"])
        if "enum" in schema and schema["enum"] is not None:
            return "string"
        if any(_js_truthy(schema.get(k)) for k in ("properties", "additionalProperties", "patternProperties")):
            return "object"
    return type_ or None


def _is_constant(option) -> bool:
    return isinstance(option, dict) and (
        (isinstance(option.get("enum"), list) and len(option["enum"]) == 1) or "const" in option)


def is_select(schema: dict) -> bool:
    """rjsf's `isSelect`: an `enum`, or a `oneOf` (else `anyOf`) whose every option is a single constant."""
    if isinstance(schema.get("enum"), list):
        return True
    options = schema.get("oneOf") or schema.get("anyOf")
    return isinstance(options, list) and all(_is_constant(o) for o in options)


def _options(schema: dict) -> list:
    found = schema.get("oneOf") or schema.get("anyOf")
    return found if isinstance(found, list) else []


def _choice_values(schema: dict) -> list:
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    return [o["const"] if "const" in o else o["enum"][0] for o in _options(schema) if _is_constant(o)]


def _fits(value, type_: str) -> bool:
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "boolean":
        return isinstance(value, bool)
    if type_ == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if type_ == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


class _Unresolved(Exception):
    def __init__(self, message: str, message_sv: str = ""):
        super().__init__(message)
        self.message_sv = message_sv


def resolve(schema, root: dict, depth: int = 0) -> dict:
    """The schema of a field as rjsf's `retrieveSchema` gives it before the data is known: a local `$ref`
    replaced by what it names (the field's own keywords win), `allOf` merged in."""
    if schema is True:
        return {}
    if not isinstance(schema, dict):
        raise _Unresolved("accepts no value at all", "tar inte emot något värde alls")
    if depth > MAX_REF_DEPTH:
        raise _Unresolved("refers to itself through $ref without end", "hänvisar till sig självt via $ref utan slut")
    if "$ref" in schema:
        ref = schema["$ref"]
        target = _local_ref(ref, root)
        if target is None:
            raise _Unresolved(f"refers to {ref!r}, which the form does not define (only '#/$defs/…' within the "
                              "form can be shown)", f"hänvisar till {ref!r}, som formuläret inte definierar (bara "
                              "'#/$defs/…' i samma formulär kan visas)")
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**resolve(target, root, depth + 1), **rest}
    if isinstance(schema.get("allOf"), list):
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = resolve(part, root, depth + 1)
            for key, value in part.items():
                if key == "properties" and isinstance(value, dict):
                    merged["properties"] = {**value, **(merged.get("properties") or {})}
                elif key == "required" and isinstance(value, list):
                    merged["required"] = sorted(set(merged.get("required") or []) | set(value))
                elif key not in CONDITION_KEYS:
                    merged.setdefault(key, value)
        schema = merged
    return schema


def _local_ref(ref, root: dict):
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    node = root
    for part in [p for p in ref[1:].split("/") if p]:
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# -- the form's schema ------------------------------------------------------------------------------------------


def check_schema(path: str, schema: dict, text: str | None = None) -> list[dict]:
    """Every field of a form's JSON Schema (into the fields of groups and the items of lists) resolves to a
    control rjsf shows; conditions (if/then/else) name only fields the form has."""
    checker = _SchemaChecker(path, schema, json_lines(text) if text else {})
    if schema_type(schema) != "object":
        checker.report("", ("type",), "A form must be a group of fields: its JSON Schema needs \"type\": \"object\" "
                       "and its fields under \"properties\"")
        return checker.found
    checker.object(schema, (), "", conditions=schema)
    return checker.found


class _SchemaChecker:
    TICKED_BY_ITSELF = ("The yes/no field '{name}' has a \"const\", which the form fills in by itself, so the box "
                        "is ticked before anyone has confirmed it; write \"enum\": [true] for a box that must be "
                        "ticked")
    TICKED_BY_ITSELF_SV = ("Ja/nej-fältet '{name}' har \"const\", som formuläret fyller i av sig självt, så rutan är "
                           "ikryssad innan någon har bekräftat; skriv \"enum\": [true] för en ruta som måste kryssas")

    def __init__(self, path: str, root: dict, lines: dict):
        self.path, self.root, self.lines, self.found = path, root, lines, []

    def report(self, field: str, at: tuple, message: str, sv: str | None = None) -> None:
        self.found.append(problem(self.path, field, message, _line(self.lines, at), sv))

    def field(self, schema, at: tuple, name: str) -> None:
        """One field: `at` is where its schema is in the file, `name` its path in the data."""
        try:
            resolved = resolve(schema, self.root)
        except _Unresolved as err:
            self.report(name, at, f"The field '{name}' cannot be shown in the form: it {err}",
                        f"Fältet '{name}' kan inte visas i formuläret: det {err.message_sv}")
            return
        type_ = schema_type(resolved)
        if isinstance(type_, list):
            kinds = [t for t in type_ if t != "null"]
            if len(kinds) != 1:
                self.report(name, (*at, "type"), f"The field '{name}' cannot be shown in the form: its type "
                            f"{json.dumps(type_)} must be one type (or one type and \"null\")",
                            f"Fältet '{name}' kan inte visas i formuläret: dess typ {json.dumps(type_)} ska vara en "
                            "enda typ (eller en typ och \"null\")")
                return
            type_ = kinds[0]
        select = is_select(resolved)
        options = _options(resolved)
        if type_ is None:
            if select and options:
                self.report(name, at, f"The field '{name}' cannot be shown in the form: a choice of const options "
                            "needs the type of its values, e.g. \"type\": \"string\"",
                            f"Fältet '{name}' kan inte visas i formuläret: ett val mellan const-alternativ behöver "
                            "värdenas typ, t.ex. \"type\": \"string\"")
            elif options and all(self._option_type(o) in ("array", "object") for o in options):
                self.xxx_of(resolved, at, name, None)
            elif options:
                self.not_a_choice(resolved, at, name)
            else:
                self.report(name, at, f"The field '{name}' cannot be shown in the form: it has no \"type\"",
                            f"Fältet '{name}' kan inte visas i formuläret: det saknar \"type\". Skriv t.ex. "
                            "\"type\": \"string\"")
            return
        if type_ not in FIELD_TYPES:
            reason = ("a field of type \"null\" shows no control" if type_ == "null"
                      else f"there is no control for the type {type_!r}")
            reason_sv = ("ett fält av typen \"null\" visar ingen kontroll" if type_ == "null"
                         else f"det finns ingen kontroll för typen {type_!r}")
            self.report(name, (*at, "type"), f"The field '{name}' cannot be shown in the form: {reason}",
                        f"Fältet '{name}' kan inte visas i formuläret: {reason_sv}. Använd string, number, integer, "
                        "boolean, array eller object")
            return
        if select:
            for value in _choice_values(resolved):
                if not _fits(value, type_):
                    self.report(name, at, f"The choice {json.dumps(value, ensure_ascii=False)} of the field "
                                f"'{name}' is not of its type {type_!r}, so it can never be chosen",
                                f"Valet {json.dumps(value, ensure_ascii=False)} i fältet '{name}' är inte av fältets "
                                f"typ {type_!r}, så det kan aldrig väljas")
        elif options and type_ in ("array", "object"):
            self.xxx_of(resolved, at, name, type_)
        elif options:
            self.not_a_choice(resolved, at, name)
        if type_ == "boolean" and "const" in resolved:
            self.report(name, (*at, "const"), self.TICKED_BY_ITSELF.format(name=name),
                        self.TICKED_BY_ITSELF_SV.format(name=name))
        if "choicesFrom" in resolved:
            self.choices_from(resolved, at, name, select)
        if "organisationsFrom" in resolved:
            self.organisations_from(resolved, at, name, type_)
        fmt = resolved.get("format")
        if type_ == "string" and fmt is not None and fmt not in STRING_FORMATS:
            self.report(name, (*at, "format"), f"The field '{name}' has the format {fmt!r}, which the form cannot "
                        f"show; use one of {', '.join(sorted(STRING_FORMATS))}, or none",
                        f"Fältet '{name}' har formatet {fmt!r}, som formuläret inte kan visa; använd något av "
                        f"{', '.join(sorted(STRING_FORMATS))}, eller inget")
        if type_ == "object":
            self.object(resolved, at, name, conditions=schema if isinstance(schema, dict) else resolved)
        elif type_ == "array":
            self.array(resolved, at, name)

    def choices_from(self, schema: dict, at: tuple, name: str, select: bool) -> None:
        """`choicesFrom` (engine/forms/choices.py) narrows a choice to the values a variable of the case lists."""
        spec = schema["choicesFrom"]
        where = (*at, "choicesFrom")
        if not isinstance(spec, dict) or not isinstance(spec.get("variable"), str) \
                or not spec["variable"].isidentifier() or set(spec) - {"variable", "message"}:
            self.report(name, where, f"The field '{name}' has a \"choicesFrom\" that is not "
                        "{\"variable\": NAME, \"message\": TEXT}: NAME is the process variable listing the "
                        "values that may be chosen, TEXT what staff read when another value is sent",
                        f"Fältet '{name}' har ett \"choicesFrom\" som inte är {{\"variable\": NAMN, \"message\": "
                        "TEXT}: NAMN är processvariabeln som listar de värden som får väljas, TEXT det personalen "
                        "läser när ett annat värde skickas")
        elif "message" in spec and (not isinstance(spec["message"], str) or not spec["message"].strip()):
            self.report(name, where, f"The \"choicesFrom\" of the field '{name}' has an empty \"message\"",
                        f"\"choicesFrom\" i fältet '{name}' har ett tomt \"message\"; skriv vad personalen ska läsa")
        if not select:
            self.report(name, where, f"The field '{name}' takes its choices from a variable (\"choicesFrom\") but "
                        "is no choice: give it its options as \"oneOf\" of const options with titles, or \"enum\"",
                        f"Fältet '{name}' tar sina val från en variabel (\"choicesFrom\") men är inget val: ge det "
                        "alternativ som \"oneOf\" med const och rubriker, eller \"enum\"")

    def organisations_from(self, schema: dict, at: tuple, name: str, type_) -> None:
        """`organisationsFrom` (engine/forms/organisations.py) offers the organisations of the case's region."""
        spec = schema["organisationsFrom"]
        where = (*at, "organisationsFrom")
        kinds = spec.get("kindsFrom") if isinstance(spec, dict) else None
        kind_field = spec.get("kindField") if isinstance(spec, dict) else None
        if not isinstance(spec, dict) or set(spec) - {"kindsFrom", "kindField", "message"} \
                or any(value is not None and (not isinstance(value, str) or not value.isidentifier())
                       for value in (kinds, kind_field)):
            self.report(name, where, f"The field '{name}' has an \"organisationsFrom\" that is not "
                        "{\"kindsFrom\": NAME, \"kindField\": FIELD, \"message\": TEXT} (each optional): NAME is "
                        "the process variable listing the huvudman kinds offered, FIELD the field of the same row "
                        "holding the organisation's kind, TEXT what staff read when another organisation is sent",
                        f"Fältet '{name}' har ett \"organisationsFrom\" som inte är {{\"kindsFrom\": NAMN, "
                        "\"kindField\": FÄLT, \"message\": TEXT} (alla frivilliga): NAMN är processvariabeln som "
                        "listar de slags huvudmän som erbjuds, FÄLT fältet i samma rad som håller organisationens "
                        "slag av huvudman, TEXT det personalen läser när en annan organisation skickas")
        elif "message" in spec and (not isinstance(spec["message"], str) or not spec["message"].strip()):
            self.report(name, where, f"The \"organisationsFrom\" of the field '{name}' has an empty \"message\"",
                        f"\"organisationsFrom\" i fältet '{name}' har ett tomt \"message\"; skriv vad personalen ska "
                        "läsa")
        if type_ != "string" or is_select(schema):
            self.report(name, where, f"The field '{name}' takes an organisation of the registry "
                        "(\"organisationsFrom\") but is no text field: give it \"type\": \"string\" and no options",
                        f"Fältet '{name}' tar en organisation ur registret (\"organisationsFrom\") men är inget "
                        "textfält: ge det \"type\": \"string\" och inga alternativ")

    def _option_type(self, option):
        try:
            return schema_type(resolve(option, self.root))
        except _Unresolved:
            return None

    def not_a_choice(self, schema: dict, at: tuple, name: str) -> None:
        key = "oneOf" if isinstance(schema.get("oneOf"), list) else "anyOf"
        self.report(name, (*at, key), f"The field '{name}' cannot be shown as one control: its {key} is not a choice "
                    "of const options, so the form would first ask to pick one of its sub-schemas; write a choice "
                    "as const options with titles, and leave an optional field out instead of allowing \"\"",
                    f"Fältet '{name}' kan inte visas som en kontroll: dess {key} är inget val mellan const-alternativ, "
                    "så formuläret skulle först be om att välja ett av dess delscheman; skriv ett val som "
                    "const-alternativ med rubriker, och lämna ett frivilligt fält tomt i stället för att tillåta \"\"")

    def xxx_of(self, schema: dict, at: tuple, name: str, type_) -> None:
        """A choice between sub-schemas (not all constants): rjsf shows a selector of the options and the
        chosen option's fields; each option, with the field's type where it has none, must be shown."""
        key = "oneOf" if isinstance(schema.get("oneOf"), list) else "anyOf"
        for index, option in enumerate(schema[key]):
            if isinstance(option, dict) and type_ is not None and "type" not in option:
                option = {**option, "type": type_}
            self.field(option, (*at, key, index), f"{name} ({key} option {index + 1})")

    def array(self, schema: dict, at: tuple, name: str) -> None:
        items = schema.get("items")
        if items is None:
            self.report(name, at, f"The field '{name}' is a list without \"items\": the form cannot show its rows",
                        f"Fältet '{name}' är en lista utan \"items\": formuläret kan inte visa dess rader. Skriv "
                        "radernas schema i \"items\"")
            return
        self.field(items, (*at, "items"), f"{name}[]")

    def object(self, resolved: dict, at: tuple, name: str, conditions: dict) -> None:
        """The fields of a group; `conditions` is its schema as written, whose if/then/else (also in allOf)
        are checked against them."""
        properties = resolved.get("properties") or {}
        prefix = f"{name}/" if name else ""
        if isinstance(properties, dict):
            for key, prop in properties.items():
                self.field(prop, (*at, "properties", key), prefix + key)
        self.conditions(conditions, at, name, properties if isinstance(properties, dict) else {})

    def conditions(self, schema: dict, at: tuple, name: str, properties: dict) -> None:
        """if/then/else (also inside allOf) only check what is entered: each field they name is one of the
        form's, and a field they change keeps the control it has."""
        places = [((), schema)]
        if isinstance(schema.get("allOf"), list):
            places += [(("allOf", i), part) for i, part in enumerate(schema["allOf"]) if isinstance(part, dict)]
        where = f"'{name}'" if name else "the form"
        where_sv = f"fältet '{name}'" if name else "formuläret"
        for place, holder in places:
            for key in CONDITION_KEYS:
                branch = holder.get(key)
                if not isinstance(branch, dict):
                    continue
                branch_at = (*at, *place, key)
                named = branch.get("properties") if isinstance(branch.get("properties"), dict) else {}
                for field, sub in named.items():
                    field_name = f"{name}/{field}" if name else field
                    if field not in properties:
                        self.report(field_name, (*branch_at, "properties", field),
                                    f"A condition ({key}) of {where} names the field '{field_name}', which the "
                                    "form does not have",
                                    f"Ett villkor ({key}) i {where_sv} nämner fältet '{field_name}', som formuläret "
                                    "inte har")
                        continue
                    if key != "if" and isinstance(sub, dict) and isinstance(properties[field], dict):
                        self.changed_field(properties[field], sub, (*branch_at, "properties", field), field_name)
                for field in branch.get("required") or []:
                    if isinstance(field, str) and field not in properties and field not in named:
                        field_name = f"{name}/{field}" if name else field
                        self.report(field_name, (*branch_at, "required"),
                                    f"A condition ({key}) of {where} requires the field '{field_name}', which the "
                                    "form does not have",
                                    f"Ett villkor ({key}) i {where_sv} kräver fältet '{field_name}', som formuläret "
                                    "inte har")

    def changed_field(self, base: dict, change: dict, at: tuple, name: str) -> None:
        try:
            before = resolve(base, self.root)
            after = resolve({**before, **change}, self.root)
        except _Unresolved:
            return  # reported where the field is defined
        if schema_type(after) == "boolean" and "const" in change:
            self.report(name, (*at, "const"), self.TICKED_BY_ITSELF.format(name=name),
                        self.TICKED_BY_ITSELF_SV.format(name=name))
        elif "type" in change and schema_type(after) != schema_type(before):
            self.report(name, at, f"A condition changes the type of the field '{name}', so the form would show "
                        "another control for it than the one filled in",
                        f"Ett villkor ändrar typen på fältet '{name}', så formuläret skulle visa en annan kontroll "
                        "för det än den som fylldes i")
        elif schema_type(after) == "object" and isinstance(change.get("properties"), dict):
            own = before.get("properties") or {}
            for field, sub in change["properties"].items():
                if field not in own:
                    self.report(f"{name}/{field}", (*at, "properties", field), f"A condition names the field "
                                f"'{name}/{field}', which the form does not have",
                                f"Ett villkor nämner fältet '{name}/{field}', som formuläret inte har")
                elif isinstance(sub, dict) and isinstance(own[field], dict):
                    self.changed_field(own[field], sub, (*at, "properties", field), f"{name}/{field}")


# -- the form's UI schema ---------------------------------------------------------------------------------------


def check_ui_schema(schema_path: str, schema: dict, ui_path: str, ui, ui_text: str | None = None,
                    schema_text: str | None = None) -> list[dict]:
    """A UI schema against the form it shows: each key names a field of the form (`items` for the rows of a
    list), `ui:order` names every field of its group once (or has "*"), and only widgets and fields the
    default theme has are named. A required yes/no box needs a default: a box left untouched is no answer, so
    without one "no" could only be given by ticking and unticking it."""
    if not isinstance(ui, dict):
        return []  # reported by the form check
    checker = _UiChecker(schema_path, schema, json_lines(schema_text) if schema_text else {}, ui_path,
                         json_lines(ui_text) if ui_text else {})
    checker.node(ui, schema, (), (), "", required=False)
    return checker.found


class _UiChecker:
    def __init__(self, schema_path: str, root: dict, schema_lines: dict, ui_path: str, ui_lines: dict):
        self.schema_path, self.root, self.schema_lines = schema_path, root, schema_lines
        self.path, self.lines, self.found = ui_path, ui_lines, []

    def report(self, field: str, at: tuple, message: str, sv: str | None = None) -> None:
        self.found.append(problem(self.path, field, message, _line(self.lines, at), sv))

    def node(self, ui, schema, at: tuple, schema_at: tuple, name: str, required: bool) -> None:
        """The UI schema `ui` (at `at` in its file) of the field `name` whose schema is `schema` (at
        `schema_at` in the form's file)."""
        try:
            resolved = resolve(schema, self.root)
        except _Unresolved:
            return  # reported by the schema check
        type_ = schema_type(resolved)
        if isinstance(type_, list):
            kinds = [t for t in type_ if t != "null"]
            type_ = kinds[0] if len(kinds) == 1 else None
        what = f"the field '{name}'" if name else "the form"
        what_sv = f"fältet '{name}'" if name else "formuläret"
        if not isinstance(ui, dict):
            self.report(name, at, f"The UI schema of {what} must be a JSON object",
                        f"UI-schemat för {what_sv} ska vara ett JSON-objekt ({{ ... }})")
            return
        options = dict(ui["ui:options"]) if isinstance(ui.get("ui:options"), dict) else {}
        options.update({k[3:]: v for k, v in ui.items() if k.startswith("ui:") and k != "ui:options"})

        def where(key: str) -> tuple:
            return (*at, f"ui:{key}") if f"ui:{key}" in ui else (*at, "ui:options", key)

        widget = options.get("widget")
        if widget is not None:
            self.widget(widget, type_, where("widget"), name, what, what_sv)
        field = options.get("field")
        if field is not None and field not in THEME_FIELDS:
            self.report(name, where("field"), f"The UI schema names the field component {field!r} for {what}, "
                        "which the form's renderer does not have",
                        f"UI-schemat anger fältkomponenten {field!r} för {what_sv}, som formulärets visare inte har; "
                        "ta bort \"ui:field\"")
        if "enumNames" in options:
            self.enum_names(options["enumNames"], resolved, type_, where("enumNames"), name, what, what_sv)
        no_is_an_answer = "const" not in resolved and False in resolved.get("enum", [False])
        if (type_ == "boolean" and required and no_is_an_answer and (widget is None or widget in CHECKBOX_WIDGETS)
                and "default" not in resolved):
            self.found.append(problem(
                self.schema_path, name, f"The field '{name}' is a required yes/no box without a default: left "
                "unticked it is no answer, so 'no' can only be given by ticking and unticking it; give it "
                "\"default\": false, or show it as \"ui:widget\": \"radio\" in the UI schema",
                _line(self.schema_lines, schema_at),
                f"Fältet '{name}' är en obligatorisk ja/nej-ruta utan standardvärde: lämnad tom är den inget svar, "
                "så 'nej' kan bara ges genom att kryssa i och ur den; ge den \"default\": false, eller visa den som "
                "\"ui:widget\": \"radio\" i UI-schemat"))
        properties = resolved.get("properties") if type_ == "object" else None
        properties = properties if isinstance(properties, dict) else {}
        if "order" in options:
            self.order(options["order"], properties, where("order"), name, what, type_, what_sv)
        for key in ui:
            if key.startswith("ui:") or key in ("classNames", "additionalProperties", "oneOf", "anyOf"):
                continue
            if not (key in properties or (key == "items" and type_ == "array")):
                field_name = f"{name}/{key}" if name else key
                self.report(field_name, (*at, key), f"The UI schema names the field '{field_name}', which the form "
                            "does not have",
                            f"UI-schemat nämner fältet '{field_name}', som formuläret inte har; ta bort det eller "
                            "lägg till fältet i formuläret")
        if type_ == "array" and isinstance(resolved.get("items"), dict):
            self.node(ui.get("items", {}), resolved["items"], (*at, "items"), (*schema_at, "items"), f"{name}[]",
                      required=False)
        own_required = set(resolved.get("required") or []) if type_ == "object" else set()
        for key, prop in properties.items():
            self.visible_when(ui.get(key, {}), properties, (*at, key), key, f"{name}/{key}" if name else key,
                              in_row="[]" in name)
            self.node(ui.get(key, {}), prop, (*at, key), (*schema_at, "properties", key),
                      f"{name}/{key}" if name else key, required=key in own_required)

    def visible_when(self, ui, properties: dict, at: tuple, key: str, name: str, in_row: bool) -> None:
        """The web app's own option `visibleWhen` (docs/forms.md): the field is shown only while another field of
        its group, outside a list's rows, has the value given, `{"field": "...", "equals": ...}`."""
        if not isinstance(ui, dict):
            return
        options = ui.get("ui:options") if isinstance(ui.get("ui:options"), dict) else {}
        if "visibleWhen" in options:
            rule, at = options["visibleWhen"], (*at, "ui:options", "visibleWhen")
        elif "ui:visibleWhen" in ui:
            rule, at = ui["ui:visibleWhen"], (*at, "ui:visibleWhen")
        else:
            return
        if in_row:
            self.report(name, at, f"visibleWhen of the field '{name}' is in a list's rows, where the web app does "
                        "not apply it", f"visibleWhen för fältet '{name}' står i en listas rader, där webbappen inte "
                        "använder det")
        elif not (isinstance(rule, dict) and set(rule) == {"field", "equals"} and isinstance(rule["field"], str)):
            self.report(name, at, f"visibleWhen of the field '{name}' must be "
                        '{"field": <a field of the same group>, "equals": <its value>}',
                        f"visibleWhen för fältet '{name}' ska vara "
                        '{"field": <ett fält i samma grupp>, "equals": <dess värde>}')
        elif rule["field"] not in properties or rule["field"] == key:
            self.report(name, at, f"visibleWhen of the field '{name}' names the field '{rule['field']}', which its "
                        "group does not have", f"visibleWhen för fältet '{name}' nämner fältet '{rule['field']}', "
                        "som inte finns i samma grupp")

    def widget(self, widget, type_, at: tuple, name: str, what: str, what_sv: str = "") -> None:
        if not isinstance(widget, str):
            self.report(name, at, f"The widget of {what} must be given by its name",
                        f"Kontrollen (widget) för {what_sv} ska anges med sitt namn")
            return
        if widget in THEME_WIDGETS or widget in WIDGETS_BY_TYPE.get(type_ or "", ()):
            return
        known = sorted(WIDGETS_BY_TYPE.get(type_ or "", ()))
        self.report(name, at, f"The UI schema shows {what} with the widget {widget!r}, which the form's renderer "
                    f"does not have for a field of type {type_!r}" + (f"; use one of {', '.join(known)}"
                                                                       if known else ""),
                    f"UI-schemat visar {what_sv} med kontrollen {widget!r}, som formulärets visare inte har för ett "
                    f"fält av typen {type_!r}" + (f"; använd någon av {', '.join(known)}" if known else ""))

    def enum_names(self, names, schema: dict, type_, at: tuple, name: str, what: str, what_sv: str = "") -> None:
        if type_ == "boolean" and "enum" not in schema and "oneOf" not in schema:
            count = 2
        elif isinstance(schema.get("enum"), list):
            count = len(schema["enum"])
        else:
            return
        if not isinstance(names, list) or len(names) != count or not all(isinstance(n, str) for n in names):
            self.report(name, at, f"ui:enumNames of {what} must be a list of {count} labels, one per choice",
                        f"ui:enumNames för {what_sv} ska vara en lista med {count} etiketter, en per val")

    def order(self, order, properties: dict, at: tuple, name: str, what: str, type_, what_sv: str = "") -> None:
        if type_ != "object":
            self.report(name, at, f"ui:order is given for {what}, which is not a group of fields",
                        f"ui:order anges för {what_sv}, som inte är en grupp av fält; ta bort det")
            return
        if not isinstance(order, list) or not all(isinstance(k, str) for k in order):
            self.report(name, at, f"ui:order of {what} must be a list of field names",
                        f"ui:order för {what_sv} ska vara en lista med fältnamn")
            return
        for key in order:
            if key != "*" and key not in properties:
                field_name = f"{name}/{key}" if name else key
                self.report(field_name, at, f"ui:order of {what} names the field '{key}', which the form does not "
                            "have", f"ui:order för {what_sv} nämner fältet '{key}', som formuläret inte har")
        if order.count("*") > 1:
            self.report(name, at, f"ui:order of {what} has more than one \"*\"",
                        f"ui:order för {what_sv} har mer än en \"*\"")
        twice = sorted({k for k in order if k != "*" and order.count(k) > 1})
        if twice:
            self.report(name, at, f"ui:order of {what} names {', '.join(repr(k) for k in twice)} more than once",
                        f"ui:order för {what_sv} nämner {', '.join(repr(k) for k in twice)} mer än en gång")
        if "*" not in order:
            for key in [k for k in properties if k not in order]:
                self.report(f"{name}/{key}" if name else key, at, f"ui:order of {what} leaves out the field "
                            f"'{key}', so the form cannot be shown; add it, or \"*\" for the fields not named",
                            f"ui:order för {what_sv} utelämnar fältet '{key}', så formuläret kan inte visas; lägg "
                            "till det, eller \"*\" för de fält som inte nämns")
