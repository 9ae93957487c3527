"""The README's first example, verbatim: it must keep working."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
first_block = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
assert first_block is not None
exec(compile(first_block.group(1), str(README), "exec"))  # defines the test below
