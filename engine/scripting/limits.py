"""The sandbox's limits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxLimits:
    """Limits for one evaluation of a script or an expression.

    * `time_seconds` -- wall-clock time of one evaluation, checked at every round of a loop, every element
      of a comprehension and every call of a lambda.
    * `max_steps` -- those rounds, elements and calls together.
    * `max_items` -- the largest value one operation may build: elements of a list/tuple/set/dict or
      characters of a string.
    * `max_total_items` -- everything built by the guarded operations of one evaluation together.
    * `max_int_bits` -- the largest integer an operation may build (100,000 bits is about 30,000 digits).
    * `max_source_chars` -- the longest script or expression accepted.
    * `max_format_width` -- the largest width or precision in a format specification.

    Straight-line code is bounded by its own length and the size limits. Recursion deeper than Python's own
    limit (a lambda calling itself) is reported as a limit too.
    """

    time_seconds: float = 1.0
    max_steps: int = 1_000_000
    max_items: int = 1_000_000
    max_total_items: int = 5_000_000
    max_int_bits: int = 100_000
    max_source_chars: int = 100_000
    max_format_width: int = 1000


DEFAULT_LIMITS = SandboxLimits()
