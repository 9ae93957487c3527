"""globus-testkit: a local, stateful Globus for tests.

>>> from globus_testkit import Emulator
>>> with Emulator() as emulator:
...     ...  # globus-sdk calls in here reach the emulator, not Globus
"""

from __future__ import annotations

from .clock import Clock
from .emulator import Emulator, ServiceAccount, World
from .journal import Entry, Journal
from .statefile import StateFileError

__version__ = "0.1.0"

__all__ = [
    "Clock",
    "Emulator",
    "Entry",
    "Journal",
    "ServiceAccount",
    "StateFileError",
    "World",
    "__version__",
]
