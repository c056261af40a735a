"""The process studio's reads and its one change: a region's routine as deployed (each file marked the base's or the
region's own), a region's file as a difference from the base, the region's versions with who, when, why and what
changed, how many running cases each version has, and an earlier version deployed again.

Process owners (of any region) and administrators read; deploying stays with the region's own process owners
(engine.access.require_deploy)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from .. import audit
from ..access import Forbidden, Principal, require_deploy
from ..database import db
from ..deployment.diff import diff_file, kind_of_path
from ..deployment.models import Deployment
from ..deployment.person_forms import shows_for_person
from ..notifications.routine import KIND_SV, KINDS, MESSAGE_KINDS
from ..runtime.parser import ProcessSetError, parse_xml
from ..store import Case, ProcessDefinition, ProcessFile
from . import deployments
from .errors import NotFound
from .forms import known_region
from .process_sets import BASE_REGION, MAIN_PROCESS, defined_ids, files_of, latest_definition

NAMED_KINDS = ("bpmn", "dmn")


def may_use_studio(principal: Principal | None) -> bool:
    return principal is None or principal.is_admin or principal.has_role("process_owner")


def require_studio(principal: Principal | None) -> None:
    """Only process owners and administrators use the studio; a refusal is audited."""
    if not may_use_studio(principal):
        db.session.rollback()
        audit.record_now("studio", principal, outcome="denied")
        error = Forbidden("Processtudion är till för processägare och förvaltare: du har ingen av de rollerna")
        error.audited = True
        raise error


def file_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def require_region(region: str) -> None:
    if not known_region(region):
        raise NotFound(f"Regionen {region!r} finns inte: ingenting är driftsatt för den och ingen organisation "
                       "hör till den")


def region_version(region: str, version: int | None, key: str = MAIN_PROCESS) -> ProcessDefinition:
    """A version of the region's own, or without `version` the one it runs now (the base's where it has none)."""
    require_region(region)
    found = deployments.deployed_version(region, key, version)
    if found is None:
        which = f"version {version}" if version is not None else "någon version"
        raise NotFound(f"Regionen {region!r} har inte {which} av rutinen {key!r} driftsatt")
    return found


def base_counterpart(path: str, text: str, base: dict[str, str]) -> str | None:
    """The base file a region's file stands in for: the one at the same path, or the one defining the same
    process or decision ids (a region may rename the file that replaces a base diagram)."""
    if path in base:
        return path
    ids = defined_ids(path, text)
    if not ids:
        return None
    return next((p for p, t in sorted(base.items()) if defined_ids(p, t) & ids), None)


def title_of(path: str, text: str) -> str | None:
    """What a process owner calls the file: its processes' or decisions' names, or a form's title."""
    kind = kind_of_path(path)
    if kind in NAMED_KINDS:
        try:
            root = parse_xml(text, path)
        except ProcessSetError:
            return None
        wanted = "process" if kind == "bpmn" else "decision"
        names = [el.get("name") or el.get("id") for el in root.iter()
                 if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == wanted and el.get("id")]
        return ", ".join(n for n in names if n) or None
    if kind == "schema":
        try:
            document = json.loads(text)
        except ValueError:
            return None
        title = document.get("title") if isinstance(document, dict) else None
        return title if isinstance(title, str) and title.strip() else None
    return None


@dataclass
class Routine:
    region: str
    definition: ProcessDefinition
    base: ProcessDefinition | None
    files: list[dict]
    missing: list[dict]


def routine(region: str, version: int | None = None, key: str = MAIN_PROCESS) -> Routine:
    """The files of the region's routine (a version of its own, or what it runs now), each with where it comes
    from (`origin`: base or region), its hash, and for the region's own files how it stands to the base as it is
    now (`base_path`, `status`: changed, same, or added where the base has no such file). Base files the version
    lacks (neither there nor stood in for) are listed as `missing`."""
    definition = region_version(region, version, key)
    files = files_of(definition)
    base_definition = latest_definition(BASE_REGION, key, fallback=False)
    base = files_of(base_definition) if base_definition is not None else {}
    own = set(deployments.own_paths(definition)) if definition.region == region and region != BASE_REGION else set()
    listed, stood_in_for = [], set()
    for path, text in sorted(files.items()):
        entry = {"path": path, "kind": kind_of_path(path), "origin": "region" if path in own else "base",
                 "hash": file_hash(text), "title": title_of(path, text), "base_path": None, "status": "same"}
        counterpart = base_counterpart(path, text, base)
        if counterpart is not None:
            stood_in_for.add(counterpart)
            entry["base_path"] = counterpart
            entry["status"] = "same" if base[counterpart] == text else "changed"
        else:
            entry["status"] = "added"
        listed.append(entry)
    missing = [{"path": p, "kind": kind_of_path(p), "title": title_of(p, t)}
               for p, t in sorted(base.items()) if p not in stood_in_for and p not in files]
    return Routine(region=region, definition=definition, base=base_definition, files=listed, missing=missing)


def region_file_diff(region: str, path: str, version: int | None = None, key: str = MAIN_PROCESS) -> dict:
    """One file of the region's routine as a difference from the base as it is now, element by element."""
    definition = region_version(region, version, key)
    files = files_of(definition)
    if path not in files:
        raise NotFound(f"Version {definition.version} av {definition.region!r} har ingen fil {path!r}")
    base_definition = latest_definition(BASE_REGION, key, fallback=False)
    base = files_of(base_definition) if base_definition is not None else {}
    counterpart = base_counterpart(path, files[path], base)
    answer = diff_file(path, base.get(counterpart) if counterpart else None, files[path])
    answer.update(region=region, version=definition.version, base_path=counterpart,
                  base_version=base_definition.version if base_definition is not None else None)
    return answer


# -- versions -----------------------------------------------------------------------------------------------------


def _files_by_definition(ids: list[int]) -> dict[int, dict[str, str]]:
    """The file hashes of several versions in one statement, by version id and path."""
    found: dict[int, dict[str, str]] = {i: {} for i in ids}
    if not ids:
        return found
    rows = db.session.execute(sa.select(ProcessFile.definition_id, ProcessFile.path, ProcessFile.content)
                              .where(ProcessFile.definition_id.in_(ids)))
    for definition_id, path, content in rows:
        found[definition_id][path] = file_hash(content)
    return found


def changed_paths(before: dict[str, str] | None, after: dict[str, str]) -> dict[str, list[str]]:
    """Paths added, removed and changed from one version to the next (by hash); the first version adds all."""
    before = before or {}
    return {"added": sorted(after.keys() - before.keys()), "removed": sorted(before.keys() - after.keys()),
            "changed": sorted(p for p in after.keys() & before.keys() if after[p] != before[p])}


def running_cases(region: str) -> dict[int, int]:
    """How many of the region's cases are running, by the version (definition id) they run."""
    rows = db.session.execute(
        sa.select(Case.definition_id, sa.func.count()).where(Case.region == region, Case.status == "active")
        .group_by(Case.definition_id))
    return {definition_id: count for definition_id, count in rows}


def _records(definition_ids: list[int]) -> dict[int, Deployment]:
    """The deployment that made each version (the first that points at it)."""
    if not definition_ids:
        return {}
    rows = db.session.scalars(sa.select(Deployment).where(Deployment.definition_id.in_(definition_ids))
                              .order_by(Deployment.id.desc())).all()
    return {row.definition_id: row for row in rows}


def versions(region: str, limit: int = 20, offset: int = 0, key: str = MAIN_PROCESS) -> dict:
    """The region's own versions, newest first: who deployed each, when, with which comment, which version it
    put back if it did, the paths changed since the version before it, and how many of the region's cases run
    it. `base_versions` counts the region's running cases that run a version of the base."""
    require_region(region)
    query = sa.select(ProcessDefinition).where(ProcessDefinition.region == region, ProcessDefinition.key == key)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(ProcessDefinition.version.desc()).limit(limit).offset(offset)).all()
    earlier = {}
    if rows:
        earlier_rows = db.session.scalars(query.where(ProcessDefinition.version < rows[-1].version)
                                          .order_by(ProcessDefinition.version.desc()).limit(1)).all()
        earlier = {d.id: d for d in earlier_rows}
    hashes = _files_by_definition([d.id for d in rows] + list(earlier))
    records = _records([d.id for d in rows])
    running = running_cases(region)
    ordered = list(rows) + list(earlier.values())
    items = []
    for index, definition in enumerate(rows):
        previous = ordered[index + 1] if index + 1 < len(ordered) else None
        record = records.get(definition.id)
        items.append({
            "version": definition.version, "definition_id": definition.id, "deployed_at": definition.deployed_at,
            "deployed_by": definition.deployed_by, "content_hash": definition.content_hash,
            "comment": record.comment if record is not None else None,
            "source": record.source if record is not None else None,
            "restored_version": record.restored_version if record is not None else None,
            "previous_version": previous.version if previous is not None else None,
            "running_cases": running.get(definition.id, 0),
            "changes": changed_paths(hashes[previous.id] if previous is not None else None, hashes[definition.id]),
        })
    latest = latest_definition(region, key)
    base_versions = []
    base_rows = db.session.execute(
        sa.select(ProcessDefinition.version, ProcessDefinition.id).where(
            ProcessDefinition.region == BASE_REGION, ProcessDefinition.key == key,
            ProcessDefinition.id.in_(list(running))).order_by(ProcessDefinition.version.desc())).all()
    for version, definition_id in base_rows:
        base_versions.append({"version": version, "running_cases": running[definition_id]})
    return {"region": region, "key": key, "items": items, "total": total, "limit": limit, "offset": offset,
            "current": {"region": latest.region, "version": latest.version} if latest is not None else None,
            "running_cases": sum(running.values()), "base_versions": base_versions}


def version_changes(region: str, version: int, key: str = MAIN_PROCESS) -> dict:
    """What a version of the region changed since the version before it: each file added, removed or changed,
    a changed one element by element."""
    definition = region_version(region, version, key)
    previous = db.session.scalars(sa.select(ProcessDefinition).where(
        ProcessDefinition.region == region, ProcessDefinition.key == key,
        ProcessDefinition.version < definition.version).order_by(ProcessDefinition.version.desc()).limit(1)).first()
    after = files_of(definition)
    before = files_of(previous) if previous is not None else {}
    diffs = [diff_file(path, before.get(path), after.get(path)) for path in sorted(before.keys() | after.keys())]
    return {"region": region, "version": definition.version,
            "previous_version": previous.version if previous is not None else None,
            "files": [d for d in diffs if d["status"] != "same"]}


def restore(region: str, version: int, comment: str | None,
            principal: Principal | None) -> deployments.DeploymentResult:
    """Deploy an earlier version of the region again, as its region's process owner."""
    require_deploy(principal, region)
    region_version(region, version)
    return deployments.restore_version(region, version, deployed_by=principal.username if principal else None,
                                       comment=comment, principal=principal)


# -- what an editor may choose from -------------------------------------------------------------------------------

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DMN_LOCAL = "decision"


def _local(el) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _literal_group(expression: str) -> str | None:
    """The group a candidateGroups expression names when it is a quoted name ('"samordningsansvarig"')."""
    text = expression.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" and text[1:-1].strip():
        return text[1:-1].strip()
    return None


def catalog(region: str, version: int | None = None, key: str = MAIN_PROCESS) -> dict:
    """What the studio's diagram editor offers as choices for the region's routine (a version of its own, or what
    it runs now): its forms (a JSON Schema and its UI schema), its decision tables' decisions, the groups its tasks
    go to (each lane's group and each group a task names), the candidateGroups expressions its diagrams use, its
    messages (with the files that send or receive each, and their correlation properties) and its processes."""
    from ..runtime.workflow import group_name

    definition = region_version(region, version, key)
    files = files_of(definition)
    forms, decisions, processes = [], [], []
    groups: dict[str, dict] = {}
    expressions: dict[str, list[str]] = {}
    messages: dict[str, dict] = {}
    for path, text in sorted(files.items()):
        kind = kind_of_path(path)
        if kind == "schema":
            name = path.rsplit("/", 1)[-1]
            stem = name[: -len(".schema.json")]
            ui = f"{path.rsplit('/', 1)[0]}/{stem}.uischema.json" if "/" in path else f"{stem}.uischema.json"
            try:
                for_person = shows_for_person(json.loads(text))
            except ValueError:
                for_person = False
            forms.append({"name": stem, "schema": name, "uischema": ui.rsplit("/", 1)[-1] if ui in files else None,
                          "title": title_of(path, text), "path": path, "for_person": for_person})
            continue
        if kind not in NAMED_KINDS:
            continue
        try:
            root = parse_xml(text, path)
        except ProcessSetError:
            continue
        if kind == "dmn":
            for el in root.iter():
                if _local(el) == DMN_LOCAL and el.get("id"):
                    decisions.append({"id": el.get("id"), "name": el.get("name") or None, "path": path})
            continue
        ids = {m.get("id"): (m.get("name") or "").strip() for m in root.iter(f"{BPMN}message")}
        correlation: dict[str, list[str]] = {}
        for prop in root.iter(f"{BPMN}correlationProperty"):
            for expr in prop.iter(f"{BPMN}correlationPropertyRetrievalExpression"):
                name = ids.get(expr.get("messageRef"))
                if name:
                    correlation.setdefault(name, []).append(prop.get("name") or prop.get("id"))
        for name in ids.values():
            if name:
                entry = messages.setdefault(name, {"name": name, "sent_in": [], "received_in": [],
                                                   "correlation": []})
                entry["correlation"] = sorted(set(entry["correlation"]) | set(correlation.get(name, [])))
        for el in root.iter():
            local = _local(el)
            if local == "process" and el.get("id"):
                processes.append({"id": el.get("id"), "name": el.get("name") or None, "path": path})
            elif local == "lane" and (el.get("name") or "").strip():
                group = group_name(el.get("name"))
                groups.setdefault(group, {"name": group, "label": el.get("name").strip(), "source": "lane"})
            elif local == "property" and el.get("name") == "candidateGroups" and (el.get("value") or "").strip():
                value = el.get("value").strip()
                literal = _literal_group(value)
                if literal is not None:
                    groups.setdefault(literal, {"name": literal, "label": None, "source": "task"})
                else:
                    expressions.setdefault(value, [])
            elif local == "property" and el.get("name") == "completedByMessage" and (el.get("value") or "").strip():
                name = el.get("value").strip()
                entry = messages.setdefault(name, {"name": name, "sent_in": [], "received_in": [],
                                                   "correlation": []})
                if path not in entry["received_in"]:
                    entry["received_in"].append(path)
            elif local in ("messageEventDefinition", "receiveTask", "sendTask"):
                name = ids.get((el.get("messageRef") or "").strip())
                if not name:
                    continue
                owner = el.getparent() if local == "messageEventDefinition" else el
                throwing = _local(owner) in ("intermediateThrowEvent", "endEvent", "sendTask")
                listed = messages[name]["sent_in" if throwing else "received_in"]
                if path not in listed:
                    listed.append(path)
    return {"region": region, "version": definition.version, "routine_region": definition.region,
            "forms": forms, "decisions": sorted(decisions, key=lambda d: d["id"]),
            "groups": sorted(groups.values(), key=lambda g: g["name"]),
            "group_expressions": sorted(expressions),
            "messages": sorted(messages.values(), key=lambda m: m["name"]),
            "processes": sorted(processes, key=lambda p: p["id"]),
            "notification_kinds": notification_kinds()}


def notification_kinds() -> list[dict]:
    """The kinds a `notification` property may name (engine.notifications.routine), each with the element it
    belongs on (`user_task`, or `message_catch`: an event that catches a message) and the variables it names."""
    return [{"kind": kind, "label": KIND_SV[kind], "on": "message_catch" if kind in MESSAGE_KINDS else "user_task",
             "variables": [{"key": key, "label": sv} for key, (sv, _) in wanted.items()]}
            for kind, wanted in KINDS.items()]
