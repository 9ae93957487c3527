"""The docs' shell recipes, as written, run by bash: start a server, load
its environment, call it with curl. `globus-testkit` is this checkout's
CLI (a wrapper on PATH), so the recipes are tested without installing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("curl") is None,
    reason="the recipes are for bash and curl",
)


def sh_blocks(page: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", (ROOT / page).read_text(), re.S)


def run_recipe(tmp_path: Path, *blocks: str) -> subprocess.CompletedProcess[str]:
    """``blocks`` in one bash, with `globus-testkit` on PATH; the server
    the recipe starts in the background is stopped at the end."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "globus-testkit"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m globus_testkit.cli "$@"\n')
    wrapper.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    script = "set -e\ntrap 'kill %1 2>/dev/null; wait' EXIT\n" + "\n".join(blocks)
    return subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_readme_recipe_starts_a_server_and_exports_its_environment(tmp_path):
    [recipe] = [b for b in sh_blocks("README.md") if "--env-file" in b]
    done = run_recipe(tmp_path, recipe)
    assert done.returncode == 0, done.stderr
    assert '"status": "ok"' in done.stdout


def test_the_plain_http_recipe_gets_a_token_and_calls_transfer(tmp_path):
    start, *_, plain_http = [b for b in sh_blocks("docs/other-clients.md") if "curl" in b]
    done = run_recipe(tmp_path, start, plain_http)
    assert done.returncode == 0, done.stderr
    assert '"DATA_TYPE": "task_list"' in done.stdout.replace('":"', '": "')


def test_the_control_plane_recipe_keeps_state_and_answers(tmp_path):
    [recipe] = sh_blocks("docs/control-plane.md")[:1]
    # the page's fixed port may be taken on a shared machine: any free one
    recipe = recipe.replace("--port 8400", "--port 0")
    done = run_recipe(tmp_path, recipe, 'curl -s "$GLOBUS_TESTKIT_URL/_testkit/health"')
    assert done.returncode == 0, done.stderr
    assert '"status": "ok"' in done.stdout.replace('":"', '": "')
    assert (tmp_path / "world.state").exists()
