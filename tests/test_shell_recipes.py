"""The docs' shell recipes, as written, run by bash (the `shell_recipes`
fixture in conftest.py): start a server, load its environment, call it
with curl. (The globus-cli recipe runs in tests/cli/.)"""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("curl") is None,
    reason="the recipes are for bash and curl",
)


def test_the_readme_recipe_starts_a_server_and_exports_its_environment(tmp_path, shell_recipes):
    [recipe] = [b for b in shell_recipes.blocks("README.md") if "--env-file" in b]
    done = shell_recipes.run(tmp_path, recipe)
    assert done.returncode == 0, done.stderr
    assert '"status": "ok"' in done.stdout


def test_the_plain_http_recipe_gets_a_token_and_calls_transfer(tmp_path, shell_recipes):
    start, *_, plain_http = [
        b for b in shell_recipes.blocks("docs/other-clients.md") if "curl" in b
    ]
    done = shell_recipes.run(tmp_path, start, plain_http)
    assert done.returncode == 0, done.stderr
    assert '"DATA_TYPE": "task_list"' in done.stdout.replace('":"', '": "')


def test_the_control_plane_recipe_keeps_state_and_answers(tmp_path, shell_recipes):
    [recipe] = shell_recipes.blocks("docs/control-plane.md")[:1]
    # the page's fixed port may be taken on a shared machine: any free one
    recipe = recipe.replace("--port 8400", "--port 0")
    done = shell_recipes.run(tmp_path, recipe, 'curl -s "$GLOBUS_TESTKIT_URL/_testkit/health"')
    assert done.returncode == 0, done.stderr
    assert '"status": "ok"' in done.stdout.replace('":"', '": "')
    assert (tmp_path / "world.state").exists()
