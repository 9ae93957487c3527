"""Running globus-sdk's published examples against the emulator.

Each script under ``scripts/`` makes the same SDK calls, with the same
arguments and in the same order, as one of globus-sdk's documented
examples (its path is named at the top of the script); placeholders
(collection ids, flow ids) come from argv, filled from the emulator's world.

``run_example`` runs a script the way its reader would: with its default
``UserApp`` (a command-line login that prints an authorize URL and reads
the pasted code from stdin, tokens kept in a file under ``$HOME``). The
test plays the person: it hands the printed URL to
``emulator.auth.authorize`` and types the code back.

- In-process transport: the script runs in this process (``runpy``), its
  stdout captured and ``input()`` answered.
- Server transport: the script runs as a subprocess with the served
  environment (``globus_server``), its stdin fed.
- ``via_proxy=True``: a subprocess that reaches Globus's real URLs through
  the ``globus_proxy`` (for scripts naming a GCS host), in either transport.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import re
import runpy
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

SCRIPTS = Path(__file__).resolve().parent / "scripts"
AUTHORIZE_URL = re.compile(r"\S+/v2/oauth2/authorize\?\S+")

SDK_MAJOR = int(globus_sdk.__version__.split(".")[0])
# globus-sdk 4's examples: apps and clients as context managers,
# auto_redrive_gares, Scope objects
needs_sdk4 = pytest.mark.skipif(SDK_MAJOR < 4, reason="globus-sdk 4's published examples")
# examples written for globus-sdk 3 (its tokenstorage module, gone in 4)
needs_sdk3 = pytest.mark.skipif(SDK_MAJOR >= 4, reason="globus-sdk 3's published examples")


@dataclass
class ExampleRun:
    returncode: int
    output: str
    logins: int  # how many times the person was asked to log in


class Person:
    """What a person at the browser does with each authorize URL."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.logins = 0

    def code_for(self, output: str) -> str:
        urls = AUTHORIZE_URL.findall(output)
        assert urls, f"asked for a code with no authorize URL printed:\n{output}"
        self.logins += 1
        return str(self.emulator.auth.authorize(urls[-1]))


def _run_in_process(script: Path, argv: list[str], person: Person) -> ExampleRun:
    output = io.StringIO()

    def pasted_code(prompt: str = "") -> str:
        output.write(prompt)
        return person.code_for(output.getvalue())

    saved_argv, saved_input = sys.argv, builtins.input
    sys.argv, builtins.input = [str(script), *argv], pasted_code
    returncode = 0
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exit_:
        returncode = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv, builtins.input = saved_argv, saved_input
    return ExampleRun(returncode, output.getvalue(), person.logins)


def _run_as_subprocess(
    script: Path, argv: list[str], person: Person, env: dict[str, str]
) -> ExampleRun:
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        [sys.executable, str(script), *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    lines: list[str] = []
    problems: list[BaseException] = []

    def play_the_person() -> None:
        assert process.stdin is not None and process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if AUTHORIZE_URL.search(line):
                try:
                    process.stdin.write(person.code_for(line) + "\n")
                    process.stdin.flush()
                except BaseException as error:
                    problems.append(error)
                    process.kill()

    reader = threading.Thread(target=play_the_person, daemon=True)
    reader.start()
    try:
        returncode = process.wait(timeout=120)
    finally:
        process.kill()
        reader.join(timeout=10)
        process.stdin.close()
        process.stdout.close()
    if problems:
        raise problems[0]
    return ExampleRun(returncode, "".join(lines), person.logins)


@pytest.fixture
def run_example(
    request: pytest.FixtureRequest,
    globus_emulator: Any,
    globus_transport: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., ExampleRun]:
    """``run_example("name.py", *argv)``: run ``scripts/name.py`` as its
    reader would, logging in as the world's user when it asks. Tokens
    persist under this test's ``$HOME`` from one run to the next."""
    monkeypatch.setenv("HOME", str(tmp_path))
    if globus_transport == "server":
        request.getfixturevalue("globus_server")

    def run(name: str, *argv: str, via_proxy: bool = False) -> ExampleRun:
        script = SCRIPTS / name
        person = Person(globus_emulator)
        if via_proxy:
            # Globus's real URLs, unchanged (a GCS host in the script, say):
            # a subprocess reaching them through the proxy, whatever the transport
            proxy = request.getfixturevalue("globus_proxy")
            env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_SDK_")}
            return _run_as_subprocess(script, list(argv), person, {**env, **proxy.env})
        if globus_transport == "server":
            # the served environment, set by globus_server
            return _run_as_subprocess(script, list(argv), person, dict(os.environ))
        return _run_in_process(script, list(argv), person)

    return run
