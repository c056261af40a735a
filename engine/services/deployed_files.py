"""One file of a region's deployed routine, as the studio opens it to edit: its text, the version it is from,
and whether it is the region's own or the base's."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..database import db
from ..deployment.models import Deployment
from ..store import ProcessDefinition
from .errors import NotFound
from .process_sets import BASE_REGION, KINDS, MAIN_PROCESS, files_of, latest_definition


@dataclass
class DeployedFile:
    path: str
    kind: str
    content: str
    definition: ProcessDefinition
    own: bool


def routine_of(region: str, version: int | None = None, key: str = MAIN_PROCESS) -> ProcessDefinition:
    """The version the region runs now (the base's where it has none of its own), or its own `version`."""
    if version is None:
        definition = latest_definition(region, key)
    else:
        definition = db.session.scalars(sa.select(ProcessDefinition).where(
            ProcessDefinition.region == region, ProcessDefinition.key == key,
            ProcessDefinition.version == version)).first()
    if definition is None:
        which = f"version {version} of " if version is not None else ""
        raise NotFound(f"Nothing is deployed as {which}the routine of region {region!r}")
    return definition


def is_own(definition: ProcessDefinition, path: str, text: str) -> bool:
    """Whether a file of a version is its region's own: as the deployment that made the version recorded it,
    else (a version deployed without a record) when it differs from the base's latest file of that path."""
    if definition.region == BASE_REGION:
        return True
    record = db.session.scalars(sa.select(Deployment).where(Deployment.definition_id == definition.id)
                                .order_by(Deployment.id).limit(1)).first()
    if record is not None:
        return path in (record.overrides or [])
    base = latest_definition(BASE_REGION, definition.key, fallback=False)
    return base is None or files_of(base).get(path) != text


def deployed_file(region: str, path: str, version: int | None = None) -> DeployedFile:
    """A file of the region's routine by its path in the set (`dmn/mobilt_vardteam.dmn`), or 404."""
    definition = routine_of(region, version)
    found = next((f for f in definition.files if f.path == path), None)
    if found is None:
        raise NotFound(f"The routine of region {region!r} (version {definition.version}) has no file {path!r}")
    kind = KINDS.get("." + path.rsplit(".", 1)[-1].lower(), "other")
    return DeployedFile(path=found.path, kind=kind, content=found.content, definition=definition,
                        own=is_own(definition, found.path, found.content))
