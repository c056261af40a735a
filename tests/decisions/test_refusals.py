"""Tables that cannot run as the standard says are refused when loaded, with file, decision, rule,
column and what to write instead."""

import pytest
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.decisions.errors import DecisionTableError

from .conftest import FIXTURES, Parser, make_parser, template


def load(text: str, filename: str = "mall.dmn", validate: bool = False):
    parser = Parser(validator=None)
    if validate:
        parser = make_parser()
    parser.add_dmn_str(text.encode("utf-8"), filename=filename)
    return parser


def refusal(**replacements) -> DecisionTableError:
    with pytest.raises(DecisionTableError) as err:
        load(template(**replacements))
    return err.value


def test_the_template_itself_loads():
    assert "mall" in load(template()).dmn_parsers


@pytest.mark.parametrize("cell, hint", [
    ("[1..5", "ends too early"),
    ("? > 3", "'?' is not FEEL"),
    ("len(alder)", "function calls"),
    ("'vuxen'", "double quotes"),
    ("> 3 and < 5", "own input column"),
    ("True", "write true"),
    ("1..5]", "unexpected"),
    ("[1..5}", "unexpected character"),
])
def test_input_cell_outside_the_feel_subset(cell, hint):
    err = refusal(INPUT_CELL=cell, OUTPUT_CELL='"x"')
    message = str(err)
    assert (err.file_name, err.decision_id, err.rule_number, err.column, err.cell) == (
        "mall.dmn", "mall", 2, "Ålder", cell)
    assert message.startswith("mall.dmn, decision 'mall', rule 2, column 'Ålder': "
                              "the cell is not a supported FEEL test")
    assert hint in message


def test_output_cell_outside_the_feel_subset():
    err = refusal(OUTPUT_CELL="if alder > 17 then \"vuxen\" else \"barn\"")
    assert (err.rule_number, err.column) == (2, "Resultat")
    assert "one rule per case" in str(err)


def test_input_expression_outside_the_subset():
    err = refusal(INPUT_EXPRESSION="count(deltagare)")
    assert err.rule_number is None and err.column == "Ålder"
    assert "input expression" in str(err)


def test_unknown_hit_policy():
    err = refusal(TABLE_ATTRIBUTES=' hitPolicy="SOMETIMES"')
    assert "unknown hit policy 'SOMETIMES'" in str(err) and "RULE ORDER" in str(err)


def test_unknown_aggregation():
    err = refusal(TABLE_ATTRIBUTES=' hitPolicy="COLLECT" aggregation="AVERAGE"')
    assert "unknown aggregation 'AVERAGE'" in str(err) and "SUM, COUNT, MIN or MAX" in str(err)


def test_aggregation_needs_collect():
    err = refusal(TABLE_ATTRIBUTES=' hitPolicy="FIRST" aggregation="SUM"')
    assert "needs hit policy COLLECT" in str(err)


@pytest.mark.parametrize("policy", ["PRIORITY", "OUTPUT ORDER"])
def test_priority_policies_need_output_values(policy):
    err = refusal(TABLE_ATTRIBUTES=f' hitPolicy="{policy}"')
    assert "output values" in str(err).lower()


def test_unsupported_expression_language():
    text = template().replace('typeRef="integer">', 'typeRef="integer" expressionLanguage="juel">')
    with pytest.raises(DecisionTableError) as err:
        load(text)
    assert "juel is not supported" in str(err.value)


def test_a_table_mixing_python_and_feel_cells_is_read_as_feel():
    err = refusal(OUTPUT_CELL="True")
    assert (err.rule_number, err.column, err.cell) == (2, "Resultat", "True")
    assert "write true" in str(err) and 'expressionLanguage="python"' in str(err)


def test_explicit_python_and_feel_in_one_table():
    text = template().replace('typeRef="integer">', 'typeRef="integer" expressionLanguage="python">')
    text = text.replace('<inputEntry id="UnaryTests_barn">',
                        '<inputEntry id="UnaryTests_barn" expressionLanguage="feel">')
    with pytest.raises(DecisionTableError) as err:
        load(text)
    assert "mixes FEEL and Python" in str(err.value)


def test_only_decision_tables_are_supported():
    with pytest.raises(DecisionTableError) as err:
        make_parser(FIXTURES / "invalid_literal_decision.dmn")
    assert "only decision tables are supported" in str(err.value)
    assert err.value.decision_id == "bokstavligt"


def test_decisions_requiring_each_other_in_a_cycle():
    with pytest.raises(DecisionTableError) as err:
        make_parser(FIXTURES / "invalid_cycle.dmn")
    assert "cycle" in str(err.value)


def test_a_required_decision_that_is_not_loaded():
    parser = make_parser(FIXTURES / "requires_other_file.dmn")
    with pytest.raises(DecisionTableError) as err:
        parser.get_engine("dubbel_summa", None)
    assert "requires the decision 'summa'" in str(err.value)


def test_a_decision_id_used_in_two_files():
    parser = load(template(), filename="a.dmn")
    with pytest.raises(DecisionTableError) as err:
        parser.add_dmn_str(template().encode("utf-8"), filename="b.dmn")
    assert "already used in a.dmn" in str(err.value)


def test_the_refusal_is_a_validation_exception_with_the_line():
    with pytest.raises(ValidationException) as err:
        load(template(INPUT_CELL="[1..5"))
    assert err.value.line_number and err.value.id == "UnaryTests_provad"


def test_output_outside_the_listed_output_values():
    text = template(TABLE_ATTRIBUTES=' hitPolicy="PRIORITY"', OUTPUT_CELL='"pensionar"').replace(
        '<output id="Output_resultat" label="Resultat" name="resultat" typeRef="string" />',
        '<output id="Output_resultat" label="Resultat" name="resultat" typeRef="string">'
        '<outputValues id="UnaryTests_varden"><text>"vuxen","barn"</text></outputValues></output>')
    with pytest.raises(DecisionTableError) as err:
        load(text)
    assert "'pensionar' is not one of the column's output values" in str(err.value)
