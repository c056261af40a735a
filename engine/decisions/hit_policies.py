"""Turn the matching rules of a decision table into its result, as the hit policy says.

Result shapes (``keys`` are the output names):

========================================  ===============================================================
UNIQUE, FIRST, ANY, PRIORITY              ``{key: value, ...}``; no rule matches -> every key None
COLLECT, RULE ORDER, OUTPUT ORDER         one output column: ``{key: [value, ...]}`` (SpiffWorkflow's
                                          COLLECT shape); several: ``[{key: value, ...}, ...]``;
                                          no rule matches -> ``{key: []}`` / ``[]``
COLLECT + SUM / COUNT / MIN / MAX         ``{key: number}``; COUNT counts the matching rules; SUM, MIN
                                          and MAX leave null outputs out; no rule matches (or only
                                          nulls) -> COUNT 0, SUM / MIN / MAX None (FEEL's sum([]) is null)
========================================  ===============================================================

Tables with Python cells keep SpiffWorkflow's behaviour for the two policies it knew: UNIQUE returns
the first matching rule without checking that it is the only one, and nothing (``{}``) when none
matches; COLLECT returns ``{key: [values]}`` for every output column. The other policies, which
SpiffWorkflow silently treated as "first match", follow the standard for Python tables too.
"""

from __future__ import annotations

from .errors import DecisionEvaluationError
from .model import PYTHON, SINGLE_HIT, Aggregation, HitPolicy


def _rules(matches) -> str:
    numbers = [str(rule.row_number) for rule, _ in matches]
    return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]


def _error(table, message, matches):
    return DecisionEvaluationError(message, decision_id=table.decision_id, file_name=table.file_name,
                                   rule_numbers=[rule.row_number for rule, _ in matches])


def _priority(table, outputs: dict, rule) -> tuple:
    key = []
    for output in table.outputs:
        allowed = table.output_values.get(output.id)
        if allowed is None:
            continue
        value = outputs.get(table.output_key(output))
        if value not in allowed:
            raise DecisionEvaluationError(
                f"rule {rule.row_number} gives {value!r} for '{table.output_key(output)}', which is not one of the "
                f"output values {allowed} that order the rules", decision_id=table.decision_id,
                file_name=table.file_name, rule_numbers=[rule.row_number])
        key.append(allowed.index(value))
    return tuple(key)


def apply_hit_policy(table, matches: list[tuple]):
    """`matches` lists (rule, outputs dict) for every matching rule, in rule order."""
    policy = HitPolicy(table.hit_policy)
    keys = [table.output_key(o) for o in table.outputs]
    legacy = table.language == PYTHON

    if policy in SINGLE_HIT:
        if not matches:
            return {} if legacy else dict.fromkeys(keys)
        if policy is HitPolicy.UNIQUE and len(matches) > 1 and not legacy:
            raise _error(table, f"rules {_rules(matches)} all match, but the hit policy UNIQUE allows only one. "
                                "Make the rules exclusive, or choose hit policy FIRST, ANY or PRIORITY", matches)
        if policy is HitPolicy.ANY:
            first = matches[0][1]
            if any(outputs != first for _, outputs in matches[1:]):
                raise _error(table, f"rules {_rules(matches)} match with different outputs, which the hit policy "
                                    "ANY does not allow", matches)
        if policy is HitPolicy.PRIORITY:
            return dict(min(matches, key=lambda m: _priority(table, m[1], m[0]))[1])
        return dict(matches[0][1])

    if table.aggregation:
        key = keys[0]
        aggregation = Aggregation(table.aggregation)
        if aggregation is Aggregation.COUNT:
            return {key: len(matches)}
        values = [outputs.get(key) for _, outputs in matches]
        values = [v for v in values if v is not None]
        if not values:
            return {key: None}
        try:
            if aggregation is Aggregation.SUM:
                return {key: sum(values)}
            if aggregation is Aggregation.MIN:
                return {key: min(values)}
            return {key: max(values)}
        except TypeError as err:
            raise _error(table, f"cannot take the {aggregation.value} of {values!r}", matches) from err

    ordered = matches
    if policy is HitPolicy.OUTPUT_ORDER:
        ordered = sorted(matches, key=lambda m: _priority(table, m[1], m[0]))
    if legacy and policy is HitPolicy.COLLECT:
        result = {}
        for _, outputs in ordered:
            for key, value in outputs.items():
                result.setdefault(key, []).append(value)
        return result
    if len(keys) == 1:
        return {keys[0]: [outputs.get(keys[0]) for _, outputs in ordered]}
    return [dict(outputs) for _, outputs in ordered]
