"""Helper functions the translated FEEL cells call, with FEEL's null and type semantics.

They are handed to the script engine as `external_context` (see `HELPERS`), so the translated text is
plain Python that any script engine (including a sandboxed one) can evaluate. Tests return True,
False or None; a cell matches only when its expression yields True.

Dates: a date is compared with a `datetime.date`, an ISO date string (``"2026-03-01"``) or a datetime /
ISO date-time string (its date part is used)."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _as_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            try:
                return datetime.fromisoformat(value).date()
            except ValueError:
                return None
    return None


def _as_datetime(value):
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _coerce(a, b):
    """Bring a and b to comparable types, or return None when FEEL would not compare them."""
    if _is_number(a) and _is_number(b):
        return a, b
    if isinstance(a, datetime) or isinstance(b, datetime):
        if isinstance(a, datetime) and isinstance(b, datetime):
            return a, b
        if isinstance(a, datetime) and isinstance(b, str) or isinstance(b, datetime) and isinstance(a, str):
            x, y = _as_datetime(a), _as_datetime(b)
            return (x, y) if x is not None and y is not None else None
        x, y = _as_date(a), _as_date(b)
        return (x, y) if x is not None and y is not None else None
    if isinstance(a, date) or isinstance(b, date):
        x, y = _as_date(a), _as_date(b)
        if x is None or y is None or not (isinstance(a, date | str) and isinstance(b, date | str)):
            return None
        return x, y
    if type(a) is type(b):
        return a, b
    return None


def feel_test(op, a, b):
    """FEEL comparison: =, != (null equals only null) and <, <=, >, >= (null when either side is null
    or the types cannot be ordered)."""
    if op in ("=", "!="):
        if a is None or b is None:
            equal = a is None and b is None
        else:
            pair = _coerce(a, b)
            equal = pair is not None and pair[0] == pair[1]
        return equal if op == "=" else not equal
    if a is None or b is None:
        return None
    pair = _coerce(a, b)
    if pair is None or isinstance(pair[0], bool | Mapping | list):
        return None
    try:
        return _ORDER[op](*pair)
    except TypeError:
        return None


def feel_between(value, low, high, low_closed, high_closed):
    lower = feel_test(">=" if low_closed else ">", value, low)
    upper = feel_test("<=" if high_closed else "<", value, high)
    if lower is None or upper is None:
        return None
    return lower and upper


def feel_any(*results):
    if any(r is True for r in results):
        return True
    if any(r is None for r in results):
        return None
    return False


def feel_not(result):
    return None if result is None else not result


def feel_arith(op, a, b):
    if a is None or b is None:
        return None
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if not (_is_number(a) and _is_number(b)):
        return None
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            return None
        result = a / b
        return int(result) if isinstance(result, float) and result.is_integer() else result
    return None


def feel_neg(a):
    return -a if _is_number(a) else None


def feel_path(value, *keys):
    for key in keys:
        if value is None:
            return None
        if isinstance(value, Mapping):
            value = value.get(key)
        else:
            value = getattr(value, key, None) if not key.startswith("_") else None
    return value


def feel_date(text):
    return date.fromisoformat(text)


def feel_datetime(text):
    return datetime.fromisoformat(text)


HELPERS = {
    "feel_test": feel_test,
    "feel_between": feel_between,
    "feel_any": feel_any,
    "feel_not": feel_not,
    "feel_arith": feel_arith,
    "feel_neg": feel_neg,
    "feel_path": feel_path,
    "feel_date": feel_date,
    "feel_datetime": feel_datetime,
}
