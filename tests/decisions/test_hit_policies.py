"""One table per hit policy (fixtures/hit_policies.dmn), with the result shapes of `hit_policies`."""

import pytest

from engine.decisions.errors import DecisionEvaluationError


def test_unique_gives_the_one_matching_rule(hit_policies):
    assert hit_policies("unik", poang=5) == {"niva": "lag"}
    assert hit_policies("unik", poang=12) == {"niva": "mellan"}


def test_unique_refuses_several_matches_naming_the_rules(hit_policies):
    with pytest.raises(DecisionEvaluationError) as err:
        hit_policies("unik", poang=15)
    assert err.value.rule_numbers == [2, 3]
    assert "rules 2 and 3" in str(err.value) and "UNIQUE" in str(err.value) and "'unik'" in str(err.value)


def test_no_rule_matching_gives_none_outputs(hit_policies):
    assert hit_policies("unik", poang=None) == {"niva": None}


def test_first_takes_the_first_match_in_rule_order(hit_policies):
    assert hit_policies("forsta", poang=15) == {"niva": "mellan"}
    assert hit_policies("forsta", poang=25) == {"niva": "hog"}


def test_any_accepts_agreeing_rules(hit_policies):
    assert hit_policies("nagon", poang=25) == {"niva": "hog"}


def test_any_refuses_rules_that_disagree(hit_policies):
    with pytest.raises(DecisionEvaluationError) as err:
        hit_policies("nagon", poang=30)
    assert err.value.rule_numbers == [1, 2, 3]
    assert "ANY" in str(err.value)


@pytest.mark.parametrize("poang, niva", [(5, "lag"), (12, "mellan"), (25, "hog"), (-1, None)])
def test_priority_follows_the_order_of_the_output_values(hit_policies, poang, niva):
    assert hit_policies("prioritet", poang=poang) == {"niva": niva}


def test_rule_order_lists_every_match_in_rule_order_as_rows(hit_policies):
    assert hit_policies("regelordning", poang=25) == [
        {"kod": 3, "text": "tjugo"}, {"kod": 1, "text": "noll"}, {"kod": 2, "text": "tio"}]
    assert hit_policies("regelordning", poang=-5) == []


def test_output_order_sorts_by_the_output_values(hit_policies):
    assert hit_policies("utdataordning", poang=25) == {"niva": ["hog", "mellan", "lag"]}
    assert hit_policies("utdataordning", poang=12) == {"niva": ["mellan", "lag"]}


def test_collect_with_one_output_gives_a_list_under_its_name(hit_policies):
    assert hit_policies("samla", poang=12) == {"niva": ["lag", "mellan"]}
    assert hit_policies("samla", poang=-1) == {"niva": []}


def test_collect_with_several_outputs_gives_rows(hit_policies):
    assert hit_policies("samla_flera", poang=12) == [{"kod": 1, "text": "noll"}, {"kod": 2, "text": "tio"}]


@pytest.mark.parametrize("decision, poang, expected", [
    ("summa", 25, 14), ("summa", 12, 7), ("summa", -1, None),
    ("antal", 25, 4), ("antal", 12, 3), ("antal", -1, 1),
    ("minsta", 25, 2), ("minsta", 5, 5), ("minsta", -1, None),
    ("storsta", 25, 7), ("storsta", 12, 5), ("storsta", -1, None),
])
def test_collect_aggregations(hit_policies, decision, poang, expected):
    """The last rule ('-', empty output) always matches with a null output: COUNT counts it,
    SUM / MIN / MAX leave it out."""
    assert hit_policies(decision, poang=poang) == {"varde": expected}
