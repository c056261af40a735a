"""Tables. Only this package and the services know the database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import db


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class ProcessDefinition(db.Model):
    """One deployed version of a process set (main process, its called processes, tables and forms)
    for one region. The base routine is deployed under the region ``base``."""

    __tablename__ = "process_definitions"
    __table_args__ = (sa.UniqueConstraint("region", "key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(64), index=True)
    key: Mapped[str] = mapped_column(sa.String(128))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    deployed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    deployed_by: Mapped[str | None] = mapped_column(sa.String(200))
    # The parsed specs as SpiffWorkflow serializes them, so a running case keeps the diagram it started on
    # without keeping its own copy.
    # Deferred: large, and read only when the process cache misses.
    specs: Mapped[dict] = mapped_column(sa.JSON, deferred=True)
    # Form schemas by file name, as deployed with the diagrams.
    forms: Mapped[dict] = mapped_column(sa.JSON, deferred=True)

    files: Mapped[list[ProcessFile]] = relationship(
        back_populates="definition", cascade="all, delete-orphan", order_by="ProcessFile.path"
    )


class ProcessFile(db.Model):
    """A file as deployed: BPMN, DMN or form JSON, to open again in a modeler."""

    __tablename__ = "process_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(sa.ForeignKey("process_definitions.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(sa.String(16))
    content: Mapped[str] = mapped_column(sa.Text)

    definition: Mapped[ProcessDefinition] = relationship(back_populates="files")


class Case(db.Model):
    """A SIP case: one running (or ended) workflow and what the task list and plan need of it."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    region: Mapped[str] = mapped_column(sa.String(64), index=True)
    definition_id: Mapped[int] = mapped_column(sa.ForeignKey("process_definitions.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="active", index=True)
    closure_reason: Mapped[str | None] = mapped_column(sa.String(64))
    person_name: Mapped[str | None] = mapped_column(sa.String(200))
    # The person's name folded for a case-insensitive search (engine.access.task_viewers.search_key).
    person_key: Mapped[str | None] = mapped_column(sa.String(200))
    # The name of the subprocess or call activity the case is in ("" for none, as when it has ended), kept with
    # every change for the case list; NULL for a case not changed since the column was added.
    stage: Mapped[str | None] = mapped_column(sa.String(300))
    # The messages the case waits for, each as [message, process, catching event] (engine.runtime.progress);
    # NULL for a case not changed since the column was added.
    waiting: Mapped[list | None] = mapped_column(sa.JSON)
    parent_case_id: Mapped[str | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # When the earliest timer of the case is due; the timer sweep reads only this index.
    next_timer_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    # The workflow state without its specs (see engine.runtime.serializer), compacted.
    state: Mapped[str] = mapped_column(sa.Text)
    # The process data as it stands now, for reading without running the workflow.
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    incident: Mapped[str | None] = mapped_column(sa.Text)
    # The organisation of the user who started the case: the only one that sees it before consent.
    initiating_organisation: Mapped[str | None] = mapped_column(sa.String(200))
    # The person's personal number: a keyed hash (HMAC-SHA256) to find the case by, and the number
    # encrypted (AES-GCM); never in `data` (see engine.privacy).
    personal_number_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    personal_number_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    # Optimistic concurrency: a write of a stale case fails instead of overwriting another's change.
    revision: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": revision}

    definition: Mapped[ProcessDefinition] = relationship()


class Task(db.Model):
    """A human task of a case: the indexed task list, kept in step with the workflow on every change."""

    __tablename__ = "tasks"
    __table_args__ = (
        sa.Index("ix_tasks_open_group_due", "state", "candidate_group", "due_at"),
        sa.Index("ix_tasks_case_state", "case_id", "state"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(sa.ForeignKey("cases.id"))
    region: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(300))
    process: Mapped[str] = mapped_column(sa.String(200))
    candidate_group: Mapped[str | None] = mapped_column(sa.String(200))
    assignee: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    form_schema: Mapped[str | None] = mapped_column(sa.String(300))
    form_ui_schema: Mapped[str | None] = mapped_column(sa.String(300))
    instructions: Mapped[str | None] = mapped_column(sa.Text)
    due_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    state: Mapped[str] = mapped_column(sa.String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    completed_by: Mapped[str | None] = mapped_column(sa.String(200))
    # The Idempotency-Key the completion was sent with: its retry is answered, not refused.
    completion_key: Mapped[str | None] = mapped_column(sa.String(200))
    person_name: Mapped[str | None] = mapped_column(sa.String(200))
    # What someone has filled in so far of the task's form, to finish later; gone when the task closes.
    draft: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)
    draft_saved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    draft_saved_by: Mapped[str | None] = mapped_column(sa.String(200))


class CaseEvent(db.Model):
    """The history of a case, one row per change, written in the change's transaction."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(32))
    actor: Mapped[str | None] = mapped_column(sa.String(200))
    task_id: Mapped[str | None] = mapped_column(sa.String(36))
    task_name: Mapped[str | None] = mapped_column(sa.String(200))
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The diagram elements the change ran or cancelled, by process id: {"sip": {"initiering": "completed"}}.
    # The case's workflow keeps no finished history (engine.runtime.compaction); its diagram is drawn from these.
    elements: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)


class MessageReceipt(db.Model):
    """A message delivered with an idempotency key: the same key again is not applied twice."""

    __tablename__ = "message_receipts"
    __table_args__ = (sa.UniqueConstraint("case_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(sa.ForeignKey("cases.id"))
    idempotency_key: Mapped[str] = mapped_column(sa.String(200))
    message: Mapped[str] = mapped_column(sa.String(200))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class StartReceipt(db.Model):
    """A case started with an idempotency key: the same user's same key again answers with that case instead
    of starting another. `fingerprint` is a keyed hash of the request, to tell a retry from another start."""

    __tablename__ = "start_receipts"
    __table_args__ = (sa.UniqueConstraint("username", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(200))
    idempotency_key: Mapped[str] = mapped_column(sa.String(200))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    case_id: Mapped[str] = mapped_column(sa.ForeignKey("cases.id"))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
