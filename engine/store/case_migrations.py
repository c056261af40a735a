"""Moves of running cases to another version of their routine: each run (a plan carried out, or only tried) and
each case it moved, with what the case was before so that the move can be undone."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import db
from .models import new_id, utcnow


class MigrationRun(db.Model):
    """One migration of a region's cases: what was asked, by whom, and the report of every case."""

    __tablename__ = "migration_runs"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    region: Mapped[str] = mapped_column(sa.String(64), index=True)
    from_version: Mapped[int | None]
    to_version: Mapped[int]
    to_definition_id: Mapped[int] = mapped_column(sa.ForeignKey("process_definitions.id"))
    # Old element id -> new element id, for the elements a process owner renamed.
    mapping: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    case_ids: Mapped[list | None] = mapped_column(sa.JSON)
    dry_run: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    requested_by: Mapped[str | None] = mapped_column(sa.String(200))
    # running, released (its holder stopped gracefully and let it go), finished, failed (a run whose holder stopped
    # beating is shown as interrupted until another process takes it over: engine.services.case_migration)
    status: Mapped[str] = mapped_column(sa.String(16), default="running", index=True)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    total: Mapped[int] = mapped_column(sa.Integer, default=0)
    moved: Mapped[int] = mapped_column(sa.Integer, default=0)
    refused: Mapped[int] = mapped_column(sa.Integer, default=0)
    # One entry per case: case_id, from_version, can_move, moved, reasons [{element, message}].
    report: Mapped[list] = mapped_column(sa.JSON, default=list, deferred=True)
    # The process carrying the run on (host:pid:token), and when it last showed it was alive: a run whose
    # heartbeat is older than MIGRATION_STALE_AFTER seconds is taken over by another process.
    held_by: Mapped[str | None] = mapped_column(sa.String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # How many times another process took the run over and carried it on.
    resumed: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # The cases the run selected as it started, [case id, version] each in order: what a takeover carries on with.
    selected: Mapped[list | None] = mapped_column(sa.JSON, deferred=True)


class CaseMigration(db.Model):
    """A case moved by a run: the version it came from and its workflow state then, so that the move can be undone
    while nothing has happened on the case since (its revision is still `revision_after`)."""

    __tablename__ = "case_migrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(sa.ForeignKey("migration_runs.id"), index=True)
    case_id: Mapped[str] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    from_definition_id: Mapped[int] = mapped_column(sa.ForeignKey("process_definitions.id"))
    to_definition_id: Mapped[int] = mapped_column(sa.ForeignKey("process_definitions.id"))
    state_before: Mapped[str] = mapped_column(sa.Text, deferred=True)
    revision_after: Mapped[int] = mapped_column(sa.Integer)
    # The due date each open task had before the move, by task id (ISO 8601, or null): a move back restores it.
    due_before: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The timers whose due moment the move calculated again (the run's report names them).
    retimed: Mapped[list | None] = mapped_column(sa.JSON)
    migrated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    migrated_by: Mapped[str | None] = mapped_column(sa.String(200))
    undone_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    undone_by: Mapped[str | None] = mapped_column(sa.String(200))
