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
    }


def case_summary(case: Case) -> dict:
    return {
        "id": case.id, "region": case.region, "status": case.status, "closure_reason": case.closure_reason,
        "person_name": case.person_name, "process": process_of(case), "revision": case.revision,
        "created_at": utc(case.created_at), "updated_at": utc(case.updated_at),
    }


def case_out(case: Case) -> dict:
    data = case.data or {}
    plan = plan_document(case)
    return {
        **case_summary(case),
        "person": {"name": case.person_name},
        "coordinator": data.get("samordningsansvarig"),
        "participants": plan["participants"],
        "open_tasks": [task_out(t) for t in case_service.open_tasks(case.id)],
        "plan": plan,
        "history": [
            {"at": utc(e.at), "kind": e.kind, "actor": e.actor, "task_id": e.task_id, "task_name": e.task_name,
             "detail": e.detail or {}}
            for e in case_service.case_history(case.id)
        ],
        "parent_case_id": case.parent_case_id,
        "next_timer_at": utc(case.next_timer_at),
        "incident": case.incident,
    }
