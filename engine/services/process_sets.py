"""Deploying process sets: BPMN diagrams, DMN tables and forms, as one versioned definition per region."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import sqlalchemy as sa

from ..database import db
from ..deployment.problems import in_two_languages
from ..forms import parse_forms
from ..runtime.parser import ProcessSetError, parse_process_set
from ..runtime.serializer import cached_specs, specs_to_dict
from ..store import ProcessDefinition, ProcessFile
from .errors import InvalidProcessSet, NotFound

BASE_REGION = "base"
MAIN_PROCESS = "sip"
KINDS = {".bpmn": "bpmn", ".dmn": "dmn", ".json": "form"}


def read_process_folder(processes_dir: str | Path, forms_dir: str | Path) -> dict[str, str]:
    """The files of a process set on disk, by their path in the set: bpmn/…, dmn/…, forms/…."""
    files = {}
    for sub, pattern in (("bpmn", "*.bpmn"), ("dmn", "*.dmn")):
        for path in sorted((Path(processes_dir) / sub).glob(pattern)):
            files[f"{sub}/{path.name}"] = path.read_text(encoding="utf-8")
    for path in sorted(Path(forms_dir).glob("*.json")):
        files[f"forms/{path.name}"] = path.read_text(encoding="utf-8")
    return files


def read_region_folder(region_dir: str | Path) -> dict[str, str]:
    """A region's variant: only the files it changes, laid out like the base (bpmn/, dmn/, forms/)."""
    root = Path(region_dir)
    files = {}
    for sub, pattern in (("bpmn", "*.bpmn"), ("dmn", "*.dmn"), ("forms", "*.json")):
        for path in sorted((root / sub).glob(pattern)):
            files[f"{sub}/{path.name}"] = path.read_text(encoding="utf-8")
    return files


def overlay(base: dict[str, str], variant: dict[str, str]) -> dict[str, str]:
    """Base plus a region's overrides. A variant file replaces the base file of the same path, and any base
    file that defines a process or decision id the variant defines too: the region's wins."""
    overridden_ids = set()
    for path, text in variant.items():
        overridden_ids |= defined_ids(path, text)
    merged = {}
    for path, text in base.items():
        if path in variant:
            continue
        if defined_ids(path, text) & overridden_ids:
            continue
        merged[path] = text
    merged.update(variant)
    return merged


def defined_ids(path: str, text: str) -> set[tuple[str, str]]:
    """The process ids of a BPMN file or the decision ids of a DMN file, as (kind, id)."""
    kind = _kind(path)
    if kind not in ("bpmn", "dmn"):
        return set()
    from ..runtime.parser import ProcessSetError, parse_xml

    try:
        root = parse_xml(text, path)
    except ProcessSetError:
        return set()
    local = "process" if kind == "bpmn" else "decision"
    return {(kind, el.get("id")) for el in root.iter() if isinstance(el.tag, str)
            and el.tag.rsplit("}", 1)[-1] == local and el.get("id")}


def content_hash(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path].encode("utf-8") + b"\0")
    return digest.hexdigest()


def _kind(path: str) -> str | None:
    return KINDS.get(Path(path).suffix.lower())


def compile_process_set(files: dict[str, str], key: str = MAIN_PROCESS):
    """Parse and check a process set; raises InvalidProcessSet listing every problem found."""
    bpmn = {p: t for p, t in files.items() if _kind(p) == "bpmn"}
    dmn = {p: t for p, t in files.items() if _kind(p) == "dmn"}
    form_files = {Path(p).name: t for p, t in files.items() if _kind(p) == "form"}
    forms, problems = parse_forms(form_files)
    try:
        parsed = parse_process_set(bpmn, dmn, key)
    except ProcessSetError as err:
        raise in_two_languages(InvalidProcessSet("Rutinens filer kan inte läsas", problems + err.problems),
                               "The process set cannot be parsed") from err
    for spec in [parsed.spec, *parsed.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
            for prop in ("formJsonSchemaFilename", "formUiSchemaFilename"):
                name = properties.get(prop)
                if name and name not in forms:
                    problems.append({
                        "file": getattr(spec, "file", None), "element": task_spec.bpmn_id, "line": None,
                        "message": f"{prop} names the form file {name}, which is not in the process set",
                        "message_sv": f"Användaruppgiften {task_spec.bpmn_id} i diagrammet "
                        f"{getattr(spec, 'file', None)} anger formulärfilen {name} ({prop}), som inte finns bland "
                        "rutinens filer. Ladda upp formuläret eller skriv namnet på ett som finns",
                    })
    if problems:
        raise in_two_languages(InvalidProcessSet("Rutinen har problem", problems), "The process set has problems")
    return parsed, forms


def deploy(files: dict[str, str], region: str = BASE_REGION, deployed_by: str | None = None,
           key: str = MAIN_PROCESS, compiled: tuple | None = None,
           commit: bool = True) -> tuple[ProcessDefinition, bool]:
    """Deploy a process set for a region. Returns the definition and whether it is new: unchanged content
    deploys nothing new. `compiled` is the (parsed, forms) of these files when the caller already checked
    them (see engine.deployment.validation). The caller's transaction is committed here unless `commit` is
    false (then it is only flushed)."""
    digest = content_hash(files)
    latest = latest_definition(region, key, fallback=False)
    if latest is not None and latest.content_hash == digest:
        return latest, False
    parsed, forms = compiled if compiled is not None else compile_process_set(files, key)
    definition = ProcessDefinition(
        region=region,
        key=key,
        version=(latest.version + 1) if latest else 1,
        content_hash=digest,
        deployed_by=deployed_by,
        specs=specs_to_dict(parsed.spec, parsed.subprocess_specs),
        forms=forms,
        files=[ProcessFile(path=p, kind=_kind(p) or "other", content=t) for p, t in sorted(files.items())],
    )
    db.session.add(definition)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return definition, True


def files_of(definition: ProcessDefinition) -> dict[str, str]:
    """The files of a deployed definition, by their path in the set."""
    return {f.path: f.content for f in definition.files}


def latest_definition(region: str, key: str = MAIN_PROCESS, fallback: bool = True) -> ProcessDefinition | None:
    """The newest definition of a process for a region; a region without its own runs the base. One
    statement: the region's own versions sort before the base's."""
    fallback = fallback and region != BASE_REGION
    return db.session.scalars(_latest(fallback), {"region": region, "key": key, "base": BASE_REGION}).first()


@functools.cache
def _latest(fallback: bool):
    region = sa.bindparam("region")
    query = sa.select(ProcessDefinition).where(ProcessDefinition.key == sa.bindparam("key"))
    if fallback:
        base = sa.bindparam("base")
        query = query.where(ProcessDefinition.region.in_([region, base])).order_by(
            (ProcessDefinition.region == base).asc(), ProcessDefinition.version.desc())
    else:
        query = query.where(ProcessDefinition.region == region).order_by(ProcessDefinition.version.desc())
    return query.limit(1)


def require_definition(region: str, key: str = MAIN_PROCESS) -> ProcessDefinition:
    found = latest_definition(region, key)
    if found is None:
        raise NotFound(f"No process {key!r} is deployed for region {region!r} or the base")
    return found


def specs_of(definition: ProcessDefinition):
    """The parsed specs of a definition, restored once per process."""
    return cached_specs((definition.id, definition.content_hash), lambda: json.loads(json.dumps(definition.specs)))
