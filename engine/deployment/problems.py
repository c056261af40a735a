"""A deployment problem in two languages. Every problem a check reports is a dict ``{"file", "element", "line",
"check", "message", "message_sv"}``: `message` the check's words in English (as API clients have read them), and
`message_sv` what a process owner reads, in Swedish: what is wrong, where (the diagram or file, the element's id
and name, the line) and what to write instead.

A check writes its own Swedish (`problem`). A problem without one -- SpiffWorkflow's own parse stopping at an
element, a decision table the engine refuses -- is given a general Swedish sentence naming the place, with the
engine's English kept after it as the detail (`in_swedish`), so no English-only text reaches a person.
"""

from __future__ import annotations

# What each check looks at, in Swedish: the start of the general sentence for a problem without its own.
CHECKS_SV = {
    "size": "Filen är för stor",
    "files": "Filen kan inte ingå i rutinen",
    "xml": "Filen kan inte läsas som XML",
    "xsd": "Filen följer inte BPMN- eller DMN-standarden",
    "diagram": "Diagrammet kan inte visas i en modellerare",
    "forms": "Formuläret kan inte användas",
    "privacy": "Formuläret frågar efter ett personnummer",
    "rendering": "Formuläret kan inte visas för personalen",
    "references": "Något som anropas finns inte",
    "scripts": "Ett skript eller uttryck godtas inte",
    "tables": "Beslutstabellen kan inte köras som den är skriven",
    "instructions": "Uppgiftens instruktioner kan inte fyllas i",
    "loops": "En slinga i flödet kan inte köras",
    "runnable": "Något i diagrammet kan inte köras",
    "spiffworkflow": "Processmotorn (SpiffWorkflow) kan inte läsa rutinen",
}


def problem(check: str, file: str | None, message_en: str, message_sv: str, element: str | None = None,
            line: int | None = None) -> dict:
    """A problem of `check`, in English and in Swedish."""
    return {"file": file, "element": element, "line": line, "message": message_en, "message_sv": message_sv,
            "check": check}


def element_name(trees: dict | None, file: str | None, element: str | None) -> str | None:
    """The name (`name` attribute) of the element with id `element` in a parsed file, where it has one."""
    root = (trees or {}).get(file)
    if root is None or not element:
        return None
    found = root.xpath("//*[@id=$id]", id=element)
    name = " ".join((found[0].get("name") or "").split()) if found and isinstance(found[0].tag, str) else ""
    return name or None


def place_sv(file: str | None, element: str | None = None, line: int | None = None,
             name: str | None = None) -> str:
    """Where a problem is, in Swedish: "i diagrammet bpmn/sip.bpmn, vid elementet bedom ('Bedöm behov'), rad 12"."""
    parts = []
    if file:
        kind = {"bpmn": "diagrammet", "dmn": "beslutstabellerna i", "json": "formulärfilen"}.get(
            file.rsplit(".", 1)[-1].lower(), "filen")
        parts.append(f"i {kind} {file}")
    if element:
        named = f"{element} ('{name}')" if name else element
        parts.append(f"vid {'fältet' if file and file.endswith('.json') else 'elementet'} {named}")
    if line:
        parts.append(f"rad {line}")
    return ", ".join(parts) if parts else "i rutinen"


def general_sv(found: dict, trees: dict | None = None) -> str:
    """The general Swedish sentence for a problem a check did not say in Swedish: what kind of problem and where,
    then the engine's own English words as the detail."""
    check = found.get("check") or ""
    what = CHECKS_SV.get(check, "Rutinen kan inte driftsättas")
    where = place_sv(found.get("file"), found.get("element"), found.get("line"),
                     element_name(trees, found.get("file"), found.get("element")))
    english = " ".join(str(found.get("message") or "").split())
    advice = ("Rätta elementet i modelleraren och försök igen" if check == "spiffworkflow"
              else "Rätta det och försök igen")
    return f"{what} ({where}). {advice}. Motorns beskrivning på engelska: {english}"


def in_swedish(found: list[dict], trees: dict | None = None) -> list[dict]:
    """The problems, each with its Swedish message: a check's own, else the general one (`general_sv`)."""
    for item in found:
        if not item.get("message_sv"):
            item["message_sv"] = general_sv(item, trees)
    return found


def in_two_languages(error, detail_en: str):
    """A service error (its `detail` in Swedish, what a person reads) with its English beside it, as the problem
    document's `detail_en`; its problems each given their Swedish message."""
    error.extra["detail_en"] = detail_en
    if isinstance(error.extra.get("problems"), list):
        in_swedish(error.extra["problems"])
    return error
