"""Flows expressions (``"k.=": "..."`` parameters, ExpressionEval states),
interpreted safely: Python syntax, walked node by node over a whitelist,
never ``eval``.

Allowed: literals, names from the run's state (or JSONPaths between
back-quotes, the older documented form), item and attribute access
into data, arithmetic, comparisons, boolean logic, conditionals, list and
dict comprehensions (and generator arguments to functions such as ``any``),
a few pure functions, and non-mutating methods of strings, lists and dicts
from a fixed list. Nothing else (no imports, dunders, lambdas, calls of
data) can run.

Every evaluation has a step budget (nodes visited plus loop iterations)
and a size budget (no string, list or dict longer than ``MAX_SIZE``), so no
expression can hold the server: a refusal names the limit it hit.
"""

from __future__ import annotations

import ast
import operator
import posixpath
import string
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from .backticks import JsonPathRef, bind_paths, split_backticks
from .errors import LanguageError
from .paths import CONTEXT, select

MAX_EXPRESSION = 10_000
MAX_POWER = 1_000
MAX_SIZE = 1_000_000
MAX_STEPS = 50_000
MAX_WIDTH = 10_000  # padding widths in format specs and str.center/ljust/...

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}

# Methods that read and return new values; none changes its object.
_METHODS: dict[type, frozenset[str]] = {
    str: frozenset(
        [
            "capitalize",
            "casefold",
            "center",
            "count",
            "endswith",
            "find",
            "format",
            "index",
            "isalnum",
            "isalpha",
            "isdecimal",
            "isdigit",
            "islower",
            "isnumeric",
            "isspace",
            "istitle",
            "isupper",
            "join",
            "ljust",
            "lower",
            "lstrip",
            "partition",
            "removeprefix",
            "removesuffix",
            "replace",
            "rfind",
            "rindex",
            "rjust",
            "rpartition",
            "rsplit",
            "rstrip",
            "split",
            "splitlines",
            "startswith",
            "strip",
            "swapcase",
            "title",
            "upper",
            "zfill",
        ]
    ),
    list: frozenset({"count", "index", "copy"}),
    dict: frozenset({"get", "keys", "values", "items", "copy"}),
}


def _pathsplit(path: str) -> list[str]:
    """Flows' ``pathsplit``: the path before its last element, and that
    element; Transfer's root ``/~/`` is never split."""
    text = str(path)
    if text.startswith("/~/") and "/" not in text[3:].rstrip("/"):
        return ["/~/", text[3:]]
    return list(posixpath.split(text))


def _range(*args: int) -> list[int]:
    found = range(*args)
    if len(found) > MAX_SIZE:
        raise LanguageError("States.Runtime", f"range longer than {MAX_SIZE}")
    return list(found)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "sum": sum,
    "sorted": sorted,
    "list": list,
    "dict": dict,
    "any": any,
    "all": all,
    "range": _range,
    "enumerate": lambda items, start=0: [list(p) for p in enumerate(items, start)],
    "zip": lambda *items: [list(p) for p in zip(*items, strict=False)],
    "reversed": lambda items: list(reversed(items)),
    "pathsplit": _pathsplit,
}
_NAMES = {"True": True, "False": False, "None": None}


@lru_cache(maxsize=2048)
def _parse(expression: str) -> ast.expr:
    source, paths = split_backticks(expression)
    try:
        return bind_paths(ast.parse(source, mode="eval").body, paths)
    except SyntaxError as err:
        raise LanguageError(
            "States.Runtime", f"invalid expression {expression!r}: {err.msg}"
        ) from err


def evaluate(expression: str, names: dict[str, Any]) -> Any:
    """Evaluate a Flows expression over ``names`` (the run's state)."""
    if not isinstance(expression, str) or len(expression) > MAX_EXPRESSION:
        raise LanguageError("States.Runtime", "an expression must be a string of modest length")
    # Flows' own functions take names, not values: is_present('x.y').
    return _Evaluator(names).visit(_parse(expression))


class _Evaluator:
    def __init__(self, names: dict[str, Any]) -> None:
        self.names = names
        self.scopes: list[dict[str, Any]] = []
        self.steps = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise LanguageError(
                "States.Runtime", f"the expression needs more than {MAX_STEPS} steps"
            )

    def visit(self, node: ast.AST) -> Any:
        self.tick()
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise LanguageError(
                "States.Runtime", f"{type(node).__name__} is not allowed in expressions"
            )
        return _sized(method(node))

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        for scope in reversed(self.scopes):
            if node.id in scope:
                return scope[node.id]
        if node.id in self.names:
            return self.names[node.id]
        if node.id in _NAMES:
            return _NAMES[node.id]
        raise LanguageError("States.Runtime", f"name {node.id!r} is not defined")

    def visit_JsonPathRef(self, node: JsonPathRef) -> Any:
        """A back-quoted JSONPath: the value it names in the run's state."""
        return select(self.names, node.path)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        _no_dunder(node.attr)
        value = self.visit(node.value)
        if not isinstance(value, dict) or node.attr not in value:
            raise LanguageError("States.Runtime", f"no key {node.attr!r}")
        return value[node.attr]

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        value = self.visit(node.value)
        key = self.visit(node.slice)
        try:
            return value[key]
        except (KeyError, IndexError, TypeError) as err:
            raise LanguageError("States.Runtime", f"cannot index with {key!r}") from err

    def visit_Slice(self, node: ast.Slice) -> slice:
        parts = [
            self.visit(p) if p is not None else None for p in (node.lower, node.upper, node.step)
        ]
        return slice(*parts)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        kind = type(node.op)
        if kind not in _BINARY:
            raise LanguageError("States.Runtime", f"{kind.__name__} is not allowed")
        if kind is ast.Pow and isinstance(right, (int, float)) and abs(right) > MAX_POWER:
            raise LanguageError("States.Runtime", "exponent too large")
        if kind is ast.Mult and _too_big(left, right):
            raise LanguageError("States.Runtime", f"result longer than {MAX_SIZE}")
        if kind is ast.Mod and isinstance(left, str):
            raise LanguageError("States.Runtime", "use str.format, not % formatting")
        try:
            return _BINARY[kind](left, right)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as err:
            raise LanguageError("States.Runtime", str(err)) from err

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        try:
            if isinstance(node.op, ast.Not):
                return not value
            if isinstance(node.op, ast.USub):
                return -value
            if isinstance(node.op, ast.UAdd):
                return +value
        except TypeError as err:
            raise LanguageError("States.Runtime", str(err)) from err
        raise LanguageError("States.Runtime", "unary operator not allowed")

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        result: Any = isinstance(node.op, ast.And)
        for value in node.values:
            result = self.visit(value)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result

    def visit_Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError as err:
                raise LanguageError("States.Runtime", str(err)) from err
            left = right
        return True

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def visit_List(self, node: ast.List) -> Any:
        return [self.visit(e) for e in node.elts]

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return [self.visit(e) for e in node.elts]

    def visit_Dict(self, node: ast.Dict) -> Any:
        if any(k is None for k in node.keys):
            raise LanguageError("States.Runtime", "** unpacking is not allowed")
        return {
            self.visit(k): self.visit(v) for k, v in zip(node.keys, node.values, strict=True) if k
        }

    def visit_JoinedStr(self, node: ast.JoinedStr) -> str:
        """f-strings, their format specs bounded like str.format's."""
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            assert isinstance(value, ast.FormattedValue)
            spec = self.visit(value.format_spec) if value.format_spec else ""
            _check_spec(spec)
            item = self.visit(value.value)
            if value.conversion == ord("r"):
                item = repr(item)
            elif value.conversion in (ord("s"), ord("a")):
                item = str(item)
            try:
                parts.append(format(item, spec))
            except (TypeError, ValueError) as err:
                raise LanguageError("States.Runtime", str(err)) from err
        return "".join(parts)

    # -- comprehensions ------------------------------------------------------------

    def _bindings(self, generators: list[ast.comprehension]) -> Iterator[None]:
        """Bind each comprehension's target for every combination that
        passes its conditions (in a scope of its own)."""
        if not generators:
            yield
            return
        first, rest = generators[0], generators[1:]
        if first.is_async:
            raise LanguageError("States.Runtime", "async comprehensions are not allowed")
        items = self.visit(first.iter)
        if isinstance(items, dict):
            items = list(items)
        if not isinstance(items, (list, str)):
            raise LanguageError("States.Runtime", "a comprehension needs a list, string or object")
        for item in items:
            self.tick()
            scope: dict[str, Any] = {}
            _bind(first.target, item, scope)
            self.scopes.append(scope)
            try:
                if all(self.visit(test) for test in first.ifs):
                    yield from self._bindings(rest)
            finally:
                self.scopes.pop()

    def visit_ListComp(self, node: ast.ListComp) -> list[Any]:
        found = []
        for _ in self._bindings(node.generators):
            found.append(self.visit(node.elt))
            if len(found) > MAX_SIZE:
                raise LanguageError("States.Runtime", f"result longer than {MAX_SIZE}")
        return found

    visit_GeneratorExp = visit_ListComp  # as an argument to any, all, sum, ...

    def visit_DictComp(self, node: ast.DictComp) -> dict[Any, Any]:
        found = {}
        for _ in self._bindings(node.generators):
            found[self.visit(node.key)] = self.visit(node.value)
            if len(found) > MAX_SIZE:
                raise LanguageError("States.Runtime", f"result longer than {MAX_SIZE}")
        return found

    # -- calls -----------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> Any:
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            raise LanguageError("States.Runtime", "* and ** arguments are not allowed")
        if isinstance(node.func, ast.Attribute):
            return self._method(node.func, node)
        if isinstance(node.func, ast.Name) and node.func.id == "is_present":
            return self._is_present(node)
        if isinstance(node.func, ast.Name) and node.func.id == "getattr":
            return self._getattr(node)
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            raise LanguageError(
                "States.Runtime",
                "only these functions may be called: "
                f"{', '.join(sorted(_FUNCTIONS))}, getattr, is_present",
            )
        args = [self.visit(a) for a in node.args]
        kwargs = {k.arg: self.visit(k.value) for k in node.keywords if k.arg}
        try:
            return _FUNCTIONS[node.func.id](*args, **kwargs)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError) as err:
            raise LanguageError("States.Runtime", f"{node.func.id}: {err}") from err

    def _method(self, func: ast.Attribute, node: ast.Call) -> Any:
        _no_dunder(func.attr)
        target = self.visit(func.value)
        allowed = _METHODS.get(type(target), frozenset())
        if func.attr not in allowed:
            raise LanguageError(
                "States.Runtime",
                f"{type(target).__name__}.{func.attr}() is not allowed in expressions",
            )
        args = [self.visit(a) for a in node.args]
        kwargs = {k.arg: self.visit(k.value) for k in node.keywords if k.arg}
        _check_method(target, func.attr, args, kwargs)
        try:
            result = getattr(target, func.attr)(*args, **kwargs)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError) as err:
            raise LanguageError("States.Runtime", f"{func.attr}: {err}") from err
        # views and tuples become JSON-shaped lists
        if isinstance(result, tuple) or type(result).__name__.startswith("dict_"):
            return [list(r) if isinstance(r, tuple) else r for r in result]
        return result

    def _is_present(self, node: ast.Call) -> bool:
        """Flows' ``is_present('a.b')``: whether a value is in the state."""
        if len(node.args) != 1 or node.keywords:
            raise LanguageError("States.Runtime", "is_present takes one name")
        return self._lookup(self.visit(node.args[0]))[0]

    def _getattr(self, node: ast.Call) -> Any:
        """Flows' ``getattr('x', default)``: a value from the state, or the
        default (None if none is given) when it is not there."""
        if not 1 <= len(node.args) <= 2 or node.keywords:
            raise LanguageError("States.Runtime", "getattr takes a name and a default")
        found, value = self._lookup(self.visit(node.args[0]))
        if found:
            return value
        return self.visit(node.args[1]) if len(node.args) == 2 else None

    def _lookup(self, name: Any) -> tuple[bool, Any]:
        """A dotted name (``a.b``) in the state and the comprehension scopes."""
        if not isinstance(name, str):
            raise LanguageError("States.Runtime", "a name must be given as a string")
        first, *rest = name.split(".")
        for scope in (*reversed(self.scopes), self.names):
            if first in scope:
                value = scope[first]
                break
        else:
            return False, None
        for part in rest:
            _no_dunder(part)
            if not isinstance(value, dict) or part not in value:
                return False, None
            value = value[part]
        return True, value


def _bind(target: ast.expr, value: Any, scope: dict[str, Any]) -> None:
    if isinstance(target, ast.Name):
        scope[target.id] = value
    elif isinstance(target, (ast.Tuple, ast.List)):
        items = list(value) if isinstance(value, (list, tuple, str)) else None
        if items is None or len(items) != len(target.elts):
            raise LanguageError("States.Runtime", "cannot unpack into the comprehension's names")
        for element, item in zip(target.elts, items, strict=True):
            _bind(element, item, scope)
    else:
        raise LanguageError("States.Runtime", "comprehension targets must be names")


def _no_dunder(name: str) -> None:
    if name.startswith("_") and name != CONTEXT:
        raise LanguageError("States.Runtime", "names starting with _ are not allowed")


def _sized(value: Any) -> Any:
    if isinstance(value, (str, list, dict)) and len(value) > MAX_SIZE:
        raise LanguageError("States.Runtime", f"result longer than {MAX_SIZE}")
    return value


def _too_big(left: Any, right: Any) -> bool:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, (str, list)) and isinstance(times, int):
            return len(seq) * times > MAX_SIZE
    return False


def _check_spec(spec: str) -> None:
    if "{" in spec:
        raise LanguageError("States.Runtime", "nested format specs are not allowed")
    digits = "".join(c if c.isdigit() else " " for c in spec).split()
    if any(int(d) > MAX_WIDTH for d in digits):
        raise LanguageError("States.Runtime", f"format widths are limited to {MAX_WIDTH}")


def _check_method(target: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Refuse calls whose result would blow the size budget before making
    them, and format fields that would reach into objects."""
    if name in ("center", "ljust", "rjust", "zfill"):
        if args and isinstance(args[0], int) and args[0] > MAX_SIZE:
            raise LanguageError("States.Runtime", f"result longer than {MAX_SIZE}")
    elif name == "join" and isinstance(target, str):
        items = args[0] if args else []
        if isinstance(items, (list, str)):
            estimate = len(target) * len(items) + sum(len(str(i)) for i in items)
            if estimate > MAX_SIZE:
                raise LanguageError("States.Runtime", f"result longer than {MAX_SIZE}")
    elif name == "replace" and isinstance(target, str) and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        if len(target) + (target.count(old) + (1 if not old else 0)) * len(new) > MAX_SIZE * 2:
            raise LanguageError("States.Runtime", f"result longer than {MAX_SIZE}")
    elif name == "format" and isinstance(target, str):
        try:
            fields = list(string.Formatter().parse(target))
        except ValueError as err:
            raise LanguageError("States.Runtime", f"format: {err}") from err
        for _, field, spec, _ in fields:
            if field and any(mark in field for mark in ".["):
                raise LanguageError(
                    "States.Runtime", "format fields may name arguments, not reach into them"
                )
            _check_spec(spec or "")
