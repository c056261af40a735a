"""Swedish working days against the real 2026/2027 calendars."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.calendar import add_months, add_working_days, days_off, is_working_day, to_date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-06-15", True),  # plain Monday
        ("2026-06-17", True),  # plain Wednesday
        ("2026-06-13", False),  # Saturday
        ("2026-06-14", False),  # Sunday
        ("2026-06-19", False),  # midsommarafton, Friday
        ("2026-06-20", False),  # midsommardagen, Saturday
        ("2026-06-22", True),
        ("2026-12-23", True),
        ("2026-12-24", False),  # julafton, Thursday
        ("2026-12-25", False),  # juldagen, Friday
        ("2026-12-28", True),  # annandag jul falls on a Saturday in 2026: no extra day off
        ("2026-12-31", False),  # nyårsafton, Thursday
        ("2027-01-01", False),  # nyårsdagen, Friday
        ("2027-01-06", False),  # trettondedag jul, Wednesday
        ("2027-03-25", True),  # skärtorsdag is a working day
        ("2027-03-26", False),  # långfredagen
        ("2027-03-29", False),  # annandag påsk
        ("2027-03-30", True),
        ("2026-05-01", False),  # första maj, Friday
        ("2026-05-14", False),  # Kristi himmelsfärdsdag, Thursday
        ("2026-05-15", True),  # the "klämdag" after it is a working day
        ("2027-05-06", False),  # Kristi himmelsfärdsdag 2027
        ("2025-06-06", False),  # nationaldagen on a Friday
        ("2028-06-06", False),  # nationaldagen on a Tuesday
        ("2027-06-25", False),  # midsommarafton 2027
        ("2026-05-25", True),  # annandag pingst is no holiday since 2005
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected


def test_accepts_dates_datetimes_and_iso_strings():
    assert is_working_day(date(2026, 6, 19)) is False
    assert is_working_day(datetime(2026, 6, 19, 23, 59)) is False
    assert is_working_day("2026-06-19T10:00:00+02:00") is False
    assert is_working_day("2026-06-19T10:00:00Z") is False
    assert to_date(" 2026-06-18 ") == date(2026, 6, 18)


def test_meeting_before_midsummer_documentation_deadline():
    # Thursday 18 June 2026 + 2 working days: Fri 19 is midsommarafton, 20-21 the weekend -> Tue 23 June.
    assert add_working_days("2026-06-18", 2) == date(2026, 6, 23)
    assert add_working_days(date(2026, 6, 18), 1) == date(2026, 6, 22)


def test_christmas_and_new_year_2026():
    # Wed 23 Dec: 24 julafton, 25 juldagen, 26-27 weekend (annandag on Saturday), 28-30 working,
    # 31 nyårsafton, 1 Jan nyårsdagen, 2-3 weekend, 4 Jan working, 5 Jan working, 6 Jan trettondedag.
    assert add_working_days("2026-12-23", 1) == date(2026, 12, 28)
    assert add_working_days("2026-12-23", 2) == date(2026, 12, 29)
    assert add_working_days("2026-12-23", 3) == date(2026, 12, 30)
    assert add_working_days("2026-12-23", 4) == date(2027, 1, 4)
    assert add_working_days("2026-12-23", 6) == date(2027, 1, 7)


def test_easter_2027():
    # Thu 25 March 2027 (skärtorsdag) + 1: Good Friday, weekend, Easter Monday off -> Tue 30 March.
    assert add_working_days("2027-03-25", 1) == date(2027, 3, 30)


def test_ascension_and_national_day():
    assert add_working_days("2026-05-13", 1) == date(2026, 5, 15)
    assert add_working_days("2028-06-05", 1) == date(2028, 6, 7)


def test_plain_weeks_and_weekends():
    assert add_working_days("2026-03-02", 4) == date(2026, 3, 6)  # Monday + 4 = Friday
    assert add_working_days("2026-03-06", 1) == date(2026, 3, 9)  # Friday + 1 = Monday
    assert add_working_days("2026-03-07", 1) == date(2026, 3, 9)  # from a Saturday
    assert add_working_days("2026-03-02", 10) == date(2026, 3, 16)


def test_zero_working_days():
    assert add_working_days("2026-06-18", 0) == date(2026, 6, 18)
    assert add_working_days("2026-06-19", 0) == date(2026, 6, 22)  # midsommarafton -> next working day
    assert add_working_days("2026-06-21", 0) == date(2026, 6, 22)


def test_invalid_counts():
    with pytest.raises(ValueError):
        add_working_days("2026-06-18", -1)
    with pytest.raises(TypeError):
        add_working_days("2026-06-18", 1.5)
    with pytest.raises(ValueError):
        add_working_days("2026-06-18", 10**9)
    with pytest.raises(ValueError):
        add_working_days("18/6 2026", 1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31", 1, date(2026, 2, 28)),
        ("2028-01-31", 1, date(2028, 2, 29)),  # leap year
        ("2028-02-29", 12, date(2029, 2, 28)),
        ("2024-02-29", 48, date(2028, 2, 29)),
        ("2026-06-18", 12, date(2027, 6, 18)),
        ("2026-11-30", 3, date(2027, 2, 28)),
        ("2026-03-31", -1, date(2026, 2, 28)),
        ("2026-01-15", -1, date(2025, 12, 15)),
        ("2026-05-31", 1, date(2026, 6, 30)),
        ("2026-05-31", 0, date(2026, 5, 31)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_days_off_names_come_from_the_swedish_calendar():
    names = days_off(2026)
    assert names[date(2026, 6, 19)] == "Midsommarafton"
    assert names[date(2026, 12, 24)] == "Julafton"
    assert names[date(2026, 12, 31)] == "Nyårsafton"
    assert not any(name == "Söndag" for name in names.values())
    with pytest.raises(ValueError):
        days_off(1800)
