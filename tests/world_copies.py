"""The ways a world is copied, for the tests of derived indexes: every
copy leaves the indexes out, so the copy must rebuild them from its data."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

from globus_testkit import Emulator


def copy_world(emulator: Emulator, draw: random.Random, path: Path) -> None:
    """Replace the emulator's world with a copy of it: pickled (as worlds
    are copied) or through a state file at ``path``, as ``draw`` picks."""
    if draw.random() < 0.5:
        emulator.world = pickle.loads(pickle.dumps(emulator.world))
    else:
        emulator.save_state(path)
        emulator.load_state(path)
