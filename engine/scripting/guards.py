"""What sandboxed code runs with: the per-evaluation guard (time, steps, size budget), the functions the
rewritten code calls for guarded operations (`_sip_tick`, `_sip_binop`, `_sip_attr`, ...) and the builtins
it may use.

The guard of the evaluation in progress is kept per thread, so evaluations in different threads (Flask,
gunicorn threads) never share counters. No trace function is involved: the time and step guard is an
instruction count compiled into the code (see `policy._Rewriter`), so it works in any thread and leaves
debuggers, coverage and pytest's tracing alone.
"""

from __future__ import annotations

import logging
import operator
import re
import threading
import time

from .errors import ScriptLimitError, ScriptPolicyError
from .limits import DEFAULT_LIMITS, SandboxLimits
from .policy import ALLOWED_ATTRIBUTES

log = logging.getLogger("engine.scripting")

_state = threading.local()

_SEQUENCES = (str, bytes, list, tuple)
_NUMBERS = (int, float)


class Guard:
    """The limits and counters of one evaluation. The rewritten code calls `sip_tick` at every round of a
    loop or a comprehension and at every call of a lambda; the tick enforces time and steps. Sizes are
    charged by the guarded operations (`charge`)."""

    __slots__ = ("limits", "deadline", "steps", "total", "previous")

    def __init__(self, limits: SandboxLimits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.time_seconds
        self.steps = 0
        self.total = 0

    def __enter__(self):
        self.previous = getattr(_state, "guard", None)
        _state.guard = self
        return self

    def __exit__(self, *exc):
        _state.guard = self.previous
        return False

    def tick(self) -> bool:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise ScriptLimitError(f"The script ran too long (more than {self.limits.max_steps} steps)")
        if time.monotonic() > self.deadline:
            raise ScriptLimitError(f"The script ran too long (more than {self.limits.time_seconds:g} s)")
        return True

    def charge(self, items: int) -> None:
        if items > self.limits.max_items:
            raise ScriptLimitError(f"A value would be too large ({items} elements or characters, "
                                   f"at most {self.limits.max_items})")
        self.total += items
        if self.total > self.limits.max_total_items:
            raise ScriptLimitError(f"The script built too much data (more than {self.limits.max_total_items} "
                                   "elements or characters in all)")


def current_guard() -> Guard:
    guard = getattr(_state, "guard", None)
    if guard is None:  # a guard function called outside an evaluation (tests, misuse): use default limits
        guard = Guard(DEFAULT_LIMITS)
    return guard


def _size(value) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


def deep_size(value, limit: int) -> int:
    """Elements and characters reachable from `value`, counting shared parts each time they appear (as
    printing them would); raises `ScriptLimitError` as soon as the count exceeds `limit`."""
    count = 0
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, (str, bytes)):
            count += len(current)
        elif isinstance(current, dict):
            count += len(current)
            if count <= limit:
                stack.extend(current.keys())
                stack.extend(current.values())
        elif isinstance(current, (list, tuple, set, frozenset)):
            count += len(current)
            if count <= limit:
                stack.extend(current)
        else:
            count += 1
        if count > limit:
            raise ScriptLimitError(f"A value would be too large to turn into text or compare (more than {limit} "
                                   "elements or characters)")
    return count


# -- guarded operators -----------------------------------------------------------------------------------
_BINARY = {"+": operator.add, "*": operator.mul, "**": operator.pow, "<<": operator.lshift, "%": operator.mod}
_INPLACE = {"+=": operator.iadd, "*=": operator.imul, "**=": operator.ipow, "<<=": operator.ilshift,
            "%=": operator.imod}
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def _bits(value) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _check_binop(symbol: str, left, right) -> None:
    if symbol == "+" and not (isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES)):
        return  # numbers (the common case): nothing to check
    guard = current_guard()
    limits = guard.limits
    if symbol == "*":
        if isinstance(left, int) and isinstance(right, int):
            if _bits(left) + _bits(right) > limits.max_int_bits:
                raise ScriptLimitError(f"A number would be too large (more than {limits.max_int_bits} bits)")
        elif isinstance(left, _SEQUENCES) and isinstance(right, int):
            guard.charge(len(left) * max(right, 0))
        elif isinstance(right, _SEQUENCES) and isinstance(left, int):
            guard.charge(len(right) * max(left, 0))
    elif symbol == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            if _bits(left) * right > limits.max_int_bits:
                raise ScriptLimitError(f"A number would be too large (more than {limits.max_int_bits} bits)")
    elif symbol == "<<":
        if isinstance(left, int) and isinstance(right, int) and left and _bits(left) + right > limits.max_int_bits:
            raise ScriptLimitError(f"A number would be too large (more than {limits.max_int_bits} bits)")
    elif symbol == "+":
        if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
            guard.charge(len(left) + len(right))
    elif symbol == "%":
        if isinstance(left, (str, bytes)):
            _check_percent_format(left if isinstance(left, str) else left.decode("latin-1"), right, guard)


def _check_percent_format(template: str, args, guard: Guard) -> None:
    width_limit = guard.limits.max_format_width
    for width, precision in _PERCENT_SPEC.findall(template):
        for number in (width, precision):
            if number == "*" or (number and int(number) > width_limit):
                raise ScriptLimitError(f"A width or precision in a format must be a number up to {width_limit}")
    guard.charge(len(template) + deep_size(args, guard.limits.max_items))


def sip_tick() -> bool:
    return current_guard().tick()


_CONTAINERS = (list, tuple, dict, set, frozenset)


def sip_operand(value):
    """An operand of a comparison (`==`, `<`, `in`, ...): comparing or hashing containers walks them in C,
    so a container that would be too large to walk (e.g. one list shared a million times) is refused."""
    if isinstance(value, _CONTAINERS):
        deep_size(value, current_guard().limits.max_items)
    return value


def sip_binop(symbol: str, left, right):
    _check_binop(symbol, left, right)
    return _BINARY[symbol](left, right)


def sip_inplace(symbol: str, current, value):
    _check_binop(symbol[:-1], current, value)
    return _INPLACE[symbol](current, value)


def sip_charge(value):
    """Count a value just built (a slice, a comprehension) against the evaluation's budget."""
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        current_guard().charge(len(value))
    return value


def sip_star(value):
    """`*value` in a list, tuple, set or call: count what it spreads."""
    size = _size(value)
    if size:
        current_guard().charge(size)
    return value


def sip_format(value, conversion: int, spec):
    guard = current_guard()
    if spec:
        for number in _DIGITS.findall(spec):
            if int(number) > guard.limits.max_format_width:
                raise ScriptLimitError(
                    f"A width or precision in a format must be a number up to {guard.limits.max_format_width}")
    if not isinstance(value, (str, int, float, bool)) and value is not None:
        deep_size(value, guard.limits.max_items)
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    result = format(value, spec or "")
    guard.charge(len(result))
    return result


# -- attribute access ------------------------------------------------------------------------------------
def _allowed_attributes(value) -> frozenset:
    allowed = ALLOWED_ATTRIBUTES.get(type(value))
    if allowed is None:
        for base, names in ALLOWED_ATTRIBUTES.items():
            if isinstance(value, base) and not isinstance(value, type):
                return names
        return frozenset()
    return allowed


def _guarded_join(text: str):
    def join(iterable):
        items = list(iterable)
        guard = current_guard()
        guard.charge(len(items))
        total = len(text) * max(len(items) - 1, 0) + sum(len(item) for item in items if isinstance(item, str))
        guard.charge(total)
        return text.join(items)

    return join


def _guarded_replace(text: str):
    def replace(old, new, count=-1):
        if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
            occurrences = (len(text) + 1) if old == "" else text.count(old)
            if count is not None and count >= 0:
                occurrences = min(occurrences, count)
            current_guard().charge(len(text) + occurrences * (len(new) - len(old)))
        return text.replace(old, new, count)

    return replace


def _guarded_extend(target):
    def extend(iterable):
        items = iterable if isinstance(iterable, (list, tuple, set, frozenset, dict, str)) else list(iterable)
        current_guard().charge(len(target) + len(items))
        return target.extend(items)

    return extend


def _guarded_update(target):
    def update(*others, **kwargs):
        for other in others:
            current_guard().charge(_size(other))
        return target.update(*others, **kwargs)

    return update


def _guarded_copy(target):
    def copy():
        current_guard().charge(len(target))
        return target.copy()

    return copy


def _deep_checked_method(target, name):
    method = getattr(target, name)

    def checked(*args, **kwargs):
        limit = current_guard().limits.max_items
        deep_size(target, limit)
        for arg in args:
            deep_size(arg, limit)
        return method(*args, **kwargs)

    return checked


_WRAPPED_METHODS = {
    (str, "join"): _guarded_join,
    (str, "replace"): _guarded_replace,
    (list, "extend"): _guarded_extend,
    (set, "update"): _guarded_update,
    (list, "copy"): _guarded_copy,
    (tuple, "index"): lambda target: _deep_checked_method(target, "index"),
    (tuple, "count"): lambda target: _deep_checked_method(target, "count"),
    (dict, "copy"): _guarded_copy,
    (set, "copy"): _guarded_copy,
    # These compare elements in C: refuse what would be too large to walk.
    **{(list, name): (lambda target, name=name: _deep_checked_method(target, name))
       for name in ("sort", "index", "count", "remove")},
}


def sip_attr(value, name: str):
    if name not in _allowed_attributes(value):
        raise ScriptPolicyError(f"The attribute '.{name}' is not allowed on a value of type {type(value).__name__}")
    for base in (str, list, dict, set, tuple):
        if isinstance(value, base):
            wrapper = _WRAPPED_METHODS.get((base, name))
            if wrapper is not None:
                return wrapper(value)
            break
    return getattr(value, name)


GUARD_FUNCTIONS = {
    "_sip_tick": sip_tick,
    "_sip_binop": sip_binop,
    "_sip_operand": sip_operand,
    "_sip_inplace": sip_inplace,
    "_sip_charge": sip_charge,
    "_sip_star": sip_star,
    "_sip_format": sip_format,
    "_sip_attr": sip_attr,
}


# -- builtins --------------------------------------------------------------------------------------------
def safe_range(*args):
    """`range`, at most `max_items` long."""
    if not all(isinstance(a, int) for a in args):
        raise TypeError("range() takes whole numbers")
    result = range(*args)
    current_guard().charge(len(result))
    return result


def _charged_constructor(kind, name, hashes: bool = False):
    def construct(*args, **kwargs):
        if hashes and args:  # building a set or dict hashes (walks) every key
            deep_size(args[0], current_guard().limits.max_items)
        result = kind(*args, **kwargs)
        current_guard().charge(len(result))
        return result

    construct.__name__ = name
    construct.__qualname__ = name
    return construct


def safe_str(*args, **kwargs):
    if args and not isinstance(args[0], (str, int, float, bool)) and args[0] is not None:
        deep_size(args[0], current_guard().limits.max_items)
    result = str(*args, **kwargs)
    current_guard().charge(len(result))
    return result


def _deep_checked(function, name):
    def checked(*args, **kwargs):
        limit = current_guard().limits.max_items
        if len(args) == 1:
            deep_size(args[0], limit)
        else:
            deep_size(args, limit)
        return function(*args, **kwargs)

    checked.__name__ = name
    checked.__qualname__ = name
    return checked


def safe_sorted(iterable, *, key=None, reverse=False):
    items = list(iterable)
    guard = current_guard()
    guard.charge(len(items))
    deep_size(items, guard.limits.max_items)
    return sorted(items, key=key, reverse=reverse)


def safe_sum(iterable, start=0):
    if not isinstance(start, _NUMBERS):
        raise TypeError("sum() adds numbers only")
    return sum(iterable, start)


def safe_print(*args, **kwargs):
    """`print` writes to the engine's debug log (truncated), never to the server's output."""
    limit = current_guard().limits.max_items
    for arg in args:
        deep_size(arg, limit)
    if log.isEnabledFor(logging.DEBUG):
        log.debug("script print: %s", " ".join(str(arg) for arg in args)[:1000])


SAFE_CONSTRUCTORS = {
    "list": _charged_constructor(list, "list"),
    "dict": _charged_constructor(dict, "dict", hashes=True),
    "set": _charged_constructor(set, "set", hashes=True),
    "tuple": _charged_constructor(tuple, "tuple"),
    "str": safe_str,
}
_REAL_TYPES = {SAFE_CONSTRUCTORS[name]: real for name, real in
               (("list", list), ("dict", dict), ("set", set), ("tuple", tuple), ("str", str))}


def safe_isinstance(value, types):
    """`isinstance`, where `list`, `dict`, `set`, `tuple` and `str` are the sandbox's versions."""
    if isinstance(types, tuple):
        types = tuple(_REAL_TYPES.get(t, t) for t in types)
    else:
        types = _REAL_TYPES.get(types, types)
    if not (isinstance(types, type) or (isinstance(types, tuple) and all(isinstance(t, type) for t in types))):
        raise TypeError("isinstance() needs a type such as str, int, float, bool, list, dict")
    return isinstance(value, types)


SAFE_BUILTINS = {
    "len": len,
    "sum": safe_sum,
    "min": _deep_checked(min, "min"),
    "max": _deep_checked(max, "max"),
    "abs": abs,
    "round": round,
    "sorted": safe_sorted,
    "any": any,
    "all": all,
    "range": safe_range,
    "enumerate": enumerate,
    "zip": zip,
    "reversed": reversed,
    "int": int,
    "float": float,
    "bool": bool,
    "chr": chr,
    "ord": ord,
    "divmod": divmod,
    "isinstance": safe_isinstance,
    "print": safe_print,
    "None": None,
    "True": True,
    "False": False,
    **SAFE_CONSTRUCTORS,
    # Exceptions a script may meet are not catchable (no try); none are exposed.
}

