"""Decide whether a decision table's cells are FEEL or SpiffWorkflow-style Python.

The rule, per decision table (one language per table):

1. **Explicit wins.** ``expressionLanguage`` on any element inside the table (``inputExpression``,
   ``inputEntry``, ``outputEntry``, ``outputValues``, ...) names the table's language; failing that, the
   ``expressionLanguage`` of ``<definitions>``. FEEL is ``https://www.omg.org/spec/DMN/20191111/FEEL/``
   (and the DMN 1.1/1.2 FEEL URIs) or ``feel``; Python is ``python``/``python3``. A table that names both
   is refused, and so is any other language (JUEL, JavaScript, ...).
2. **No attribute anywhere** (what Camunda Modeler, dmn-js and SpiffWorkflow's own modeler all write):
   DMN 1.3 says FEEL, but SpiffWorkflow's tables are Python written without saying so. Every cell is
   read both ways. A cell is *Python evidence* when it uses ``?`` outside a string, or is valid for
   SpiffWorkflow's Python engine but outside the FEEL subset (``len(x) > 3``, ``True``, ``'text'``,
   ``== 3``, ``x and y``, ``x["a"]`` ...). A cell is *FEEL evidence* when it is valid FEEL but not valid
   Python (``[1..5]``, ``]1..5[``, ``date("2026-01-01")`` ranges ...).
   * Python evidence and no FEEL evidence -> Python (the table runs exactly as SpiffWorkflow ran it).
   * Otherwise -> FEEL. Cells valid in both (``"a"``, ``3``, ``< 3``, ``>= 75``, ``-``, empty) mean
     the same in both, except that FEEL also handles null inputs and lists (``"a","b"``), which is
     what the author meant.
   * Both kinds of evidence -> FEEL, so the Python-looking cells are refused one by one (rule, column,
     what to write) with a hint to set ``expressionLanguage="python"`` if Python was meant. Such a
     table could not run today either: its FEEL-only cells are not Python.
"""

from __future__ import annotations

import ast
import re

from .errors import FeelSyntaxError
from .feel import translate_expression, translate_unary_tests
from .model import FEEL, PYTHON

FEEL_URIS = {
    "https://www.omg.org/spec/dmn/20191111/feel/",
    "http://www.omg.org/spec/dmn/20180521/feel/",
    "https://www.omg.org/spec/dmn/20180521/feel/",
    "http://www.omg.org/spec/feel/20140401",
    "http://www.omg.org/spec/dmn/20151101/feel",
    "feel",
    "s-feel",
}
PYTHON_NAMES = {"python", "python3", "http://www.python.org", "https://www.python.org"}

# '?' outside single or double quoted strings, as SpiffWorkflow's DMNEngine finds it.
_QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def normalise_language(value: str | None) -> str | None:
    """FEEL, PYTHON, None (not given) or raises ValueError for a language we cannot run."""
    if value is None or not value.strip():
        return None
    key = value.strip().lower()
    if key in FEEL_URIS or key.rstrip("/") in {u.rstrip("/") for u in FEEL_URIS}:
        return FEEL
    if key in PYTHON_NAMES or key.rstrip("/") in PYTHON_NAMES:
        return PYTHON
    raise ValueError(value)


def has_question_mark(text: str) -> bool:
    return bool(_QUESTION_MARK.search(text))


def python_input_entry_ok(text: str) -> bool:
    """Whether SpiffWorkflow's DMNEngine can evaluate this input entry."""
    replaced = _QUESTION_MARK.sub("dmninputexpr", text)
    for candidate in (replaced, f"v {replaced}"):
        try:
            ast.parse(candidate.strip(), mode="eval")
            return True
        except SyntaxError:
            continue
    return False


def python_expression_ok(text: str) -> bool:
    try:
        ast.parse(text.strip(), mode="eval")
        return True
    except SyntaxError:
        return False


def feel_input_entry_ok(text: str) -> bool:
    try:
        translate_unary_tests(text)
        return True
    except FeelSyntaxError:
        return False


def feel_expression_ok(text: str) -> bool:
    try:
        translate_expression(text)
        return True
    except FeelSyntaxError:
        return False


def classify(kind: str, text: str | None) -> str | None:
    """'python', 'feel' or None (no evidence) for one cell; kind is 'input_entry' or 'expression'."""
    if text is None or not text.strip() or text.strip() == "-":
        return None
    if kind == "input_entry":
        if has_question_mark(text):
            return PYTHON
        py_ok, feel_ok = python_input_entry_ok(text), feel_input_entry_ok(text)
    else:
        py_ok, feel_ok = python_expression_ok(text), feel_expression_ok(text)
    if py_ok and not feel_ok:
        return PYTHON
    if feel_ok and not py_ok:
        return FEEL
    return None
