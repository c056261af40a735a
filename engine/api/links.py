"""Links in the OpenAPI document from an answer to the operations a client goes on with: from a started case
to the case and its first task, from a completion to the next task, from a list to its first item. A generated
client, or a tester that walks the API, follows them without knowing the API's paths; each link names its
target by `operationId` and says where in the answer its parameters are (a runtime expression)."""

from __future__ import annotations

# What a client does next with a case, or with a task: link name -> (operationId, parameter, description).
CASE_LINKS = {
    "case": ("getCase", "case_id", "the case: status, participants, open tasks, plan, history"),
    "plan": ("getCasePlan", "case_id", "the case's plan as a document"),
    "tasks": ("listTasks", "case_id", "the case's tasks in the task list"),
    "audit": ("getCaseAudit", "case_id", "the case's audit trail"),
    "diagram": ("getCaseDiagram", "case_id", "the diagrams the case runs, and where it stands in them"),
    "person_link": ("createPersonLink", "case_id", "a one-time link for the person to their own plan"),
}
TASK_LINKS = {
    "task": ("getTask", "task_id", "the task with its form and data"),
    "claim": ("claimTask", "task_id", "take the task"),
    "complete": ("completeTask", "task_id", "complete the task with its form's data"),
}


def operation(operation_id: str, *statuses: int, case: str | None = None, task: str | None = None) -> dict:
    """Keywords for `Blueprint.doc`: the operation's id, and links from its answers of `statuses` to the case's
    operations, with the case's id at the runtime expression `case`, and to the task's, with the task's id at
    `task` (none back to the operation itself)."""
    found = {}
    for expression, table in ((case, CASE_LINKS), (task, TASK_LINKS)):
        if expression is not None:
            found.update({name: {"operationId": target, "parameters": {parameter: expression},
                                 "description": description}
                          for name, (target, parameter, description) in table.items() if target != operation_id})
    return {"operationId": operation_id, "responses": {status: {"links": found} for status in statuses}}
