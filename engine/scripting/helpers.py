"""The product's functions for diagrams: dates as ISO strings ("YYYY-MM-DD"), Swedish working days.

Names are Swedish (the process owners' language, as written in diagrams). Every result is JSON-friendly, so
it can be stored in task data as is. Dates may be given as ISO date strings, ISO date-time strings (their
date part is used) or `date`/`datetime` values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from ..calendar import SWEDISH_TIME, add_months, add_working_days, is_working_day, to_date

MAX_DAYS = 100 * 366


def idag() -> str:
    """Today's date in Sweden, e.g. "2026-06-18". Reads the clock through `datetime.now`, so tests can move
    it (time-machine)."""
    return datetime.now(SWEDISH_TIME).date().isoformat()


def datum(text) -> str:
    """The date of `text` as "YYYY-MM-DD": datum("2026-06-18T09:30:00+02:00") == "2026-06-18"."""
    return to_date(text).isoformat()


def arbetsdagar_efter(datum, antal) -> str:
    """The working day `antal` Swedish working days after `datum` (weekends, public holidays, midsommarafton,
    julafton and nyårsafton are not working days). With antal 0: `datum` itself when it is a working day,
    otherwise the next working day. arbetsdagar_efter("2026-06-18", 2) == "2026-06-23"."""
    return add_working_days(datum, antal).isoformat()


def ar_arbetsdag(datum) -> bool:
    """True when `datum` is a Swedish working day."""
    return is_working_day(datum)


def manader_efter(datum, antal) -> str:
    """`datum` plus `antal` calendar months; a day missing in the target month becomes its last day:
    manader_efter("2026-01-31", 1) == "2026-02-28"."""
    return add_months(datum, antal).isoformat()


def dagar_efter(datum, antal) -> str:
    """`datum` plus `antal` calendar days (negative goes back): dagar_efter("2026-06-18", 14) == "2026-07-02"."""
    if isinstance(antal, bool) or not isinstance(antal, int):
        raise TypeError(f"antal must be a whole number, got {antal!r}")
    if abs(antal) > MAX_DAYS:
        raise ValueError(f"At most {MAX_DAYS} days can be added, got {antal}")
    return (to_date(datum) + timedelta(days=antal)).isoformat()


def dagar_mellan(fran, till) -> int:
    """Calendar days from `fran` to `till` (negative when `till` is earlier)."""
    return (to_date(till) - to_date(fran)).days


def finns(namn) -> bool:
    """True when the case's data has a variable named `namn`, even one holding None: `finns("samtycke")`.
    Each script and expression gets a `finns` that reads its own data; this one stands for it in the list of
    helpers (so that no variable can take the name) and, outside a script, knows of no variable."""
    return False


# Who completes the task whose scripts run now, as the engine knows the signed-in user (`completing`).
_COMPLETING: ContextVar[dict | None] = ContextVar("sip_completing", default=None)


@contextmanager
def completing(namn: str | None, organisation: str | None) -> Iterator[None]:
    """While a user's completion of a task runs the workflow on: `utford_av()` answers with that user."""
    token = _COMPLETING.set({"namn": namn or "", "organisation": organisation or ""})
    try:
        yield
    finally:
        _COMPLETING.reset(token)


def utford_av() -> dict:
    """Who completes the task now: {"namn": ..., "organisation": ...} of the signed-in user, recorded by the
    engine, so that no form asks for the name of whoever approves or acknowledges. Empty strings where no
    user completes anything (a message, a timer): utford_av()["namn"] == "Eva Ek"."""
    found = _COMPLETING.get()
    return dict(found) if found else {"namn": "", "organisation": ""}


HELPERS = {
    "finns": finns,
    "idag": idag,
    "datum": datum,
    "arbetsdagar_efter": arbetsdagar_efter,
    "ar_arbetsdag": ar_arbetsdag,
    "manader_efter": manader_efter,
    "dagar_efter": dagar_efter,
    "dagar_mellan": dagar_mellan,
    "utford_av": utford_av,
}
