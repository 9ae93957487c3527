"""Shared helpers for globus-testkit's own tests.

The plugin itself is loaded through its ``pytest11`` entry point, exactly
as users get it; nothing here is needed by users.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import globus_sdk
import pytest

pytest_plugins = ["pytester"]

SDK_MAJOR = int(globus_sdk.__version__.split(".")[0])


def userinfo(client: globus_sdk.AuthClient) -> globus_sdk.GlobusHTTPResponse:
    """``userinfo`` across SDK majors (3.x also spells it oauth2_userinfo)."""
    method = getattr(client, "userinfo", None) or client.oauth2_userinfo
    return method()


@pytest.fixture
def auth_client_for(globus_emulator):  # type: ignore[no-untyped-def]
    """An AuthClient carrying a fresh token for ``identity`` and ``scopes``."""

    def make(identity=None, scopes="openid profile email"):  # type: ignore[no-untyped-def]
        token = globus_emulator.auth.issue_token(identity or globus_emulator.user, scopes)
        return globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))

    return make


@pytest.fixture
def sdk_sleeps(monkeypatch):  # type: ignore[no-untyped-def]
    """globus-sdk's retry sleeps, recorded instead of slept (a list of seconds)."""
    import types

    import globus_sdk.transport.requests as transport

    slept: list[float] = []
    monkeypatch.setattr(transport, "time", types.SimpleNamespace(sleep=slept.append))
    return slept


# Docs that run: pytest-markdown-docs (`pytest --markdown-docs README.md docs`)
# collects every ```python block of the docs and runs it as a script. A block
# that defines `test_*` functions is a test file as written: each of its
# tests runs as a pytest test, with fixtures and markers, in this run's
# transport.


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items[:] = [test for item in items for test in _tests_in_docs_block(item)]


def _tests_in_docs_block(item: pytest.Item) -> list[pytest.Item]:
    import ast
    import types

    definition = getattr(item, "test_definition", None)
    if definition is None or not hasattr(item, "code"):
        return [item]  # not a docs block
    names = [
        node.name
        for node in ast.parse(definition.source).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]
    if not names:
        return [item]  # a script: pytest-markdown-docs runs it
    module = types.ModuleType(f"docs_block_{definition.start_line}")
    code = compile(definition.source, str(definition.source_path), "exec", dont_inherit=True)
    try:
        exec(code, module.__dict__)  # defines the block's tests (and its imports)
    except (Exception, pytest.skip.Exception):
        return [item]  # run as a script, it fails (or skips) and says why
    module_marks = module.__dict__.get("pytestmark", [])
    if not isinstance(module_marks, list):
        module_marks = [module_marks]
    tests = []
    for name in names:
        test = pytest.Function.from_parent(item.parent, name=name, callobj=module.__dict__[name])
        for mark in module_marks:  # after the test's own, as a module's marks are
            test.add_marker(mark)
        tests.append(test)
    return tests


class ShellRecipes:
    """The docs' ```sh blocks, and a way to run them as a reader would."""

    root = Path(__file__).resolve().parent

    def blocks(self, page: str) -> list[str]:
        return re.findall(r"```sh\n(.*?)```", (self.root / page).read_text(), re.S)

    def run(self, tmp_path: Path, *blocks: str) -> subprocess.CompletedProcess[str]:
        """``blocks`` in one bash in ``tmp_path``, with this checkout's
        `globus-testkit` on PATH and no GLOBUS_ variables from outside; the
        server a recipe starts in the background is stopped at the end."""
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        wrapper = bin_dir / "globus-testkit"
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m globus_testkit.cli "$@"\n')
        wrapper.chmod(0o755)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.root), env.get("PYTHONPATH")]))
        script = "set -e\ntrap 'kill %1 2>/dev/null; wait' EXIT\n" + "\n".join(blocks)
        return subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )


@pytest.fixture
def shell_recipes() -> ShellRecipes:
    return ShellRecipes()
