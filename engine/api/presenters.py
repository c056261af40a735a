"""Turn stored cases and tasks into the shapes the API schemas describe."""

from __future__ import annotations

from datetime import UTC, datetime

from ..services import cases as case_service
from ..services.plans import plan_document
from ..store import Case, Task


def utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def process_of(case: Case) -> dict:
    d = case.definition
    return {"key": d.key, "version": d.version, "region": d.region, "deployed_at": utc(d.deployed_at)}


def task_out(task: Task) -> dict:
    return {
        "id": task.id, "name": task.name, "title": task.title, "kind": "user_task", "case_id": task.case_id,
        "person_name": task.person_name, "region": task.region, "process": task.process,
        "candidate_group": task.candidate_group, "assignee": task.assignee, "state": task.state,
        "due_at": utc(task.due_at), "created_at": utc(task.created_at), "completed_at": utc(task.completed_at),
        "draft_saved_at": utc(task.draft_saved_at), "draft_saved_by": task.draft_saved_by,
    }


def draft_out(task: Task) -> dict | None:
    if task.draft_saved_at is None:
        return None
    return {"data": task.draft or {}, "saved_at": utc(task.draft_saved_at), "saved_by": task.draft_saved_by}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else utc(moment).isoformat()


def task_json(task) -> dict:
    """A task as `TaskOut` dumps it, built straight as JSON values: the task list's rows skip the schema's
    per-field work (tests/api/test_openapi_conformance.py holds the two the same)."""
    return {**task_out(task), "due_at": _iso(task.due_at), "created_at": _iso(task.created_at),
            "completed_at": _iso(task.completed_at), "draft_saved_at": _iso(task.draft_saved_at)}


def case_summary(case: Case) -> dict:
    return {
        "id": case.id, "region": case.region, "status": case.status, "closure_reason": case.closure_reason,
        "person_name": case.person_name, "process": process_of(case), "revision": case.revision,
        "created_at": utc(case.created_at), "updated_at": utc(case.updated_at),
    }


def own_plan(plan: dict, organisation: str) -> dict:
    """The plan as an organisation that no longer shares the case may still read it: only what it
    documented itself (its interventions, its own participant entry)."""
    interventions = [i for i in plan["interventions"] if i["provided_by"] == organisation]
    return {
        **plan, "scope": "own", "current_situation": "", "main_goal": "", "goals": [], "others_actions": [],
        "interventions": interventions, "providers": sorted({i["provided_by"] for i in interventions}),
        "participants": [p for p in plan["participants"] if p["organisation"] == organisation],
        "follow_up_date": None, "latest_follow_up": None, "meeting_date": None,
    }


def plan_out(case: Case, scope: str = "full", organisation: str | None = None) -> dict:
    plan = plan_document(case)
    return own_plan(plan, organisation) if scope == "own" else {**plan, "scope": "full"}


def case_out(case: Case, principal=None, scope: str = "full") -> dict:
    """A case as the principal may see it: all of it (`full`), or only what its organisation documented
    itself (`own`, after consent is withdrawn, the case ends or the organisation leaves it)."""
    data = case.data or {}
    organisation = principal.organisation if principal is not None else None
    plan = plan_out(case, scope, organisation)
    tasks = case_service.open_tasks(case.id, principal)
    events = case_service.case_history(case.id)
    if scope == "own":
        own_tasks = case_service.task_ids_of(case.id, organisation)
        events = [e for e in events if e.task_id in own_tasks]
    return {
        **case_summary(case),
        "person": {"name": case.person_name},
        "coordinator": data.get("samordningsansvarig"),
        "participants": plan["participants"],
        "open_tasks": [task_out(t) for t in tasks],
        "plan": plan,
        "history": [
            {"at": utc(e.at), "kind": e.kind, "actor": e.actor, "task_id": e.task_id, "task_name": e.task_name,
             "detail": e.detail or {}}
            for e in events
        ],
        "parent_case_id": case.parent_case_id,
        "next_timer_at": utc(case.next_timer_at),
        "incident": case.incident,
    }


def started_case_out(case: Case, principal=None) -> dict:
    """A case just started, with its first open tasks (its plan is empty, its history one event)."""
    return {
        **case_summary(case),
        "person": {"name": case.person_name},
        "open_tasks": [task_out(t) for t in case_service.open_tasks_of_change(case, principal)],
        "parent_case_id": case.parent_case_id,
    }


def audit_event_out(event) -> dict:
    return {"id": event.id, "at": utc(event.at), "user": event.user, "organisation": event.organisation,
            "action": event.action, "case_id": event.case_id, "task_id": event.task_id,
            "remote_addr": event.remote_addr, "outcome": event.outcome, "detail": event.detail or {}}
