"""The ``variables`` check: a script or expression must not read a variable that nothing can set. Such a read
deploys but fails at its first run with "name '...' is not defined", as the case's incident; here it is refused
at deploy, naming the diagram, the element (id and name), the line and the variable, in Swedish and English.

A name read by a script task, a pre- or post-script, a condition, a timer, a multi-instance expression, a
message payload or a `candidateGroups`/`dueDate` property is known when something in the deployment can set it,
anywhere (the order of the steps is not looked at, and data passes between a process and those it calls, so
every diagram of the set counts):

- the sandbox's builtins and helpers (`engine.scripting`);
- a name any script or expression of the set binds (an assignment, a loop or comprehension target, a lambda
  parameter, `:=`);
- a field of any form of the set (nested fields included);
- an output of any decision table of the set (its first part, for a dotted name), and a decision's id;
- a multi-instance collection or element variable, a message, error, signal or escalation variable, a data
  object, data input or output, a `resultVariable`;
- a key of a message payload the set sends (a message named like a process starts a case with the payload as
  its variables); a payload not written as a dictionary (`{"namn": namn}`) may bring any name, so a set that
  sends one is not checked;
- what every start brings: `huvudperson` (the start API fills it from the person) and `foregaende_arende` (a
  case started by another).

A read that the same script or expression guards by the name in quotes (`x if finns("x") else None`,
`"x" in plan`) is never refused, nor a name that starts with an underscore. Decision table cells are not
checked here: a FEEL table reads a missing variable as null.
"""

from __future__ import annotations

import ast

from lxml import etree

from .runnable import _assigned, _named, _parse, _sources, known_names

CHECK = "variables"
DMN_OUTPUT = "output"
# What every start of a case brings (see engine/api/resources.py and engine/services/cases.py).
START_VARIABLES = frozenset({"huvudperson", "foregaende_arende"})
VARIABLE_ELEMENTS = ("messageVariable", "variableName")


def problem(path: str, message_sv: str, message_en: str, element=None, line: int | None = None) -> dict:
    """A problem of this check: `message_sv` what a process owner reads, `message` the same in English."""
    return {"file": path, "element": element, "line": line, "message": message_en, "message_sv": message_sv,
            "check": CHECK}


def settable_names(bpmn_trees: dict, dmn_trees: dict, forms_json: dict) -> set[str] | None:
    """Every name a script of the set may read: see the module's docstring. None when the set sends a message
    whose payload is not a dictionary literal: a case it starts may then hold any variable."""
    names = known_names(bpmn_trees, forms_json) | START_VARIABLES
    for root in bpmn_trees.values():
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if local in VARIABLE_ELEMENTS:
                names.update((el.text or "").split())
            if el.get("variableName"):
                names.add(el.get("variableName"))
            if local == "messagePayload":
                keys = _payload_keys(el.text or "")
                if keys is None:
                    return None
                names.update(keys)
    for root in dmn_trees.values():
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if local == DMN_OUTPUT:
                for value in (el.get("name"), el.get("label")):
                    if value and value.strip():
                        names.add(value.strip().split(".")[0])
            elif local == "decision" and el.get("id"):
                names.add(el.get("id"))
    return names


def _payload_keys(source: str) -> set[str] | None:
    """The text keys of the dictionary a message payload builds: the variables of a case it starts. None when
    the payload is not written as a dictionary with text keys (`{"namn": namn}`): then it may bring any name."""
    tree = _parse(source.strip(), "eval")
    if tree is None:
        return set()  # refused by the script policy already
    body = tree.body
    if not isinstance(body, ast.Dict) or not all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                                 for k in body.keys):
        return None
    return {key.value for key in body.keys}


def _guarded(tree) -> set[str]:
    """Names the source itself writes in quotes: a read it checks first (`finns("x")`, `"x" in plan`)."""
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def check_variables(bpmn_trees: dict, dmn_trees: dict, forms_json: dict) -> list[dict]:
    """Every read of a variable nothing in the set can set, one problem per element, line and name."""
    known = settable_names(bpmn_trees, dmn_trees, forms_json)
    if known is None:
        return []
    found = []
    for path, root in sorted(bpmn_trees.items()):
        for owner, line, source, mode, sv, en in _sources(root):
            tree = _parse(source, mode)
            if tree is None:
                continue  # refused by the script policy already
            allowed = known | _guarded(tree) | _assigned(tree)
            # A call of a name nothing defines is the `runnable` check's to report.
            reported = {node.func.id for node in ast.walk(tree)
                        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
                    continue
                name = node.id
                if name in allowed or name.startswith("_") or name in reported:
                    continue
                reported.add(name)
                at = line + node.lineno - 1 if line is not None else None
                where = _named(owner) if owner is not None else "?"
                found.append(problem(
                    path,
                    f"I {sv} i {where} läses variabeln '{name}' (rad {at}), men inget i rutinen sätter den: inget "
                    "skript, formulärfält, beslutstabell, meddelande eller start. Ärendet skulle stanna där med "
                    f"felet att '{name}' saknas. Sätt variabeln i ett tidigare steg (ett skript eller ett "
                    f"formulärfält), rätta namnet, eller skriv läsningen villkorad: {name} if finns(\"{name}\") "
                    "else None",
                    f"The {en} of {where} reads the variable '{name}' (line {at}), but nothing in the routine sets "
                    "it: no script, form field, decision table, message or start. The case would stop there with "
                    f"'{name}' not defined. Set the variable in an earlier step (a script or a form field), correct "
                    f"the name, or guard the read: {name} if finns(\"{name}\") else None",
                    element=owner.get("id") if owner is not None else None, line=at))
    return found
