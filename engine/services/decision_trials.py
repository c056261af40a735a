"""Trying a draft decision table before it is deployed: the studio sends the DMN text as the process owner
edits it, with input values, and gets the table's result, or a problem saying in Swedish why the table gives
none (which rules clash, which cell cannot be computed). Nothing is stored, and no draft answers 500: what a
process owner writes is exactly what may fail."""

from __future__ import annotations

import logging

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from ..decisions.errors import DecisionEvaluationError, DecisionTableError
from ..decisions.evaluate import evaluate_decision
from ..decisions.model import HitPolicy
from ..runtime.parser import ProcessParser, ProcessSetError, parse_xml
from ..scripting import SandboxedScriptEngine
from .errors import InvalidRequest, ServiceError
from .process_sets import defined_ids, files_of, latest_definition, overlay

log = logging.getLogger(__name__)

DRAFT_PATH = "dmn/utkast.dmn"


class DecisionTrialFailed(ServiceError):
    """The draft table gives no result for these inputs, or cannot be read; `problems` names the file, the
    element (a rule's or the decision's id) and the line, and `rules` the clashing rules by number and id."""

    status = 422
    type = "decision-failed"
    title = "Beslutstabellen ger inget svar"

    def __init__(self, detail: str, problems: list[dict], decision: str | None = None,
                 rules: list[dict] | None = None):
        super().__init__(detail, problems=problems, decision=decision, rules=rules or [])
        self.problems = problems


def _rule_list(numbers: list[int]) -> str:
    texts = [str(n) for n in numbers]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " och " + texts[-1]


def _problem(path: str, element: str | None, line, message: str) -> dict:
    return {"file": path, "element": element, "line": line or None, "message": message, "check": "decision"}


def draft_parser(dmn: str, path: str, region: str | None):
    """A parser holding the draft and, for a region, the other tables it runs (a draft may require a decision
    kept in another file); the draft replaces the deployed file of its path and every table of its ids."""
    files = {path: dmn}
    definition = latest_definition(region) if region else None
    if definition is not None:
        deployed = {p: t for p, t in files_of(definition).items() if p.endswith(".dmn")}
        files = overlay(deployed, files)
    parser = ProcessParser(validate=False)
    for name, text in sorted(files.items()):
        try:
            parser.add_dmn_xml(parse_xml(text, name), filename=name)
        except ProcessSetError as err:
            found = err.problems[0]
            raise DecisionTrialFailed(
                f"Tabellen är inte välformad XML (rad {found.get('line') or '?'}): {found['message']}",
                [{**p, "check": "xml"} for p in err.problems]) from err
        except DecisionTableError as err:
            raise DecisionTrialFailed(
                _table_text(err), [_problem(name, err.decision_id or getattr(err, "id", None),
                                            getattr(err, "line_number", None), str(err))],
                decision=err.decision_id) from err
        except ValidationException as err:
            raise DecisionTrialFailed(f"Tabellen kan inte läsas: {err}",
                                      [_problem(name, getattr(err, "id", None) or None,
                                                getattr(err, "line_number", None), str(err))]) from err
    return parser


def _table_text(err: DecisionTableError) -> str:
    where = [f"beslutet {err.decision_id}"] if err.decision_id else []
    if err.rule_number is not None:
        where.append(f"regel {err.rule_number}")
    if err.column:
        where.append(f"kolumnen {err.column}")
    place = f" ({', '.join(where)})" if where else ""
    cell = f" Cellen: {err.cell}." if err.cell is not None else ""
    return f"Tabellen kan inte köras som den är skriven{place}: {err.detail}.{cell}"


def _rule_ids(parser, decision_id: str | None, numbers: list[int]) -> list[dict]:
    entry = parser.dmn_parsers.get(decision_id) if decision_id else None
    rules = entry.table.rules if entry is not None else []
    return [{"number": n, "id": rules[n - 1].id if 0 < n <= len(rules) else None} for n in numbers]


def _clash_text(parser, err: DecisionEvaluationError) -> str:
    entry = parser.dmn_parsers.get(err.decision_id)
    policy = entry.table.policy if entry is not None else None
    name = (entry.table.decision_name or err.decision_id) if entry is not None else err.decision_id
    rules = _rule_list(err.rule_numbers)
    if policy is HitPolicy.UNIQUE and len(err.rule_numbers) > 1:
        return (f"I tabellen {name} gäller reglerna {rules} samtidigt, men träffpolicyn UNIQUE tillåter bara en "
                "regel. Ändra reglerna så att högst en gäller för varje indata, eller välj träffpolicyn FIRST, "
                "ANY eller PRIORITY.")
    if policy is HitPolicy.ANY:
        return (f"I tabellen {name} gäller reglerna {rules} med olika utfall, vilket träffpolicyn ANY inte "
                "tillåter. Ge dem samma utfall, eller ändra reglerna så att bara en gäller.")
    if policy in (HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER):
        return (f"I tabellen {name} ger regel {rules} ett utfall som inte finns bland utfallets tillåtna värden, "
                "som bestämmer reglernas ordning. Lägg till värdet eller ändra regeln.")
    return f"Tabellen {name} ger inget svar för reglerna {rules}: {err}"


def try_draft(dmn: str, decision_id: str, variables: dict, region: str | None = None,
              path: str | None = None):
    """The result of decision `decision_id` of the draft DMN text for `variables`, as a running case would
    get it. Raises `DecisionTrialFailed` (422) when the draft cannot be read or gives no result."""
    name = path or DRAFT_PATH
    parser = draft_parser(dmn, name, region)
    if decision_id not in parser.dmn_parsers or (("dmn", decision_id) not in defined_ids(name, dmn)):
        raise InvalidRequest(f"The draft has no decision {decision_id!r}",
                             errors=[{"field": "decision_id",
                                      "message": f"Tabellen har inget beslut med id {decision_id}"}])
    try:
        return evaluate_decision(parser, decision_id, variables, SandboxedScriptEngine())
    except DecisionEvaluationError as err:
        rules = _rule_ids(parser, err.decision_id, err.rule_numbers)
        where = parser.dmn_parsers.get(err.decision_id)
        raise DecisionTrialFailed(
            _clash_text(parser, err),
            [_problem(where.filename if where else name, r["id"] or err.decision_id, None, str(err)) for r in rules]
            or [_problem(name, err.decision_id, None, str(err))],
            decision=err.decision_id, rules=rules) from err
    except DecisionTableError as err:  # a required decision missing, or requirements in a cycle
        raise DecisionTrialFailed(_table_text(err), [_problem(name, err.decision_id, None, str(err))],
                                  decision=err.decision_id) from err
    except (SpiffWorkflowException, ValidationException) as err:
        notes = " ".join(getattr(err, "notes", None) or getattr(err, "__notes__", None) or [])
        message = f"{err} {notes}".strip()
        raise DecisionTrialFailed(
            "En cell i tabellen kunde inte beräknas med de här indata. Kontrollera att värdena har rätt typ "
            f"(tal, ja/nej, text) och att cellerna är korrekta. {message}",
            [_problem(name, getattr(err, "id", None) or decision_id, getattr(err, "line_number", None), message)],
            decision=decision_id) from err
    except Exception as err:  # noqa: BLE001 (a draft's cells are the process owner's to get wrong, never a 500)
        log.warning("a draft decision table failed: %s", err, exc_info=True)
        raise DecisionTrialFailed(
            f"Tabellen kunde inte beräknas med de här indata: {type(err).__name__}: {err}",
            [_problem(name, decision_id, None, f"{type(err).__name__}: {err}")], decision=decision_id) from err
