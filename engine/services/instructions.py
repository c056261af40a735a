"""A task's instructions as the person doing it reads them: the diagram's text (its `instructionsForEndUser`, else
the documentation of its BPMN element), Markdown in which `{{ ... }}` and `{% ... %}` (Jinja, sandboxed) fill in
what the case knows when the task is opened: who did not come, who has not documented, the meeting's date and
place. A name that the case does not hold reads as nothing, never as an error."""

from __future__ import annotations

from datetime import date, datetime

from jinja2 import ChainableUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

SWEDISH_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
                  "november", "december")


def swedish_date(value) -> str:
    """A date as Swedes write it in text, "5 december 2026"; anything that is not an ISO date as it is."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value)[:10])
        except ValueError:
            return "" if value is None or isinstance(value, ChainableUndefined) else str(value)
    return f"{value.day} {SWEDISH_MONTHS[value.month - 1]} {value.year}"


def _names(items, key: str = "organisation") -> str:
    """The organisations (or `key`) of a list of dicts, as a Swedish list: "A, B och C"."""
    names = [str(each.get(key)) for each in items or () if isinstance(each, dict) and each.get(key)]
    names = list(dict.fromkeys(names))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


_ENVIRONMENT = SandboxedEnvironment(undefined=ChainableUndefined, autoescape=False)
_ENVIRONMENT.filters["datum"] = swedish_date
_ENVIRONMENT.filters["namnen"] = _names


def template_problem(text: str) -> str | None:
    """Why the instructions cannot be filled in (their template does not parse), or None."""
    try:
        _ENVIRONMENT.parse(text)
    except TemplateError as err:
        return f"line {getattr(err, 'lineno', '?')}: {err.message or err}"
    return None


def render(text: str | None, data: dict, open_tasks: list[dict] | None = None) -> str | None:
    """The instructions with the case's facts filled in: the task's data as variables, and `oppna_uppgifter`
    (the case's open tasks: `namn` of the BPMN element, `titel`, `organisation` it is for). Instructions that
    cannot be filled in are given as written."""
    if not text:
        return text
    if "{" not in text:
        return text
    try:
        return _ENVIRONMENT.from_string(text).render({**data, "oppna_uppgifter": open_tasks or []}).strip()
    except (TemplateError, TypeError, ValueError, AttributeError):
        return text
