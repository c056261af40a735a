"""A dry run of a draft routine: a region's process set with a process owner's edited files, walked in memory by
the real engine with answers to each task's form, checked as a completion checks them. Nothing is stored: no
case, no task, no deployment; what comes back is the sequence of tasks, for whom and when each is due, and
where the walk stops (the routine ended, it waits for a message or a timer, a step failed, an answer was
refused, or the walk reached its limit)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime

from jsonschema import Draft202012Validator

from ..access.sharing import consent_given_unasked
from ..calendar import SWEDISH_TIME
from ..deployment.problems import in_two_languages
from ..deployment.validation import validate_process_set
from ..forms import FORMAT_CHECKER, apply_defaults, validate_submission
from ..forms.case_fields import bind_to_case
from ..runtime.workflow import CaseWorkflow, HumanTask, ProcessError
from ..scripting.helpers import completing
from .deployments import check_region, max_file_bytes, merge
from .errors import InvalidProcessSet, InvalidRequest
from .process_sets import MAIN_PROCESS

# The most tasks one walk completes: a routine that loops without end stops here, said so.
MAX_STEPS = 150
# The person a walk is about, as a started case knows them (the start fills in name and age).
SAMPLE_PERSON = {"namn": "Provperson", "alder": 78}
# A text field's sample answer where its form gives no choice.
SAMPLE_TEXT = "Provsvar"
# Who completes the tasks of a walk (`utford_av()` in scripts).
WALKER = ("Provkörning", "provkorning")


@dataclass
class WalkStep:
    element: str
    name: str
    process: str
    candidate_group: str | None
    due_at: datetime | None
    form: str | None
    answer: dict
    chosen: bool
    choices: list[dict]
    occurrence: int
    data: dict = field(default_factory=dict, repr=False)
    open_beside: frozenset[str] = field(default_factory=frozenset, repr=False)  # task ids open when it was answered

    def out(self) -> dict:
        return {"element": self.element, "name": self.name, "process": self.process,
                "candidate_group": self.candidate_group,
                "due_at": self.due_at.astimezone(UTC) if self.due_at else None,
                "form": self.form, "answer": self.answer, "chosen": self.chosen, "choices": self.choices,
                "occurrence": self.occurrence}


@dataclass
class WalkResult:
    region: str
    steps: list[WalkStep] = field(default_factory=list)
    stop: dict = field(default_factory=dict)
    started: list[str] = field(default_factory=list)

    def out(self) -> dict:
        return {"region": self.region, "steps": [s.out() for s in self.steps], "stop": self.stop,
                "started_processes": self.started}


def walk_draft(uploaded: dict[str, str], region: str, answers: dict | None = None,
               variables: dict | None = None, max_steps: int = MAX_STEPS) -> WalkResult:
    """Walk the region's routine as it would be with `uploaded` deployed over it. `answers` gives, per BPMN
    element id, the form data to answer that task with (merged over the default answer), or a list of such,
    one per time the task comes (the last one repeating). Raises InvalidProcessSet (422, every problem with its
    file, element and line) when the draft would not deploy."""
    check_region(region)
    answers = _check_answers(answers)
    merged, _sources, _own = merge(region, uploaded)
    report = validate_process_set(merged, MAIN_PROCESS, max_file_bytes=max_file_bytes())
    if not report.valid:
        raise in_two_languages(
            InvalidProcessSet(f"Utkastet för {region!r} har {len(report.problems)} problem; det provades inte",
                              report.problems),
            f"The draft for {region!r} has {len(report.problems)} problem(s); it was not walked")
    start = {"huvudperson": dict(SAMPLE_PERSON), **copy.deepcopy(variables or {})}
    result = WalkResult(region=region)
    seen: dict[str, int] = {}
    fired = None
    try:
        cw = CaseWorkflow.start(report.parsed.spec, report.parsed.subprocess_specs, start)
        _note_thrown(cw, result)
        while True:
            if cw.completed:
                status, reason = cw.status()
                result.stop = {"kind": "ended", "status": status, "reason": reason or None}
                break
            tasks = cw.human_tasks()
            if not tasks:
                due = cw.next_timer_due()
                # The worker fires a due timer within a minute; one the engine's clock does not find due yet (it
                # is still next after firing) leaves the walk waiting for it.
                if due is not None and due <= datetime.now(UTC) and due != fired:
                    fired = due
                    cw.fire_timers()
                    _note_thrown(cw, result)
                    continue
                result.stop = {"kind": "waiting", "messages": cw.waiting_messages(),
                               "timer_due": due.astimezone(UTC) if due else None}
                break
            if len(result.steps) >= max_steps:
                result.stop = {"kind": "limit", "steps": max_steps,
                               "waiting_tasks": [t.name for t in tasks]}
                break
            task = tasks[0]
            occurrence = seen.get(task.name, 0)
            seen[task.name] = occurrence + 1
            step, refusal = _answer(task, report.forms or {}, answers.get(task.name), occurrence)
            step.open_beside = frozenset(t.id for t in tasks)
            if _repeats(step, result.steps, task):
                result.stop = {"kind": "repeats", "element": task.name, "name": task.title}
                break
            result.steps.append(step)
            if refusal is not None:
                result.stop = {"kind": "invalid_answer", "element": task.name, "errors": refusal}
                break
            with completing(WALKER[0], task.candidate_group or WALKER[1]):
                cw.complete(task.id, step.answer)
            _note_thrown(cw, result)
    except ProcessError as err:
        last = result.steps[-1].element if result.steps else None
        result.stop = {"kind": "incident", "message": str(err), "element": last}
    except (ValueError, TypeError) as err:  # a task property the draft computes as no date, say
        last = result.steps[-1].element if result.steps else None
        result.stop = {"kind": "incident", "element": last,
                       "message": f"Ett värde som utkastet räknar fram går inte att använda ({err})"}
    return result


def _check_answers(answers) -> dict:
    if answers is None:
        return {}
    if not isinstance(answers, dict):
        raise InvalidRequest("answers must be an object: BPMN element id -> form data (or a list of them)",
                             errors=[{"field": "answers", "message": "not an object"}])
    errors = []
    for element, given in answers.items():
        listed = given if isinstance(given, list) else [given]
        if not listed or not all(isinstance(each, dict) for each in listed):
            errors.append({"field": f"answers/{element}", "message": "form data (an object), or a list of them"})
    if errors:
        raise InvalidRequest("Some answers are not form data", errors=errors)
    return answers


def _repeats(step: WalkStep, steps: list[WalkStep], task: HumanTask) -> bool:
    """The task comes again, for the same group, with the data it had and the answer it was given the last time:
    the routine sends it back with nothing changed, and the walk would only go round. Another instance of a
    multi-instance task, open beside the earlier one, is no repetition however alike the two are."""
    for earlier in reversed(steps):
        if (earlier.element, earlier.process, earlier.candidate_group) == (step.element, step.process,
                                                                           step.candidate_group):
            return (task.id not in earlier.open_beside and earlier.answer == step.answer
                    and earlier.data == _json(task.data))
    return False


def _note_thrown(cw: CaseWorkflow, result: WalkResult) -> None:
    """A message thrown by an end or throw event starts a case of the process it names: noted, not started."""
    result.started.extend(name for name, _payload in cw.thrown_messages())


def _answer(task: HumanTask, forms: dict, given, occurrence: int) -> tuple[WalkStep, list[dict] | None]:
    """The data the walk completes the task with, and the form's refusal of it (None when it passes): the data
    the task already holds for its form's fields, the form's first valid choice for what is still required,
    and the answer chosen for the task over both."""
    schema = forms.get(task.form_schema) if task.form_schema else None
    chosen = given[min(occurrence, len(given) - 1)] if isinstance(given, list) else given
    bound = bind_to_case(schema, task.data) if schema is not None else None
    step = WalkStep(element=task.name, name=task.title, process=task.process, candidate_group=task.candidate_group,
                    due_at=task.due_at, form=task.form_schema, answer={}, chosen=chosen is not None,
                    choices=_choices(bound), occurrence=occurrence + 1, data=_json(task.data))
    if schema is None:
        step.answer = _json(dict(chosen or {}))
        return step, None
    shown_only = {name for name, prop in (schema.get("properties") or {}).items()
                  if isinstance(prop, dict) and prop.get("readOnly") is True}
    data = {name: _pruned((bound.get("properties") or {})[name], copy.deepcopy(value))
            for name, value in task.data.items() if name in (bound.get("properties") or {}) and name not in shown_only}
    data.update(copy.deepcopy(chosen or {}))
    data = _json(sample(bound, data, keep=set(chosen or {})))
    data = {name: value for name, value in data.items() if name not in shown_only}
    errors = [{"field": e.field, "message": e.message} for e in validate_submission(bound, data)]
    errors += [{"field": name, "message": "sätts av rutinen när samtycket dokumenteras"}
               for name in consent_given_unasked(data, schema.get("properties") or {})]
    step.answer = data
    if errors:
        return step, errors
    step.answer = apply_defaults(schema, data)
    return step, None


def _pruned(schema, value):
    """What the task's page fills its form with from the task's data: within objects, only the fields the form
    has (where it takes no others), as the web app prunes it."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, list):
        items = schema.get("items")
        return [_pruned(items, each) for each in value] if isinstance(items, dict) else value
    properties = schema.get("properties")
    if not isinstance(value, dict) or not isinstance(properties, dict) or not properties:
        return value
    closed = schema.get("additionalProperties") is False
    return {key: _pruned(properties[key], item) if key in properties else item
            for key, item in value.items() if key in properties or not closed}


def _json(value):
    """Task data as JSON: dates and the like as text."""
    import json

    return json.loads(json.dumps(value, default=str))


def _choices(schema: dict | None) -> list[dict]:
    """The form's top-level choices: each field's name and title, and the value and title of each option, as the
    task shows them (yes and no for a yes/no field)."""
    found = []
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if not isinstance(prop, dict) or prop.get("readOnly") is True:
            continue
        options = _options(prop)
        if options is None and prop.get("type") == "boolean":
            options = [{"value": True, "title": "Ja"}, {"value": False, "title": "Nej"}]
        if options is not None:
            found.append({"field": name, "title": str(prop.get("title") or name), "options": options})
    return found


def _options(prop: dict) -> list[dict] | None:
    listed = prop.get("oneOf") or prop.get("anyOf")
    if isinstance(listed, list) and listed and all(isinstance(o, dict) and "const" in o for o in listed):
        return [{"value": o["const"], "title": o.get("title") or str(o["const"])} for o in listed]
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        return [{"value": v, "title": "Ja" if v is True else "Nej" if v is False else str(v)} for v in prop["enum"]]
    return None


# -- the default answer: the form's first valid choice ---------------------------------------------------------


def sample(schema: dict | None, given: dict | None = None, keep: set[str] = frozenset()) -> dict:
    """An answer to a form: `given` with every required field it lacks filled in by the form's default, its first
    choice, yes for a yes/no question, today for a date, and a sample text otherwise; a field required only by an
    earlier answer (if/then) is filled in once that answer makes it required, and so is an empty text the answer
    makes required. The fields in `keep` (chosen ones) stay as given."""
    filled = _fill_required(schema, dict(given or {}))
    if not isinstance(schema, dict):
        return filled
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    for _round in range(8):
        errors = list(validator.iter_errors(filled))
        changed = False
        for err in errors:
            if err.validator != "minItems" or not isinstance(err.instance, list) or not err.absolute_path:
                continue
            path = list(err.absolute_path)
            prop = {key: value for key, value in {**(_property_at(schema, path[:-1], path[-1]) or {}),
                                                  **err.schema}.items() if key != "default"}
            more = _sample_value({**prop, "minItems": err.validator_value - len(err.instance)}, str(path[-1]))
            if isinstance(more, list) and more:
                err.instance.extend(more)
                changed = True
        for err in errors:  # a value a condition narrows (if/then): the one it demands, or its first
            path = list(err.absolute_path)
            if err.validator not in ("const", "enum") or not path or path[0] in keep:
                continue
            holder = _at(filled, path[:-1])
            demanded = err.validator_value if err.validator == "const" else (err.validator_value or [_NOTHING])[0]
            if isinstance(holder, dict | list) and demanded is not _NOTHING and holder[path[-1]] != demanded:
                holder[path[-1]] = copy.deepcopy(demanded)
                changed = True
        for err in errors:
            path = list(err.absolute_path)
            if err.validator != "minLength" or err.instance != "" or not path or path[0] in keep:
                continue
            holder = _at(filled, path[:-1])
            prop = {**(_property_at(schema, path[:-1], path[-1]) or {}), **err.schema}
            if isinstance(holder, dict | list):
                holder[path[-1]] = _sample_text(prop)
                changed = True
        for err in errors:
            if err.validator != "required":
                continue
            path = list(err.absolute_path)
            holder = _at(filled, path)
            if not isinstance(holder, dict):
                continue
            for name in err.validator_value or []:
                if name in holder:
                    continue
                prop = {**(_property_at(schema, path, name) or {}),
                        **((err.schema.get("properties") or {}).get(name) or {})}
                value = _sample_value(prop, name) if prop else _NOTHING
                if value is not _NOTHING:
                    holder[name] = value
                    changed = True
        if not changed:
            break
    return filled


def _fill_required(schema: dict | None, filled: dict, suffix: str = "") -> dict:
    if not isinstance(schema, dict):
        return filled
    properties = schema.get("properties") or {}
    for name in schema.get("required") or []:
        prop = properties.get(name)
        if name in filled or not isinstance(prop, dict):
            continue
        value = _sample_value(prop, name, suffix)
        if value is not _NOTHING:
            filled[name] = value
    return filled


def _at(data, path: list):
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _property_at(schema: dict, path: list, name: str) -> dict | None:
    """The schema of the field `name` of the object at `path` of the data, by the form's properties and items."""
    node = schema
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get("items") if isinstance(part, int) else (node.get("properties") or {}).get(part)
    return ((node or {}).get("properties") or {}).get(name) if isinstance(node, dict) else None


_NOTHING = object()


def _sample_value(prop: dict, name: str, suffix: str = ""):
    if "const" in prop:
        return prop["const"]
    if "default" in prop:
        return copy.deepcopy(prop["default"])
    options = _options(prop)
    if options:
        return options[0]["value"]
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        low = prop.get("minimum", prop.get("exclusiveMinimum", -1) + 1 if "exclusiveMinimum" in prop else 0)
        return int(low) if kind == "integer" else low
    if kind == "object":
        return _fill_required(prop, {})
    if kind == "array":
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        count = int(prop.get("minItems") or 0)
        if not count:
            return []
        item_options = _options(items)
        if item_options:  # a list of choices: every one (a consent to all huvudmän)
            return [o["value"] for o in item_options]
        rows = _rows_per_choice(items)
        if rows:
            return rows
        return [_sample_value(items, name) for _ in range(count)]
    if kind == "string":
        return _sample_text(prop, suffix)
    return _NOTHING


def _rows_per_choice(items: dict) -> list[dict]:
    """Rows of objects one of whose required fields is a choice: a row per choice (a summons of every kind of
    huvudman the consent allows), the rest of each row sampled."""
    if items.get("type") != "object":
        return []
    properties = items.get("properties") or {}
    for name in items.get("required") or []:
        options = _options(properties.get(name) or {})
        if options:
            return [_fill_required(items, {name: option["value"]}, f" {number}")
                    for number, option in enumerate(options, start=1)]
    return []


def _sample_text(prop: dict, suffix: str = "") -> str:
    import re

    today = datetime.now(SWEDISH_TIME).date()
    if prop.get("format") == "date":
        return today.isoformat()
    if prop.get("format") == "date-time":
        return datetime.now(SWEDISH_TIME).replace(microsecond=0).isoformat()
    pattern = prop.get("pattern")
    if pattern:
        for candidate in ("09:00", today.isoformat(), SAMPLE_TEXT, "1", "A"):
            if re.search(pattern, candidate):
                return candidate
    text = str(prop.get("title") or SAMPLE_TEXT) + suffix
    least = int(prop.get("minLength") or 0)
    if len(text) < least:
        text = text + "." * (least - len(text))
    most = prop.get("maxLength")
    return text[:int(most)] if most else text
