"""What differs between two versions of a process file, element by element, as a process owner reads it: a
diagram's elements (by id: added, removed, changed in name, type, attributes, properties, content, incoming or
outgoing flows; moved when only their place in the drawing changed), a decision table's rules (by id) and its
columns, a form's fields (by their path in the schema) and their display settings.

Files that cannot be read (not well-formed XML, not JSON) are compared as whole files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..runtime.parser import ProcessSetError, parse_xml

BPMN_DI = "http://www.omg.org/spec/BPMN/20100524/DI"
SHOWN_MAX = 400
SCHEMA_SUFFIX = ".schema.json"
UI_SUFFIX = ".uischema.json"


@dataclass
class Element:
    """One element as compared: what it is, what it is called, where it sits, and its comparable aspects."""

    id: str
    type: str
    name: str | None = None
    within: str | None = None
    aspects: dict[str, str] = field(default_factory=dict)
    layout: str | None = None

    def out(self) -> dict:
        return {"id": self.id, "type": self.type, "name": self.name, "within": self.within}


def kind_of_path(path: str) -> str:
    name = PurePosixPath(path).name.lower()
    if name.endswith(".bpmn"):
        return "bpmn"
    if name.endswith(".dmn"):
        return "dmn"
    if name.endswith(UI_SUFFIX):
        return "uischema"
    if name.endswith(".json"):
        return "schema"
    return "other"


def diff_file(path: str, before: str | None, after: str | None) -> dict:
    """The difference of one file between two versions (`before` None: the file is new; `after` None: it is
    gone): `status` (same, changed, added, removed), and for a changed file that both versions can read, its
    elements `added`, `removed`, `changed` (each with its `changes`: aspect, before, after) and `moved`."""
    kind = kind_of_path(path)
    answer = {"path": path, "kind": kind, "status": status_of(before, after), "readable": True,
              "added": [], "removed": [], "changed": [], "moved": []}
    if answer["status"] != "changed":
        return answer
    try:
        old, new = elements_of(kind, path, before), elements_of(kind, path, after)
    except (ProcessSetError, ValueError):
        answer["readable"] = False
        return answer
    for key in new.keys() - old.keys():
        answer["added"].append(new[key].out())
    for key in old.keys() - new.keys():
        answer["removed"].append(old[key].out())
    for key in old.keys() & new.keys():
        a, b = old[key], new[key]
        changes = [{"aspect": name, "before": a.aspects.get(name), "after": b.aspects.get(name)}
                   for name in sorted(a.aspects.keys() | b.aspects.keys())
                   if a.aspects.get(name) != b.aspects.get(name)]
        if a.type != b.type:
            changes.insert(0, {"aspect": "type", "before": a.type, "after": b.type})
        if changes:
            answer["changed"].append({**b.out(), "changes": changes})
        elif a.layout != b.layout:
            answer["moved"].append(b.out())
    for group in ("added", "removed", "changed", "moved"):
        answer[group].sort(key=lambda e: (e["within"] or "", e["type"], e["id"]))
    return answer


def status_of(before: str | None, after: str | None) -> str:
    if before is None and after is None:
        return "same"
    if before is None:
        return "added"
    if after is None:
        return "removed"
    return "same" if before == after else "changed"


def elements_of(kind: str, path: str, text: str) -> dict[str, Element]:
    if kind == "bpmn":
        return bpmn_elements(parse_xml(text, path))
    if kind == "dmn":
        return dmn_elements(parse_xml(text, path))
    document = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return ui_elements(document) if kind == "uischema" else schema_elements(document)


# -- reading XML ------------------------------------------------------------------------------------------------


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def qualified(node, name: str) -> str:
    """An attribute's name with its namespace's prefix as the file writes it (`spiffworkflow:x`)."""
    if not name.startswith("{"):
        return name
    uri, bare = name[1:].split("}", 1)
    prefix = next((p for p, u in (node.nsmap or {}).items() if u == uri and p), None)
    return f"{prefix}:{bare}" if prefix else bare


def shown(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX - 1] + "…"


def content_aspects(node, into: dict[str, str], prefix: str = "") -> None:
    """The children of an element that are not elements of their own (no id): properties by name, other
    children by their path of tag names, each as its text and attributes."""
    counts: dict[str, int] = {}
    members = sorted((c.text or "").strip() for c in node if local(c.tag) == "flowNodeRef")
    if members:
        into[f"{prefix}flowNodeRef"] = shown(", ".join(members))
    for child in node:
        tag = local(child.tag)
        if not tag or tag in ("incoming", "outgoing") or child.get("id"):
            continue
        if tag == "property" and child.get("name") is not None:
            into[f"property:{child.get('name')}"] = shown(child.get("value") or (child.text or "").strip())
            continue
        if tag == "flowNodeRef":
            continue
        counts[tag] = counts.get(tag, 0) + 1
        key = f"{prefix}{tag}" if counts[tag] == 1 else f"{prefix}{tag}[{counts[tag]}]"
        attributes = " ".join(f"{qualified(child, k)}={v}" for k, v in sorted(child.attrib.items()))
        text = (child.text or "").strip()
        if attributes or text:
            into[key] = shown(" ".join(part for part in (attributes, text) if part))
        content_aspects(child, into, key + "/")


def bpmn_elements(root) -> dict[str, Element]:
    """Every element with an id outside the drawing (the root left out: modelers rewrite its exporter), with
    its incoming and outgoing sequence flows worked out from the flows, as files may leave them unwritten."""
    drawing = {}
    for node in root.iter():
        if local(node.tag) in ("BPMNShape", "BPMNEdge") and node.get("bpmnElement"):
            places = [f"{local(n.tag)}:" + ",".join(n.get(k, "") for k in ("x", "y", "width", "height"))
                      for n in node.iter() if local(n.tag) in ("Bounds", "waypoint")]
            drawing[node.get("bpmnElement")] = ";".join(places)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for node in root.iter():
        if local(node.tag) == "sequenceFlow" and node.get("id"):
            incoming.setdefault(node.get("targetRef"), []).append(node.get("id"))
            outgoing.setdefault(node.get("sourceRef"), []).append(node.get("id"))
    found = {}
    for node in root.iter():
        ident = node.get("id") if isinstance(node.tag, str) else None
        if not ident or node is root or node.tag.startswith("{" + BPMN_DI) or local(node.tag) == "BPMNDiagram":
            continue
        if any(isinstance(a.tag, str) and a.tag.startswith("{" + BPMN_DI) for a in node.iterancestors()):
            continue
        aspects = {f"attribute:{qualified(node, k)}": v for k, v in node.attrib.items() if k not in ("id", "name")}
        content_aspects(node, aspects)
        if node.get("id") in incoming:
            aspects["incoming"] = ", ".join(sorted(incoming[ident]))
        if node.get("id") in outgoing:
            aspects["outgoing"] = ", ".join(sorted(outgoing[ident]))
        if node.get("name") is not None:
            aspects["name"] = node.get("name")
        within = next((a.get("id") for a in node.iterancestors() if local(a.tag) in ("process", "subProcess")), None)
        found[ident] = Element(id=ident, type=local(node.tag), name=node.get("name"), within=within,
                               aspects=aspects, layout=drawing.get(ident))
    return found


def _text(node, tag: str) -> str:
    child = next((c for c in node if local(c.tag) == tag), None)
    return ((child.text if child is not None else None) or "").strip()


def dmn_elements(root) -> dict[str, Element]:
    """Each decision (its name, hit policy, input and output columns) and each rule of its table (by id: one
    aspect per column, named by the column's label, and its description)."""
    found = {}
    for decision in (n for n in root.iter() if local(n.tag) == "decision" and n.get("id")):
        table = next((c for c in decision if local(c.tag) == "decisionTable"), None)
        aspects = {"name": decision.get("name") or "", "description": _text(decision, "description")}
        inputs, outputs = [], []
        if table is not None:
            aspects["hit_policy"] = table.get("hitPolicy") or "UNIQUE"
            if table.get("aggregation"):
                aspects["aggregation"] = table.get("aggregation")
            for column in table:
                if local(column.tag) == "input":
                    expression = next((c for c in column if local(c.tag) == "inputExpression"), None)
                    label = column.get("label") or (_text(expression, "text") if expression is not None else "")
                    inputs.append(label or column.get("id") or f"indata {len(inputs) + 1}")
                    aspects[f"input:{inputs[-1]}"] = _text(expression, "text") if expression is not None else ""
                elif local(column.tag) == "output":
                    label = column.get("label") or column.get("name") or f"utdata {len(outputs) + 1}"
                    outputs.append(label)
                    aspects[f"output:{label}"] = " ".join(
                        p for p in (column.get("name"), column.get("typeRef")) if p)
        found[decision.get("id")] = Element(id=decision.get("id"), type="decision", name=decision.get("name"),
                                            aspects=aspects)
        if table is None:
            continue
        for number, rule in enumerate((c for c in table if local(c.tag) == "rule"), start=1):
            cells = {"description": _text(rule, "description")}
            entries = [c for c in rule if local(c.tag) == "inputEntry"]
            for label, entry in zip(inputs, entries, strict=False):
                cells[f"input:{label}"] = _text(entry, "text")
            results = [c for c in rule if local(c.tag) == "outputEntry"]
            for label, entry in zip(outputs, results, strict=False):
                cells[f"output:{label}"] = _text(entry, "text")
            ident = rule.get("id") or f"{decision.get('id')}#{number}"
            found[f"{decision.get('id')}/{ident}"] = Element(
                id=ident, type="rule", name=cells["description"] or f"Regel {number}", within=decision.get("id"),
                aspects=cells)
    return found


# -- reading forms ----------------------------------------------------------------------------------------------

SCHEMA_NESTED = ("properties", "items", "required")


def schema_elements(schema: dict) -> dict[str, Element]:
    """The form itself (its title and description) and each field by its path (`a.b`; `a[]` for a list's rows):
    its title, type, choices, limits and whether it is required."""
    found = {"(formulär)": Element(id="(formulär)", type="form", name=schema.get("title"), aspects={
        f"schema:{k}": shown(v) for k, v in schema.items() if k not in SCHEMA_NESTED and k != "$defs"})}

    def walk(node: dict, prefix: str, required: set[str]) -> None:
        for name, sub in (node.get("properties") or {}).items():
            if not isinstance(sub, dict):
                continue
            path = f"{prefix}{name}"
            aspects = {f"schema:{k}": shown(v) for k, v in sub.items() if k not in SCHEMA_NESTED}
            aspects["required"] = "ja" if name in required else "nej"
            found[path] = Element(id=path, type="field", name=sub.get("title") or name,
                                  within=prefix.rstrip(".") or None, aspects=aspects)
            walk(sub, path + ".", set(sub.get("required") or []))
            items = sub.get("items")
            if isinstance(items, dict) and items.get("properties"):
                walk(items, path + "[].", set(items.get("required") or []))

    walk(schema, "", set(schema.get("required") or []))
    for name, sub in (schema.get("$defs") or {}).items():
        if isinstance(sub, dict):
            walk(sub, f"$defs.{name}.", set(sub.get("required") or []))
    return found


def ui_elements(ui: dict) -> dict[str, Element]:
    """A UI schema's settings: the form's own (`ui:*` at the top) and each field's, by the field's path."""
    found = {}

    def walk(node: dict, path: str) -> None:
        own = {f"ui:{k.removeprefix('ui:')}": shown(v) for k, v in node.items() if k.startswith("ui:")}
        if own or not path:
            found[path or "(formulär)"] = Element(id=path or "(formulär)", type="form" if not path else "field",
                                                  name=path or None, within=path.rpartition(".")[0] or None,
                                                  aspects=own)
        for key, value in node.items():
            if not key.startswith("ui:") and isinstance(value, dict):
                walk(value, f"{path}.{key}" if path else key)

    walk(ui, "")
    return found
