"""Whole-system measurements: a fresh world per test, memory over many
requests, state files, and load from concurrent clients."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import globus_sdk
import requests
from calls import userinfo
from harness import Comparison, Contender, Runner, measure

from globus_testkit import Emulator
from globus_testkit.services.transfer.access import Principals

_TESTS_WITH = """
def test_{i}(globus_emulator):
    assert globus_emulator.user
"""


_TESTS_WITHOUT = """
def test_{i}():
    assert True
"""


def _pytest_seconds(path: Path, folder: str) -> float:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    return time.perf_counter() - began


def per_test_cost(tests: int, rounds: int) -> list[tuple[str, float]]:
    """Seconds a ``globus_emulator`` fixture adds to a test, as pytest runs
    see it and in this process.

    pytest runs ``tests`` and ``2 * tests`` tests using the fixture, and as
    many not using it: the second ``tests`` tests' extra time is the cost
    per test; what the first run costs beyond that is paid once per process
    (importing the kit, building the world's template). The subprocesses
    are noisy, so the fixture's work is also timed here: a fresh world
    reached in-process (``with Emulator() as e: e.user``) against a no-op.
    """
    samples: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for name, template in (("without", _TESTS_WITHOUT), ("with", _TESTS_WITH)):
            for count in (tests, 2 * tests):
                path = Path(folder) / f"test_{name}_{count}.py"
                path.write_text("".join(template.format(i=i) for i in range(count)))
                files[name, count] = path
        for _ in range(rounds):
            for key, path in files.items():
                samples.setdefault(key, []).append(_pytest_seconds(path, folder))
    run = {key: statistics.median(values) for key, values in samples.items()}
    per_test = (
        run["with", 2 * tests]
        - run["with", tests]
        - run["without", 2 * tests]
        + run["without", tests]
    ) / tests
    once = run["with", tests] - run["without", tests] - per_test * tests
    in_process = measure(
        Comparison(
            "fixture's work in-process",
            [
                Contender("no-op", lambda stack: lambda: None),
                Contender("with Emulator() as e: e.user", lambda stack: _fresh_world_in_process),
            ],
            200,
        ),
        max(3, rounds),
    )
    return [
        ("pytest: test without the fixture", run["without", tests] / tests),
        ("pytest: test with globus_emulator", run["with", tests] / tests),
        ("pytest: the fixture's cost per test (extra tests)", per_test),
        ("pytest: paid once per process (import, template)", once),
        *[(f"in-process: {name}", seconds) for name, seconds in in_process],
    ]


def _fresh_world_in_process() -> None:
    with Emulator() as emulator:
        assert emulator.user


def resident_mb() -> float:
    """This process's resident memory now (Linux /proc), else its peak."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2**20 if sys.platform == "darwin" else 2**10)


def _soak_call(stack: ExitStack, emulator: Emulator, *, server: bool) -> Runner:
    """One userinfo call: through globus-sdk in-process, or over a
    keep-alive session to the live server."""
    token = emulator.auth.issue_token(emulator.user, "openid profile email")
    if not server:
        client = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: userinfo(client)
    session = stack.enter_context(requests.Session())
    url = f"{emulator.serve().url}/auth/v2/oauth2/userinfo"
    headers = {"Authorization": f"Bearer {token}"}
    return lambda: session.get(url, headers=headers).raise_for_status()


def memory_soak(requests_count: int) -> None:
    """Resident memory while one world answers many requests, in-process
    (globus-sdk through the mock) and over the live server (a keep-alive
    session): it should level off once the journal is full, not grow."""
    print(f"\n## memory soak: resident memory over {requests_count:,} requests per transport")
    print("  (the journal keeps its newest 10,000 entries; figures in MB)")
    for transport in ("in-process", "live server"):
        with ExitStack() as stack:
            emulator = stack.enter_context(Emulator())
            call = _soak_call(stack, emulator, server=transport == "live server")
            checkpoints = {requests_count * k // 4 for k in range(1, 5)}
            start = resident_mb()
            marks = [f"start {start:7.1f}"]
            began = time.perf_counter()
            for number in range(1, requests_count + 1):
                call()
                if number in checkpoints:
                    marks.append(f"{number:,}: {resident_mb():7.1f}")
            seconds = time.perf_counter() - began
            end = resident_mb()
            print(f"  {transport:<12} " + "   ".join(marks))
            print(
                f"  {'':<12} end - start {end - start:+.1f} MB, journal kept "
                f"{len(emulator.journal):,} of {emulator.journal.total:,}, "
                f"{seconds / requests_count * 1000:.3f} ms per request"
            )


def state_file_round_trip(files: int, tasks: int) -> None:
    """Seconds to save and to load a world holding ``files`` files (in one
    collection) and ``tasks`` finished tasks, with the state file's size."""
    print(f"\n## state file: a world with {files:,} files and {tasks:,} tasks  (goal: < 1 s each)")
    emulator = Emulator()
    source = emulator.transfer.add_collection("Big")
    for i in range(files):
        source.tree.write(f"/d{i // 1000:03}/f{i:06}", content=b"x")
    with emulator.lock:
        for n in range(tasks):
            document = {
                "DATA_TYPE": "transfer",
                "source_endpoint": source.id,
                "destination_endpoint": source.id,
                "DATA": [
                    {
                        "DATA_TYPE": "transfer_item",
                        "source_path": f"/d000/f{n % 1000:06}",
                        "destination_path": f"/copies/c{n:06}",
                    }
                ],
            }
            emulator.world.tasks.submit(
                emulator.user.id, emulator.user.username, Principals.of(emulator.user.id), document
            )
        emulator.world.tasks.list_for(None)  # all finished, as a long session leaves them
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.json"
        # Wall time is the goal's measure; the process's CPU time beside it
        # is what a busy machine's other work does not inflate.
        times: dict[str, list[tuple[float, float]]] = {"save_state": [], "load_state": []}
        for _ in range(3):
            for name, call in (
                ("save_state", emulator.save_state),
                ("load_state", emulator.load_state),
            ):
                wall, cpu = time.perf_counter(), time.process_time()
                call(path)
                times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
        size = path.stat().st_size / 2**20
    for name, taken in times.items():
        wall_ms = statistics.median(w for w, _ in taken) * 1000
        cpu_ms = statistics.median(c for _, c in taken) * 1000
        print(f"  {name + ' (median of 3)':<52} {wall_ms:9.1f} ms  (CPU {cpu_ms:.1f} ms)")
    print(f"  {'state file size':<52} {size:9.1f} MB")


def _hammer(
    url: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[int, int, list[float]]:
    """``clients`` threads, each with its own session, calling ``url`` for
    ``seconds``: (answers, errors, latencies)."""
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def client() -> None:
        mine: list[float] = []
        failed = 0
        with requests.Session() as session:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                try:
                    ok = session.get(url, headers=headers, timeout=30).status_code == 200
                except requests.RequestException:
                    ok = False
                mine.append(time.perf_counter() - began)
                failed += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), errors[0], latencies


def load_test(clients: int, seconds: float) -> None:
    """A served emulator (userinfo, token checked, journaled) against a bare
    werkzeug app returning fixed bytes from the same kind of server, each
    under ``clients`` concurrent clients in this process for ``seconds``,
    in interleaved 2-s rounds: the machine's load drifts (other processes),
    and a p99 is mostly the worst stall in its window, so both targets must
    see the same windows. Both answer HTTP/1.1 with keep-alive (the live
    server's handler), so each client's session keeps its connection."""
    print(
        f"\n## load: {clients} concurrent clients for {seconds:g} s each"
        "  (goal: within 1.5x of the bare app)"
    )
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Response

    from globus_testkit.transports.keepalive import KeepAliveHandler

    body = b'{"sub": "x", "preferred_username": "u"}'

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        return Response(body, mimetype="application/json")(environ, start_response)

    bare = make_server("127.0.0.1", 0, app, threaded=True, request_handler=KeepAliveHandler)
    threading.Thread(target=bare.serve_forever, args=(0.05,), daemon=True).start()
    emulator = Emulator()
    server = emulator.serve()
    token = emulator.auth.issue_token(emulator.user, "openid profile email")
    targets = [
        ("bare werkzeug app", f"http://127.0.0.1:{bare.socket.getsockname()[1]}/", {}),
        (
            "served emulator (userinfo)",
            f"{server.url}/auth/v2/oauth2/userinfo",
            {"Authorization": f"Bearer {token}"},
        ),
    ]
    rounds = max(1, round(seconds / 2))  # 2-s windows, the two targets taking turns
    try:
        for _, url, headers in targets:  # warm up: threads, connections, first token
            _hammer(url, headers, clients, 0.5)
        results: dict[str, tuple[int, int, list[float]]] = {
            name: (0, 0, []) for name, *_ in targets
        }
        for _ in range(rounds):
            for name, url, headers in targets:
                answers, errors, latencies = _hammer(url, headers, clients, seconds / rounds)
                total, failed, kept = results[name]
                results[name] = (total + answers, failed + errors, kept + latencies)
        base_rate = base_p99 = 0.0
        for name, (answers, errors, latencies) in results.items():
            rate = answers / seconds
            latencies.sort()
            p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0.0
            p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0.0
            base_rate, base_p99 = base_rate or rate, base_p99 or p99
            p99_ratio = p99 / base_p99 if base_p99 else 0.0
            print(
                f"  {name:<30} {rate:8.0f} req/s  x{base_rate / rate if rate else 0:5.2f}"
                f"   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms  x{p99_ratio:5.2f}   errors {errors}"
            )
    finally:
        bare.shutdown()
        emulator.stop()
