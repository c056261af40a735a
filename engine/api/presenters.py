"""Turn stored cases and tasks into the shapes the API schemas describe."""

from __future__ import annotations

from datetime import UTC, datetime

from ..services import cases as case_service
from ..services.plans import plan_document
from ..services.task_list import LISTED_NAMES
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


_MOMENTS = ("due_at", "created_at", "completed_at", "draft_saved_at")


def task_json(row) -> dict:
    """A row of the task list (its columns in the order of `task_list.LISTED_NAMES`, maybe more after them) as
    `TaskOut` dumps a task, built straight as JSON values: the list's 50 rows skip the schema's per-field work
    and the row's access by name (tests/api/test_openapi_conformance.py holds the two the same)."""
    item = dict(zip(LISTED_NAMES, row, strict=False))  # a page with its total has one column more
    item["kind"] = "user_task"
    for key in _MOMENTS:
        if item[key] is not None:
            item[key] = utc(item[key]).isoformat()
    return item


def case_summary(case: Case) -> dict:
    return {
        "id": case.id, "region": case.region, "status": case.status, "closure_reason": case.closure_reason,
        "person_name": case.person_name, "process": process_of(case), "revision": case.revision,
        "created_at": utc(case.created_at), "updated_at": utc(case.updated_at),
    }


def coordinator_of(organisation: str | None, name: str | None) -> dict | None:
    """The samordningsansvarig as the list and a task's case show it; None where the case names none."""
    if organisation is None and name is None:
        return None
    return {"organisation": organisation, "name": name}


def recorded_coordinator(data: dict) -> dict | None:
    found = data.get("samordningsansvarig")
    if not isinstance(found, dict):
        return None
    return coordinator_of(found.get("organisation"), found.get("namn"))


def meeting_of(data: dict) -> dict | None:
    """The SIP meeting as the routine's forms record it: the date it was held (`motesdatum`), else the date
    planned (`motesdatum_planerat`), the time (`motestid`) and the place (`motesplats`); None before any."""
    meeting = {"date": data.get("motesdatum") or data.get("motesdatum_planerat"), "time": data.get("motestid"),
               "place": data.get("motesplats")}
    meeting = {key: value if isinstance(value, str) and value else None for key, value in meeting.items()}
    return meeting if any(meeting.values()) else None


def case_list_item(row, stage: str | None) -> dict:
    """A row of the case list (engine.services.task_list.CASE_LISTED) with the case's stage."""
    return {
        "id": row.id, "region": row.region, "status": row.status, "closure_reason": row.closure_reason,
        "person_name": row.person_name, "revision": row.revision, "created_at": utc(row.created_at),
        "updated_at": utc(row.updated_at),
        "process": {"key": row.process_key, "version": row.process_version, "region": row.process_region,
                    "deployed_at": utc(row.process_deployed_at)},
        "stage": stage, "next_due_at": utc(row.next_due_at),
        "coordinator": coordinator_of(row.coordinator_organisation, row.coordinator_name),
    }


def case_task_out(task: Task) -> dict:
    return {"id": task.id, "name": task.name, "title": task.title, "candidate_group": task.candidate_group,
            "assignee": task.assignee, "due_at": utc(task.due_at)}


def task_case(case: Case, principal=None) -> dict:
    """The case of a task as the one doing the task needs it: who it is for, where it stands, who coordinates
    it, the meeting, who takes part, and who has which of its open tasks (those the principal sees)."""
    data = case.data or {}
    return {
        "id": case.id, "person_name": case.person_name, "status": case.status,
        "stage": case_service.stage_of(case), "coordinator": recorded_coordinator(data), "meeting": meeting_of(data),
        "participants": plan_document(case)["participants"],
        "open_tasks": [case_task_out(t) for t in case_service.open_tasks(case.id, principal)],
    }


def own_plan(plan: dict, organisation: str) -> dict:
    """The plan as an organisation that no longer shares the case may still read it: only what it
    documented itself (its interventions, its own participant entry)."""
    interventions = [i for i in plan["interventions"] if i["provided_by"] == organisation]
    return {
        **plan, "scope": "own", "current_situation": "", "main_goal": "", "goals": [], "others_actions": [],
        "own_actions": "", "if_help_needed": "", "question": "", "works_well": "", "works_less_well": "",
        "summary": "", "relatives": [], "missing_consent": [], "discharge": None,
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
        "stage": case_service.stage_of(case),
        "person": {"name": case.person_name},
        "coordinator": data.get("samordningsansvarig"),
        "participants": plan["participants"],
        "open_tasks": [task_out(t) for t in tasks],
        "available_messages": case_service.available_messages(case, scope, principal),
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


def case_diagram_out(diagrams, states: dict) -> dict:
    return {
        "processes": [{"id": d.id, "name": d.name, "file": d.file, "xml": d.xml} for d in diagrams],
        "states": states,
        "calls": {d.id: dict(d.calls) for d in diagrams},
    }


def audit_event_out(event) -> dict:
    return {"id": event.id, "at": utc(event.at), "user": event.user, "organisation": event.organisation,
            "action": event.action, "case_id": event.case_id, "task_id": event.task_id,
            "remote_addr": event.remote_addr, "outcome": event.outcome, "detail": event.detail or {}}
