"""The errors the Flows language raises, each carrying the name a run records.

A run that fails shows an ``error`` name (what a ``Catch`` matches and what a
Fail state or the run's details report) and a human ``cause``. Every error
the pure-logic modules raise derives from :class:`FlowsError`, so the engine
can turn any of them into a failed state with one ``except``.
"""

from __future__ import annotations

from typing import Any

# Errors that mean the flow itself is wrong at run time (a path that is not
# there, an expression that cannot be evaluated). As in the Amazon States
# Language that Flows starts from, ``States.ALL`` does not catch these.
RUNTIME = "States.Runtime"


class FlowsError(Exception):
    """A problem a run can record: ``error`` is the name, ``cause`` the story."""

    default_error = RUNTIME

    def __init__(self, cause: str, *, error: str | None = None, details: Any = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.error = error or self.default_error
        self.details = details
