"""Scope strings with dependencies, as Globus Auth reads them.

``A[*B C[D]]`` asks for ``A`` with an optional dependency ``B`` and a
required dependency ``C``, which itself depends on ``D``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class ScopeSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class ScopeRequest:
    scope: str
    optional: bool = False
    dependencies: tuple[ScopeRequest, ...] = ()

    def __str__(self) -> str:
        text = ("*" if self.optional else "") + self.scope
        if self.dependencies:
            text += "[" + " ".join(str(d) for d in self.dependencies) + "]"
        return text


def parse_scopes(text: str | Iterable[str]) -> list[ScopeRequest]:
    """Parse space-separated scope requests; raise ScopeSyntaxError if bad."""
    if not isinstance(text, str):
        text = " ".join(text)
    parser = _Parser(text)
    requests = parser.parse_list(top_level=True)
    return _merge(requests)


def _merge(requests: list[ScopeRequest]) -> list[ScopeRequest]:
    """Fold repeated scopes together so ``A A[B]`` means ``A[B]``."""
    merged: dict[str, ScopeRequest] = {}
    for req in requests:
        seen = merged.get(req.scope)
        if seen is None:
            merged[req.scope] = req
        else:
            deps = _merge([*seen.dependencies, *req.dependencies])
            merged[req.scope] = ScopeRequest(req.scope, seen.optional and req.optional, tuple(deps))
    return list(merged.values())


class _Parser:
    _SPECIAL = set("[]* \t\n")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse_list(self, *, top_level: bool) -> list[ScopeRequest]:
        items: list[ScopeRequest] = []
        while True:
            self._skip_space()
            if self.pos >= len(self.text):
                if not top_level:
                    raise ScopeSyntaxError(f"unclosed '[' in scope {self.text!r}")
                return items
            char = self.text[self.pos]
            if char == "]":
                if top_level:
                    raise ScopeSyntaxError(f"unexpected ']' in scope {self.text!r}")
                self.pos += 1
                return items
            items.append(self._parse_one())

    def _parse_one(self) -> ScopeRequest:
        optional = False
        if self.text[self.pos] == "*":
            optional = True
            self.pos += 1
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in self._SPECIAL:
            self.pos += 1
        name = self.text[start : self.pos]
        if not name:
            raise ScopeSyntaxError(f"empty scope name in {self.text!r}")
        deps: list[ScopeRequest] = []
        if self.pos < len(self.text) and self.text[self.pos] == "[":
            self.pos += 1
            deps = self.parse_list(top_level=False)
        return ScopeRequest(name, optional, tuple(_merge(deps)))

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\n":
            self.pos += 1
