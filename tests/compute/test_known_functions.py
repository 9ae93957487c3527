"""A Compute worker keeps the last few functions it unpacked that dill
pickled by reference, so repeated tasks skip dill: whatever mix of
functions comes, each task must get what unpacking its code afresh gives
(the very same object for a function found by name, a new one with fresh
defaults for a function pickled by value), and no more than a few are kept."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

pytest.importorskip("globus_compute_sdk")

from globus_compute_sdk.serialize import ComputeSerializer

import globus_testkit.services.compute as compute_package


def _load_worker_main():
    """The worker's script as a module (it runs nothing on import)."""
    path = Path(compute_package.__file__).with_name("worker_main.py")
    spec = importlib.util.spec_from_file_location("globus_testkit_worker_main", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


worker_main = _load_worker_main()


def first(x):
    return x


def second(x):
    return 2 * x


def third(x):
    return 3 * x


def _by_value(n):
    def counting(seen=[]):  # noqa: B006 - a fresh list per unpacking is the point
        seen.append(n)
        return len(seen)

    return counting


def _codes(serializer):
    """Code strings of functions pickled by reference (module functions, a
    builtin) and by value (closures; a method wrapper)."""
    functions = [first, second, third, len, first.__call__] + [_by_value(n) for n in range(6)]
    return [serializer.pack_buffers([serializer.serialize(f)]) for f in functions]


@pytest.mark.parametrize("seed", range(4))
def test_kept_functions_are_what_unpacking_afresh_gives(seed):
    serializer = ComputeSerializer()
    rng = random.Random(seed)
    codes = _codes(serializer)
    known = worker_main._KnownFunctions()
    known.KEPT = 3  # fewer than the functions found by name: some are dropped
    given = []  # every function handed out, kept alive so none is mistaken for another
    for _ in range(300):
        code = rng.choice(codes)
        got = known.unpack(serializer, code)
        (packed,) = serializer.unpack_buffers(code)
        afresh = serializer.deserialize(packed)
        if afresh is serializer.deserialize(packed):  # found by name: always the same object
            assert got is afresh
        else:  # made anew by each unpacking: so must the worker's be
            assert all(got is not earlier for earlier in given)
            if getattr(got, "__name__", "") == "counting":
                assert got() == 1  # its own default list, never a kept one
        given.append(got)
        assert len(known._by_code) <= known.KEPT
