"""What the routine's diagrams say about notifications: the property `notification` (a spiffworkflow property, as
`candidateGroups` and `dueDate` are) on the element that makes one. A region that renames the summons task or the
meeting's variables changes its diagram, not this code.

- on a user task: ``kallelse datum=<variable> tid=<variable> plats=<variable>`` -- each instance of the task is a
  summoned organisation's summons, with the meeting's date, time and place in the named variables (a change of
  them later moves the meeting);
- on a message catch event (boundary, intermediate or start): ``mote_installt`` -- the message cancels the
  meeting; ``samtycke_aterkallat`` -- the message withdraws consent.

`parse` reads a value (and says what is wrong with one, in Swedish and English); `rules_of` reads a parsed
process set's specs. The deployment checks every property (`engine.deployment.notification_properties`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

PROPERTY = "notification"
SUMMONS, CANCELLED, WITHDRAWN = "kallelse", "mote_installt", "samtycke_aterkallat"
# Each kind: the variables it names (key -> what it holds, Swedish and English).
KINDS: dict[str, dict[str, tuple[str, str]]] = {
    SUMMONS: {"datum": ("mötets datum", "the meeting's date"), "tid": ("mötets tid", "the meeting's time"),
              "plats": ("mötets plats", "the meeting's place")},
    CANCELLED: {},
    WITHDRAWN: {},
}
# What each kind does, in Swedish, as the studio offers it.
KIND_SV = {SUMMONS: "kallelse till SIP-mötet", CANCELLED: "mötet är inställt", WITHDRAWN: "samtycket är återkallat"}
MESSAGE_KINDS = frozenset({CANCELLED, WITHDRAWN})
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PropertyError(ValueError):
    """A `notification` property that cannot be read: `sv` and `en` say why."""

    def __init__(self, sv: str, en: str):
        super().__init__(en)
        self.sv, self.en = sv, en


@dataclass(frozen=True)
class Notification:
    kind: str
    variables: dict[str, str]


def parse(value: str | None) -> Notification:
    """The kind and variables a property's value names; PropertyError where it names an unknown kind, an unknown
    key, a variable that is not a name, or leaves out a variable its kind needs."""
    words = (value or "").split()
    if not words:
        raise PropertyError("egenskapen notification är tom; skriv en av " + ", ".join(KINDS),
                            "the notification property is empty; write one of " + ", ".join(KINDS))
    kind, rest = words[0], words[1:]
    if kind not in KINDS:
        raise PropertyError(f"okänt slag av avisering '{kind}' i egenskapen notification; skriv en av "
                            + ", ".join(KINDS),
                            f"unknown kind of notification '{kind}' in the notification property; write one of "
                            + ", ".join(KINDS))
    wanted = KINDS[kind]
    variables: dict[str, str] = {}
    for word in rest:
        key, _, name = word.partition("=")
        if key not in wanted:
            allowed_sv = ", ".join(wanted) or "inga"
            allowed_en = ", ".join(wanted) or "none"
            raise PropertyError(f"'{word}': {kind} tar inte '{key}' (den tar {allowed_sv})",
                                f"'{word}': {kind} takes no '{key}' (it takes {allowed_en})")
        if not NAME.match(name):
            raise PropertyError(f"'{word}': skriv ett variabelnamn efter {key}=",
                                f"'{word}': write a variable name after {key}=")
        variables[key] = name
    missing = [key for key in wanted if key not in variables]
    if missing:
        raise PropertyError(
            f"{kind} behöver variablerna för " + ", ".join(f"{wanted[key][0]} ({key}=…)" for key in missing),
            f"{kind} needs the variables for " + ", ".join(f"{wanted[key][1]} ({key}=…)" for key in missing))
    return Notification(kind, variables)


@dataclass(frozen=True)
class Rules:
    """What a process set's diagrams say: the summons tasks (BPMN id -> date, time and place variables) and the
    messages that cancel the meeting and withdraw consent."""

    summons: dict[str, tuple[str, str, str]]
    cancelling: frozenset[str]
    withdrawing: frozenset[str]

    def meeting_variables(self) -> list[tuple[str, str, str]]:
        return sorted(set(self.summons.values()))


def rules_of(spec, subprocess_specs: dict) -> Rules:
    """Read the `notification` properties of a parsed process set (checked at deploy; one that cannot be read is
    left out)."""
    summons: dict[str, tuple[str, str, str]] = {}
    messages: dict[str, set[str]] = {CANCELLED: set(), WITHDRAWN: set()}
    for each in [spec, *subprocess_specs.values()]:
        for task_spec in each.task_specs.values():
            properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
            if PROPERTY not in properties:
                continue
            try:
                found = parse(properties[PROPERTY])
            except PropertyError:
                continue
            if found.kind == SUMMONS:
                summons[task_spec.bpmn_id or task_spec.name] = tuple(
                    found.variables[key] for key in ("datum", "tid", "plats"))
            else:
                messages[found.kind].update(message_names_of(task_spec))
    return Rules(summons, frozenset(messages[CANCELLED]), frozenset(messages[WITHDRAWN]))


def message_names_of(task_spec) -> set[str]:
    """The messages an event's spec catches."""
    definition = getattr(task_spec, "event_definition", None)
    names = set()
    for each in getattr(definition, "event_definitions", None) or [definition]:
        name = getattr(each, "name", None)
        if each is not None and type(each).__name__ == "MessageEventDefinition" and name:
            names.add(name)
    return names
