"""The forms a region's routine uses, as deployed, and a check of data against one exactly as a task's completion
checks it, with nothing stored: what a process owner needs to see and try a form without a case."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..access.sharing import consent_given_unasked
from ..database import db
from ..forms import FieldError, apply_defaults, validate_submission
from ..store import Organisation, ProcessDefinition
from .cases import forms_of
from .errors import NotFound
from .process_sets import BASE_REGION, MAIN_PROCESS, latest_definition, specs_of

SCHEMA_SUFFIX = ".schema.json"
UI_SUFFIX = ".uischema.json"
# Swedish letters sort after z, in the order of the alphabet (å, ä, ö).
_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}"})


@dataclass
class FormOfRoutine:
    name: str
    title: str
    schema: dict
    ui_schema: dict | None
    schema_file: str
    ui_schema_file: str | None
    tasks: list[dict] = field(default_factory=list)


def known_region(region: str) -> bool:
    """The base, a region with a version of its own, or a region that organisations belong to (which runs the
    base until it deploys a variant)."""
    if region == BASE_REGION:
        return True
    deployed = sa.select(ProcessDefinition.id).where(ProcessDefinition.region == region).limit(1)
    organised = sa.select(Organisation.id).where(Organisation.region == region).limit(1)
    return db.session.scalar(deployed) is not None or db.session.scalar(organised) is not None


def region_definition(region: str, key: str = MAIN_PROCESS) -> ProcessDefinition:
    """The version the region runs now: its latest deployed one, the base's where it has none."""
    if not known_region(region):
        raise NotFound(f"No region {region!r}: nothing is deployed for it and no organisation belongs to it")
    found = latest_definition(region, key)
    if found is None:
        raise NotFound(f"No process {key!r} is deployed for region {region!r} or the base")
    return found


def _tasks_by_form(definition: ProcessDefinition) -> dict[str, list[dict]]:
    """The user tasks of every process of the definition, by the form schema file they name, with the UI schema
    file each names (`ui`)."""
    spec, subprocess_specs = specs_of(definition)
    found: dict[str, list[dict]] = {}
    seen = set()
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
            schema_file = properties.get("formJsonSchemaFilename")
            if not schema_file or (process.name, task_spec.bpmn_id) in seen:
                continue
            seen.add((process.name, task_spec.bpmn_id))
            found.setdefault(schema_file, []).append({
                "id": task_spec.bpmn_id, "name": task_spec.bpmn_name or task_spec.bpmn_id, "process": process.name,
                "ui": properties.get("formUiSchemaFilename")})
    for tasks in found.values():
        tasks.sort(key=lambda t: (t["process"], t["id"]))
    return found


def forms_of_definition(definition: ProcessDefinition) -> list[FormOfRoutine]:
    """Every form schema of the definition, by title, with its UI schema and the user tasks that show it."""
    files = forms_of(definition)
    tasks = _tasks_by_form(definition)
    found = []
    for schema_file, schema in files.items():
        if not schema_file.endswith(SCHEMA_SUFFIX) or not isinstance(schema, dict):
            continue
        name = schema_file.removesuffix(SCHEMA_SUFFIX)
        using = tasks.get(schema_file, [])
        named = {t["ui"] for t in using if t["ui"]}
        ui_file = named.pop() if len(named) == 1 else name + UI_SUFFIX
        ui_file = ui_file if ui_file in files else None
        title = schema.get("title") if isinstance(schema.get("title"), str) and schema["title"].strip() else name
        found.append(FormOfRoutine(
            name=name, title=title, schema=schema, ui_schema=files.get(ui_file) if ui_file else None,
            schema_file=schema_file, ui_schema_file=ui_file,
            tasks=[{k: v for k, v in t.items() if k != "ui"} for t in using]))
    found.sort(key=lambda f: (f.title.casefold().translate(_SWEDISH_ORDER), f.name))
    return found


def find_form(definition: ProcessDefinition, name: str) -> FormOfRoutine:
    for form in forms_of_definition(definition):
        if form.name == name:
            return form
    raise NotFound(f"No form {name!r} in version {definition.version} of region {definition.region!r}")


def check_data(form: FormOfRoutine, data: dict) -> tuple[list[FieldError], dict | None]:
    """The errors a task's completion with this form would refuse `data` with (the same checks, the same Swedish
    messages), and, when there are none, the data as the routine would receive it: with the form's defaults
    filled in after the check, as a completion fills them."""
    errors = validate_submission(form.schema, data)
    errors += [FieldError(name, "set by the routine when consent is asked; this form does not ask for it")
               for name in consent_given_unasked(data, form.schema.get("properties") or {})]
    if errors:
        return errors, None
    return [], apply_defaults(form.schema, data)
