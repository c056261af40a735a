"""What a script or an expression may contain, checked on its syntax tree before anything runs, and the
rewriting that routes the operations that can build huge values or reach object internals through guards.

`check_script(source, mode)` lists the problems in words; `compile_sandboxed(source, mode)` returns the
compiled, rewritten code (cached per source text) or raises `ScriptPolicyError` / `SyntaxError`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from .errors import ScriptPolicyError
from .limits import DEFAULT_LIMITS

# The file name SpiffWorkflow looks for in a traceback to find the failing line of a script.
SCRIPT_FILENAME = "<string>"

# Methods and attributes a script may use, per type of value. Everything else is refused, both when the
# script is checked (the name must be on some list) and when it runs (the name must be on the list of the
# value's type). No name here gives access to frames, code, classes, modules or globals.
ALLOWED_ATTRIBUTES: dict[type, frozenset[str]] = {
    str: frozenset({
        "lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "join", "startswith",
        "endswith", "replace", "find", "rfind", "index", "rindex", "count", "isdigit", "isdecimal",
        "isnumeric", "isalpha", "isalnum", "isspace", "islower", "isupper", "title", "capitalize", "casefold",
        "partition", "rpartition", "removeprefix", "removesuffix",
    }),
    dict: frozenset({"get", "keys", "values", "items", "pop", "popitem", "setdefault", "update", "copy", "clear"}),
    list: frozenset({
        "append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse", "copy", "clear",
    }),
    tuple: frozenset({"index", "count"}),
    set: frozenset({
        "add", "discard", "remove", "pop", "union", "intersection", "difference", "symmetric_difference",
        "issubset", "issuperset", "isdisjoint", "update", "copy", "clear",
    }),
    frozenset: frozenset({
        "union", "intersection", "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint",
        "copy",
    }),
    float: frozenset({"is_integer"}),
    date: frozenset({"year", "month", "day", "isoformat", "weekday", "isoweekday"}),
    datetime: frozenset({
        "year", "month", "day", "hour", "minute", "second", "isoformat", "weekday", "isoweekday", "date",
    }),
}
ALLOWED_ATTRIBUTE_NAMES = frozenset().union(*ALLOWED_ATTRIBUTES.values())

# Names refused outright, with a clearer message than the NameError they would otherwise give.
FORBIDDEN_NAMES = frozenset({
    "eval", "exec", "compile", "open", "input", "breakpoint", "help", "exit", "quit", "getattr", "setattr",
    "delattr", "hasattr", "vars", "globals", "locals", "dir", "type", "object", "super", "classmethod",
    "staticmethod", "property", "memoryview", "bytearray", "id", "hash", "iter", "next", "format",
    "issubclass", "callable", "copyright", "credits", "license", "os", "sys", "subprocess", "importlib",
    "builtins",
})

_FORBIDDEN_NODES = {
    ast.Import: "import is not allowed",
    ast.ImportFrom: "import is not allowed",
    ast.FunctionDef: "def is not allowed (write the code inline, or use a lambda)",
    ast.AsyncFunctionDef: "async def is not allowed",
    ast.ClassDef: "class is not allowed",
    ast.Return: "return is not allowed",
    ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed",
    ast.Try: "try/except is not allowed",
    ast.TryStar: "try/except* is not allowed",
    ast.With: "with is not allowed",
    ast.AsyncWith: "async with is not allowed",
    ast.AsyncFor: "async for is not allowed",
    ast.Raise: "raise is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield from is not allowed",
    ast.Match: "match is not allowed",
    ast.AnnAssign: "annotated assignment is not allowed",
    ast.MatMult: "the @ operator is not allowed",
}

_ALLOWED_NODES = (
    ast.Module, ast.Expression,
    ast.Assign, ast.AugAssign, ast.For, ast.While, ast.If, ast.Expr, ast.Pass, ast.Break, ast.Continue,
    ast.Delete, ast.Assert,
    ast.BoolOp, ast.NamedExpr, ast.BinOp, ast.UnaryOp, ast.Lambda, ast.IfExp, ast.Dict, ast.Set, ast.ListComp,
    ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Compare, ast.Call, ast.FormattedValue, ast.JoinedStr,
    ast.Constant, ast.Attribute, ast.Subscript, ast.Starred, ast.Name, ast.List, ast.Tuple, ast.Slice,
    ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop, ast.comprehension, ast.arguments,
    ast.arg, ast.keyword,
)

# Code with one of these can run for long (reported as `CompiledScript.loops`).
_LOOPING_NODES = (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)

# Operators that can build a value much larger than their operands, routed through `_sip_binop`.
_GUARDED_OPS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}

GUARD_PREFIX = "_sip_"


def _line(node) -> str:
    lineno = getattr(node, "lineno", None)
    return f"Line {lineno}: " if lineno else ""


class _Checker(ast.NodeVisitor):
    def __init__(self):
        self.problems: list[tuple[int, str]] = []
        self.loops = False

    def problem(self, node, message: str) -> None:
        self.problems.append((getattr(node, "lineno", 0) or 0, f"{_line(node)}{message}"))

    def generic_visit(self, node):
        forbidden = _FORBIDDEN_NODES.get(type(node))
        if forbidden:
            self.problem(node, forbidden)
            return  # one message per construct is enough
        if not isinstance(node, _ALLOWED_NODES):
            self.problem(node, f"{type(node).__name__} is not allowed")
            return
        if isinstance(node, _LOOPING_NODES):
            self.loops = True
        super().generic_visit(node)

    def _check_name(self, node, name: str, what: str) -> None:
        if name.startswith("_"):
            self.problem(node, f"{what} '{name}' is not allowed: names starting with '_' are reserved")
        elif name in FORBIDDEN_NAMES:
            self.problem(node, f"'{name}' is not allowed")

    def visit_Name(self, node):
        self._check_name(node, node.id, "the name")

    def visit_arg(self, node):
        self._check_name(node, node.arg, "the name")

    def visit_keyword(self, node):
        if node.arg is not None and node.arg.startswith("_"):
            self.problem(node, f"the keyword '{node.arg}' is not allowed: names starting with '_' are reserved")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if not isinstance(node.ctx, ast.Load):
            self.problem(node, f"setting or deleting the attribute '.{node.attr}' is not allowed "
                               "(use item assignment such as d[\"key\"] = value)")
        elif node.attr.startswith("_"):
            self.problem(node, f"the attribute '.{node.attr}' is not allowed: names starting with '_' are reserved")
        elif node.attr not in ALLOWED_ATTRIBUTE_NAMES:
            self.problem(node, f"the attribute '.{node.attr}' is not allowed")
        self.generic_visit(node)

    def visit_comprehension(self, node):
        if node.is_async:
            self.problem(node.target, "async comprehensions are not allowed")
        self.generic_visit(node)

    def visit_BinOp(self, node):
        if isinstance(node.op, ast.MatMult):
            self.problem(node, _FORBIDDEN_NODES[ast.MatMult])
        self.generic_visit(node)


def _guard_call(name: str, args: list, node) -> ast.Call:
    call = ast.Call(func=ast.Name(id=GUARD_PREFIX + name, ctx=ast.Load()), args=args, keywords=[])
    return ast.copy_location(call, node)


class _Rewriter(ast.NodeTransformer):
    """Routes the dangerous operations through the runtime guards (see `guards`)."""

    def __init__(self):
        self.temp = 0

    # -- the instruction count: one tick per loop round, comprehension element and lambda call ----------
    def _tick(self, node) -> ast.Call:
        return _guard_call("tick", [], node)

    def visit_While(self, node):
        self.generic_visit(node)
        node.body.insert(0, ast.copy_location(ast.Expr(self._tick(node)), node))
        return node

    visit_For = visit_While

    def visit_comprehension(self, node):
        self.generic_visit(node)
        node.ifs.insert(0, self._tick(node.target))
        return node

    def visit_Lambda(self, node):
        self.generic_visit(node)
        node.body = ast.copy_location(ast.BoolOp(op=ast.And(), values=[self._tick(node), node.body]), node.body)
        return node

    # -- operations that can build huge values -------------------------------------------------------------
    def visit_BinOp(self, node):
        self.generic_visit(node)
        symbol = _GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        return _guard_call("binop", [ast.Constant(symbol), node.left, node.right], node)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        symbol = _GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        op = ast.Constant(symbol + "=")
        target = node.target
        if isinstance(target, ast.Name):
            value = _guard_call("inplace", [op, ast.Name(id=target.id, ctx=ast.Load()), node.value], node)
            return ast.copy_location(ast.Assign(targets=[target], value=value), node)
        # d[k] += v: evaluate the container and the key once, as Python does.
        container = f"{GUARD_PREFIX}t{self.temp}"
        key = f"{GUARD_PREFIX}t{self.temp + 1}"
        self.temp += 2
        statements = [
            ast.Assign(targets=[ast.Name(id=container, ctx=ast.Store())], value=target.value),
            ast.Assign(targets=[ast.Name(id=key, ctx=ast.Store())], value=target.slice),
        ]
        current = ast.Subscript(value=ast.Name(id=container, ctx=ast.Load()),
                                slice=ast.Name(id=key, ctx=ast.Load()), ctx=ast.Load())
        store = ast.Subscript(value=ast.Name(id=container, ctx=ast.Load()),
                              slice=ast.Name(id=key, ctx=ast.Load()), ctx=ast.Store())
        statements.append(ast.Assign(targets=[store], value=_guard_call("inplace", [op, current, node.value], node)))
        return [ast.copy_location(statement, node) for statement in statements]

    def visit_Compare(self, node):
        self.generic_visit(node)

        def operand(expr):
            return expr if isinstance(expr, ast.Constant) else _guard_call("operand", [expr], expr)

        node.left = operand(node.left)
        node.comparators = [operand(c) for c in node.comparators]
        return node

    def visit_Attribute(self, node):
        self.generic_visit(node)
        return _guard_call("attr", [node.value, ast.Constant(node.attr)], node)

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load) and isinstance(node.slice, ast.Slice):
            return _guard_call("charge", [node], node)
        return node

    def _charged(self, node):
        self.generic_visit(node)
        return _guard_call("charge", [node], node)

    visit_ListComp = visit_SetComp = visit_DictComp = _charged

    def visit_Starred(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _guard_call("star", [node.value], node.value)
        return node

    def visit_FormattedValue(self, node):
        self.generic_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant(None)
        value = _guard_call("format", [node.value, ast.Constant(node.conversion), spec], node)
        return ast.copy_location(ast.FormattedValue(value=value, conversion=-1, format_spec=None), node)


@dataclass(frozen=True)
class CompiledScript:
    source: str
    mode: str
    code: object
    loops: bool  # has loops, comprehensions or lambdas


def _problems(source: str, mode: str, max_source_chars: int) -> tuple[ast.AST | None, list[str], bool]:
    if not isinstance(source, str):
        return None, [f"a script must be text, not {type(source).__name__}"], False
    if len(source) > max_source_chars:
        return None, [f"the script is too long ({len(source)} characters, at most {max_source_chars})"], False
    try:
        tree = ast.parse(source, filename=SCRIPT_FILENAME, mode=mode)
    except SyntaxError as err:
        return None, [f"Line {err.lineno}: syntax error: {err.msg}"], False
    checker = _Checker()
    checker.visit(tree)
    return tree, [message for _, message in sorted(checker.problems, key=lambda p: p[0])], checker.loops


def check_script(source: str, mode: str = "exec") -> list[str]:
    """The problems that keep `source` from running in the sandbox, in words, one per finding; empty when
    it may run. `mode` is "exec" for scripts (script tasks, pre- and post-scripts) and "eval" for
    expressions (conditions, timer expressions, DMN cells, task properties). Nothing is run."""
    if mode not in ("exec", "eval"):
        raise ValueError(f"mode must be 'exec' or 'eval', not {mode!r}")
    return _problems(source, mode, DEFAULT_LIMITS.max_source_chars)[1]


@lru_cache(maxsize=2048)
def compile_sandboxed(source: str, mode: str, max_source_chars: int = DEFAULT_LIMITS.max_source_chars):
    """Check, rewrite and compile `source`; cached per (source, mode). Raises `SyntaxError` for code that
    does not parse (SpiffWorkflow reports those as it always does) and `ScriptPolicyError` for code the
    policy refuses."""
    tree, problems, loops = _problems(source, mode, max_source_chars)
    if tree is None and problems and problems[0].startswith("Line ") and "syntax error" in problems[0]:
        # Re-raise the real SyntaxError so the line and offset reach SpiffWorkflow's report.
        ast.parse(source, filename=SCRIPT_FILENAME, mode=mode)
    if problems:
        first_line = next((int(p[5:p.index(":")]) for p in problems if p.startswith("Line ")), None)
        raise ScriptPolicyError("Not allowed in a script: " + "; ".join(problems), line_number=first_line)
    tree = ast.fix_missing_locations(_Rewriter().visit(tree))
    code = compile(tree, SCRIPT_FILENAME, mode)
    return CompiledScript(source, mode, code, loops)
