"""Tables of who may do what: organisations, users, API tokens, and which organisations a case is shared with."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import db
from .models import utcnow

HUVUDMAN_KINDS = ("kommun_sol", "kommun_lss", "kommunal_halso_och_sjukvard", "primarvard", "psykiatri",
                  "slutenvard", "skola", "annan")
ROLES = ("staff", "process_owner", "admin")


class Organisation(db.Model):
    """A unit of a huvudman ("Kristianstads kommun, hemtjänst Norr"); the name is how diagrams and case data
    refer to it (a participant's `organisation`)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    region: Mapped[str] = mapped_column(sa.String(64), index=True)


class User(db.Model):
    """A member of staff. `username` is the identity asserted at sign-in (an HSA-id, an OIDC subject, or a
    name given to the token command). Roles: staff, process_owner (for the organisation's region), admin.

    A role is given for one organisation (`UserRole`), and holds only while the user acts for it: a user whom
    the identity provider asserts for another organisation (a move) has there only the roles given there.
    `roles` reads and writes those of the user's present organisation."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    # Where the user's notifications are sent (engine.notifications); none: the user gets no e-mail.
    email: Mapped[str | None] = mapped_column(sa.String(320))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    organisation: Mapped[Organisation | None] = relationship()
    grants: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    def _grants_here(self) -> list[UserRole]:
        org = self.organisation
        if org is None:
            return []
        return [grant for grant in self.grants
                if (grant.organisation_id == org.id if grant.organisation_id is not None
                    else grant.organisation is org)]

    @property
    def roles(self) -> list[str]:
        """The user's roles in the organisation they belong to now, in the order of ROLES."""
        held = {grant.role for grant in self._grants_here()}
        return [role for role in ROLES if role in held]

    @roles.setter
    def roles(self, roles) -> None:
        """Give the user exactly these roles in their present organisation (their roles elsewhere stay there)."""
        if self.organisation is None:
            if roles and set(roles) != {"staff"}:
                raise ValueError("roles are given for an organisation: the user belongs to none")
            return
        wanted = set(roles)
        unknown = wanted - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        here = self._grants_here()
        for grant in here:
            if grant.role not in wanted:
                self.grants.remove(grant)
        for role in wanted - {grant.role for grant in here}:
            self.grants.append(UserRole(organisation=self.organisation, role=role))


class UserRole(db.Model):
    """A role given to a user for one organisation, and so for its region."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(40), primary_key=True)

    organisation: Mapped[Organisation] = relationship()


class ApiToken(db.Model):
    """An API token: only its SHA-256 is stored; the token itself is shown once, when issued."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()


class CaseAccess(db.Model):
    """An organisation a case is shared with, kept in step with the case on every change (see
    engine.access.sharing). `scope` is ``full`` (the case as it stands) or ``own`` (only what the
    organisation itself documented: after consent is withdrawn, the case ends, or it leaves the plan)."""

    __tablename__ = "case_access"
    __table_args__ = (
        sa.Index("ix_case_access_organisation", "organisation", "scope", "case_id"),
        # The case list, newest first: a page of an organisation's cases is a range of this index, read backwards.
        sa.Index("ix_case_access_created", "organisation", "created_at", "case_id"),
    )

    case_id: Mapped[str] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    organisation: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(8), default="full")
    coordinator: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    initiator: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # The case's `created_at`, copied: the case list orders an organisation's cases by it.
    created_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class CaseGroup(db.Model):
    """Which organisation a role group (a lane such as `samordningsansvarig` or `primarvard`) means in a case."""

    __tablename__ = "case_groups"
    __table_args__ = (sa.Index("ix_case_groups_organisation", "organisation", "case_id"),)

    case_id: Mapped[str] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    group: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    organisation: Mapped[str] = mapped_column(sa.String(200), primary_key=True)


# The sort key of a task without a due date: after every real due date, so that "due first" reads an index
# in order. Not the end of year 9999: read back in a time zone east of UTC it must still be a valid datetime.
NO_DUE_DATE = datetime(9999, 1, 1, tzinfo=UTC)


class TaskViewer(db.Model):
    """An open task and one organisation that may see it (the rule: engine.access.task_viewers), with copies
    of the task's list columns, written in the transaction of every change of the case. An organisation's
    task list is then a range of one index, read in the order of the page, and its total an index-only count,
    whatever the number of its cases."""

    __tablename__ = "task_viewers"
    __table_args__ = (
        sa.Index("ix_task_viewers_group_due", "organisation", "candidate_group", "due_sort", "task_id"),
        sa.Index("ix_task_viewers_group_created", "organisation", "candidate_group", "created_at", "task_id"),
        sa.Index("ix_task_viewers_due", "organisation", "due_sort", "task_id"),
        sa.Index("ix_task_viewers_created", "organisation", "created_at", "task_id"),
        # "My tasks": a person's claimed tasks are few, whatever the size of the organisation.
        sa.Index("ix_task_viewers_assignee_due", "organisation", "assignee", "due_sort", "task_id"),
        sa.Index("ix_task_viewers_case_id", "case_id"),
        # A kind of task, in order of due date; and, covered, the summary's kinds counted in one pass.
        sa.Index("ix_task_viewers_kind", "organisation", "name", "due_sort", "task_id", "fingerprint"),
        # A search by the person's name reads the organisation's names here instead of its rows.
        sa.Index("ix_task_viewers_person", "organisation", "person_key", "due_sort", "task_id"),
        # Totals: PostgreSQL keeps an equal key once with the list of its rows (B-tree deduplication), so
        # counting an organisation's 20,000 rows reads a few pages of this index instead of hundreds of a wide one.
        # Last: of indexes equally good for a count, SQLite takes the one created last (migration 0007).
        sa.Index("ix_task_viewers_group", "organisation", "candidate_group"),
    )

    task_id: Mapped[str] = mapped_column(sa.ForeignKey("tasks.id"), primary_key=True)
    organisation: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    case_id: Mapped[str] = mapped_column(sa.String(36))
    candidate_group: Mapped[str | None] = mapped_column(sa.String(200))
    region: Mapped[str] = mapped_column(sa.String(64))
    assignee: Mapped[str | None] = mapped_column(sa.String(200))
    due_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # `due_at`, or NO_DUE_DATE where the task has none: never NULL, so ORDER BY due_sort needs no NULLS LAST.
    due_sort: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # The task's kind (its BPMN id) and its person's name folded for a case-insensitive search.
    name: Mapped[str | None] = mapped_column(sa.String(200))
    person_key: Mapped[str | None] = mapped_column(sa.String(200))
    # A hash of the task's id, assignee and due date (engine.access.task_viewers.fingerprint): the sum over an
    # organisation's rows changes whenever one of its open tasks is added, removed, claimed, given back or
    # given another due date.
    fingerprint: Mapped[int | None] = mapped_column(sa.Integer)
