"""`globus-testkit` from a shell: misuse ends with one line saying what is
wrong and exit status 2 (never a traceback), and the documented shell
recipe (`serve --env-file` then `wait`) gets a working environment."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap

import pytest
import requests

import globus_testkit
from globus_testkit import Emulator

CLI = [sys.executable, "-m", "globus_testkit.cli"]
HEALTH = "import requests, sys; print(requests.get(sys.argv[1]).json()['status'])"


def clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}


def run_cli(*args, timeout=60):
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=timeout, env=clean_env()
    )


def assert_refused(done, *words):
    """Exit status 2, no traceback, and a last line naming the problem."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    last = done.stderr.strip().splitlines()[-1]
    for word in words:
        assert word in last, last


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def bad_state_files(tmp_path):
    foreign = tmp_path / "foreign.state"
    foreign.write_text('{"format": "somebody-elses-state", "version": 1}')
    whole = tmp_path / "whole.state"
    Emulator().save_state(whole)
    truncated = tmp_path / "truncated.state"
    truncated.write_bytes(whole.read_bytes()[:200])
    empty = tmp_path / "empty.state"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.state"
    corrupt.write_bytes(b"\x80\x05garbage that is no state file \xff\xfe")
    return {"foreign": foreign, "truncated": truncated, "empty": empty, "corrupt": corrupt}


@pytest.mark.parametrize("kind", ["foreign", "truncated", "empty", "corrupt"])
def test_serve_refuses_an_unusable_state_file_in_one_line(bad_state_files, kind):
    done = run_cli("serve", "--state", str(bad_state_files[kind]))
    assert_refused(done, "--state", str(bad_state_files[kind]), "state file")


def test_serve_refuses_a_missing_world_file(tmp_path):
    done = run_cli("serve", "--world", str(tmp_path / "nowhere.json"))
    assert_refused(done, "--world", "no such world file")


def test_serve_refuses_a_world_file_that_is_not_json(tmp_path):
    world = tmp_path / "world.json"
    world.write_text('{"identities": [')
    assert_refused(run_cli("serve", "--world", str(world)), "not valid JSON")


def test_serve_refuses_a_world_file_that_is_not_yaml(tmp_path):
    pytest.importorskip("yaml")
    world = tmp_path / "world.yaml"
    world.write_text("identities: [unclosed\n  - x: : :\n")
    assert_refused(run_cli("serve", "--world", str(world)), "not valid YAML")


def test_serve_refuses_a_misspelt_world_key_and_suggests_the_right_one(tmp_path):
    world = tmp_path / "world.json"
    world.write_text(json.dumps({"identities": [{"usernme": "ada@example.org"}]}))
    done = run_cli("serve", "--world", str(world))
    assert_refused(done, "identities[0]", "'usernme'", "did you mean 'username'")


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_serve_refuses_a_port_out_of_range(port):
    done = run_cli("serve", "--port", port)
    assert_refused(done, "--port")


def test_serve_refuses_a_port_already_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert_refused(run_cli("serve", "--port", port), "cannot listen", port)


def test_check_provider_refuses_an_unreachable_url():
    url = f"http://127.0.0.1:{closed_port()}/provider"
    done = run_cli("check-provider", url, "--token", "t", "--body", "{}")
    assert_refused(done, "cannot reach", url)


@pytest.mark.parametrize("body", ["{not json", "[1, 2]"])
def test_check_provider_refuses_a_body_that_is_not_a_json_object(body):
    done = run_cli("check-provider", "http://127.0.0.1:1/", "--token", "t", "--body", body)
    assert_refused(done, "--body")


def test_check_provider_refuses_a_url_that_is_not_http():
    done = run_cli("check-provider", "localhost:8000", "--token", "t", "--body", "{}")
    assert_refused(done, "http(s) URL")


@pytest.mark.parametrize("upstream", ["globsu", "ftp://example.org", "http://:80"])
def test_record_refuses_a_malformed_upstream(upstream):
    assert_refused(run_cli("record", "--upstream", upstream), "--upstream")


def test_version_names_the_package():
    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"globus-testkit {globus_testkit.__version__}"


@pytest.mark.parametrize("command", ["serve", "check-provider", "record", "wait"])
def test_every_option_says_what_it_does_and_its_default(command):
    from globus_testkit.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    parser = commands[command]
    formatter = parser._get_formatter()
    for action in parser._actions:
        if action.dest == "help":
            continue
        shown = formatter._get_help_string(action) or ""
        assert action.help, f"{command} {action.option_strings or action.dest} has no help"
        if action.option_strings:
            assert "default" in shown or action.required, (command, action.option_strings)


def test_the_readme_synopsis_lists_every_serve_option():
    from pathlib import Path

    from globus_testkit.cli import build_parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for action in commands["serve"]._actions:
        for option in action.option_strings:
            if option not in ("-h", "--help"):
                assert f"[{option}" in readme, option


def test_world_schema_prints_the_published_schema():
    done = run_cli("world-schema")
    schema = json.loads(done.stdout)
    assert schema["additionalProperties"] is False
    assert {"default_actors", "identities", "clients", "collections"} <= set(schema["properties"])


def test_wait_gives_up_in_one_line_when_no_server_answers(tmp_path):
    done = run_cli("wait", str(tmp_path / "globus.env"), "--timeout", "0.2")
    assert_refused(done, "no server answered")


@pytest.mark.skipif(shutil.which("bash") is None, reason="the recipe is for bash")
def test_the_shell_recipe_starts_a_server_and_exports_its_environment(tmp_path):
    """The README's recipe, run by bash: serve in the background, wait,
    then the exported variables reach a working server."""
    script = textwrap.dedent(
        f"""
        set -e
        {" ".join(CLI)} serve --env-file globus.env > /dev/null 2>&1 &
        eval "$({" ".join(CLI)} wait globus.env)"
        "{sys.executable}" -c "{HEALTH}" "$GLOBUS_TESTKIT_URL/_testkit/health"
        echo "client=$GLOBUS_CLI_CLIENT_ID"
        kill %1
        wait %1 || true
        test ! -e globus.env && echo "env file removed"
        """
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "ok"
    assert lines[1].startswith("client=") and len(lines[1]) > len("client=")
    assert lines[2] == "env file removed"


def test_the_env_file_appears_whole_and_points_at_the_server(tmp_path):
    env_file = tmp_path / "globus.env"
    env_file.write_text("export GLOBUS_TESTKIT_URL=http://127.0.0.1:1\n")  # stale
    process = subprocess.Popen(
        [*CLI, "serve", "--env-file", str(env_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=clean_env(),
    )
    try:
        done = run_cli("wait", str(env_file))
        assert done.returncode == 0, done.stderr
        exported = dict(
            line.removeprefix("export ").split("=", 1) for line in done.stdout.splitlines()
        )
        assert exported["GLOBUS_TESTKIT_URL"] != "http://127.0.0.1:1"
        health = requests.get(f"{exported['GLOBUS_TESTKIT_URL']}/_testkit/health", timeout=5)
        assert health.ok
        assert exported["GLOBUS_SDK_ENVIRONMENT"] == "globus-testkit"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def test_serve_says_in_one_line_when_it_cannot_save_the_state(tmp_path):
    state = tmp_path / "missing-folder" / "world.state"
    env_file = tmp_path / "globus.env"
    process = subprocess.Popen(
        [*CLI, "serve", "--state", str(state), "--env-file", str(env_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    assert run_cli("wait", str(env_file)).returncode == 0
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "Traceback" not in stderr
    assert "cannot save the world" in stderr.strip().splitlines()[-1]
