"""Where the files shipped with the package live.

``fixtures/`` sits at the top of the source tree and is copied into the
wheel as ``globus_testkit/fixtures``; this finds it in either layout.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def fixtures_dir() -> Path:
    for candidate in (_PACKAGE / "fixtures", _PACKAGE.parent / "fixtures"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("globus-testkit's fixtures/ folder is missing")
