"""Swedish working days, and Swedish time.

Public API (see `working_days`):

* `is_working_day(d) -> bool`
* `add_working_days(d, n) -> date`
* `add_months(d, n) -> date`
* `days_off(year) -> dict[date, str]` -- the non-weekend days off of a year with their Swedish names
* `to_date(value) -> date` -- `date`, `datetime` or an ISO string to a `date`
* `SWEDISH_TIME` -- the time zone in which the routine's dates are meant
"""

from zoneinfo import ZoneInfo

from .working_days import add_months, add_working_days, days_off, is_working_day, to_date

SWEDISH_TIME = ZoneInfo("Europe/Stockholm")

__all__ = ["SWEDISH_TIME", "add_months", "add_working_days", "days_off", "is_working_day", "to_date"]
