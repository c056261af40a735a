"""The audit trail: one row per read or change of a person's data and per sign-in failure. Append-only:
the ORM refuses to change or delete a row, and the migration adds database triggers that refuse it too."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import db
from .models import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    user: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(40))
    # No foreign key: an attempt on a case that does not exist is recorded too, and rows outlive cases.
    case_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    task_id: Mapped[str | None] = mapped_column(sa.String(64))
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    # The keyed hash of a personal number looked up (never the number itself).
    subject_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("audit events are append-only")
