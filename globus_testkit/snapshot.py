"""Snapshot testing for users' own tests, in the style of LocalStack's.

``snapshot.match("listing", response)`` normalises the answer (ids, times,
tokens: see :mod:`globus_testkit.normalize`) and compares it with the one
stored beside the test in ``__snapshots__/<test file>.json``. Run pytest
with ``--snapshot-update`` to record or refresh them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .normalize import normalize


class SnapshotMismatch(AssertionError):
    pass


class Snapshot:
    def __init__(self, path: Path, test_id: str, *, update: bool) -> None:
        self.path = path
        self.test_id = test_id
        self.update = update
        self._seen: set[str] = set()

    def match(self, name: str, response: Any) -> None:
        """Compare ``response`` (a globus-sdk response, dict or list) with
        the stored snapshot ``name`` of this test."""
        if name in self._seen:
            raise ValueError(f"snapshot name {name!r} used twice in one test")
        self._seen.add(name)
        document = normalize(getattr(response, "data", response))
        stored = self._load()
        recorded = stored.get(self.test_id, {})
        if self.update:
            recorded[name] = document
            stored[self.test_id] = recorded
            self._save(stored)
            return
        if name not in recorded:
            raise SnapshotMismatch(
                f"no snapshot {name!r} for {self.test_id} in {self.path}; "
                "run pytest with --snapshot-update to record it"
            )
        if recorded[name] != document:
            expected = json.dumps(recorded[name], indent=1, sort_keys=True)
            actual = json.dumps(document, indent=1, sort_keys=True)
            raise SnapshotMismatch(
                f"snapshot {name!r} differs (run with --snapshot-update to accept):\n"
                f"--- recorded\n{expected}\n+++ now\n{actual}"
            )

    def _load(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        loaded: dict[str, dict[str, Any]] = json.loads(self.path.read_text())
        return loaded

    def _save(self, stored: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
