"""Swedish working days: Monday to Friday, except public holidays and the days treated as such.

A day is a working day when it is

* not a Saturday or Sunday,
* not a public holiday (*allmän helgdag*, lag 1989:253): nyårsdagen, trettondedag jul, långfredagen,
  påskdagen, annandag påsk, första maj, Kristi himmelsfärdsdag, pingstdagen, nationaldagen, midsommardagen,
  alla helgons dag, juldagen, annandag jul,
* not one of the days off in practice that the annual leave act equates with Sundays (semesterlag
  1977:480, 7 §): midsommarafton, julafton, nyårsafton.

The days come from the `holidays` package's Swedish calendar with the categories PUBLIC and DE_FACTO. The
DE_FACTO category is exactly midsommarafton, julafton and nyårsafton, so nothing is added by hand here.
Sundays are excluded as weekend days, so the calendar is built with `include_sundays=False` (its default
since holidays 0.5x; older versions counted every Sunday as a holiday named "Söndag").
"""

from __future__ import annotations

import calendar
import threading
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from holidays.constants import DE_FACTO, PUBLIC

DateLike = date | datetime | str

# The holidays package covers Sweden from 1953; the engine only needs present-day dates. Dates outside this
# range are refused rather than silently computed without holidays.
MIN_YEAR = 1953
MAX_YEAR = 2200
# No deadline in the routine is more than a few hundred working days away; this keeps a typo in a diagram
# (an extra zero or ten) from looping through centuries.
MAX_WORKING_DAYS = 10_000
MAX_MONTHS = 12 * 100

_lock = threading.Lock()


def to_date(value: DateLike) -> date:
    """A `date` from a `date`, a `datetime` (its date part, as it stands) or an ISO string: "YYYY-MM-DD" or a
    full ISO date-time such as "2026-06-18T09:30:00+02:00" (its date part as written, no time-zone shift)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text).date()
        except ValueError:
            raise ValueError(f"Not an ISO date (YYYY-MM-DD): {value!r}") from None
    raise TypeError(f"Expected a date, a datetime or an ISO date string, got {type(value).__name__}")


@lru_cache(maxsize=512)
def days_off(year: int) -> dict[date, str]:
    """The public holidays and de-facto days off of `year` (weekdays or not), with their Swedish names."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Year {year} is outside the supported range {MIN_YEAR}-{MAX_YEAR}")
    with _lock:  # holidays populates lazily and is not thread-safe
        calendar_ = holidays.Sweden(
            years=year, categories=(PUBLIC, DE_FACTO), include_sundays=False, language="sv"
        )
        return dict(calendar_.items())


def _is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in days_off(day.year)


def is_working_day(d: DateLike) -> bool:
    """True when `d` is a Swedish working day."""
    return _is_working_day(to_date(d))


def add_working_days(d: DateLike, n: int) -> date:
    """The working day `n` working days after `d`.

    `d` itself need not be a working day: the count starts from the day after it. A meeting on Thursday
    2026-06-18 plus 2 working days: Friday 19 June is midsommarafton and 20-21 June a weekend, so Monday 22 June
    is the first working day and Tuesday 2026-06-23 the second.

    With `n == 0` the result is `d` when it is a working day, otherwise the next working day after it (the
    "earliest working day on or after" rule). `n` must not be negative.
    """
    day = to_date(d)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"The number of working days must be a whole number, got {n!r}")
    if n < 0:
        raise ValueError(f"The number of working days must not be negative, got {n}")
    if n > MAX_WORKING_DAYS:
        raise ValueError(f"At most {MAX_WORKING_DAYS} working days can be added, got {n}")
    if n == 0:
        while not _is_working_day(day):
            day += timedelta(days=1)
        return day
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if _is_working_day(day):
            remaining -= 1
    return day


def add_months(d: DateLike, n: int) -> date:
    """`d` plus `n` calendar months (negative `n` goes back). A day that does not exist in the target month is
    clamped to its last day: 2026-01-31 + 1 month = 2026-02-28, 2028-01-31 + 1 month = 2028-02-29."""
    day = to_date(d)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"The number of months must be a whole number, got {n!r}")
    if abs(n) > MAX_MONTHS:
        raise ValueError(f"At most {MAX_MONTHS} months can be added, got {n}")
    index = day.year * 12 + (day.month - 1) + n
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise ValueError(f"The result year {year} is out of range")
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))
