"""A case's incident in words a process owner can act on: the diagram (file), the element's id and name, the
line of a script, and what went wrong, in Swedish and then in English. SpiffWorkflow's own message (e.g.
"NameError: name 'n' is not defined") names none of them."""

from __future__ import annotations

import re

NAME_ERROR = re.compile(r"name '([^']+)' is not defined")
UNSTORABLE = re.compile(r"The variable '([^']+)' cannot be stored in the case")
REASONS = (  # words of the error -> what happened, in Swedish
    ("division by zero", "delar med noll"),
    ("KeyError", "läser en nyckel som saknas i ett värde"),
    ("TypeError", "använder ett värde av fel typ"),
    ("Not allowed in a script", "gör något som inte är tillåtet i skript"),
    ("ScriptLimitError", "nådde en gräns för tid, steg eller storlek"),
    ("all match, but the hit policy UNIQUE", "fick svar från flera regler i beslutstabellen, där bara en får gälla"),
    ("Decision '", "fick inget svar från beslutstabellen"),
)
KINDS = (  # the words SpiffWorkflow's message starts with -> what failed, in Swedish
    ("Error evaluating expression", "uttrycket"),
    ("Python script error", "skriptet"),
)


def where(task) -> dict:
    """The diagram, element id and element name of a task, as far as they are known."""
    spec = getattr(task, "task_spec", None)
    workflow = getattr(task, "workflow", None)
    file = getattr(getattr(workflow, "spec", None), "file", None)
    return {"file": file, "element": getattr(spec, "bpmn_id", None) or getattr(spec, "name", None),
            "name": getattr(spec, "bpmn_name", None)}


def _reason_sv(text: str, line: int | None, task) -> str:
    scripted = getattr(getattr(task, "task_spec", None), "script", None) is not None
    what = next((sv for en, sv in KINDS if en in text), "skriptet" if scripted and line else "steget")
    at = f" på rad {line}" if line else ""
    missing = NAME_ERROR.search(text)
    if missing:
        return (f"{what}{at} använder namnet '{missing.group(1)}', som varken är en variabel i ärendet eller en "
                "hjälpfunktion")
    unstorable = UNSTORABLE.search(text)
    if unstorable:
        return (f"{what}{at} lämnar variabeln '{unstorable.group(1)}' med ett värde som inte kan sparas i ärendet "
                "(bara text, tal, ja/nej, listor och ordlistor kan sparas, och en del får inte förekomma två gånger)")
    if "no connectors" in text:
        return "tjänsteuppgiften kan inte köras: produkten har inga kopplingar (connectors)"
    for english, swedish in REASONS:
        if english in text:
            return f"{what}{at} {swedish}"
    return f"{what}{at} gav ett fel"


def describe(err) -> str:
    """The incident's text for an error of the engine: with the element it happened in where the error
    carries its task (SpiffWorkflow's task errors and the engine's limits do), otherwise the error's own words
    after a Swedish sentence."""
    text = " ".join(str(err).split())
    task = getattr(err, "task", None)
    if task is None:
        return f"Processen kunde inte fortsätta. / {text}"
    found = where(task)
    element = found["element"] or "?"
    named = f"{element} ('{found['name']}')" if found["name"] else element
    diagram = found["file"] or "?"
    line = getattr(err, "line_number", None) or None
    at_en = f" on line {line}" if line and "line" not in text else ""
    reason = getattr(err, "reason_sv", None) or _reason_sv(text, line, task)
    return (f"Steget {named} i diagrammet {diagram} kunde inte köras: {reason}. / "
            f"The step {named} in the diagram {diagram} failed{at_en}: {text}")
