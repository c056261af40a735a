"""The BPMN diagrams of a deployed process set as a case runs them: the main process and every process it
calls, with the file that draws each, its elements and its call activities."""

from __future__ import annotations

from dataclasses import dataclass

from .parser import parse_xml

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@dataclass(frozen=True)
class ProcessDiagram:
    id: str
    name: str
    path: str  # in the process set: bpmn/sip.bpmn
    xml: str
    elements: frozenset[str]  # the ids of everything the process holds, embedded subprocesses' too
    calls: dict[str, str]  # call activity id -> the id of the process it calls

    @property
    def file(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def process_diagrams(bpmn_files: dict[str, str], main: str) -> list[ProcessDiagram]:
    """The diagrams of process `main` and of every process it calls, directly or through another, in the order
    a walk through the calls meets them (`bpmn_files`: path -> XML). A called process no file defines is left
    out."""
    defined: dict[str, ProcessDiagram] = {}
    for path, text in sorted(bpmn_files.items()):
        root = parse_xml(text, path)
        for process in root.iter(f"{BPMN}process"):
            process_id = process.get("id")
            if not process_id or process_id in defined:
                continue
            calls = {el.get("id"): el.get("calledElement") for el in process.iter(f"{BPMN}callActivity")
                     if el.get("id") and el.get("calledElement")}
            elements = frozenset(el.get("id") for el in process.iter() if isinstance(el.tag, str) and el.get("id"))
            defined[process_id] = ProcessDiagram(process_id, process.get("name") or process_id, path, text,
                                                 elements - {process_id}, calls)
    found: dict[str, ProcessDiagram] = {}
    waiting = [main]
    while waiting:
        process_id = waiting.pop(0)
        if process_id in found or process_id not in defined:
            continue
        found[process_id] = defined[process_id]
        waiting += list(defined[process_id].calls.values())
    return list(found.values())
