"""Fields of Search entries: dotted names, the values they reach, and the
types Search detects for them (numbers, dates, text).

A field name is a dotted path into an entry's content; a literal dot in a
key is escaped with a backslash (``https://schema\\.org/name``). Lists are
transparent: ``authors.name`` reaches every author's name.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

_UNESCAPED_DOT = re.compile(r"(?<!\\)\.")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_DATE = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


@lru_cache(maxsize=1024)
def split_field(name: str) -> tuple[str, ...]:
    return tuple(part.replace("\\.", ".") for part in _UNESCAPED_DOT.split(name))


def values_at(content: Any, name: str) -> list[Any]:
    """Every leaf value the field ``name`` reaches in ``content``."""
    return values_along(content, split_field(name))


def values_along(content: Any, path: tuple[str, ...]) -> list[Any]:
    """Every leaf value the field ``path`` (split) reaches in ``content``."""
    found: list[Any] = []
    _collect(content, path, found)
    return found


def _collect(node: Any, path: tuple[str, ...], found: list[Any]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(item, path, found)
    elif not path:
        if node is not None and not isinstance(node, dict):
            found.append(node)
    elif isinstance(node, dict) and path[0] in node:
        _collect(node[path[0]], path[1:], found)


def leaves(content: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(field name, value) for every leaf value in ``content``."""
    if isinstance(content, dict):
        for key, value in content.items():
            name = key.replace(".", "\\.")
            yield from leaves(value, f"{prefix}.{name}" if prefix else name)
    elif isinstance(content, list):
        for item in content:
            yield from leaves(item, prefix)
    elif content is not None:
        yield prefix, content


def leaf_count(content: Any, prefix: str, names: set[str]) -> None:
    """Add the field names ``content`` holds to ``names``."""
    names.update(name for name, _ in leaves(content, prefix))


def nesting_depth(node: Any) -> int:
    depth, stack = 0, [(node, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            depth = max(depth, level + 1)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level) for v in item)
    return depth


def tokens(value: Any) -> list[str]:
    """The lowercased words of a value, as full-text matching sees them."""
    if isinstance(value, bool):
        return [str(value).lower()]
    return list(_words(value if isinstance(value, str) else str(value)))


@lru_cache(maxsize=1 << 16)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text.lower()))


def facet_key(value: Any) -> Any:
    """A value as a terms facet counts it."""
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def as_date(value: Any) -> float | None:
    """Epoch seconds for the date forms Search detects, else None."""
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    try:
        parsed = _dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return parsed.timestamp()


def sort_key(value: Any) -> tuple[int, Any]:
    """Order values of mixed types: numbers, then dates, then text."""
    number = as_number(value) if not isinstance(value, str) else None
    if number is not None:
        return (0, number)
    date = as_date(value)
    if date is not None:
        return (1, date)
    number = as_number(value)
    if number is not None:
        return (0, number)
    return (2, str(value))


def comparable(value: Any, bound: Any) -> tuple[float, float] | tuple[str, str] | None:
    """``value`` and ``bound`` as one comparable type (number, date or
    text, in that order of preference), or None if they share none."""
    number, limit = as_number(value), as_number(bound)
    if number is not None and limit is not None:
        return number, limit
    date, when = as_date(value), as_date(bound)
    if date is not None and when is not None:
        return date, when
    if isinstance(value, str) and isinstance(bound, str):
        return value, bound
    return None


def equal(value: Any, wanted: Any) -> bool:
    """Exact (keyword) equality, across the types Search detects."""
    try:
        return equal_to(wanted)(value)
    except TypeError:  # an unhashable value: no equality test is kept for it
        return _equal_to(wanted)(value)


@lru_cache(maxsize=4096, typed=True)  # typed: 1, 1.0 and True are told apart
def equal_to(wanted: Any) -> Callable[[Any], bool]:
    """``equal(value, wanted)`` as a test of ``value``, with ``wanted``'s
    readings as a number and a date worked out once: a query compares one
    word with every value of every candidate entry."""
    return _equal_to(wanted)


def _equal_to(wanted: Any) -> Callable[[Any], bool]:
    # comparable()'s order: numbers if both read as numbers, else dates if
    # both read as dates, else text if both are text; booleans as text
    lowered = str(wanted).lower()
    number, date = as_number(wanted), as_date(wanted)
    text = wanted if isinstance(wanted, str) else None

    def test(value: Any) -> bool:
        if isinstance(value, bool) or isinstance(wanted, bool):
            return str(value).lower() == lowered
        if number is not None and (found := as_number(value)) is not None:
            return found == number
        if date is not None and (when := as_date(value)) is not None:
            return when == date
        return text is not None and isinstance(value, str) and value == text

    return test
