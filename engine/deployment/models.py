"""The record of a deployment: who deployed which files to which region, and what version it gave."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import db
from ..store.models import ProcessDefinition, utcnow


class Deployment(db.Model):
    """One accepted deployment (through the API, the command line or `init`). Refused deployments store
    nothing. `created` is false when the merged content equalled the latest version (nothing new deployed)."""

    __tablename__ = "deployments"
    __table_args__ = (sa.Index("ix_deployments_region_id", "region", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(64))
    key: Mapped[str] = mapped_column(sa.String(128))
    # The definition it deployed or found unchanged; kept (as NULL) if that definition is ever deleted.
    definition_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("process_definitions.id", ondelete="SET NULL"), index=True)
    version: Mapped[int]
    created: Mapped[bool] = mapped_column(sa.Boolean)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    deployed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    deployed_by: Mapped[str | None] = mapped_column(sa.String(200))
    source: Mapped[str] = mapped_column(sa.String(16))
    # The paths uploaded in this deployment, and the paths that are the region's own after it (its
    # overrides of the base, accumulated over its deployments), both sorted.
    files: Mapped[list] = mapped_column(sa.JSON)
    overrides: Mapped[list] = mapped_column(sa.JSON)
    # Why, in the deployer's words; and, for a deployment that put an earlier version back, that version.
    comment: Mapped[str | None] = mapped_column(sa.Text)
    restored_version: Mapped[int | None]

    definition: Mapped[ProcessDefinition | None] = relationship()
