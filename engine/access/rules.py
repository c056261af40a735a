"""Who may see and do what, as SQL conditions (so that lists, counts and pages hold only visible rows) and
as checks on one case or task that use the same conditions. A refusal is audited in its own transaction.

- A case: visible to the organisations in `case_access` (see sharing.py); `full` or `own` scope.
- A task: visible to the acting coordinator's organisation (full scope), to the organisation(s) its
  candidate group means (the organisation itself, or a role group via `case_groups`), and to its assignee;
  an organisation left with `own` scope keeps only the tasks addressed to it by name.
- Acting on a task (claim, unclaim, complete) needs it to be visible.
- Messages need `full` scope; `kallelse_kvitterad` for another organisation only from the coordinator, and a
  message the diagram gives to the coordinator (`sentBy`) only from the coordinator's organisation.
- The audit trail of a case: the coordinator's organisation and administrators.
- Deploying: a process owner of the same region.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from .. import audit
from ..database import db
from ..services.errors import NotFound
from ..store import Case, CaseAccess, CaseGroup, Task, TaskViewer
from .errors import Forbidden
from .principal import Principal
from .sharing import COORDINATOR_GROUP


def case_clause(principal: Principal):
    """Cases the principal's organisation may see (any scope)."""
    return Case.id.in_(sa.select(CaseAccess.case_id).where(CaseAccess.organisation == principal.organisation))


def visible_task_ids(principal: Principal, state: str | None = None):
    """The ids of the tasks the principal may see, as a subquery driven by the organisation's own rows:
    its cost follows the organisation's cases, not the size of the task table or of a candidate group."""
    org = principal.organisation
    open_only = [Task.state == state] if state is not None else []
    as_coordinator = (
        sa.select(Task.id).join(CaseAccess, CaseAccess.case_id == Task.case_id)
        .where(CaseAccess.organisation == org, CaseAccess.scope == "full", CaseAccess.coordinator.is_(True),
               *open_only)
    )
    by_group = (
        sa.select(Task.id)
        .join(CaseGroup, sa.and_(CaseGroup.case_id == Task.case_id, CaseGroup.group == Task.candidate_group))
        .join(CaseAccess, sa.and_(CaseAccess.case_id == Task.case_id, CaseAccess.organisation == org))
        .where(CaseGroup.organisation == org, CaseAccess.scope == "full", *open_only)
    )
    by_name = (
        sa.select(Task.id).join(CaseAccess, sa.and_(CaseAccess.case_id == Task.case_id, CaseAccess.organisation == org))
        .where(Task.candidate_group == org, *open_only)
    )
    by_assignee = (
        sa.select(Task.id).join(CaseAccess, sa.and_(CaseAccess.case_id == Task.case_id, CaseAccess.organisation == org))
        .where(Task.assignee == principal.username, *open_only)
    )
    return sa.union(as_coordinator, by_group, by_name, by_assignee)


def task_clause(principal: Principal, state: str | None = None):
    """Tasks the principal may see, for lists over many cases."""
    return Task.id.in_(visible_task_ids(principal, state))


@functools.cache
def task_row_clause():
    """The same rule checked row by row, for a query already narrowed to one task or one case. Built once, with
    the viewer as bound parameters (`viewer(principal)` gives them): these checks run on every request."""
    org, username = sa.bindparam("viewer_organisation"), sa.bindparam("viewer_username")
    access = sa.select(CaseAccess.case_id).where(CaseAccess.case_id == Task.case_id, CaseAccess.organisation == org)
    full = access.where(CaseAccess.scope == "full")
    as_coordinator = full.where(CaseAccess.coordinator.is_(True))
    by_group = sa.select(CaseGroup.case_id).where(
        CaseGroup.case_id == Task.case_id, CaseGroup.group == Task.candidate_group, CaseGroup.organisation == org)
    return sa.or_(
        as_coordinator.exists(),
        sa.and_(full.exists(), by_group.exists()),
        sa.and_(access.exists(), sa.or_(Task.candidate_group == org, Task.assignee == username)),
    )


def viewer(principal: Principal) -> dict:
    """The parameters of `task_row_clause` for a principal."""
    return {"viewer_organisation": principal.organisation, "viewer_username": principal.username}


def open_task_seen():
    """An open task the viewer's organisation sees: its row in `task_viewers` (see task_viewers.py), the same
    rule as `task_row_clause`, kept per open task, so the list and the task itself agree."""
    return sa.exists().where(TaskViewer.task_id == Task.id,
                             TaskViewer.organisation == sa.bindparam("viewer_organisation"))


@functools.cache
def _visible_task():
    return sa.select(Task).where(Task.id == sa.bindparam("task_id"), sa.or_(
        sa.and_(Task.state == "open", open_task_seen()),
        sa.and_(Task.state != "open", task_row_clause()),
    ))


def case_access(principal: Principal, case_id: str) -> CaseAccess | None:
    return db.session.scalars(sa.select(CaseAccess).where(
        CaseAccess.case_id == case_id, CaseAccess.organisation == principal.organisation)).first()


def _refuse(error, action: str, principal: Principal, case_id=None, task_id=None, **detail):
    """Audit a refusal in a transaction of its own and raise it."""
    db.session.rollback()
    audit.record_now(action, principal, case_id=case_id, task_id=task_id,
                     outcome="not_found" if isinstance(error, NotFound) else "denied", detail=detail or None)
    error.audited = True  # the services' audit of refused attempts leaves it alone
    raise error


def require_case(principal: Principal | None, case_id: str, action: str, need_full: bool = False) -> str:
    """The scope (`full`, `own`, or `system`) the principal has on the case; a case it cannot see is 404,
    one it sees only partly is 403 where the action needs the whole case."""
    if principal is None:
        return "system"
    row = case_access(principal, case_id)
    if row is None:
        _refuse(NotFound(f"No case {case_id}"), action, principal, case_id=case_id)
    if need_full and row.scope != "full":
        _refuse(Forbidden("The case is no longer shared with your organisation; you can read only what it "
                          "documented itself"), action, principal, case_id=case_id)
    return row.scope


def require_task(principal: Principal | None, task_id: str, action: str) -> Task | None:
    """The task, when the principal may see it; one it cannot see is 404, as if it did not exist."""
    if principal is None:
        return None
    visible = db.session.scalar(_visible_task(), {"task_id": task_id, **viewer(principal)})
    if visible is None:
        row = db.session.get(Task, task_id)
        _refuse(NotFound(f"No task {task_id}"), action, principal, case_id=row.case_id if row else None,
                task_id=task_id)
    return visible


def require_message(principal: Principal | None, case: Case, name: str, payload: dict) -> None:
    if principal is None:
        return
    require_case(principal, case.id, "message", need_full=True)
    org = (payload or {}).get("organisation")
    if org is not None and org != principal.organisation and not case_access(principal, case.id).coordinator:
        _refuse(Forbidden("Only the coordinator can acknowledge for another organisation"), "message", principal,
                case_id=case.id, message=name)


def coordinates(principal: Principal | None, case_id: str) -> bool:
    """Whether the principal acts for the case's coordinator (the system and administrators do)."""
    if principal is None or principal.is_admin:
        return True
    row = case_access(principal, case_id)
    return bool(row is not None and row.coordinator)


def require_sender(principal: Principal | None, case_id: str, name: str, sender: str | None) -> None:
    """A message whose catching event the diagram gives to the coordinator (`sentBy`) is the coordinator's
    decision: refused to the other organisations."""
    if sender == COORDINATOR_GROUP and not coordinates(principal, case_id):
        _refuse(Forbidden(f"Only the coordinator's organisation sends {name!r}: it is the coordinator's decision"),
                "message", principal, case_id=case_id, message=name)


def require_audit_reader(principal: Principal | None, case_id: str) -> None:
    if principal is None or principal.is_admin:
        return
    row = case_access(principal, case_id)
    if row is None:
        _refuse(NotFound(f"No case {case_id}"), "read_audit", principal, case_id=case_id)
    if not row.coordinator:
        _refuse(Forbidden("Only the coordinator's organisation and administrators read a case's audit trail"),
                "read_audit", principal, case_id=case_id)


def may_deploy(principal: Principal | None, region: str) -> bool:
    return principal is None or (principal.has_role("process_owner") and principal.region == region)


def require_deploy(principal: Principal | None, region: str) -> None:
    if not may_deploy(principal, region):
        _refuse(Forbidden(f"Deploying to the region {region!r} needs the process_owner role of that region"),
                "deploy", principal, region=region)
