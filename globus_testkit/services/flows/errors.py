"""The one error type of the Flows language."""

from __future__ import annotations


class LanguageError(Exception):
    """A definition or run-time language problem, named like Flows names it."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(cause)
        self.error = error
        self.cause = cause
