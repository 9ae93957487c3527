"""docs/academy.md's first example, verbatim: it must keep working (where
academy-py is installed: ``nox -s academy``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("academy", reason="the academy example needs academy-py")

DOC = Path(__file__).resolve().parents[1] / "docs" / "academy.md"
first_block = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
assert first_block is not None
exec(compile(first_block.group(1), str(DOC), "exec"))  # defines the test below
