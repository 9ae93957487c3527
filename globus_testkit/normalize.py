"""Normalising Globus answers so that two of them can be compared.

Ids, times, tokens and secrets change from run to run (and between the
emulator and the real Globus); their *shape* and their *references to each
other* do not. ``normalize`` replaces each volatile value with a
placeholder numbered by first appearance, so the same id in two places
stays visibly the same. ``shape`` reduces a document to its keys, types
and nesting, for parity checks against recordings.
"""

from __future__ import annotations

import re
from typing import Any

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:?\d{2}|Z)?$")
SECRET_KEYS = frozenset(
    {"access_token", "refresh_token", "id_token", "secret", "client_secret", "token"}
)
EPOCH_KEYS = frozenset(
    {"exp", "iat", "nbf", "expires_at_seconds", "expires_in", "auth_time", "last_authentication"}
)
REQUEST_ID_KEYS = frozenset({"request_id", "debug_id"})
# Where a client reaches a GCS Manager depends on how it reaches the
# emulator (its own host in-process, a path on the loopback server).
TRANSPORT_URL_KEYS = frozenset({"gcs_manager_url"})


class Normalizer:
    """Replaces volatile values with numbered placeholders, consistently."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], str] = {}

    def _placeholder(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self._names:
            count = sum(1 for k in self._names if k[0] == kind) + 1
            self._names[key] = f"<{kind}:{count}>"
        return self._names[key]

    def __call__(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self(v, k) for k, v in sorted(value.items())}
        if isinstance(value, list):
            return [self(item, key) for item in value]
        if key in SECRET_KEYS and isinstance(value, str) and value:
            return self._placeholder("secret", value)
        if key in EPOCH_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
            return "<epoch>"
        if key in REQUEST_ID_KEYS and isinstance(value, str):
            return "<request-id>"
        if key in TRANSPORT_URL_KEYS and isinstance(value, str):
            return "<manager-url>"
        if isinstance(value, str):
            return self._string(value)
        return value

    def _string(self, value: str) -> str:
        if ISO_TIME.match(value):
            return "<time>"
        return UUID.sub(lambda m: self._placeholder("uuid", m.group(0).lower()), value)


def normalize(document: Any) -> Any:
    """``document`` with ids, times, tokens and request ids made stable."""
    return Normalizer()(document)


def shape(value: Any) -> Any:
    """Keys, types and nesting only: ``{"a": [{"b": "str"}]}``.

    A list's shape merges its items' shapes (so a recording with one item
    and an answer with three compare equal); ``None`` is ``"null"``.
    """
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        merged: Any = None
        for item in value:
            merged = merge_shapes(merged, shape(item))
        return [merged] if merged is not None else []
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def merge_shapes(first: Any, second: Any) -> Any:
    """One shape covering both: a key only one side has is kept (one item of
    a list may leave out what another holds), and differing types become
    alternatives (``"str|number"``)."""
    if first is None:
        return second
    if second is None:
        return first
    if isinstance(first, dict) and isinstance(second, dict):
        keys = set(first) | set(second)
        return {k: merge_shapes(first.get(k), second.get(k)) for k in sorted(keys)}
    if isinstance(first, list) and isinstance(second, list):
        # an empty list says nothing of its items' shape
        if not first or not second:
            return first or second
        inner = merge_shapes(first[0], second[0])
        return [inner] if inner is not None else []
    if first == second or second == "null":
        return first
    if first == "null":
        return second
    # each alternative once, however many items add it again
    alternatives = f"{_label(first)}|{_label(second)}".split("|")
    return "|".join(dict.fromkeys(alternatives))


def _label(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return str(value)


def _alternatives(value: Any) -> set[str]:
    return set(_label(value).split("|"))


def compare_shapes(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Differences between a recorded shape and an emulated one.

    ``null`` on either side matches anything (a recording's ``null`` says
    nothing of the type), as does any of the alternatives a merged list
    item shows (``"str|number"``); a key the recording has and the answer lacks,
    a key the answer has and the recording lacks, and a type mismatch are
    each one line naming the JSON path.
    """
    if expected == "null" or actual == "null" or expected == actual:
        return []
    # a scalar of one of the types the merged recording shows for this place
    both_scalars = isinstance(expected, str) and isinstance(actual, str)
    if both_scalars and _alternatives(expected) & _alternatives(actual):
        return []
    if isinstance(expected, dict) and isinstance(actual, dict):
        problems: list[str] = []
        for key in sorted(set(expected) | set(actual)):
            where = f"{path}.{key}"
            if key not in actual:
                problems.append(f"missing {where} (recorded as {_label(expected[key])})")
            elif key not in expected:
                problems.append(f"extra {where} ({_label(actual[key])})")
            else:
                problems.extend(compare_shapes(expected[key], actual[key], where))
        return problems
    if isinstance(expected, list) and isinstance(actual, list):
        if not expected or not actual:
            return []
        return compare_shapes(expected[0], actual[0], f"{path}[]")
    return [f"type of {path}: recorded {_label(expected)}, emulated {_label(actual)}"]
