"""World descriptions follow one published schema, wherever they come
from (a dict, a file, the marker, the control plane), and the plugin's
environment is the one `serve` prints, not what the shell left behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import globus_sdk
import pytest
import requests

from globus_testkit import Emulator
from globus_testkit.emulator import SERVICE_CLASSES
from globus_testkit.worlds import COMMON_SCHEMA, WorldError, world_schema

ADA_ID = "7d2a0f5e-3b1c-4e8a-9f6d-2c4b8a1e0d35"


def test_the_world_schema_is_every_services_keys_and_the_common_ones():
    expected = set(COMMON_SCHEMA)
    for service in SERVICE_CLASSES:
        expected |= set(service.world_schema)
    schema = world_schema()
    assert set(schema["properties"]) == expected
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize(
    ("world", "where", "suggestion"),
    [
        ({"identites": []}, "world:", "'identities'"),
        ({"identities": [{"usernme": "ada@example.org"}]}, "world.identities[0]:", "'username'"),
        ({"clients": [{"name": "ci", "secrt": "x"}]}, "world.clients[0]:", "'secret'"),
        (
            {"collections": [{"display_name": "Lab", "files": [{"pth": "/a"}]}]},
            "world.collections[0].files[0]:",
            "'path'",
        ),
        ({"default_actors": {"usr": {}}}, "world.default_actors:", "'user'"),
    ],
)
def test_a_misspelt_key_is_refused_with_a_did_you_mean(world, where, suggestion):
    with pytest.raises(WorldError) as refused:
        Emulator(world=world)
    assert str(refused.value).startswith(where)
    assert f"did you mean {suggestion}?" in str(refused.value)


def test_an_id_that_is_not_a_uuid_is_refused_by_name():
    with pytest.raises(WorldError, match=r"world\.identities\[0\]\.id: '7d2a0f5e-\.\.\.' is not a"):
        Emulator(world={"identities": [{"username": "a@example.org", "id": "7d2a0f5e-..."}]})


def test_a_valid_world_file_with_every_section_loads(tmp_path):
    world = {
        "default_actors": {"user": {"username": "ada@example.org", "name": "Ada Lovelace"}},
        "identities": [{"username": "grace@example.org", "id": ADA_ID}],
        "clients": [{"name": "ci", "type": "native", "redirect_uris": ["http://localhost/"]}],
        "collections": [{"display_name": "Lab", "files": [{"path": "/a.txt", "content": "alpha"}]}],
    }
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    emulator = Emulator(world=path)
    assert emulator.user.username == "ada@example.org"
    assert emulator.world.auth.identities[ADA_ID].username == "grace@example.org"


def test_the_control_plane_refuses_a_misspelt_world_with_400_naming_the_field(
    globus_server, globus_emulator
):
    before = globus_emulator.world
    answer = requests.put(
        f"{globus_server.url}/_testkit/world",
        json={"world": {"identities": [{"usernme": "x@example.org"}]}},
        timeout=10,
    )
    assert answer.status_code == 400
    assert "identities[0]" in answer.text and "did you mean 'username'" in answer.text
    assert globus_emulator.world is before


@pytest.mark.globus(world="worlds/relative-world.json")
def test_a_relative_marker_world_resolves_against_the_test_files_folder(globus_emulator):
    assert globus_emulator.auth.state.identity_by_username("relative@example.org") is not None


@pytest.mark.globus(world={"identities": [{"username": "marked@example.org"}]})
def test_the_marker_takes_a_world_dict(globus_emulator):
    assert globus_emulator.auth.state.identity_by_username("marked@example.org") is not None


def test_the_marker_refuses_a_misspelt_world(pytester):
    # (in a subprocess: an in-process run would re-import cryptography)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.globus(world={"identites": []})
        def test_it(globus_emulator):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*did you mean 'identities'?*"])


def test_globus_server_exports_everything_serve_prints_to_subprocesses(
    globus_server, globus_emulator
):
    script = textwrap.dedent(
        """
        import json, os
        print(json.dumps({k: v for k, v in os.environ.items() if k.startswith("GLOBUS_")}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout)
    account = globus_emulator.service_account
    assert seen["GLOBUS_CLI_CLIENT_ID"] == account.client_id
    assert seen["GLOBUS_CLI_CLIENT_SECRET"] == account.client_secret
    assert seen["GLOBUS_TESTKIT_URL"] == globus_server.url
    assert seen["GLOBUS_TESTKIT_NATIVE_CLIENT_ID"] == globus_emulator.native_client_id
    assert seen["GLOBUS_TESTKIT_USER"] == globus_emulator.user.username
    assert seen["GLOBUS_SDK_SERVICE_URL_AUTH"] == f"{globus_server.url}/auth/"


def test_a_served_emulators_variables_left_in_the_shell_do_not_redirect_a_test(
    pytester, monkeypatch
):
    """`eval "$(globus-testkit serve)"` in the shell, then pytest: the
    in-process test still talks to its own world."""
    pytester.makepyfile(
        """
        import globus_sdk

        def test_it(globus_client_app, globus_emulator):
            auth = globus_sdk.AuthClient(app=globus_client_app)
            assert auth.get_identities(usernames=[globus_emulator.user.username])["identities"]
        """
    )
    for name in ("AUTH", "TRANSFER", "FLOWS"):
        monkeypatch.setenv(f"GLOBUS_SDK_SERVICE_URL_{name}", "http://127.0.0.1:9/gone/")
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "globus-testkit")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--globus-transport=inprocess")
    result.assert_outcomes(passed=1)


def test_in_process_tests_see_no_sdk_service_variables(globus_emulator, globus_transport):
    leftover = [k for k in os.environ if k.startswith("GLOBUS_SDK_SERVICE_URL_")]
    if globus_transport == "inprocess":
        assert leftover == []
        assert globus_sdk.AuthClient().base_url.startswith("https://auth.globus.org")
    else:
        assert "GLOBUS_SDK_SERVICE_URL_AUTH" in leftover


def test_the_documented_world_file_example_is_a_valid_world():
    import re
    from pathlib import Path

    yaml = pytest.importorskip("yaml")
    page = Path(__file__).resolve().parents[1] / "docs" / "fixtures-format.md"
    [example] = re.findall(r"```yaml\n(.*?)```", page.read_text(), re.S)
    emulator = Emulator(world=yaml.safe_load(example))
    assert emulator.user.username == "ada@example.org"
    collections = emulator.world.transfer.collections.values()
    lab = next(c for c in collections if c.display_name == "Lab storage")
    assert emulator.transfer.exists(lab, "/data/a.txt")
