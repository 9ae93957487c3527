"""Probe: which globus-sdk calls slow down as OTHER users' data grows?

Reuses the SDK method sweep's table (tests/sweep): a "quiet" world holds
only what the world's user makes, a "busy" one first has K other users
each run every entry of the table (building its prerequisites as they
go), so every service holds many items of every kind owned by others.
Then every entry is timed as the world's own user in both worlds (a fresh
invocation per timed call, so calls that consume what they act on can
repeat), and the entries are printed by busy/quiet ratio.

    PYTHONPATH=$PWD /work/venv/bin/python benchmarks/busy_sweep.py [--others K] [--only TEXT]

A probe, not a test: it reports, it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from globus_testkit import Emulator
from tests.sweep.calls_options import OPTIONS
from tests.sweep.test_sdk_method_sweep import CALLS, SKIPS
from tests.sweep.world import Call, Sweep

TABLE: dict[str, Callable[[Sweep], Call]] = {**CALLS, **OPTIONS}
REPEATS = 5


class SweepAs(Sweep):
    """The sweep's clients and builders, acting as ``identity``."""

    def __init__(self, emulator: Emulator, identity: Any) -> None:
        super().__init__(emulator)
        self.user = identity

    def compute_endpoint(self) -> str:
        # (the sweep's own gives the world's user the endpoint)
        return str(self.e.compute.create_endpoint("sweep laptop", owner=self.user.id).id)


def method_of(key: str, invocation: Call) -> Callable[..., Any]:
    return getattr(invocation.client, key.split(".", 1)[1].split("[")[0])


def invoke(key: str, sweep: Sweep) -> float:
    """Build ``key``'s invocation (untimed), then time the call itself
    (the collector off, as timeit has it)."""
    invocation = TABLE[key](sweep)
    method = method_of(key, invocation)
    gc.disable()
    try:
        start = time.perf_counter()
        method(*invocation.args, **invocation.kwargs)
        return time.perf_counter() - start
    finally:
        gc.enable()


def fill(emulator: Emulator, others: int) -> int:
    """K other identities each run every entry; returns how many failed."""
    failed = 0
    for n in range(others):
        sweep = SweepAs(emulator, emulator.auth.add_identity(f"other{n}@example.org"))
        for key in TABLE:
            try:
                invoke(key, sweep)
            except Exception:
                failed += 1
    return failed


def fresh_user(emulator: Emulator) -> Any:
    fresh_user.made += 1  # type: ignore[attr-defined]
    return emulator.auth.add_identity(f"fresh{fresh_user.made}@example.org")  # type: ignore[attr-defined]


fresh_user.made = 0  # type: ignore[attr-defined]


def time_entry(key: str, emulator: Emulator, mine: Sweep) -> tuple[float | None, str]:
    """Median seconds of REPEATS fresh calls by the world's user, or None
    and why not. A call the user cannot repeat (a name already taken, a
    trial quota filled) is made instead by a fresh user, and noted."""
    samples, note = [], ""
    for n in range(REPEATS):
        try:
            samples.append(invoke(key, mine))
            continue
        except Exception as error:
            why = f"{type(error).__name__}: {str(error).splitlines()[0][:60]}"
        try:
            samples.append(invoke(key, SweepAs(emulator, fresh_user(emulator))))
            note = note or f"call {n + 1} on by a fresh user each ({why})"
        except Exception:
            return None, f"fails (call {n + 1}): {why}"
    return statistics.median(samples), note


def size_of(emulator: Emulator) -> int:
    """A rough count of the world's items: the lengths of every
    top-level collection in every service's state."""
    total = 0
    for state in emulator.world.__getstate__().values():
        for value in getattr(state, "__dict__", {}).values():
            if isinstance(value, (dict, list, set)):
                total += len(value)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--others", type=int, default=20, help="other users in the busy world")
    parser.add_argument("--only", default="", help="only entries whose key contains this")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    for name in [v for v in os.environ if v.startswith("GLOBUS_")]:
        del os.environ[name]
    logging.disable(logging.CRITICAL)
    keys = sorted(k for k in TABLE if args.only in k)

    quiet, busy = Emulator(), Emulator()
    start = time.perf_counter()
    with busy, contextlib.redirect_stderr(io.StringIO()):
        failed = fill(busy, args.others)
    print(
        f"busy world: {args.others} other users ran {len(TABLE)} entries each "
        f"({failed} calls failed) in {time.perf_counter() - start:.0f} s; "
        f"items ~{size_of(quiet):,} quiet vs ~{size_of(busy):,} busy"
    )

    mine = {id(quiet): Sweep(quiet), id(busy): Sweep(busy)}
    rows: list[tuple[float, str, float, float]] = []
    notes: list[str] = []
    for key in keys:
        timed: list[float | None] = []
        for emulator in (quiet, busy):  # one world routed at a time
            with emulator, contextlib.redirect_stderr(io.StringIO()):
                seconds, why = time_entry(key, emulator, mine[id(emulator)])
            timed.append(seconds)
            if why:
                notes.append(f"{key} ({'quiet' if emulator is quiet else 'busy'}): {why}")
        q, b = timed
        if q is not None and b is not None:
            rows.append((b / q, key, q, b))

    rows.sort(reverse=True)
    print(f"\n{'entry':<62} {'quiet ms':>9} {'busy ms':>9} {'ratio':>7}")
    for ratio, key, q, b in rows[: args.top]:
        print(f"{key:<62} {q * 1000:9.2f} {b * 1000:9.2f} {ratio:7.2f}")
    print(f"\n{len(rows)} of {len(keys)} entries timed ({len(SKIPS)} the sweep skips); notes:")
    for note in notes:
        print(f"  {note}")


if __name__ == "__main__":
    main()
