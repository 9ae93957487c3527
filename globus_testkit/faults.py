"""Faults on demand: make a chosen call fail the way Globus can fail.

A rule matches calls by service, operation, method and path, fires on the
Nth match, on every match, a limited number of times, or with a seeded
probability, and does one thing: answers an error status (in the service's
own error shape, with ``Retry-After`` if asked), delays on the virtual or
the real clock, drops the connection, times out, or answers a body that is
not JSON. Rules are part of the world, so each test starts with none.
"""

from __future__ import annotations

import fnmatch
import math
import random
from dataclasses import asdict, dataclass, field
from typing import Any

EFFECTS = ("status", "reset", "timeout", "malformed", "delay")
# Bounds on the numbers that move the clock or hold a request: a rule
# cannot push the clock into nonsense or hang a client for ever.
NUMBER_BOUNDS: dict[str, tuple[float, float]] = {
    "delay": (0.0, 366 * 86400.0),  # virtual seconds: up to a year
    "real_delay": (0.0, 300.0),  # real seconds: beyond any client's timeout
    "retry_after": (0.0, 86400.0),
    "probability": (0.0, 1.0),
}
COUNT_OPTIONS = ("nth", "times")


class DropConnection(Exception):
    """Raised through the WSGI app: the transport drops the connection
    (in-process: requests' ConnectionError or ReadTimeout)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # "reset" | "timeout"


@dataclass
class FaultRule:
    id: int
    # what it matches (None matches anything)
    service: str | None = None
    operation: str | None = None
    method: str | None = None
    path: str | None = None  # a glob, e.g. "/v0.10/task/*"
    # when it fires
    nth: int | None = None  # only the Nth matching call (1-based)
    times: int | None = None  # at most this many times
    probability: float | None = None  # each match fires with this chance
    # what it does
    status: int | None = None
    code: str | None = None
    message: str | None = None
    retry_after: float | None = None
    delay: float = 0.0  # virtual seconds the clock moves first
    real_delay: float = 0.0  # real seconds slept (for client timeouts)
    reset: bool = False
    timeout: bool = False
    malformed: bool = False
    # what happened
    matched: int = 0
    fired: int = 0

    def matches(self, service: str, operation: str, method: str, path: str) -> bool:
        return (
            (self.service is None or self.service == service)
            and (self.operation is None or self.operation == operation)
            and (self.method is None or self.method.upper() == method)
            and (self.path is None or fnmatch.fnmatchcase(path, self.path))
        )

    def should_fire(self, rng: random.Random) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.nth is not None:
            return self.matched == self.nth
        if self.probability is not None:
            return rng.random() < self.probability
        return True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Faults:
    """The world's fault rules, checked on every routed call."""

    seed: int | str = 0
    rules: list[FaultRule] = field(default_factory=list)
    _next_id: int = 1
    _rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self._rng.seed(f"faults/{self.seed}")

    def add(self, **options: Any) -> FaultRule:
        """Add a rule; see :class:`FaultRule` for the options."""
        unknown = set(options) - set(FaultRule.__dataclass_fields__) | (
            set(options) & {"id", "matched", "fired"}
        )
        if unknown:
            raise ValueError(f"unknown fault options: {sorted(unknown)}")
        _check_numbers(options)
        rule = FaultRule(id=self._next_id, **options)
        if not (
            rule.status
            or rule.reset
            or rule.timeout
            or rule.malformed
            or rule.delay
            or rule.real_delay
        ):
            raise ValueError(f"a fault needs an effect: one of {', '.join(EFFECTS)}")
        if rule.status is not None and not 400 <= rule.status <= 599:
            raise ValueError("a fault status must be an HTTP error (400-599)")
        self._next_id += 1
        self.rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> None:
        self.rules = [r for r in self.rules if r.id != rule_id]

    def clear(self) -> None:
        self.rules.clear()

    def check(self, service: str, operation: str, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this call, if any (counting matches)."""
        for rule in self.rules:
            if not rule.matches(service, operation, method, path):
                continue
            rule.matched += 1
            if rule.should_fire(self._rng):
                rule.fired += 1
                return rule
        return None


def _check_numbers(options: dict[str, Any]) -> None:
    """Refuse numbers a rule cannot use: non-finite, out of bounds, or
    not numbers at all."""
    for name, (low, high) in NUMBER_BOUNDS.items():
        value = options.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} must be a number, not {value!r}")
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"{name} must be between {low:g} and {high:g}, not {value!r}")
    for name in COUNT_OPTIONS:
        value = options.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{name} must be a whole number, not {value!r}")
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1")
    status = options.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        raise ValueError(f"status must be an HTTP status code, not {status!r}")
