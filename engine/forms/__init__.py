"""Task forms: JSON Schema (what may be submitted) and UI schema (how it is shown), by file name."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from . import messages

FORMAT_CHECKER = FormatChecker()


@dataclass
class FieldError:
    field: str
    message: str


def load_form_files(forms_dir: str | Path) -> dict[str, str]:
    """Every form file in a folder, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(forms_dir).glob("*.json"))}


def parse_forms(files: dict[str, str]) -> tuple[dict[str, dict], list[dict]]:
    """Parse form files; returns the forms and the problems (file, message) of those that are not valid."""
    forms, problems = {}, []
    for name, text in files.items():
        try:
            form = json.loads(text)
        except json.JSONDecodeError as err:
            problems.append({"file": name, "line": err.lineno, "message": f"Not valid JSON: {err.msg}"})
            continue
        if name.endswith(".schema.json"):
            try:
                Draft202012Validator.check_schema(form)
            except SchemaError as err:
                problems.append({"file": name, "line": None, "message": f"Not a valid JSON Schema: {err.message}"})
                continue
        forms[name] = form
    return forms, problems


_VALIDATORS: dict[int, tuple[dict, Draft202012Validator]] = {}


def _validator(schema: dict) -> Draft202012Validator:
    """A validator per form schema object, built once: the deployed forms are read once per process and
    never change."""
    found = _VALIDATORS.get(id(schema))
    if found is None or found[0] is not schema:
        if len(_VALIDATORS) >= 512:
            _VALIDATORS.pop(next(iter(_VALIDATORS)))
        found = _VALIDATORS[id(schema)] = (schema, Draft202012Validator(schema, format_checker=FORMAT_CHECKER))
    return found[1]


def validate_submission(schema: dict, data: object, partial: bool = False) -> list[FieldError]:
    """Check submitted task data against the task's form schema; one error per failing field, in Swedish (the
    most telling one when a field fails several checks). A `partial` submission (a draft) may leave out fields
    the form requires."""
    validator = _validator(schema)
    found: dict[str, tuple[int, int, str]] = {}
    for order, err in enumerate(sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))):
        path = "/".join(str(p) for p in err.absolute_path)
        if err.validator in ("required", "minItems", "dependentRequired") and partial:
            continue
        fields: list[tuple[str, str]] = []
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else ""
            fields.append((f"{path}/{missing}".strip("/"), messages.message(err, schema, missing)))
        elif err.validator == "additionalProperties":
            fields += [(f"{path}/{extra}".strip("/"), messages.message(err, schema))
                       for extra in _additional(err)]
        else:
            fields.append((path, messages.message(err, schema)))
        rank = messages.PRIORITY.get(err.validator, 3)
        for field, message in fields:
            field = field or "(data)"
            if field not in found or rank < found[field][0]:
                found[field] = (rank, found[field][1] if field in found else order, message)
    ordered = sorted(found.items(), key=lambda item: item[1][1])
    return [FieldError(field=field, message=message) for field, (_rank, _order, message) in ordered]


def _additional(err) -> list[str]:
    """The fields an additionalProperties error is about: those of the data its schema does not define."""
    instance, holder = err.instance, err.schema
    if not isinstance(instance, dict) or not isinstance(holder, dict):
        return [""]
    defined = holder.get("properties") or {}
    patterns = [re.compile(p) for p in (holder.get("patternProperties") or {})]
    return [k for k in instance if k not in defined and not any(p.search(k) for p in patterns)] or [""]


def apply_defaults(schema: dict, data: dict) -> dict:
    """Fill in the form's top-level defaults for fields the submission leaves out."""
    filled = dict(data)
    for field, prop in (schema.get("properties") or {}).items():
        if field not in filled and isinstance(prop, dict) and "default" in prop:
            filled[field] = prop["default"]
    return filled
