"""SIP-kollen, Stockholm's short feedback after the SIP meeting ("Erbjud även huvudpersonen att tycka till om
upplevelsen av mötet med hjälp av enkäten SIP-kollen. Ge akt på hur huvudpersonen upplevde mötet.").

The questions are the routine's, not this code's: the user task that offers the questionnaire names the person's
form with the properties `personFormJsonSchemaFilename` and `personFormUiSchemaFilename` (Stockholm's `sip_kollen`
task of its meeting, `sip_kollen_personen.schema.json`). The page (engine/web/person_pages.py) is rendered on the
server from that form: each field's title is its question, a choice's options (`oneOf` with `const` and `title`,
or `enum`) its answers, a free text field a text box; the answers are checked against the same schema.

It is offered where the case has reached that task, once per person and once per guardian. The answers reach the
case as a row of its history (kind `sip_kollen`), which the coordinator reads on the case page."""

from __future__ import annotations

from dataclasses import dataclass, field

from jsonschema import Draft202012Validator

SCHEMA_PROPERTY, UI_PROPERTY = "personFormJsonSchemaFilename", "personFormUiSchemaFilename"
TEXT_MAX = 2000  # a free text field without its own maxLength


@dataclass(frozen=True)
class Question:
    name: str
    title: str
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label); empty for a free text
    required: bool = False
    max_length: int = TEXT_MAX
    help: str | None = None

    @property
    def is_choice(self) -> bool:
        return bool(self.options)


@dataclass(frozen=True)
class Questionnaire:
    title: str
    description: str | None
    questions: list[Question]
    schema: dict


def offering_tasks(spec, subprocess_specs: dict) -> dict[str, tuple[str, str | None]]:
    """The user tasks of a parsed process set that offer the person a questionnaire: BPMN id -> (schema file,
    UI schema file)."""
    found = {}
    for each in [spec, *subprocess_specs.values()]:
        for task_spec in each.task_specs.values():
            properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
            if properties.get(SCHEMA_PROPERTY):
                found[task_spec.bpmn_id or task_spec.name] = (properties[SCHEMA_PROPERTY],
                                                              properties.get(UI_PROPERTY))
    return found


def _options(schema: dict) -> list[tuple[str, str]]:
    if isinstance(schema.get("oneOf"), list):
        return [(str(o["const"]), str(o.get("title") or o["const"])) for o in schema["oneOf"]
                if isinstance(o, dict) and "const" in o]
    if isinstance(schema.get("enum"), list):
        names = schema.get("enumNames") if isinstance(schema.get("enumNames"), list) else schema["enum"]
        return [(str(v), str(n)) for v, n in zip(schema["enum"], names, strict=False)]
    return []


def questionnaire(schema: dict, ui: dict | None) -> Questionnaire:
    """The questions of a person's form, in the UI schema's order (the schema's where it gives none)."""
    ui = ui if isinstance(ui, dict) else {}
    properties = schema.get("properties") or {}
    order = [name for name in ui.get("ui:order") or [] if name in properties]
    order += [name for name in properties if name not in order]
    required = set(schema.get("required") or [])
    questions = []
    for name in order:
        field_schema = properties[name] if isinstance(properties[name], dict) else {}
        field_ui = ui.get(name) if isinstance(ui.get(name), dict) else {}
        questions.append(Question(
            name=name, title=str(field_schema.get("title") or name), options=_options(field_schema),
            required=name in required, max_length=int(field_schema.get("maxLength") or TEXT_MAX),
            help=field_ui.get("ui:help") or field_schema.get("description")))
    return Questionnaire(str(schema.get("title") or "SIP-kollen"), schema.get("description"), questions, schema)


def _choose(labels: list[str]) -> str:
    words = [label.lower() for label in labels]
    return "Välj " + (", ".join(words[:-1]) + " eller " + words[-1] if len(words) > 1 else "".join(words)) + "."


def check(form: Questionnaire, submitted) -> tuple[dict, list[dict]]:
    """The answers from a submitted form, and the errors, one per field that needs another answer (Swedish);
    the answers are checked against the form's JSON Schema."""
    answers: dict = {}
    for question in form.questions:
        value = submitted.get(question.name)
        if question.is_choice:
            if value:
                answers[question.name] = value
        else:
            answers[question.name] = (value or "").strip()
    errors: dict[str, str] = {}
    for question in form.questions:
        value = answers.get(question.name)
        if not question.is_choice and isinstance(value, str) and "\x00" in value:
            errors[question.name] = "Texten har ett tecken som inte går att spara."
    validator = Draft202012Validator(form.schema)
    by_name = {q.name: q for q in form.questions}
    for error in validator.iter_errors(answers):
        if error.validator == "required":
            names = [name for name in error.validator_value if name not in answers]
        else:
            names = [error.path[0]] if error.path else []
        for name in names:
            question = by_name.get(name)
            if question is not None and question.name not in errors:
                errors[question.name] = _message(question, error.validator)
    ordered = [q.name for q in form.questions if q.name in errors]
    return answers, [{"field": name, "message": errors[name]} for name in ordered]


def _message(question: Question, validator: str) -> str:
    if question.is_choice:
        return _choose([label for _, label in question.options])
    if validator == "maxLength":
        return f"Skriv högst {question.max_length} tecken."
    return "Skriv svaret igen."


def summary(form: Questionnaire, answers: dict) -> str:
    """The answers as one text for staff: question, answer; then the free text."""
    parts = []
    for question in form.questions:
        if question.is_choice:
            label = dict(question.options).get(answers.get(question.name), "–")
            parts.append(f"{question.title} {label}.")
        elif answers.get(question.name):
            parts.append(f"Övrigt: {answers[question.name]}")
    return " ".join(parts)
