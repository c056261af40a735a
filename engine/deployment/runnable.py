"""The ``runnable`` check: what deploys must run. Elements a diagram may hold but the engine cannot run are
refused at deploy, each problem naming the file, the element (id and name) and what to write instead, in
Swedish (`message_sv`) and English (`message`):

- a service task: the product provides no connectors (no service a service task could call);
- a data store: the product provides none (a case's data are its variables);
- a script or expression calling a function that nothing defines: not a builtin the sandbox allows, not a
  helper, not a name any script of the set assigns (a lambda kept in a variable), not a form field, data
  object or message variable. Only names called as functions are checked, so a variable read from the case's
  data is never refused here;
- a message event, receive or send task whose message cannot be sent or received: no `messageRef`, or one that
  names no `bpmn:message` of its file, or a message without a name; and a message the routine sends that nothing
  receives (no event or receive task of the set, no user task it completes, no process of its name);
- Camunda's attributes (`camunda:formKey`, `camunda:decisionRef`, `camunda:candidateGroups`,
  `camunda:dueDate`, …): the engine reads the spiffworkflow extensions only, so each attribute found is named
  with the extension to write instead.
"""

from __future__ import annotations

import ast
import textwrap

from lxml import etree

from ..scripting import HELPERS, SAFE_BUILTINS
from ..scripting.policy import FORBIDDEN_NAMES

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NAMESPACES = ("http://camunda.org/schema/1.0/bpmn", "http://activiti.org/bpmn",
                      "http://camunda.org/schema/zeebe/1.0")

# Where diagrams hold Python: (namespace, local name) -> mode and what it is, in Swedish and English.
SCRIPTS = {
    (BPMN_NS, "script"): ("exec", "skriptet", "script"),
    (SPIFF_NS, "preScript"): ("exec", "förskriptet", "pre-script"),
    (SPIFF_NS, "postScript"): ("exec", "efterskriptet", "post-script"),
    (BPMN_NS, "conditionExpression"): ("eval", "villkoret", "condition"),
    (BPMN_NS, "condition"): ("eval", "villkoret", "condition"),
    (BPMN_NS, "timeDuration"): ("eval", "timeruttrycket", "timer expression"),
    (BPMN_NS, "timeDate"): ("eval", "timeruttrycket", "timer expression"),
    (BPMN_NS, "timeCycle"): ("eval", "timeruttrycket", "timer expression"),
    (BPMN_NS, "loopCardinality"): ("eval", "antalsuttrycket", "multi-instance cardinality"),
    (BPMN_NS, "completionCondition"): ("eval", "slutvillkoret", "multi-instance completion condition"),
    (SPIFF_NS, "messagePayload"): ("eval", "meddelandets innehåll", "message payload"),
}
PROPERTIES = {"candidateGroups": ("uttrycket för candidateGroups", "candidateGroups expression"),
              "dueDate": ("uttrycket för dueDate", "dueDate expression")}
MESSAGE_ELEMENTS = ("messageEventDefinition", "receiveTask", "sendTask")

# What each Camunda attribute means here, in Swedish and English.
CAMUNDA_INSTEAD = {
    "formKey": ("skriv formuläret som spiffworkflow:property name=\"formJsonSchemaFilename\" (och "
                "\"formUiSchemaFilename\") med filnamnet på formulärets JSON Schema",
                "write the form as spiffworkflow:property name=\"formJsonSchemaFilename\" (and "
                "\"formUiSchemaFilename\") naming the form's JSON Schema file"),
    "decisionRef": ("skriv beslutstabellens id i spiffworkflow:calledDecisionId",
                    "write the decision's id in spiffworkflow:calledDecisionId"),
    "candidateGroups": ("skriv gruppen som spiffworkflow:property name=\"candidateGroups\" (ett uttryck, t.ex. "
                        "'socialtjanst') eller lägg uppgiften i en lane",
                        "write the group as spiffworkflow:property name=\"candidateGroups\" (an expression, e.g. "
                        "'socialtjanst') or put the task in a lane"),
    "dueDate": ("skriv förfallodagen som spiffworkflow:property name=\"dueDate\" (ett uttryck, t.ex. "
                "arbetsdagar_efter(idag(), 5))",
                "write the due date as spiffworkflow:property name=\"dueDate\" (an expression, e.g. "
                "arbetsdagar_efter(idag(), 5))"),
    "assignee": ("uppgifter tilldelas grupper: skriv spiffworkflow:property name=\"candidateGroups\"",
                 "tasks are given to groups: write spiffworkflow:property name=\"candidateGroups\""),
    "candidateUsers": ("uppgifter tilldelas grupper: skriv spiffworkflow:property name=\"candidateGroups\"",
                       "tasks are given to groups: write spiffworkflow:property name=\"candidateGroups\""),
    "class": ("produkten har inga Java-klasser: använd en skriptuppgift med produktens hjälpfunktioner",
              "the product runs no Java classes: use a script task with the product's helpers"),
    "delegateExpression": ("produkten har inga Java-klasser: använd en skriptuppgift med produktens hjälpfunktioner",
                           "the product runs no Java classes: use a script task with the product's helpers"),
    "expression": ("skriv uttrycket i en skriptuppgift (Python, se docs/expressions.md)",
                   "write the expression in a script task (Python, see docs/expressions.md)"),
    "resultVariable": ("tilldela variabeln i skriptet (namn = ...)", "assign the variable in the script (name = ...)"),
    "type": ("produkten har inga externa arbetare: använd en användaruppgift eller en skriptuppgift",
             "the product has no external workers: use a user task or a script task"),
    "topic": ("produkten har inga externa arbetare: använd en användaruppgift eller en skriptuppgift",
              "the product has no external workers: use a user task or a script task"),
}
CAMUNDA_INSTEAD["formRef"] = CAMUNDA_INSTEAD["formKey"]
CAMUNDA_INSTEAD["followUpDate"] = CAMUNDA_INSTEAD["dueDate"]
# Camunda's extension elements that carry behaviour (the others, like version tags, change nothing that runs).
# (Camunda 8 writes its task settings as zeebe: extension elements: each is named with the same advice.)
CAMUNDA_EXTENSIONS = {"formData": "formKey", "inputOutput": None, "taskListener": "class",
                      "executionListener": "class", "in": None, "out": None, "connector": "class", "field": None,
                      "formDefinition": "formKey", "calledDecision": "decisionRef",
                      "assignmentDefinition": "candidateGroups", "taskSchedule": "dueDate", "taskDefinition": "type",
                      "ioMapping": None}
CAMUNDA_OTHER = ("produkten läser bara spiffworkflow-tilläggen; ta bort det eller skriv motsvarande "
                 "spiffworkflow-tillägg (se docs/expressions.md)",
                 "the product reads the spiffworkflow extensions only; remove it or write the spiffworkflow "
                 "extension that means the same (see docs/expressions.md)")


def problem(path: str, message_sv: str, message_en: str, element=None, line: int | None = None,
            check: str = "runnable") -> dict:
    """A problem of this check: `message_sv` what a process owner reads, `message` the same in English
    (`engine.deployment.problems`)."""
    return {"file": path, "element": element, "line": line, "message": message_en, "message_sv": message_sv,
            "check": check}


def _named(el) -> str:
    """An element as a process owner finds it: its id and, where it has one, its name."""
    name = (el.get("name") or "").strip()
    return f"{el.get('id')} ('{name}')" if name else str(el.get("id"))


def _owner(el):
    while el is not None and not el.get("id"):
        el = el.getparent()
    return el


def check_runnable(bpmn_trees: dict, forms_json: dict, key: str = "sip") -> list[dict]:
    """Every problem of the check in a process set's parsed BPMN files and forms (`key`: its main process)."""
    found = []
    known = known_names(bpmn_trees, forms_json)
    for path, root in sorted(bpmn_trees.items()):
        found += check_service_tasks(path, root)
        found += check_data_stores(path, root)
        found += check_called_functions(path, root, known)
        found += check_messages(path, root)
        found += check_camunda(path, root)
    found += check_sent_messages(bpmn_trees, key)
    return found


# -- service tasks --------------------------------------------------------------------------------------------


def check_service_tasks(path: str, root) -> list[dict]:
    return [problem(path, f"Tjänsteuppgiften {_named(task)} kan inte köras: produkten har inga kopplingar "
                          "(connectors) som en tjänsteuppgift kan anropa. Använd en skriptuppgift med produktens "
                          "hjälpfunktioner för en beräkning, en användaruppgift för det en person gör, eller ett "
                          "meddelande för det ett annat system ska få veta",
                    f"The service task {_named(task)} cannot run: the product provides no connectors a service "
                    "task could call. Use a script task with the product's helpers for a calculation, a user "
                    "task for what a person does, or a message for what another system is to be told",
                    element=task.get("id"), line=task.sourceline)
            for task in root.iter(f"{{{BPMN_NS}}}serviceTask")]


def check_data_stores(path: str, root) -> list[dict]:
    return [problem(path, f"Datalagret {_named(store)} kan inte användas: produkten har inga datalager. Spara "
                          "uppgifterna i ärendets variabler (ett formulärfält eller en skriptuppgift)",
                    f"The data store {_named(store)} cannot be used: the product provides no data stores. Keep the "
                    "data in the case's variables (a form field or a script task)",
                    element=store.get("id"), line=store.sourceline)
            for store in root.iter(f"{{{BPMN_NS}}}dataStore")]


# -- functions no helper defines ------------------------------------------------------------------------------


def _sources(root):
    """(element the source belongs to, line of its first line, source, mode, what in Swedish, in English)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        spec = SCRIPTS.get((qname.namespace, qname.localname))
        if spec is not None and (el.text or "").strip():
            mode, sv, en = spec
            source = el.text.strip() if mode == "eval" else textwrap.dedent(el.text).rstrip()
            yield _owner(el.getparent() if qname.localname == "script" else el), el.sourceline, source, mode, sv, en
        elif (qname.namespace, qname.localname) == (SPIFF_NS, "property") and el.get("name") in PROPERTIES:
            value = (el.get("value") or "").strip()
            if value:
                sv, en = PROPERTIES[el.get("name")]
                yield _owner(el), el.sourceline, value, "eval", sv, en


def _parse(source: str, mode: str):
    try:
        return ast.parse(source, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # refused by the script policy already


def _assigned(tree) -> set[str]:
    """Every name a script binds: assignments, loop and comprehension targets, lambda parameters, `:=`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _form_fields(value, names: set[str]) -> None:
    """Every property name anywhere in a form (nested objects and arrays included)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            properties = current.get("properties")
            if isinstance(properties, dict):
                names.update(k for k in properties if isinstance(k, str))
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def known_names(bpmn_trees: dict, forms_json: dict) -> set[str]:
    """The names a script may call without the check refusing it: builtins the sandbox allows, helpers, and
    every name the set could put in a case's data (conservatively: anything assigned or named anywhere)."""
    # Builtins the sandbox refuses outright are reported by the script policy, in its own words.
    names = set(SAFE_BUILTINS) | set(HELPERS) | FORBIDDEN_NAMES
    for root in bpmn_trees.values():
        for _, _, source, mode, _, _ in _sources(root):
            tree = _parse(source, mode)
            if tree is not None:
                names |= _assigned(tree)
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if local in ("dataObject", "dataObjectReference", "dataInput", "dataOutput", "dataStore",
                         "dataStoreReference", "inputDataItem", "outputDataItem"):
                names.update(v for v in (el.get("id"), el.get("name")) if v)
            elif local in ("messageVariable", "loopDataInputRef", "loopDataOutputRef", "calledDecisionId"):
                names.update((el.text or "").split())
            elif el.get("resultVariable"):
                names.add(el.get("resultVariable"))
    for value in forms_json.values():
        _form_fields(value, names)
    return names


def check_called_functions(path: str, root, known: set[str]) -> list[dict]:
    found = []
    for owner, line, source, mode, sv, en in _sources(root):
        tree = _parse(source, mode)
        if tree is None:
            continue
        reported = set()
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            name = node.func.id
            if name in known or name.startswith("_") or (name, node.lineno) in reported:
                continue
            reported.add((name, node.lineno))
            at = line + node.lineno - 1 if line is not None else None
            where = _named(owner) if owner is not None else "?"
            found.append(problem(
                path, f"I {sv} i {where} anropas funktionen '{name}' (rad {at}), som ingen hjälpfunktion "
                      "definierar; se docs/expressions.md för de funktioner som finns",
                f"The {en} of {where} calls the function '{name}' (line {at}), which no helper defines; see "
                "docs/expressions.md for the functions there are",
                element=owner.get("id") if owner is not None else None, line=at))
    return found


# -- messages -------------------------------------------------------------------------------------------------


def check_messages(path: str, root) -> list[dict]:
    messages = {m.get("id"): m for m in root.iter(f"{{{BPMN_NS}}}message")}
    found = []
    for message in messages.values():
        if not (message.get("name") or "").strip():
            found.append(problem(path, f"Meddelandet {message.get('id')} har inget namn (name), så inget kan "
                                       "skicka eller ta emot det",
                                 f"The message {message.get('id')} has no name, so nothing can send or receive it",
                                 element=message.get("id"), line=message.sourceline))
    for local in MESSAGE_ELEMENTS:
        for el in root.iter(f"{{{BPMN_NS}}}{local}"):
            owner = el if local != "messageEventDefinition" else _owner(el.getparent())
            ref = (el.get("messageRef") or "").strip()
            if local == "sendTask" and not ref and el.find(f"{{{BPMN_NS}}}messageEventDefinition") is None:
                continue  # a send task that sends nothing: the engine runs it as a plain task
            if not ref:
                found.append(problem(path, f"{_named(owner)} anger inget meddelande (messageRef): skriv vilket "
                                           "bpmn:message som skickas eller tas emot",
                                     f"{_named(owner)} names no message (messageRef): write which bpmn:message "
                                     "it sends or receives", element=owner.get("id"), line=el.sourceline))
            elif ref not in messages:
                found.append(problem(path, f"{_named(owner)} anger meddelandet '{ref}', som inte finns i filen "
                                           "(inget bpmn:message med det id:t)",
                                     f"{_named(owner)} names the message '{ref}', which is not in the file "
                                     "(no bpmn:message with that id)", element=owner.get("id"), line=el.sourceline))
    return found


CATCHING = ("startEvent", "intermediateCatchEvent", "boundaryEvent")
THROWING = ("endEvent", "intermediateThrowEvent")


def _message_name(root, ref: str) -> str | None:
    message = next((m for m in root.iter(f"{{{BPMN_NS}}}message") if m.get("id") == ref), None)
    return (message.get("name") or "").strip() or None if message is not None else None


def _messages_of(root, kinds: tuple[str, ...], task: str):
    """(element, message name) for each event of `kinds` (and each `task`) with a message of its file."""
    for local in kinds:
        for event in root.iter(f"{{{BPMN_NS}}}{local}"):
            for definition in event.findall(f"{{{BPMN_NS}}}messageEventDefinition"):
                name = _message_name(root, (definition.get("messageRef") or "").strip())
                if name:
                    yield event, definition, name
    for el in root.iter(f"{{{BPMN_NS}}}{task}"):
        name = _message_name(root, (el.get("messageRef") or "").strip())
        if name:
            yield el, el, name


def check_sent_messages(bpmn_trees: dict, key: str) -> list[dict]:
    """A message the routine sends must reach something: an event or receive task of the set that receives it, a
    user task it completes (`completedByMessage`), or a new case (a message named like the main process)."""
    received = {key}
    for root in bpmn_trees.values():
        received.update(name for _, _, name in _messages_of(root, CATCHING, "receiveTask"))
        received.update(p.get("value") for p in root.iter(f"{{{SPIFF_NS}}}property")
                        if p.get("name") == "completedByMessage" and p.get("value"))
    found = []
    for path, root in sorted(bpmn_trees.items()):
        for owner, el, name in _messages_of(root, THROWING, "sendTask"):
            if name in received:
                continue
            found.append(problem(path, f"{_named(owner)} skickar meddelandet '{name}', men inget i rutinen tar emot "
                                       f"det: ingen händelse väntar på det och ingen process heter '{name}'",
                                 f"{_named(owner)} sends the message '{name}', but nothing in the routine receives "
                                 f"it: no event waits for it and no process is called '{name}'",
                                 element=owner.get("id"), line=el.sourceline))
    return found


# -- Camunda's dialect ----------------------------------------------------------------------------------------


def _prefix(el, namespace: str) -> str:
    """How the file writes the namespace (`camunda`, `zeebe`, ...), for naming what was found as written."""
    return next((p for p, ns in (el.nsmap or {}).items() if ns == namespace and p), "camunda")


def check_camunda(path: str, root) -> list[dict]:
    found = []

    def refuse(el, kind_sv: str, kind_en: str, written: str, advice: tuple[str, str]) -> None:
        owner = _owner(el)
        where = _named(owner) if owner is not None else etree.QName(el).localname
        found.append(problem(path, f"{kind_sv} {written} på {where} läses inte av produkten: {advice[0]}",
                             f"The {kind_en} {written} on {where} is not read by the product: {advice[1]}",
                             element=owner.get("id") if owner is not None else None, line=el.sourceline))

    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attribute in el.attrib:
            qname = etree.QName(attribute)
            if qname.namespace in CAMUNDA_NAMESPACES and qname.localname in CAMUNDA_INSTEAD:
                refuse(el, "Attributet", "attribute", f"{_prefix(el, qname.namespace)}:{qname.localname}",
                       CAMUNDA_INSTEAD[qname.localname])
            # others, such as camunda:versionTag, are metadata: nothing that runs depends on them
        qname = etree.QName(el)
        parent = el.getparent()
        if qname.namespace in CAMUNDA_NAMESPACES and qname.localname in CAMUNDA_EXTENSIONS \
                and parent is not None and etree.QName(parent).localname == "extensionElements":
            advice = CAMUNDA_INSTEAD.get(CAMUNDA_EXTENSIONS[qname.localname] or "", CAMUNDA_OTHER)
            refuse(el, "Tillägget", "extension", f"{_prefix(el, qname.namespace)}:{qname.localname}", advice)
    return found
