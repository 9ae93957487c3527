"""Flows expressions (``"k.=": "expr"``), evaluated without ``eval``.

The syntax is Python's: the text is parsed with :mod:`ast` and the tree is
interpreted here, node by node, over a whitelist. Names resolve in the run's
state; ``a.b`` and ``a['b']`` read keys of objects; there are literals,
arithmetic, string and list concatenation, comparisons, ``in``, boolean
logic, conditional expressions and a few pure functions. Nothing else can
run: no imports, no attribute access on Python objects, no dunders, no
calls of anything but the whitelisted functions.

Work is bounded so that hostile text cannot hang the emulator or exhaust
its memory: the text's length, the tree's size and depth, integer sizes
(and so exponents), string and list sizes, and the size of ``str()`` of a
value are all capped. Every refusal is an :class:`ExpressionError`.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Callable, Mapping
from typing import Any

from .errors import FlowsError

MAX_EXPRESSION_LENGTH = 10_000
MAX_NODES = 2_000
MAX_DEPTH = 64
MAX_INT_BITS = 10_000  # about 3,000 decimal digits
MAX_EXPONENT = 10_000
MAX_SEQUENCE = 1_000_000  # characters of a string, items of a list
MAX_NUMBER_TEXT = 1_000  # characters int() and float() will read
MAX_ROUND_DIGITS = 100


class ExpressionError(FlowsError):
    """An expression that is malformed, not allowed, or failed to evaluate."""


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """The value of ``expression`` with ``names`` (the run's state) in scope."""
    tree = check_syntax(expression)
    try:
        return _Evaluator(names).visit(tree.body)
    except ExpressionError:
        raise
    except (
        ArithmeticError,
        TypeError,
        ValueError,
        KeyError,
        IndexError,
        RecursionError,
        MemoryError,
    ) as err:
        raise ExpressionError(f"cannot evaluate {expression!r}: {err}") from err


def check_syntax(expression: str) -> ast.Expression:
    """The parsed expression, refused early if it is too long or too big.

    Only the shape is checked here (what a definition validator can know);
    names and node types are checked while evaluating.
    """
    if not isinstance(expression, str):
        raise ExpressionError(f"an expression must be a string, not {type(expression).__name__}")
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"an expression may be at most {MAX_EXPRESSION_LENGTH} characters")
    return _parse(expression)


@functools.lru_cache(maxsize=1024)
def _parse(expression: str) -> ast.Expression:
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as err:
        raise ExpressionError(f"invalid expression {expression!r}: {err.msg}") from err
    except (RecursionError, MemoryError, ValueError) as err:
        raise ExpressionError(f"invalid expression {expression!r}: too complex") from err
    _check_size(tree)
    return tree


def _check_size(tree: ast.AST) -> None:
    # Iterative, so a deep tree is measured without deep recursion here.
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"an expression may have at most {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"an expression may nest at most {MAX_DEPTH} deep")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


# -- limits on values --------------------------------------------------------------


def _refuse_big(value: Any) -> Any:
    """``value`` if it is within the size limits; every result passes here."""
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionError(f"a number may have at most {MAX_INT_BITS} bits")
    if isinstance(value, (str, list)) and len(value) > MAX_SEQUENCE:
        raise ExpressionError(f"a string or list may have at most {MAX_SEQUENCE} items")
    if isinstance(value, complex):
        raise ExpressionError("the result is not a real number")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, (str, list)) and isinstance(right, (str, list)):
        # Checked before concatenating, so the big value is never built.
        if len(left) + len(right) > MAX_SEQUENCE:
            raise ExpressionError(f"a string or list may have at most {MAX_SEQUENCE} items")
    return operator.add(_refuse_big(left), _refuse_big(right))


def _multiply(left: Any, right: Any) -> Any:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list)) and _is_int(times):
            if len(sequence) * max(times, 0) > MAX_SEQUENCE:
                raise ExpressionError(f"repetition would exceed {MAX_SEQUENCE} items")
    if _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise ExpressionError(f"a number may have at most {MAX_INT_BITS} bits")
    return operator.mul(_refuse_big(left), _refuse_big(right))


def _power(base: Any, exponent: Any) -> Any:
    if isinstance(exponent, (int, float)) and abs(exponent) > MAX_EXPONENT:
        raise ExpressionError(f"exponent too large (at most {MAX_EXPONENT})")
    if _is_int(base) and _is_int(exponent) and exponent > 0:
        if _refuse_big(base).bit_length() * exponent > MAX_INT_BITS:
            raise ExpressionError(f"exponent too large: the result would exceed {MAX_INT_BITS} bits")
    return operator.pow(base, exponent)


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        # '%' on a string is printf-style formatting ("%999999999d"), not arithmetic.
        raise ExpressionError("'%' is only for numbers")
    return operator.mod(_refuse_big(left), _refuse_big(right))


def _numeric(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def checked(left: Any, right: Any) -> Any:
        return op(_refuse_big(left), _refuse_big(right))

    return checked


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: _add,
    ast.Sub: _numeric(operator.sub),
    ast.Mult: _multiply,
    ast.Div: _numeric(operator.truediv),
    ast.FloorDiv: _numeric(operator.floordiv),
    ast.Mod: _modulo,
    ast.Pow: _power,
}

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


# -- functions -------------------------------------------------------------------------


def _printed_size(value: Any, budget: int) -> int:
    """Roughly how long ``str(value)`` would be, counting only up to ``budget``.

    Lists may share items (``[s] * 1000``), so the printed form can be far
    bigger than the memory a value takes; measure before printing.
    """
    size, stack = 0, [value]
    while stack and size <= budget:
        item = stack.pop()
        if isinstance(item, str):
            size += len(item) + 2
        elif isinstance(item, int):
            size += item.bit_length() // 3 + 2
        elif isinstance(item, (list, tuple)):
            size += 2 * len(item) + 2
            stack.extend(item)
        elif isinstance(item, Mapping):
            size += 4 * len(item) + 2
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            size += 24
    return size


def _to_str(value: Any) -> str:
    if _printed_size(value, MAX_SEQUENCE) > MAX_SEQUENCE:
        raise ExpressionError(f"str() would exceed {MAX_SEQUENCE} characters")
    return str(value)


def _number_text(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_NUMBER_TEXT:
        raise ExpressionError(f"a number written as text may have at most {MAX_NUMBER_TEXT} characters")
    return value


def _to_int(value: Any, *base: int) -> int:
    return int(_number_text(value), *base)


def _to_float(value: Any) -> float:
    return float(_number_text(value))


def _round(number: Any, ndigits: int | None = None) -> Any:
    # round(5, -10**18) would compute 10**(10**18); keep the digits sane.
    if ndigits is not None and (not _is_int(ndigits) or abs(ndigits) > MAX_ROUND_DIGITS):
        raise ExpressionError(f"round() takes at most {MAX_ROUND_DIGITS} digits")
    return round(number, ndigits)


def _sum(values: Any, start: Any = 0) -> Any:
    # Only numbers: sum() of lists or strings copies quadratically.
    items = list(values)
    if not all(isinstance(v, (int, float)) for v in [*items, start]):
        raise ExpressionError("sum() adds numbers only")
    total = start
    for item in items:
        total = _add(total, item)
    return total


def _sorted(values: Any, reverse: bool = False) -> list[Any]:
    return sorted(values, reverse=bool(reverse))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "str": _to_str,
    "int": _to_int,
    "float": _to_float,
    "bool": bool,
    "abs": abs,
    "max": max,
    "min": min,
    "round": _round,
    "sum": _sum,
    "sorted": _sorted,
}
_KEYWORDS: dict[str, frozenset[str]] = {
    "sorted": frozenset({"reverse"}),
    "round": frozenset({"ndigits"}),
}


# -- the interpreter -----------------------------------------------------------------------


class _Evaluator:
    """Walks a parsed expression; every node type it knows is a method."""

    def __init__(self, names: Mapping[str, Any]) -> None:
        self.names = names

    def visit(self, node: ast.AST) -> Any:
        method: Callable[[Any], Any] | None = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise ExpressionError(f"{_describe(node)} is not allowed in expressions")
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> Any:
        if node.value is not None and not isinstance(node.value, (str, int, float)):
            raise ExpressionError(f"{type(node.value).__name__} literals are not allowed")
        return _refuse_big(node.value)

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id.startswith("__"):
            raise ExpressionError(f"the name {node.id!r} is not allowed")
        if node.id not in self.names:
            raise ExpressionError(f"the name {node.id!r} is not defined in the run's state")
        return self.names[node.id]

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("__"):
            raise ExpressionError(f"access to the dunder attribute {node.attr!r} is not allowed")
        value = self.visit(node.value)
        if not isinstance(value, Mapping):
            raise ExpressionError(
                f"'.{node.attr}' reads a key of an object, but the value is {type(value).__name__}"
            )
        if node.attr not in value:
            raise ExpressionError(f"the object has no key {node.attr!r}")
        return value[node.attr]

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        value = self.visit(node.value)
        key = self.visit(node.slice)
        if not isinstance(value, (Mapping, list, str)):
            raise ExpressionError(f"cannot index into {type(value).__name__}")
        try:
            return value[key]
        except (KeyError, IndexError, TypeError) as err:
            raise ExpressionError(f"no item {key!r} in the {type(value).__name__}") from err

    def visit_Slice(self, node: ast.Slice) -> slice:
        parts = [None if part is None else self.visit(part) for part in (node.lower, node.upper, node.step)]
        if not all(part is None or _is_int(part) for part in parts):
            raise ExpressionError("slice bounds must be integers")
        return slice(*parts)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        operation = _BINARY.get(type(node.op))
        if operation is None:
            raise ExpressionError(f"the operator {type(node.op).__name__} is not allowed")
        return _refuse_big(operation(self.visit(node.left), self.visit(node.right)))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
        raise ExpressionError(f"the operator {type(node.op).__name__} is not allowed")

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        # Short-circuits and returns the deciding value, as Python does.
        want_truth = isinstance(node.op, ast.Or)
        result: Any = None
        for operand in node.values:
            result = self.visit(operand)
            if bool(result) == want_truth:
                return result
        return result

    def visit_Compare(self, node: ast.Compare) -> bool:
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.visit(right_node)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def visit_List(self, node: ast.List) -> list[Any]:
        return [self.visit(item) for item in node.elts]

    def visit_Tuple(self, node: ast.Tuple) -> list[Any]:
        # JSON has no tuples; (a, b) is a list.
        return [self.visit(item) for item in node.elts]

    def visit_Dict(self, node: ast.Dict) -> dict[Any, Any]:
        if any(key is None for key in node.keys):
            raise ExpressionError("'**' unpacking is not allowed")
        return {
            self.visit(key): self.visit(value)
            for key, value in zip(node.keys, node.values)
            if key is not None
        }

    def visit_Call(self, node: ast.Call) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(f"{_describe(node.func)} cannot be called; functions: {allowed}")
        unknown = {k.arg for k in node.keywords} - _KEYWORDS.get(name, frozenset())
        if unknown:
            raise ExpressionError(f"{name}() does not take {sorted(map(str, unknown))}")
        args = [self.visit(arg) for arg in node.args]
        kwargs = {str(k.arg): self.visit(k.value) for k in node.keywords}
        return _refuse_big(FUNCTIONS[name](*args, **kwargs))


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return f"the name {node.id!r}"
    if isinstance(node, ast.Attribute):
        return f"the attribute {node.attr!r}"
    return f"a {type(node).__name__} expression"


__all__ = ["FUNCTIONS", "ExpressionError", "check_syntax", "evaluate"]
