"""FEEL unary tests and simple expressions as modelers write them (fixtures/feel_cells.dmn)."""

from datetime import date, datetime

import pytest


@pytest.mark.parametrize("varde, resultat", [
    (2, "under 3"), (2.99, "under 3"), (3, "annat"), (74, "annat"), (75, "minst 75"), (75.5, "minst 75"),
    (50, "exakt 50"), (50.0, "exakt 50"), (None, "annat"), ("text", "annat"), (True, "annat"),
])
def test_comparisons(feel_cells, varde, resultat):
    assert feel_cells("jamforelse", varde=varde) == {"resultat": resultat}


@pytest.mark.parametrize("varde, resultat", [
    (0, "annat"), (1, "1 till 5"), (5, "1 till 5"), (5.01, "annat"),
    (10, "annat"), (10.5, "över 10 till 20"), (20, "över 10 till 20"),
    (30, "annat"), (31, "mellan 30 och 40"), (40, "annat"),
    (50, "50 till under 60"), (59.9, "50 till under 60"), (60, "annat"),
    (None, "annat"),
])
def test_interval_boundaries(feel_cells, varde, resultat):
    assert feel_cells("intervall", varde=varde) == {"resultat": resultat}


@pytest.mark.parametrize("farg, resultat", [("röd", "varm"), ("gul", "varm"), ("blå", "annat"), (None, "annat")])
def test_list_of_strings(feel_cells, farg, resultat):
    assert feel_cells("lista_text", farg=farg) == {"resultat": resultat}


@pytest.mark.parametrize("varde, resultat", [(1, "liten"), (3, "liten"), (4, "annat"), ("1", "annat")])
def test_list_of_numbers(feel_cells, varde, resultat):
    assert feel_cells("lista_tal", varde=varde) == {"resultat": resultat}


@pytest.mark.parametrize("farg, resultat", [("blå", "inte varm"), ("röd", "varm eller null"),
                                            ("gul", "varm eller null"), (None, "inte varm")])
def test_not(feel_cells, farg, resultat):
    """not("röd","gul") is true for null: null = "röd" is false in FEEL."""
    assert feel_cells("negation", farg=farg) == {"resultat": resultat}


@pytest.mark.parametrize("varde, resultat", [(None, "saknas"), (-1, "negativ"), (0, "inte negativ"),
                                             ("x", "annat")])
def test_null_matches_only_null_and_comparisons_never_match_null(feel_cells, varde, resultat):
    assert feel_cells("null_test", varde=varde) == {"resultat": resultat}


def test_a_missing_variable_is_null(feel_cells):
    assert feel_cells("null_test") == {"resultat": "saknas"}


@pytest.mark.parametrize("flagga, resultat", [(True, "ja"), (False, "nej"), (None, "annat"), (1, "annat"),
                                              (0, "annat")])
def test_booleans_are_not_numbers(feel_cells, flagga, resultat):
    assert feel_cells("boolesk", flagga=flagga) == {"resultat": resultat}


@pytest.mark.parametrize("datum, resultat", [
    ("2025-12-31", "före 2026"), ("2026-01-01", "under 2026"), ("2026-12-31", "under 2026"),
    ("2027-01-01", "efter 2026 eller null"), (date(2025, 6, 1), "före 2026"), (date(2026, 6, 1), "under 2026"),
    (datetime(2026, 12, 31, 23, 0), "under 2026"), ("2026-03-01T10:00:00", "under 2026"),
    (None, "efter 2026 eller null"), ("inte ett datum", "efter 2026 eller null"),
])
def test_dates_compare_with_iso_strings_and_date_objects(feel_cells, datum, resultat):
    assert feel_cells("datum", datum=datum) == {"resultat": resultat}


@pytest.mark.parametrize("person, resultat", [({"alder": 18}, "vuxen"), ({"alder": 17}, "barn"),
                                              ({}, None), (None, None)])
def test_dotted_input_expression(feel_cells, person, resultat):
    assert feel_cells("sokvag", person=person) == {"resultat": resultat}


def test_output_arithmetic_and_names_in_tests(feel_cells):
    assert feel_cells("berakning", antal=5, grans=3, etikett="tre") == {"summa": 11, "text": "minst tre"}
    assert feel_cells("berakning", antal=2, grans=3, etikett="tre") == {"summa": -0.5, "text": None}
    assert feel_cells("berakning", antal=None, grans=3, etikett="tre") == {"summa": None, "text": None}


def test_variables_given_are_not_changed(feel_cells):
    variables = {"person": {"alder": 20}}
    feel_cells("sokvag", **variables)
    assert variables == {"person": {"alder": 20}}
