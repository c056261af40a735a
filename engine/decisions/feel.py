"""Translate the FEEL that decision-table authors write into Python expressions for the script engine.

Supported (DMN 1.3 "simple" FEEL, as Camunda Modeler and dmn-js users type it):

Input entries (unary tests)
    ``-`` or empty (any value), ``null``, literals (``"text"``, ``3``, ``-1.5``, ``true``, ``false``),
    comparisons (``< 3``, ``>= 75``, ``!= "x"``, ``= 5``), intervals (``[1..5]``, ``(1..5]``, ``]1..5[``,
    ``[1..5)``), lists of the above (``"a","b"``, ``1,2,3``), ``not(...)`` around any of them,
    dates ``date("2026-01-01")`` and ``date and time("2026-01-01T08:00:00")`` as values.
    Values may also be variable names or dotted paths (``< max_alder``, ``>= person.alder``).
Output entries and input expressions (simple expressions)
    literals, dates, names, dotted paths (``person.alder``), ``+ - * /`` with parentheses, unary minus,
    and one comparison (``antal >= 4``).

Everything else (function calls, ``if``, ``for``, ``and``/``or``, lists, contexts, ``?``) raises
`FeelSyntaxError` with a hint, so a table is refused when it is loaded rather than misread later.

The translation uses FEEL semantics through small helper functions (`engine.decisions.feel_runtime`),
given to the script engine as context: a comparison with null or between incomparable types does not
match; ``null`` matches only a null input; ``-`` matches everything. The tested input value is the
variable `INPUT_NAME`.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from datetime import date, datetime

from .errors import FeelSyntaxError

INPUT_NAME = "feel_input"
RESERVED_PREFIX = "feel_"

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<op><=|>=|!=|\.\.|[<>=()\[\],+\-*/.])
  | (?P<name>[^\W\d]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.UNICODE,
)

_FEEL_KEYWORDS = {"true", "false", "null", "not", "and", "or", "in", "between", "if", "then", "else", "for",
                  "return", "some", "every", "satisfies", "instance", "of", "function", "date", "time"}
_COMPARISONS = ("<", "<=", ">", ">=", "=", "!=")


@dataclass
class Token:
    kind: str
    text: str
    value: object = None


def tokenize(text: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group()
        if kind == "ws":
            continue
        if kind == "other":
            if value == "'":
                raise FeelSyntaxError("FEEL strings use double quotes", 'write "text", not \'text\'')
            if value == "?":
                raise FeelSyntaxError("'?' is not FEEL",
                                      "write the test itself, e.g. '< 3' or '[1..5]' (a Python cell with '?' "
                                      "needs expressionLanguage=\"python\")")
            raise FeelSyntaxError(f"unexpected character {value!r}")
        if kind == "string":
            tokens.append(Token("string", value, _decode_string(value)))
        elif kind == "number":
            number = float(value) if "." in value else int(value)
            tokens.append(Token("number", value, number))
        else:
            tokens.append(Token(kind, value))
    return tokens


def _decode_string(literal: str) -> str:
    body = literal[1:-1]
    out = []
    i = 0
    escapes = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in escapes:
                out.append(escapes[nxt])
                i += 2
                continue
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            raise FeelSyntaxError(f"unknown escape \\{nxt} in a string")
        out.append(ch)
        i += 1
    return "".join(out)


# --- syntax tree: small tuples ------------------------------------------------------------------------
# ("lit", value) ("date", iso) ("datetime", iso) ("path", [names]) ("neg", node) ("arith", op, l, r)
# ("cmp", op, l, r)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    # token helpers
    def peek(self, offset: int = 0) -> Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind in ("op", "name") and tok.text in texts

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise FeelSyntaxError("the cell ends too early")
        self.pos += 1
        return tok

    def expect(self, text: str) -> Token:
        tok = self.peek()
        if tok is None or tok.text != text:
            found = "the end of the cell" if tok is None else repr(tok.text)
            raise FeelSyntaxError(f"expected {text!r} but found {found}")
        return self.take()

    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def expect_end(self) -> None:
        if not self.done():
            tok = self.peek()
            hint = None
            if tok.text in ("and", "or"):
                hint = "combine conditions by putting each in its own input column (all cells of a rule must match)"
            raise FeelSyntaxError(f"unexpected {tok.text!r}", hint)

    # unary tests
    def unary_tests(self):
        if self.at("not") and self.peek(1) is not None and self.peek(1).text == "(":
            self.take()
            self.expect("(")
            tests = self.positive_tests()
            self.expect(")")
            self.expect_end()
            return ("not", tests)
        tests = self.positive_tests()
        self.expect_end()
        return ("any", tests)

    def positive_tests(self):
        tests = [self.positive_test()]
        while self.at(","):
            self.take()
            tests.append(self.positive_test())
        return tests

    def positive_test(self):
        tok = self.peek()
        if tok is None:
            raise FeelSyntaxError("a test is missing (empty list item)")
        if tok.kind == "op" and tok.text in _COMPARISONS:
            self.take()
            return ("test", tok.text, self.additive())
        if tok.kind == "op" and tok.text in ("[", "(", "]"):
            return self.interval()
        if tok.kind == "name" and tok.text == "null" and self._ends_test(1):
            self.take()
            return ("null",)
        return ("test", "=", self.additive())

    def _ends_test(self, offset: int) -> bool:
        nxt = self.peek(offset)
        return nxt is None or nxt.text in (",", ")")

    def interval(self):
        opening = self.take().text
        low = self.additive()
        if not self.at(".."):
            raise FeelSyntaxError("an interval needs '..' between its ends", "write e.g. [1..5] or (1..5]")
        self.take()
        high = self.additive()
        closing = self.take()
        if closing.text not in ("]", ")", "["):
            raise FeelSyntaxError("an interval must end with ']', ')' or '['", "write e.g. [1..5] or [1..5)")
        return ("between", low, high, opening == "[", closing.text == "]")

    # expressions
    def expression(self):
        node = self.additive()
        if self.peek() is not None and self.peek().kind == "op" and self.peek().text in _COMPARISONS:
            op = self.take().text
            node = ("cmp", op, node, self.additive())
        return node

    def additive(self):
        node = self.multiplicative()
        while self.at("+", "-"):
            op = self.take().text
            node = ("arith", op, node, self.multiplicative())
        return node

    def multiplicative(self):
        node = self.unary()
        while self.at("*", "/"):
            op = self.take().text
            node = ("arith", op, node, self.unary())
        return node

    def unary(self):
        if self.at("-"):
            self.take()
            operand = self.unary()
            if operand[0] == "lit" and isinstance(operand[1], int | float) and not isinstance(operand[1], bool):
                return ("lit", -operand[1])
            return ("neg", operand)
        return self.primary()

    def primary(self):
        tok = self.peek()
        if tok is None:
            raise FeelSyntaxError("a value is missing")
        if tok.kind in ("number", "string"):
            self.take()
            return ("lit", tok.value)
        if tok.kind == "op" and tok.text == "(":
            self.take()
            node = self.expression()
            self.expect(")")
            return node
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                self.take()
                return ("lit", tok.text == "true")
            if tok.text == "null":
                self.take()
                return ("lit", None)
            if tok.text == "date":
                return self.date_literal()
            return self.path()
        if tok.kind == "op" and tok.text == "[":
            raise FeelSyntaxError("lists are not supported here", 'in an input cell write "a","b" without brackets')
        raise FeelSyntaxError(f"unexpected {tok.text!r}")

    def date_literal(self):
        self.take()  # date
        kind = "date"
        if self.at("and"):
            self.take()
            if not self.at("time"):
                raise FeelSyntaxError("expected 'date and time(...)'")
            self.take()
            kind = "datetime"
        self.expect("(")
        tok = self.take()
        if tok.kind != "string":
            raise FeelSyntaxError(f"{kind.replace('datetime', 'date and time')}(...) needs a quoted ISO value",
                                  'write e.g. date("2026-01-01")')
        self.expect(")")
        try:
            if kind == "date":
                date.fromisoformat(tok.value)
            else:
                datetime.fromisoformat(tok.value)
        except ValueError as err:
            raise FeelSyntaxError(f"{tok.value!r} is not an ISO {kind}",
                                  'write e.g. date("2026-01-01") or date and time("2026-01-01T08:00:00")') from err
        return (kind, tok.value)

    def path(self):
        parts = [self.name()]
        while self.at("."):
            self.take()
            parts.append(self.name())
        if self.at("("):
            raise FeelSyntaxError(f"function calls such as {'.'.join(parts)}(...) are not supported",
                                  "use literals, variable names, dotted paths and + - * /")
        return ("path", parts)

    def name(self) -> str:
        tok = self.take()
        if tok.kind != "name":
            raise FeelSyntaxError(f"expected a name but found {tok.text!r}")
        text = tok.text
        if text in _FEEL_KEYWORDS:
            raise FeelSyntaxError(f"'{text}' cannot be used here", _keyword_hint(text))
        if text in ("True", "False", "None"):
            raise FeelSyntaxError(f"'{text}' is Python, not FEEL", f"write {text.lower().replace('none', 'null')}")
        if keyword.iskeyword(text) or text.startswith(RESERVED_PREFIX) or text.startswith("_"):
            raise FeelSyntaxError(f"the name '{text}' is reserved", "rename the variable")
        return text


def _keyword_hint(word: str) -> str | None:
    if word in ("and", "or"):
        return "put each condition in its own input column; all cells of a rule must match"
    if word in ("if", "then", "else"):
        return "write one rule per case instead of if/then/else"
    return None


# --- translation to Python --------------------------------------------------------------------------


def _py(node) -> str:
    kind = node[0]
    if kind == "lit":
        return repr(node[1])
    if kind == "date":
        return f"feel_date({node[1]!r})"
    if kind == "datetime":
        return f"feel_datetime({node[1]!r})"
    if kind == "path":
        first, rest = node[1][0], node[1][1:]
        if not rest:
            return first
        return f"feel_path({first}, {', '.join(repr(p) for p in rest)})"
    if kind == "neg":
        return f"feel_neg({_py(node[1])})"
    if kind == "arith":
        return f"feel_arith({node[1]!r}, {_py(node[2])}, {_py(node[3])})"
    if kind == "cmp":
        return f"feel_test({node[1]!r}, {_py(node[2])}, {_py(node[3])})"
    raise AssertionError(kind)


def _test_py(test) -> str:
    kind = test[0]
    if kind == "null":
        return f"({INPUT_NAME} is None)"
    if kind == "test":
        return f"feel_test({test[1]!r}, {INPUT_NAME}, {_py(test[2])})"
    if kind == "between":
        _, low, high, low_closed, high_closed = test
        return f"feel_between({INPUT_NAME}, {_py(low)}, {_py(high)}, {low_closed}, {high_closed})"
    raise AssertionError(kind)


def _names(node, found: set[str]) -> set[str]:
    if isinstance(node, tuple):
        if node and node[0] == "path":
            found.add(node[1][0])
        else:
            for part in node[1:]:
                _names(part, found)
    elif isinstance(node, list):
        for part in node:
            _names(part, found)
    return found


def is_any(text: str | None) -> bool:
    """True for the cells that match every input: empty or '-'."""
    return text is None or text.strip() in ("", "-")


def translate_unary_tests(text: str | None) -> str | None:
    """A FEEL input entry as a Python expression over `INPUT_NAME` (None when it matches everything).
    The expression yields True (match), False or None (no match)."""
    if is_any(text):
        return None
    parser = _Parser(text)
    if parser.done():
        return None
    kind, tests = parser.unary_tests()
    if kind == "any" and len(tests) == 1:
        body = _test_py(tests[0])
    else:
        body = f"feel_any({', '.join(_test_py(t) for t in tests)})"
    if kind == "not":
        return f"feel_not({body})"
    return body


def translate_expression(text: str | None) -> str | None:
    """A FEEL simple expression (output entry, input expression) as Python (None when empty)."""
    if text is None or not text.strip():
        return None
    parser = _Parser(text)
    node = parser.expression()
    parser.expect_end()
    return _py(node)


def expression_names(text: str | None) -> set[str]:
    """Top-level variable names a FEEL expression or unary test reads."""
    if text is None or is_any(text):
        return set()
    parser = _Parser(text)
    try:
        tree = parser.unary_tests()
    except FeelSyntaxError:
        parser = _Parser(text)
        tree = parser.expression()
    return _names(tree, set())


def is_path(text: str | None) -> bool:
    """True when the text is a plain variable name or dotted path."""
    if text is None:
        return False
    try:
        parser = _Parser(text)
        node = parser.expression()
        parser.expect_end()
    except FeelSyntaxError:
        return False
    return node[0] == "path"


def parse_literal_list(text: str) -> list:
    """The values of an `outputValues` cell such as ``"high","medium","low"`` (literals only)."""
    parser = _Parser(text)
    values = []
    while True:
        node = parser.unary()
        if node[0] != "lit":
            raise FeelSyntaxError("output values must be literals", 'write e.g. "high","medium","low"')
        values.append(node[1])
        if parser.done():
            return values
        parser.expect(",")
