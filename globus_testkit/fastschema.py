"""A fast yes for documents that match our own schemas.

jsonschema spends most of a small request's time walking its validator
machinery (about 5 us a keyword). The schemas under ``schemas/`` use a
small subset of JSON Schema, so each is compiled once here into plain
Python predicates that answer "valid?" in a fraction of that time.

Only the answer "valid" is ever taken from here: a document this says is
invalid goes to jsonschema, which finds and words the error (so refusals
read the same either way). A schema using any keyword this module does not
know is not compiled at all, and jsonschema alone decides. The predicates
are meant to agree with jsonschema exactly (``if``/``then`` needs that in
both directions); tests compare them over generated documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that say nothing about validity.
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$comment", "examples"})


class Unsupported(Exception):
    """The schema uses a keyword this module does not compile."""


def compile_schema(schema: Any) -> Check | None:
    """A predicate equal to jsonschema's ``is_valid`` for ``schema``, or
    None when the schema uses what is not compiled here."""
    try:
        return _Compiler(schema).compile(schema)
    except Unsupported:
        return None


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema means it: true and 1 differ, 1 and 1.0 do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


# JSON types one isinstance answers (no JSON value is a subclass of bool);
# numbers need more, as true is no number.
_PLAIN_TYPES: dict[str, type] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}
_NUMBER_TYPES: dict[str, Check] = {"number": _is_number, "integer": _is_integer}


def _every(checks: list[Check]) -> Check:
    """One predicate that holds when all of ``checks`` do (a plain loop:
    cheaper per call than all() over a generator)."""
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]

    def every(v: Any) -> bool:
        for check in checks:  # noqa: SIM110 (the loop is the point)
            if not check(v):
                return False
        return True

    return every


def _some(checks: list[Check]) -> Check:
    """One predicate that holds when any of ``checks`` does."""
    if len(checks) == 1:
        return checks[0]

    def some(v: Any) -> bool:
        for check in checks:  # noqa: SIM110 (the loop is the point)
            if check(v):
                return True
        return False

    return some


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("$defs", "then"):
                continue
            if keyword == "additionalProperties" and "properties" in schema:
                continue  # compiled with properties
            build = getattr(self, "_" + keyword.lstrip("$"), None)
            if build is None:
                raise Unsupported(keyword)
            checks.append(build(value, schema))
        return _every(checks)

    # -- any instance ------------------------------------------------------------

    def _type(self, value: Any, schema: dict[str, Any]) -> Check:
        names = value if isinstance(value, list) else [value]
        if not all(name in _PLAIN_TYPES or name in _NUMBER_TYPES for name in names):
            raise Unsupported(f"type {value!r}")
        plain = tuple(_PLAIN_TYPES[name] for name in names if name in _PLAIN_TYPES)
        numeric = [_NUMBER_TYPES[name] for name in names if name in _NUMBER_TYPES]
        if not numeric:
            return lambda v: isinstance(v, plain)
        return _some([lambda v: isinstance(v, plain), *numeric] if plain else numeric)

    def _enum(self, value: list[Any], schema: dict[str, Any]) -> Check:
        if all(type(option) is str for option in value):  # the usual enum: one set lookup
            options = frozenset(value)
            return lambda v: type(v) is str and v in options
        return _some([self._const(option, schema) for option in value])

    def _const(self, value: Any, schema: dict[str, Any]) -> Check:
        if type(value) is str:  # json_equal's answer for a string, without its walk
            return lambda v: type(v) is str and v == value
        return lambda v: json_equal(v, value)

    def _anyOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        return _some([self.compile(s) for s in value])

    def _allOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        return _every([self.compile(s) for s in value])

    def _if(self, value: Any, schema: dict[str, Any]) -> Check:
        condition = self.compile(value)
        then = self.compile(schema.get("then", True))
        return lambda v: not condition(v) or then(v)

    def _ref(self, value: str, schema: dict[str, Any]) -> Check:
        if not value.startswith("#/$defs/") or "/" in value[len("#/$defs/") :]:
            raise Unsupported(value)
        if value not in self.refs:
            self.refs[value] = lambda v: True  # a placeholder while it compiles
            target = self.compile(self.root["$defs"][value[len("#/$defs/") :]])
            self.refs[value] = target
        refs = self.refs
        return lambda v: refs[value](v)

    # -- strings ---------------------------------------------------------------------

    def _minLength(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) >= value

    def _maxLength(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) <= value

    def _pattern(self, value: str, schema: dict[str, Any]) -> Check:
        search = re.compile(value).search
        return lambda v: not isinstance(v, str) or search(v) is not None

    # -- numbers ---------------------------------------------------------------------

    def _minimum(self, value: float, schema: dict[str, Any]) -> Check:
        return lambda v: not _is_number(v) or v >= value

    def _maximum(self, value: float, schema: dict[str, Any]) -> Check:
        return lambda v: not _is_number(v) or v <= value

    # -- arrays ----------------------------------------------------------------------

    def _items(self, value: Any, schema: dict[str, Any]) -> Check:
        if isinstance(value, list):
            raise Unsupported("items as a list")
        item = self.compile(value)

        def every_item(v: Any) -> bool:
            if isinstance(v, list):
                for x in v:  # a loop: cheaper than all() over a generator
                    if not item(x):
                        return False
            return True

        return every_item

    def _minItems(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) >= value

    def _maxItems(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) <= value

    # -- objects ---------------------------------------------------------------------

    def _required(self, value: list[str], schema: dict[str, Any]) -> Check:
        names = frozenset(value)
        return lambda v: not isinstance(v, dict) or names <= v.keys()

    def _minProperties(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or len(v) >= value

    def _properties(self, value: dict[str, Any], schema: dict[str, Any]) -> Check:
        known = {name: self.compile(sub) for name, sub in value.items()}
        extra = self.compile(schema.get("additionalProperties", True))

        def check(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for name, item in v.items():
                test = known.get(name, extra)
                if not test(item):
                    return False
            return True

        return check

    def _additionalProperties(self, value: Any, schema: dict[str, Any]) -> Check:
        extra = self.compile(value)  # no "properties": every key is extra
        return lambda v: not isinstance(v, dict) or all(extra(x) for x in v.values())
