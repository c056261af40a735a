"""The ``notifications`` check: each `notification` property (engine.notifications.routine) can be read and is on
an element it fits, each problem naming the file and the element, in Swedish (`message_sv`) and English
(`message`):

- the kind is one the product knows, with every variable its kind needs, each a name the set could put in a
  case's data (a form field or a name a script assigns);
- `kallelse` is on a user task (each of its instances is one organisation's summons);
- `mote_installt` and `samtycke_aterkallat` are on an event that catches a message.
"""

from __future__ import annotations

from lxml import etree

from ..notifications.routine import KINDS, MESSAGE_KINDS, PROPERTY, SUMMONS, PropertyError, parse
from .runnable import _named, known_names

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CATCHING = ("startEvent", "intermediateCatchEvent", "boundaryEvent")


def problem(path: str, element, line: int | None, sv: str, en: str) -> dict:
    return {"file": path, "element": element, "line": line, "message": en, "message_sv": sv,
            "check": "notifications"}


def check_notification_properties(bpmn_trees: dict, forms_json: dict) -> list[dict]:
    found: list[dict] = []
    known: set[str] | None = None
    for path, root in sorted(bpmn_trees.items()):
        for prop in root.iter(f"{{{SPIFF_NS}}}property"):
            if prop.get("name") != PROPERTY:
                continue
            owner = prop.getparent()
            while owner is not None and not owner.get("id"):
                owner = owner.getparent()
            if owner is None:
                continue
            element, line, named = owner.get("id"), prop.sourceline, _named(owner)
            try:
                notification = parse(prop.get("value"))
            except PropertyError as err:
                found.append(problem(path, element, line, f"{named}: {err.sv}", f"{named}: {err.en}"))
                continue
            local = etree.QName(owner).localname
            if notification.kind == SUMMONS and local != "userTask":
                found.append(problem(path, element, line,
                                     f"{named}: avisering {SUMMONS} hör till en användaruppgift (en per kallad "
                                     "verksamhet), inte till ett element av typen " + local,
                                     f"{named}: a {SUMMONS} notification belongs on a user task (one per "
                                     "summoned organisation), not on a " + local))
                continue
            if notification.kind in MESSAGE_KINDS and not (
                    local in CATCHING and owner.find(f"{{{BPMN_NS}}}messageEventDefinition") is not None):
                found.append(problem(path, element, line,
                                     f"{named}: avisering {notification.kind} hör till en händelse som tar emot "
                                     "ett meddelande",
                                     f"{named}: a {notification.kind} notification belongs on an event that "
                                     "catches a message"))
                continue
            if known is None:
                known = known_names(bpmn_trees, forms_json)
            for key, variable in notification.variables.items():
                if variable not in known:
                    sv, en = KINDS[notification.kind][key]
                    found.append(problem(path, element, line,
                                         f"{named}: variabeln '{variable}' för {sv} ({key}=) sätts inte av något "
                                         "formulär eller skript i rutinen",
                                         f"{named}: the variable '{variable}' for {en} ({key}=) is set by no form "
                                         "or script of the routine"))
    return found
