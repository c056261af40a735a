"""The ``person_forms`` check: a form a user task offers the person (`personFormJsonSchemaFilename`, and its
`personFormUiSchemaFilename`; engine.person.sip_kollen) is in the set, and the person's page can show every field
of it: an object whose fields are each a choice of strings (`oneOf` of `const`, or `enum`) or a free text string,
each with a title. Each problem names the file and the task, in Swedish (`message_sv`) and English (`message`)."""

from __future__ import annotations

from pathlib import Path

from ..person.sip_kollen import SCHEMA_PROPERTY, UI_PROPERTY
from .runnable import _named

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def problem(path: str, element, line, sv: str, en: str) -> dict:
    return {"file": path, "element": element, "line": line, "message": en, "message_sv": sv,
            "check": "person_forms"}


def _field_problem(name: str, schema) -> tuple[str, str] | None:
    if not isinstance(schema, dict) or schema.get("type") != "string":
        return "det är inte en text eller ett val av texter", "it is not a text or a choice of texts"
    if not schema.get("title"):
        return "det har ingen title (frågan)", "it has no title (the question)"
    options = schema.get("oneOf")
    if options is not None and not (isinstance(options, list) and options and all(
            isinstance(o, dict) and isinstance(o.get("const"), str) for o in options)):
        return ("varje val i oneOf behöver en const (en text) och gärna en title",
                "each choice of oneOf needs a const (a string) and should have a title")
    return None


def _fields(value) -> dict | None:
    """A form's fields, or None where it is not an object with fields."""
    if not isinstance(value, dict) or value.get("type") != "object":
        return None
    fields = value.get("properties")
    return fields if isinstance(fields, dict) and fields else None


def shows_for_person(value) -> bool:
    """Whether the person's page can show the form (a JSON Schema, parsed): what the studio offers as a person's
    form."""
    fields = _fields(value)
    return fields is not None and not any(_field_problem(name, schema) for name, schema in fields.items())


def check_person_forms(bpmn_trees: dict, forms_json: dict) -> list[dict]:
    by_name = {Path(p).name: (p, value) for p, value in forms_json.items()}
    found = []
    for path, root in sorted(bpmn_trees.items()):
        for task in root.iter(f"{{{BPMN_NS}}}userTask"):
            props = {p.get("name"): p for p in task.iter(f"{{{SPIFF_NS}}}property")}
            for prop in (SCHEMA_PROPERTY, UI_PROPERTY):
                el = props.get(prop)
                if el is None:
                    continue
                name, line = el.get("value") or "", el.sourceline
                if name not in by_name:
                    found.append(problem(path, task.get("id"), line,
                                         f"{_named(task)}: {prop} anger formuläret {name}, som inte finns bland "
                                         "rutinens filer",
                                         f"{_named(task)}: {prop} names the form {name}, which is not in the set"))
                    continue
                form_path, value = by_name[name]
                if prop == UI_PROPERTY or not isinstance(value, dict):
                    continue
                fields = _fields(value)
                if fields is None:
                    found.append(problem(form_path, task.get("id"), None,
                                         f"{name}: formuläret för personen ({_named(task)}) behöver fält "
                                         "(type object med properties)",
                                         f"{name}: the person's form ({_named(task)}) needs fields (type object "
                                         "with properties)"))
                    continue
                for field, schema in fields.items():
                    wrong = _field_problem(field, schema)
                    if wrong:
                        found.append(problem(form_path, task.get("id"), None,
                                             f"{name}: personens sida kan inte visa fältet {field}: {wrong[0]}",
                                             f"{name}: the person's page cannot show the field {field}: "
                                             f"{wrong[1]}"))
    return found
