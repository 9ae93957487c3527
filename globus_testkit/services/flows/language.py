"""The Flows definition language: JSONPath, Parameters, expressions and
Choice rules, evaluated safely. No HTTP and no Python ``eval`` here.
"""

from __future__ import annotations

import ast
import copy
import operator
import re
from collections.abc import Callable
from typing import Any

from ...clock import parse_iso
from ...patterns import user_wildcard


class LanguageError(Exception):
    """A definition or run-time language problem, named like Flows names it."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(cause)
        self.error = error
        self.cause = cause


# -- JSONPath ------------------------------------------------------------------------

_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def path_steps(path: str) -> list[str | int]:
    if not isinstance(path, str) or not path.startswith("$"):
        raise LanguageError("States.Runtime", f"{path!r} is not a JSONPath starting with $")
    steps: list[str | int] = []
    rest = path[1:]
    while rest:
        match = _STEP.match(rest)
        if match is None:
            raise LanguageError("States.Runtime", f"cannot read the JSONPath {path!r}")
        name, index, quoted, double = match.groups()
        steps.append(int(index) if index is not None else (name or quoted or double or ""))
        rest = rest[match.end() :]
    return steps


def get_path(document: Any, path: str) -> Any:
    value = document
    for step in path_steps(path):
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError) as err:
            raise LanguageError(
                "States.JsonPathMissing", f"{path} does not exist in the state"
            ) from err
    return value


def has_path(document: Any, path: str) -> bool:
    try:
        get_path(document, path)
    except LanguageError:
        return False
    return True


def set_path(document: dict[str, Any], path: str | None, value: Any) -> dict[str, Any]:
    """A new state with ``value`` at ``path`` ("$" replaces the state; None
    discards the value). ``$._context`` is read-only."""
    if path is None:
        return document
    steps = path_steps(path)
    if steps[:1] == ["_context"]:
        raise LanguageError("States.Runtime", "$._context is read-only")
    if not steps:
        if not isinstance(value, dict):
            value = {"value": value}
        context = document.get("_context")
        return {**value, "_context": context} if context is not None else dict(value)
    updated = dict(document)
    cursor: dict[Any, Any] = updated
    for step in steps[:-1]:
        child = cursor.get(step)
        child = dict(child) if isinstance(child, dict) else {}
        cursor[step] = child
        cursor = child
    cursor[steps[-1]] = value
    return updated


# -- Parameters ------------------------------------------------------------------------


def resolve(template: Any, state: dict[str, Any]) -> Any:
    """A Parameters template with ``"k.$"`` paths and ``"k.="`` expressions
    filled in from the state."""
    if isinstance(template, dict):
        resolved: dict[str, Any] = {}
        for key, value in template.items():
            if key.endswith(".$"):
                resolved[key[:-2]] = copy.deepcopy(get_path(state, value))
            elif key.endswith(".="):
                resolved[key[:-2]] = evaluate(value, state)
            else:
                resolved[key] = resolve(value, state)
        return resolved
    if isinstance(template, list):
        return [resolve(item, state) for item in template]
    return template


# -- expressions -------------------------------------------------------------------------

MAX_EXPRESSION = 10_000
MAX_POWER = 1_000
MAX_SIZE = 1_000_000

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
}


def evaluate(expression: str, names: dict[str, Any]) -> Any:
    """Evaluate a Flows expression over ``names`` (the run's state).

    Python syntax, interpreted node by node over a whitelist: literals,
    names, item and attribute access into data, arithmetic, comparisons,
    boolean logic, conditionals and a few pure functions. Nothing else
    (no imports, no dunders, no calls of data) can run.
    """
    if not isinstance(expression, str) or len(expression) > MAX_EXPRESSION:
        raise LanguageError("States.Runtime", "an expression must be a string of modest length")
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as err:
        raise LanguageError(
            "States.Runtime", f"invalid expression {expression!r}: {err.msg}"
        ) from err
    return _Evaluator(names).visit(tree.body)


class _Evaluator:
    def __init__(self, names: dict[str, Any]) -> None:
        self.names = names

    def visit(self, node: ast.AST) -> Any:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise LanguageError(
                "States.Runtime", f"{type(node).__name__} is not allowed in expressions"
            )
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        if node.id not in self.names:
            raise LanguageError("States.Runtime", f"name {node.id!r} is not defined")
        return self.names[node.id]

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("_") and node.attr != "_context":
            raise LanguageError("States.Runtime", "attributes starting with _ are not allowed")
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

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        kind = type(node.op)
        if kind not in _BINARY:
            raise LanguageError("States.Runtime", f"{kind.__name__} is not allowed")
        if kind is ast.Pow and isinstance(right, (int, float)) and abs(right) > MAX_POWER:
            raise LanguageError("States.Runtime", "exponent too large")
        if kind is ast.Mult and _too_big(left, right):
            raise LanguageError("States.Runtime", "result too large")
        try:
            return _BINARY[kind](left, right)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as err:
            raise LanguageError("States.Runtime", str(err)) from err

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
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
        return {
            self.visit(k) if k is not None else None: self.visit(v)
            for k, v in zip(node.keys, node.values, strict=True)
        }

    def visit_Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
            raise LanguageError("States.Runtime", "only len, str, int, ... may be called")
        args = [self.visit(a) for a in node.args]
        try:
            return _FUNCTIONS[node.func.id](*args)
        except (TypeError, ValueError) as err:
            raise LanguageError("States.Runtime", str(err)) from err


def _too_big(left: Any, right: Any) -> bool:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, (str, list)) and isinstance(times, int):
            return len(seq) * times > MAX_SIZE
    return False


# -- Choice rules --------------------------------------------------------------------------

_OPS = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_KINDS: dict[str, Callable[[Any], bool]] = {
    "String": lambda v: isinstance(v, str),
    "Numeric": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
    "Timestamp": lambda v: isinstance(v, str) and _is_timestamp(v),
}


def _is_timestamp(value: str) -> bool:
    try:
        parse_iso(value)
    except ValueError:
        return False
    return True


def rule_matches(rule: dict[str, Any], state: dict[str, Any]) -> bool:
    if "And" in rule:
        return all(rule_matches(r, state) for r in rule["And"])
    if "Or" in rule:
        return any(rule_matches(r, state) for r in rule["Or"])
    if "Not" in rule:
        return not rule_matches(rule["Not"], state)
    variable = rule["Variable"]
    if "IsPresent" in rule:
        return has_path(state, variable) == bool(rule["IsPresent"])
    if not has_path(state, variable):
        return False
    value = get_path(state, variable)
    for test in ("IsNull", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
        if test in rule:
            kind = test[2:]
            actual = value is None if kind == "Null" else _KINDS[kind](value)
            return actual == bool(rule[test])
    if "StringMatches" in rule:
        matcher = user_wildcard(rule["StringMatches"])
        return isinstance(value, str) and matcher.fullmatch(value) is not None
    for kind, is_kind in _KINDS.items():
        for name, op in _OPS.items():
            for suffix in ("", "Path"):
                key = f"{kind}{name}{suffix}"
                if key in rule:
                    other = get_path(state, rule[key]) if suffix else rule[key]
                    if not (is_kind(value) and is_kind(other)):
                        return False
                    if kind == "Timestamp":
                        value, other = parse_iso(value), parse_iso(other)
                    return bool(op(value, other))
    raise LanguageError("States.Runtime", f"unknown Choice rule {sorted(rule)}")


# -- definitions ------------------------------------------------------------------------------

STATE_TYPES = ("Action", "Pass", "Choice", "Wait", "Fail", "ExpressionEval")


def check_definition(definition: Any) -> list[str]:
    """Problems with a flow definition beyond its JSON Schema: every name
    resolves, every state is reachable, non-terminal states go somewhere."""
    states = definition.get("States", {})
    problems: list[str] = []
    start = definition.get("StartAt")
    if start not in states:
        problems.append(f"StartAt names {start!r}, which is not a state")
    edges: dict[str, list[str]] = {}
    for name, state in states.items():
        kind = state.get("Type")
        targets = [state["Next"]] if "Next" in state else []
        if kind == "Choice":
            targets += [c.get("Next") for c in state.get("Choices", [])]
            targets += [state["Default"]] if "Default" in state else []
        targets += [c.get("Next") for c in state.get("Catch", [])]
        for target in targets:
            if target not in states:
                problems.append(f"$.States.{name}: next state {target!r} does not exist")
        if kind not in ("Choice", "Fail") and not state.get("End") and "Next" not in state:
            problems.append(f"$.States.{name}: needs Next or End")
        if state.get("End") and "Next" in state:
            problems.append(f"$.States.{name}: cannot have both Next and End")
        if kind == "Wait":
            given = [
                k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in state
            ]
            if len(given) != 1:
                problems.append(
                    f"$.States.{name}: a Wait needs exactly one of Seconds, "
                    "SecondsPath, Timestamp, TimestampPath"
                )
        edges[name] = [t for t in targets if t in states]
    seen: set[str] = set()
    stack = [start] if start in states else []
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(edges.get(name, []))
    for name in states:
        if name not in seen and start in states:
            problems.append(f"$.States.{name}: is not reachable from StartAt")
    return problems
