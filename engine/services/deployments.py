"""Deployments: a region deploys the base plus its own files (its overrides), checked before anything is
stored, as a new version only when the merged content changed. Used by the API, the command line and init."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..database import db
from ..deployment.files import FileProblem, decode, read_path
from ..deployment.models import Deployment
from ..deployment.problems import in_two_languages
from ..deployment.validation import DEFAULT_MAX_FILE_BYTES, ValidationReport, kind_of, validate_process_set
from ..store import ProcessDefinition
from .errors import Conflict, InvalidProcessSet, InvalidRequest, NotFound, ServiceError
from .process_sets import (
    BASE_REGION,
    MAIN_PROCESS,
    content_hash,
    deploy,
    files_of,
    latest_definition,
    overlay,
    read_process_folder,
)

REGION = re.compile(r"^[a-z0-9_]{1,64}$")
DEFAULT_MAX_FILES = 200


class DeploymentTooLarge(ServiceError):
    """A file or a request over the size limits; `problems` names the files."""

    status = 413
    type = "too-large"
    title = "För stor begäran"

    def __init__(self, detail: str, problems: list[dict]):
        super().__init__(detail, problems=problems)
        self.problems = problems


class DeploymentRefused(InvalidProcessSet):
    """The merged process set fails validation: nothing was stored. `result` holds the whole report."""

    def __init__(self, detail: str, result: DeploymentResult):
        super().__init__(detail, result.problems)
        self.result = result
        self.extra["region"] = result.region
        self.extra["files"] = result.file_reports()


@dataclass
class DeploymentResult:
    region: str
    key: str
    uploaded: list[str]
    merged: dict[str, str]
    sources: dict[str, str]
    report: ValidationReport
    content_hash: str
    changed: bool
    version: int
    dry_run: bool
    definition: ProcessDefinition | None = None
    deployment: Deployment | None = None
    overrides: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.report.valid

    @property
    def problems(self) -> list[dict]:
        return self.report.problems

    def file_reports(self) -> list[dict]:
        """One line per file of the merged set (and per uploaded file that did not make it into the set):
        where it comes from and how many problems it has."""
        paths = sorted(set(self.merged) | set(self.uploaded))
        return [{"path": p, "kind": kind_of(p) or "other", "source": self.sources.get(p, "upload"),
                 "problems": len(self.report.problems_of(p))} for p in paths]


# -- limits and inputs ----------------------------------------------------------------------------------------


def max_file_bytes() -> int:
    return int(current_app.config.get("DEPLOY_MAX_FILE_BYTES") or DEFAULT_MAX_FILE_BYTES)


def check_region(region: str | None) -> str:
    if not region or not REGION.match(region):
        raise InvalidRequest("The region must be an identifier: lower-case letters a–z, digits and _ (1–64)",
                             errors=[{"field": "region", "message": "lower-case letters, digits and _ only (1–64)"}])
    return region


def decode_uploads(raw: dict[str, bytes]) -> dict[str, str]:
    """Uploaded bytes by path → text; too large files refuse the whole request (413), files that are not
    text refuse it with 422, every such file named."""
    limit = max_file_bytes()
    most = int(current_app.config.get("DEPLOY_MAX_FILES") or DEFAULT_MAX_FILES)
    if len(raw) > most:
        raise in_two_languages(DeploymentTooLarge(f"Högst {most} filer kan driftsättas på en gång", []),
                               f"At most {most} files can be deployed at once")
    too_large = [{"file": p, "element": None, "line": None, "check": "size",
                  "message": f"The file is {len(data)} bytes; at most {limit} bytes are accepted per file",
                  "message_sv": f"Filen {p} är {len(data)} byte stor; högst {limit} byte tas emot per fil. Dela upp "
                  "den eller ta bort det som inte behövs"}
                 for p, data in sorted(raw.items()) if len(data) > limit]
    if too_large:
        raise in_two_languages(DeploymentTooLarge("En fil är större än gränsen per fil", too_large),
                               "A file is larger than the limit per file")
    texts, problems = {}, []
    for path, data in sorted(raw.items()):
        try:
            texts[path] = decode(path, data)
        except FileProblem as err:
            problems.append(err.problem)
    if problems:
        raise in_two_languages(InvalidProcessSet("Filerna kan inte läsas", problems), "The files cannot be read")
    return texts


# -- what a deployment deploys --------------------------------------------------------------------------------


def base_files(key: str = MAIN_PROCESS) -> dict[str, str]:
    """The base as it stands: its latest deployed version, or the folders when nothing is deployed yet."""
    latest = latest_definition(BASE_REGION, key, fallback=False)
    if latest is not None:
        return files_of(latest)
    return read_process_folder(current_app.config["PROCESSES_DIR"], current_app.config["FORMS_DIR"])


def region_overrides(region: str, base: dict[str, str], key: str = MAIN_PROCESS) -> dict[str, str]:
    """The files that are the region's own so far: those its latest deployment recorded, or, for a version
    deployed without a record (directly with `process_sets.deploy`), the files that differ from the base."""
    latest = latest_definition(region, key, fallback=False)
    if latest is None:
        return {}
    files = files_of(latest)
    record = db.session.scalars(
        sa.select(Deployment).where(Deployment.region == region, Deployment.key == key)
        .order_by(Deployment.id.desc()).limit(1)
    ).first()
    if record is not None and record.definition_id == latest.id:
        return {p: files[p] for p in record.overrides if p in files}
    return {p: t for p, t in files.items() if base.get(p) != t}


def merge(region: str, uploaded: dict[str, str], replace: bool = False,
          key: str = MAIN_PROCESS) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """The set a deployment deploys, where each file comes from (upload, region, base) and the region's
    own paths after it. For a region: base + (its earlier overrides, unless `replace`) + the uploads, the
    later winning by path and by process or decision id. For the base: the base + the uploads (or only
    the uploads with `replace`)."""
    base = base_files(key)
    if region == BASE_REGION:
        merged = dict(uploaded) if replace else overlay(base, uploaded)
        sources = {p: ("upload" if p in uploaded else "base") for p in merged}
        return merged, sources, sorted(merged)
    earlier = {} if replace else region_overrides(region, base, key)
    own = overlay(earlier, uploaded)
    merged = overlay(base, own)
    sources = {p: ("upload" if p in uploaded else "region" if p in own else "base") for p in merged}
    return merged, sources, sorted(own)


# -- the use cases --------------------------------------------------------------------------------------------


def deploy_files(uploaded: dict[str, str], region: str, deployed_by: str | None = None, dry_run: bool = False,
                 replace: bool = False, source: str = "api", key: str = MAIN_PROCESS,
                 principal=None, comment: str | None = None) -> DeploymentResult:
    """Validate and (unless `dry_run`) deploy. Raises DeploymentRefused (422) listing every problem when
    the merged set is not valid and this is not a dry run; a dry run reports the same with `valid` false.
    `comment` says why, in the deployer's words; it is kept with the deployment."""
    check_region(region)
    if not uploaded and not replace:
        raise InvalidRequest("No files to deploy: send BPMN, DMN or form JSON files in parts named 'files'")
    merged, sources, own = merge(region, uploaded, replace, key)
    report = validate_process_set(merged, key, max_file_bytes=max_file_bytes())
    digest = content_hash(merged)
    latest = latest_definition(region, key, fallback=False)
    changed = latest is None or latest.content_hash != digest
    result = DeploymentResult(
        region=region, key=key, uploaded=sorted(uploaded), merged=merged, sources=sources, report=report,
        content_hash=digest, changed=changed, version=(latest.version + 1 if latest else 1) if changed
        else latest.version, dry_run=dry_run, overrides=own,
    )
    if dry_run:
        return result
    if not report.valid:
        raise in_two_languages(
            DeploymentRefused(f"Rutinen för {region!r} har {len(report.problems)} problem; ingenting driftsattes",
                              result),
            f"The process set for {region!r} has {len(report.problems)} problem(s); nothing was deployed")
    return _store(result, deployed_by, source, principal, comment)


def _store(result: DeploymentResult, deployed_by: str | None, source: str, principal, comment: str | None,
           restored_version: int | None = None) -> DeploymentResult:
    """Store a checked set as the region's next version (or find it unchanged) with the record of the
    deployment, in one transaction."""
    region, key, report = result.region, result.key, result.report
    comment = (comment or "").strip() or None
    try:
        definition, created = deploy(result.merged, region=region, deployed_by=deployed_by, key=key,
                                     compiled=(report.parsed, report.forms), commit=False)
        record = Deployment(region=region, key=key, definition_id=definition.id, version=definition.version,
                            created=created, content_hash=result.content_hash, deployed_by=deployed_by,
                            source=source, files=result.uploaded, overrides=result.overrides, comment=comment,
                            restored_version=restored_version)
        db.session.add(record)
        detail = {"region": region, "version": definition.version, "changed": created}
        if restored_version is not None:
            detail["restored_version"] = restored_version
        audit.record("deploy", principal, user=deployed_by, detail=detail)
        db.session.commit()
    except IntegrityError as err:
        db.session.rollback()
        raise Conflict(f"Another deployment to {region!r} was stored at the same time; try again") from err
    result.definition, result.deployment, result.changed = definition, record, created
    result.version = definition.version
    return result


def own_paths(definition: ProcessDefinition) -> list[str]:
    """The paths of a deployed version that are its region's own (the rest came from the base): as the
    deployment that made the version recorded them, or, for a version deployed without a record, the files
    that differ from the base as it stands. Every path of a base version is the base's own."""
    files = files_of(definition)
    if definition.region == BASE_REGION:
        return sorted(files)
    record = db.session.scalars(
        sa.select(Deployment).where(Deployment.definition_id == definition.id).order_by(Deployment.id).limit(1)
    ).first()
    if record is not None:
        return sorted(p for p in record.overrides if p in files)
    base = base_files(definition.key)
    return sorted(p for p, t in files.items() if base.get(p) != t)


def restore_version(region: str, version: int, deployed_by: str | None = None, comment: str | None = None,
                    principal=None, key: str = MAIN_PROCESS) -> DeploymentResult:
    """Deploy an earlier version of a region again: a new version with exactly that version's files (its base
    files included, as they were then), checked as any deployment is. Running cases keep the version they
    run; new cases start on the restored content. Content equal to the latest version deploys nothing new."""
    check_region(region)
    earlier = find_definition(key, region, version)
    files = files_of(earlier)
    own = own_paths(earlier)
    report = validate_process_set(files, key, max_file_bytes=max_file_bytes())
    digest = content_hash(files)
    latest = latest_definition(region, key, fallback=False)
    changed = latest is None or latest.content_hash != digest
    result = DeploymentResult(
        region=region, key=key, uploaded=[], merged=files,
        sources={p: ("region" if p in own else "base") for p in files}, report=report, content_hash=digest,
        changed=changed, version=(latest.version + 1 if changed else latest.version) if latest else 1,
        dry_run=False, overrides=own,
    )
    if not report.valid:
        raise in_two_languages(
            DeploymentRefused(f"Version {version} av {region!r} klarar inte längre driftsättningens kontroller "
                              f"({len(report.problems)} problem); ingenting driftsattes", result),
            f"Version {version} of {region!r} no longer passes the deployment's checks "
            f"({len(report.problems)} problem(s)); nothing was deployed")
    return _store(result, deployed_by, "restore", principal, comment, restored_version=version)


def deploy_path(path: str | Path, region: str, deployed_by: str | None = None, dry_run: bool = False,
                replace: bool = False, source: str = "cli", comment: str | None = None) -> DeploymentResult:
    """Deploy (or with `dry_run` only check) the files of a folder or a single file."""
    raw = read_path(path, current_app.config["PROCESSES_DIR"], current_app.config["FORMS_DIR"])
    if not raw:
        raise InvalidRequest(f"{path}: no .bpmn, .dmn or .json files found")
    return deploy_files(decode_uploads(raw), region, deployed_by=deployed_by, dry_run=dry_run, replace=replace,
                        source=source, comment=comment)


def list_deployments(region: str | None, limit: int, offset: int) -> tuple[list[Deployment], int]:
    query = sa.select(Deployment)
    if region:
        query = query.where(Deployment.region == region)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Deployment.deployed_at.desc(), Deployment.id.desc())
                              .limit(limit).offset(offset)).all()
    return list(rows), total


def list_definitions(region: str | None, key: str | None, latest_only: bool, limit: int,
                     offset: int) -> tuple[list[ProcessDefinition], int]:
    query = sa.select(ProcessDefinition)
    if region:
        query = query.where(ProcessDefinition.region == region)
    if key:
        query = query.where(ProcessDefinition.key == key)
    if latest_only:
        newest = (sa.select(ProcessDefinition.region, ProcessDefinition.key,
                            sa.func.max(ProcessDefinition.version).label("version"))
                  .group_by(ProcessDefinition.region, ProcessDefinition.key).subquery())
        query = query.join(newest, sa.and_(ProcessDefinition.region == newest.c.region,
                                           ProcessDefinition.key == newest.c.key,
                                           ProcessDefinition.version == newest.c.version))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(ProcessDefinition.region, ProcessDefinition.key,
                                             ProcessDefinition.version.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def file_counts(definitions: list[ProcessDefinition]) -> dict[int, int]:
    """How many files each definition holds, without loading them."""
    from ..store import ProcessFile

    ids = [d.id for d in definitions]
    if not ids:
        return {}
    rows = db.session.execute(sa.select(ProcessFile.definition_id, sa.func.count())
                              .where(ProcessFile.definition_id.in_(ids)).group_by(ProcessFile.definition_id))
    return dict(rows.all())


def deployed_version(region: str, key: str, version: int | None = None) -> ProcessDefinition | None:
    """A deployed version of the region's own; without `version` the latest the region runs (the base's where it
    has none). None where there is none."""
    if version is None:
        return latest_definition(region, key)
    return db.session.scalars(sa.select(ProcessDefinition).where(
        ProcessDefinition.region == region, ProcessDefinition.key == key,
        ProcessDefinition.version == version)).first()


def find_definition(key: str, region: str = BASE_REGION, version: int | None = None) -> ProcessDefinition:
    """A deployed version; without `version` the latest the region runs (the base's where it has none)."""
    found = deployed_version(region, key, version)
    if found is None:
        which = f"version {version}" if version is not None else "any version"
        raise NotFound(f"No process {key!r} ({which}) is deployed for region {region!r}")
    return found


def main_diagram(definition: ProcessDefinition) -> tuple[str, str]:
    """The path and XML of the BPMN file that defines the definition's main process."""
    from .process_sets import defined_ids

    files = files_of(definition)
    for path, text in sorted(files.items()):
        if kind_of(path) == "bpmn" and ("bpmn", definition.key) in defined_ids(path, text):
            return path, text
    raise NotFound(f"No diagram of version {definition.version} defines the process {definition.key!r}")
