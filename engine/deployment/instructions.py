"""The ``instructions`` check: a user task's instructions (its documentation or `instructionsForEndUser`) may fill
in what the case knows with `{{ ... }}` and `{% ... %}` (`engine.services.instructions`); a template that does not
parse would reach staff as raw markup, so it is refused at deploy, naming file, task and line."""

from __future__ import annotations

from ..services.instructions import template_problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def check_instructions(path: str, root) -> list[dict]:
    found = []
    for task in root.iter(f"{{{BPMN_NS}}}userTask"):
        for element in (task.find(f"{{{BPMN_NS}}}documentation"),
                        next(task.iter(f"{{{SPIFF_NS}}}instructionsForEndUser"), None)):
            text = element.text if element is not None else None
            reason = template_problem(text) if text and "{" in text else None
            if reason:
                name = " ".join((task.get("name") or "").split())
                named = f"{task.get('id')} ('{name}')" if name else task.get("id")
                found.append({"file": path, "element": task.get("id"), "line": element.sourceline,
                              "message": f"The task's instructions cannot be filled in ({reason})",
                              "message_sv": f"Instruktionerna för uppgiften {named} i diagrammet {path}, rad "
                              f"{element.sourceline}, kan inte fyllas i: mallen med {{{{ ... }}}} eller {{% ... %}} "
                              f"är felskriven. Rätta mallen så att varje {{{{ och {{% stängs. Felet på engelska: "
                              f"{reason}",
                              "check": "instructions"})
    return found
