"""The benchmark harness: contenders run in interleaved rounds, medians, ratios."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import responses

Runner = Callable[[], None]


@dataclass
class Contender:
    name: str
    setup: Callable[[ExitStack], Runner]


@dataclass
class Comparison:
    title: str
    contenders: list[Contender]
    calls: int  # calls per round
    goal: str = ""


def small_vs_big(
    title: str,
    setup: Callable[[int], Callable[[ExitStack], Runner]],
    sizes: tuple[int, int],
    unit: str,
    calls: int,
    goal: str = "",
) -> Comparison:
    """The same call in a small world and in a big one (``setup(size)``)."""
    contenders = [Contender(f"{size:,} {unit}", setup(size)) for size in sizes]
    return Comparison(title, contenders, calls, goal)


def measure(comparison: Comparison, rounds: int) -> list[tuple[str, float]]:
    """Median seconds per call of each contender over interleaved rounds.

    Each contender is set up afresh for each round and torn down after it,
    so two mocks are never active at once; set-up and one warm-up call
    (imports, first token, connections) stay outside the timing.
    """
    samples: dict[str, list[float]] = {c.name: [] for c in comparison.contenders}
    for _ in range(rounds):
        for contender in comparison.contenders:
            with ExitStack() as stack:
                run = contender.setup(stack)
                run()
                start = time.perf_counter()
                for _ in range(comparison.calls):
                    run()
                elapsed = time.perf_counter() - start
            samples[contender.name].append(elapsed / comparison.calls)
    return [(name, statistics.median(values)) for name, values in samples.items()]


def report(comparison: Comparison, results: list[tuple[str, float]]) -> None:
    base = results[0][1]
    print(f"\n## {comparison.title}" + (f"  (goal: {comparison.goal})" if comparison.goal else ""))
    for name, seconds in results:
        print(f"  {name:<52} {seconds * 1000:9.3f} ms   x{seconds / base:5.2f}")


@contextmanager
def active(mock: responses.RequestsMock) -> Iterator[responses.RequestsMock]:
    mock.start()
    try:
        yield mock
    finally:
        mock.stop()
        mock.reset()
