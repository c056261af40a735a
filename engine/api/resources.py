"""The task-list API: each view turns HTTP into a service call and the result back into HTTP."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import Response, jsonify, render_template, request
from flask.views import MethodView

from .. import audit
from ..access import require_audit_reader
from ..access.rules import case_access
from ..calendar import SWEDISH_TIME
from ..database import db
from ..forms.case_fields import bind_to_case
from ..people.personal_number import parse_personal_number
from ..services import cases as case_service
from ..services import task_list
from ..services.errors import NotFound
from ..services.organisation_registry import organisations_for
from ..services.process_sets import defined_ids, latest_definition
from . import schemas as s
from .auth import acting_as, current_principal
from .blueprint import Blueprint
from .guards import SURROGATE as LONE_SURROGATE
from .idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_REPLAYED, idempotency_key, replay_headers, request_fingerprint
from .links import operation
from .presenters import (
    audit_event_out,
    case_diagram_out,
    case_list_item,
    case_out,
    case_summary,
    draft_out,
    plan_out,
    started_case_out,
    task_case,
    task_json,
    task_out,
)
from .problems import problem_response

api_v1 = Blueprint("sip", __name__, url_prefix="/api/v1", description="SIP cases, tasks and decisions",
                   template_folder="templates")

SWEDISH_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
                  "november", "december")


@api_v1.app_template_filter("datum")
def swedish_date(value) -> str:
    """A date as Swedes write it in text, "5 december 2026", as the web app shows it; anything that is not an ISO
    date is shown as it is."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            return "" if value is None else str(value)
    return f"{value.day} {SWEDISH_MONTHS[value.month - 1]} {value.year}"


def age_on(born: date, day: date) -> int:
    """Whole years from `born` to `day`: the person's age, put into the case's data in place of the number it
    is read from (the number itself stays in the case's protected columns)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# Errors the views answer with, as the OpenAPI document describes them (each a problem document).
NO_SUCH_CASE = "no such case, or not one your organisation may see"
NO_SUCH_TASK = "no such task, or not one your organisation may see"
CLAIMED_OR_CLOSED = "claimed by someone else, or no longer open"
UNLOADABLE = ("the workflow engine cannot load the case's stored state (`/problems/process-incident`, titled "
              "\"Ärendet kan inte läsas in\"); the case shows the incident")


@api_v1.route("/health")
class Health(MethodView):
    @api_v1.doc(operationId="getHealth", security=[])
    @api_v1.response(200, s.HealthOut)
    def get(self):
        """The app and its database answer."""
        db.session.execute(sa.text("SELECT 1"))
        return {"status": "ok", "database": "ok"}


@api_v1.route("/cases")
class Cases(MethodView):
    @api_v1.doc(**operation("listCases", 200, case="$response.body#/items/0/id"))
    @api_v1.arguments(s.CaseQuery, location="query", error_status_code=400)
    @api_v1.response(200, s.CaseListOut)
    def get(self, query):
        """Cases your organisation may see, newest first, each with the stage it is in, its coordinator and the
        earliest due date of its open tasks; with `personal_number`, that person's cases (audited as a search
        for the person)."""
        number = query.get("personal_number")
        rows, total = task_list.list_cases(
            query.get("region"), query.get("status"), query["limit"], query["offset"], principal=current_principal(),
            personal_number=parse_personal_number(number).number if number else None,
            coordinated_by_me=query.get("coordinated_by") == "me", person=query.get("person"))
        stages = case_service.stages_of(rows)
        return {"items": [case_list_item(row, stages[row.id]) for row in rows], "total": total,
                "limit": query["limit"], "offset": query["offset"]}

    @api_v1.doc(parameters=[IDEMPOTENCY_KEY], **operation("startCase", 201, 200, case="$response.body#/id",
                                                          task="$response.body#/open_tasks/0/id"))
    @api_v1.arguments(s.StartCaseIn, error_status_code=400)
    @api_v1.response(201, s.StartedCaseOut, headers={"Location": {"description": "the case (GET)",
                                                                 "schema": {"type": "string"}},
                                                    **IDEMPOTENCY_REPLAYED})
    @api_v1.alt_response(200, schema=s.StartedCaseOut, description="a retry with the same `Idempotency-Key`: the "
                         "case that the first request started, as it stands now; nothing new is started",
                         headers=IDEMPOTENCY_REPLAYED)
    @problem_response(api_v1, 404, "nothing is deployed for the region")
    @problem_response(api_v1, 409, "the `Idempotency-Key` was used for another request")
    @problem_response(api_v1, 422, "the routine failed in its first steps (a script or a table)")
    def post(self, body):
        """Start a case of the region's SIP routine (the base routine where the region has no variant). Answers
        with the case and its first open tasks; the whole case (plan, history) is at its `Location`."""
        person = parse_personal_number(body["person"]["personal_number"])
        variables = dict(body["variables"])
        huvudperson = variables.get("huvudperson")
        if isinstance(huvudperson, dict):  # the number lives in the case's protected columns only
            variables["huvudperson"] = {k: v for k, v in huvudperson.items() if k != "personnummer"}
        huvudperson = variables.setdefault("huvudperson", {})
        if isinstance(huvudperson, dict):  # what the case knows of the person fills the forms that ask for it
            huvudperson.setdefault("namn", body["person"]["name"])
            huvudperson.setdefault("alder", age_on(person.birth_date, datetime.now(SWEDISH_TIME).date()))
        principal = current_principal()
        details = dict(person_name=body["person"]["name"], principal=principal, personal_number=person.number)
        key = idempotency_key()
        if key is None:
            case, started = case_service.start_case(body["region"], variables, **details), True
        else:
            case, started = case_service.start_case_once(key, request_fingerprint(body), body["region"], variables,
                                                         **details)
        headers = {"Location": f"{api_v1.url_prefix}/cases/{case.id}", **replay_headers(key, started)}
        return started_case_out(case, principal), 201 if started else 200, headers


@api_v1.route("/cases/<string:case_id>")
class CaseResource(MethodView):
    @api_v1.doc(**operation("getCase", 200, case="$request.path.case_id", task="$response.body#/open_tasks/0/id"))
    @api_v1.response(200, s.CaseOut)
    @problem_response(api_v1, 404, NO_SUCH_CASE)
    def get(self, case_id):
        """A case: status, process version, participants, open tasks, the plan so far, its history."""
        principal = current_principal()
        case, scope = case_service.read_case(case_id, principal)
        return case_out(case, principal, scope)


@api_v1.route("/cases/<string:case_id>/diagram")
class CaseDiagramResource(MethodView):
    @api_v1.doc(operationId="getCaseDiagram")
    @api_v1.response(200, s.CaseDiagramOut)
    @problem_response(api_v1, 404, NO_SUCH_CASE)
    @problem_response(api_v1, 403, "the case is no longer shared with your organisation in full; you can read only "
                      "what it documented itself")
    @problem_response(api_v1, 422, UNLOADABLE)
    def get(self, case_id):
        """The BPMN diagrams the case runs (its main process and each process it calls, as deployed for its
        version) and where the case stands in each: what has run, what is open, what waits, what was
        cancelled."""
        diagrams, states = case_service.case_diagram(case_id, current_principal())
        return case_diagram_out(diagrams, states)


@api_v1.route("/cases/<string:case_id>/plan")
class PlanResource(MethodView):
    @api_v1.response(200, s.PlanOut)
    @problem_response(api_v1, 404, NO_SUCH_CASE)
    @api_v1.doc(operationId="getCasePlan", responses={"200": {"description": "the plan", "content": {
        # its JSON, and beside it the page
        "application/json": {"schema": {"$ref": "#/components/schemas/PlanOut"}},
        "text/html": {"schema": {"type": "string", "description": "the plan as a page to print (Swedish)"}}}}})
    def get(self, case_id):
        """The SIP as a document: the four legal questions answered, goals, interventions, participants.
        With `Accept: text/html`, as a page in Swedish to print for the person and where staff keep it."""
        principal = current_principal()
        case, scope = case_service.read_case(case_id, principal, action="read_plan")
        plan = plan_out(case, scope, principal.organisation if principal else None)
        if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
            page = render_template("plan.html", plan=plan, printed_at=datetime.now(SWEDISH_TIME).date())
            # A lone surrogate stored before entry refused them has no UTF-8 form: shown as U+FFFD, the page
            # still prints.
            page = LONE_SURROGATE.sub("\ufffd", page)
            return Response(page, mimetype="text/html", headers={
                # Everything on the page is the plan's own text: no scripts, nothing fetched.
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                "Cache-Control": "no-store"})
        return plan


@api_v1.route("/cases/<string:case_id>/audit")
class CaseAuditResource(MethodView):
    @api_v1.doc(operationId="getCaseAudit")
    @api_v1.response(200, s.AuditListOut)
    @problem_response(api_v1, 404, NO_SUCH_CASE)
    @problem_response(api_v1, 403, "only the coordinator's organisation and administrators read it")
    def get(self, case_id):
        """The case's audit trail: who read or changed what, when, from where (the coordinator's organisation
        and administrators only)."""
        principal = current_principal()
        require_audit_reader(principal, case_id)
        events = audit.case_events(case_id)
        audit.record_now("read_audit", principal, case_id=case_id)
        return {"items": [audit_event_out(e) for e in events], "total": len(events)}


REASON_MISSING = ("the reason the message's event asks for (`available_messages[].reason`) is missing or no text "
                  "(`errors` names `payload/orsak`)")


@api_v1.route("/cases/<string:case_id>/messages/<string:name>")
class MessageResource(MethodView):
    @api_v1.doc(parameters=[IDEMPOTENCY_KEY], **operation("sendMessage", 200, case="$request.path.case_id",
                                                          task="$response.body#/open_tasks/0/id"))
    @api_v1.arguments(s.MessageIn, error_status_code=400)
    @api_v1.response(200, s.CaseOut, headers=IDEMPOTENCY_REPLAYED)
    @problem_response(api_v1, 404, "no such case, or no message of that name in the routine")
    @problem_response(api_v1, 409, "no step of the case waits for the message now (`waiting_for` lists what does),"
                      " or the idempotency key was used for another message")
    @problem_response(api_v1, 422, REASON_MISSING + "; or the routine failed in a step, or the workflow engine "
                      "cannot load the case (`/problems/process-incident`)")
    def post(self, body, case_id, name):
        """Deliver a named message: samtycke_aterkallat, mote_installt, uppfoljning_begard, …
        With an `Idempotency-Key` header, the same message sent twice is applied once."""
        key = idempotency_key()
        principal = acting_as(body.get("user"))
        case, applied = case_service.send_message(case_id, name, body["payload"], actor=body.get("user"),
                                                  idempotency_key=key, principal=principal)
        return case_out(case, principal), 200, replay_headers(key, applied)


@api_v1.route("/tasks")
class Tasks(MethodView):
    @api_v1.doc(**operation("listTasks", 200, case="$response.body#/items/0/case_id",
                            task="$response.body#/items/0/id"))
    @api_v1.arguments(s.TaskQuery, location="query", error_status_code=400)
    @api_v1.response(200, s.TaskListOut)
    def get(self, query):
        """The task list, from the indexed table of tasks."""
        principal = current_principal()
        assignee = query.get("assignee")
        if assignee == "me" and principal is not None:
            assignee = principal.username
        flt = task_list.TaskFilter(
            candidate_group=query.get("candidate_group"), assignee=assignee,
            case_id=query.get("case_id"), region=query.get("region"), due_before=query.get("due_before"),
            due_after=query.get("due_after"), state=query["state"], name=query.get("name"),
            person=query.get("person"),
        )
        rows, total = task_list.list_tasks(flt, query["sort"], query["limit"], query["offset"], principal=principal)
        # The most frequent request: its page is sent as built, not dumped field by field through TaskListOut,
        # which documents it.
        return jsonify({"items": [task_json(t) for t in rows], "total": total,
                        "limit": query["limit"], "offset": query["offset"]})


@api_v1.route("/tasks/summary")
class TaskSummary(MethodView):
    @api_v1.doc(operationId="getTaskSummary")
    @api_v1.response(200, s.TaskSummaryOut)
    def get(self):
        """What your organisation's open tasks come to: yours, all, unassigned, overdue, due today, by kind, and a
        `version` to poll (every ten seconds, say) that changes whenever the list would; read the list again
        only then. It shows no case or person, and is not audited as a read of cases."""
        return task_list.task_summary(current_principal())


@api_v1.route("/tasks/<string:task_id>")
class TaskResource(MethodView):
    @api_v1.doc(**operation("getTask", 200, case="$response.body#/case_id", task="$request.path.task_id"))
    @api_v1.response(200, s.TaskDetailOut)
    @problem_response(api_v1, 404, NO_SUCH_TASK)
    @problem_response(api_v1, 422, UNLOADABLE)
    def get(self, task_id):
        """A task with its form (JSON Schema and UI schema), its current data, what the diagram tells whoever
        does it, and its case as the page beside the form needs it."""
        principal = current_principal()
        task = task_list.get_task(task_id, principal)
        case = case_service.get_case(task.case_id)
        forms = case_service.forms_of(case.definition)
        shared = principal is None or getattr(case_access(principal, task.case_id), "scope", None) == "full"
        # A case no longer shared with the organisation shows none of its data, in the form or the instructions.
        with case_service.reading(case.id):
            data = case_service.task_data(task) if shared else {}
            instructions = case_service.instructions_of(task, case, data, shared=shared)
        return {
            **task_out(task),
            "instructions": instructions,
            "case_revision": case.revision,
            # Fields whose options the case supplies (`optionsFrom`), an earlier step limited (`choicesFrom`) or
            # the organisation registry gives (`organisationsFrom`).
            "form": {"schema": bind_to_case(forms.get(task.form_schema), data, organisations_for(case)),
                     "ui_schema": forms.get(task.form_ui_schema)},
            # A draft is what those who may complete the task typed themselves.
            "data": data,
            "draft": draft_out(task),
            "case": task_case(case, principal) if shared else None,
        }


@api_v1.route("/tasks/<string:task_id>/draft")
class DraftResource(MethodView):
    @api_v1.doc(operationId="saveDraft")
    @api_v1.arguments(s.DraftIn, error_status_code=400)
    @api_v1.response(200, s.DraftOut)
    @problem_response(api_v1, 404, NO_SUCH_TASK)
    @problem_response(api_v1, 409, CLAIMED_OR_CLOSED)
    @problem_response(api_v1, 422, "the draft fails the form's schema (`errors` names each field); fields the form "
                      "requires may be left out")
    def put(self, body, task_id):
        """Save what has been filled in so far, to finish later (by anyone who may complete the task). It
        changes nothing of the case; completing the task takes the data sent then, and discards the draft."""
        task = case_service.save_draft(task_id, body["data"], principal=acting_as(body.get("user")))
        return draft_out(task)

    @api_v1.doc(operationId="discardDraft")
    @api_v1.response(204)
    @problem_response(api_v1, 404, NO_SUCH_TASK)
    @problem_response(api_v1, 409, CLAIMED_OR_CLOSED)
    def delete(self, task_id):
        """Throw the task's draft away."""
        case_service.discard_draft(task_id, principal=current_principal())


@api_v1.route("/tasks/<string:task_id>/claim")
class ClaimResource(MethodView):
    @api_v1.doc(**operation("claimTask", 200, case="$response.body#/case_id", task="$response.body#/id"))
    @api_v1.arguments(s.ClaimIn, error_status_code=400, required=False)
    @api_v1.response(200, s.TaskOut)
    @problem_response(api_v1, 404, NO_SUCH_TASK)
    @problem_response(api_v1, 409, CLAIMED_OR_CLOSED)
    def post(self, body, task_id):
        """Take a task: others see it is yours, and cannot take it."""
        return task_out(case_service.claim_task(task_id, principal=acting_as(body.get("user"))))


@api_v1.route("/tasks/<string:task_id>/unclaim")
class UnclaimResource(MethodView):
    @api_v1.doc(**operation("unclaimTask", 200, case="$response.body#/case_id", task="$response.body#/id"))
    @api_v1.arguments(s.ClaimIn, error_status_code=400, required=False)
    @api_v1.response(200, s.TaskOut)
    @problem_response(api_v1, 404, NO_SUCH_TASK)
    @problem_response(api_v1, 409, CLAIMED_OR_CLOSED)
    def post(self, body, task_id):
        """Give a task back to its group."""
        return task_out(case_service.unclaim_task(task_id, principal=acting_as(body.get("user"))))


@api_v1.route("/tasks/<string:task_id>/complete")
class CompleteResource(MethodView):
    @api_v1.doc(parameters=[IDEMPOTENCY_KEY], **operation("completeTask", 200, case="$response.body#/case/id",
                                                          task="$response.body#/next_tasks/0/id"))
    @api_v1.arguments(s.CompleteIn, error_status_code=400)
    @api_v1.response(200, s.CompletionOut, headers=IDEMPOTENCY_REPLAYED)
    @problem_response(api_v1, 404, NO_SUCH_TASK)
    @problem_response(api_v1, 409, "the task is already completed or claimed by someone else, or the case "
                      "changed since `case_revision`")
    @problem_response(api_v1, 422, "the data fails the form's schema (`errors` names each field), or the "
                      "routine failed in a step")
    def post(self, body, task_id):
        """Complete a task with data that passes its form's schema; answers with the case's next open tasks.
        With an `Idempotency-Key` header, a retry of the completion answers again instead of 409."""
        principal = acting_as(body.get("user"))
        key = idempotency_key()
        details = dict(case_revision=body.get("case_revision"), principal=principal)
        if key is None:
            case, completed = case_service.complete_task(task_id, body["data"], **details), True
        else:
            case, completed = case_service.complete_task_once(task_id, key, body["data"], **details)
        answer = {"case": case_summary(case),
                  "next_tasks": [task_out(t) for t in case_service.open_tasks_of_change(case, principal)]}
        return answer, 200, replay_headers(key, completed)


@api_v1.route("/decisions/<string:decision_id>/evaluate")
class EvaluateResource(MethodView):
    @api_v1.doc(operationId="evaluateDecision")
    @api_v1.arguments(s.EvaluateIn, error_status_code=400)
    @api_v1.response(200, s.EvaluateOut)
    @problem_response(api_v1, 404, "no such decision table, or nothing deployed for the region")
    @problem_response(api_v1, 422, "the table cannot be evaluated with these variables")
    def post(self, body, decision_id):
        """Try a decision table of the region's deployed routine with the given variables. A table that gives
        no result (two rules matching under UNIQUE, a cell that cannot be computed) answers 422 naming the
        rules and cells, as a draft tried in the studio does."""
        from ..services.decision_trials import try_draft

        definition = latest_definition(body.get("region") or "base")
        if definition is None:
            raise NotFound("Nothing is deployed for that region")
        dmn = {f.path: f.content for f in definition.files if f.kind == "dmn"}
        path = next((p for p, text in sorted(dmn.items()) if ("dmn", decision_id) in defined_ids(p, text)), None)
        if path is None:
            raise NotFound(f"No decision {decision_id!r} is deployed", known=sorted(
                {i for p, text in dmn.items() for kind, i in defined_ids(p, text) if kind == "dmn"}))
        return {"result": try_draft(dmn[path], decision_id, body["variables"], region=definition.region,
                                    path=path)}
