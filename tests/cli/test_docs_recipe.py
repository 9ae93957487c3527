"""docs/other-clients.md's globus-cli recipe, as written, run by bash
against a server it starts itself (where globus-cli is installed)."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

GLOBUS = shutil.which("globus", path=os.path.dirname(sys.executable)) or shutil.which("globus")


@pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")
def test_the_globus_cli_recipe_transfers_and_starts_a_flow(tmp_path, shell_recipes):
    start = shell_recipes.blocks("docs/other-clients.md")[0]
    [cli] = [b for b in shell_recipes.blocks("docs/other-clients.md") if "globus flows start" in b]
    path = f'export PATH="{os.path.dirname(GLOBUS)}:$PATH"'
    done = shell_recipes.run(tmp_path, start, path, cli)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCEEDED" in done.stdout or "ACTIVE" in done.stdout
