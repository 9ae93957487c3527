"""Proxy mode: unmodified programs in other processes, with only the
proxy's environment, reach this test's world at Globus's real hostnames."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

TUTORIAL = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
CURL = shutil.which("curl")


def proxied_env(globus_proxy, **extra: str) -> dict[str, str]:
    """This process's environment without any Globus settings, plus the
    proxy's: clients use their production URLs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    env.update(globus_proxy.env, **extra)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_readme_tutorial_ls_runs_with_production_urls(globus_emulator, globus_proxy, tmp_path):
    account = globus_emulator.service_account
    env = proxied_env(
        globus_proxy,
        CLIENT_ID=account.client_id,
        CLIENT_SECRET=account.client_secret,
        HOME=str(tmp_path),  # the app's token storage
    )
    done = run_python(
        f"""
        import os, globus_sdk
        app = globus_sdk.ClientApp(
            "readme", client_id=os.environ["CLIENT_ID"], client_secret=os.environ["CLIENT_SECRET"]
        )
        tc = globus_sdk.TransferClient(app=app)
        tc.add_app_data_access_scope("{TUTORIAL}")
        print(tc.base_url)
        print([f["name"] for f in tc.operation_ls("{TUTORIAL}", path="/home/share/godata")])
        """,
        env,
    )
    assert done.returncode == 0, done.stderr
    base_url, listing = done.stdout.splitlines()
    assert base_url.startswith("https://transfer.api.globus.org/")  # its production URL
    assert listing == "['file1.txt', 'file2.txt', 'file3.txt']"
    # the same world answered: the journal saw the login and the listing
    seen = [(e.service, e.operation) for e in globus_emulator.journal.entries()]
    assert seen == [("auth", "oauth2_token.client_credentials"), ("transfer", "operation_ls")]


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
def test_curl_reaches_transfer_through_the_proxy(globus_emulator, globus_proxy):
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, ["urn:globus:auth:scope:transfer.api.globus.org:all"]
    )
    done = subprocess.run(
        [
            CURL,
            "-sS",
            "-H",
            f"Authorization: Bearer {token}",
            f"https://transfer.api.globus.org/v0.10/endpoint/{TUTORIAL}",
        ],
        env=proxied_env(globus_proxy),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["display_name"] == "Globus Tutorial Collection 1"


def test_faults_apply_to_proxied_calls(globus_emulator, globus_proxy):
    globus_emulator.faults.add(service="transfer", status=409)
    done = run_python(
        """
        import globus_sdk
        tc = globus_sdk.TransferClient()
        try:
            tc.get_submission_id()
        except globus_sdk.TransferAPIError as err:
            print(err.http_status)
        """,
        proxied_env(globus_proxy),
    )
    assert done.stdout.strip() == "409", done.stderr


def _connect(proxy, target: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(proxy.host, proxy.port, timeout=10)
    connection.request("CONNECT", target)
    return connection.getresponse()


def test_hosts_it_does_not_serve_are_refused_by_name(globus_proxy):
    answer = _connect(globus_proxy, "example.com:443")
    assert answer.status == 403
    assert "does not serve example.com" in answer.read().decode()


def test_plain_http_to_a_foreign_host_is_refused(globus_proxy):
    connection = http.client.HTTPConnection(globus_proxy.host, globus_proxy.port, timeout=10)
    connection.request("GET", "http://example.com/")
    answer = connection.getresponse()
    assert answer.status == 403 and b"example.com" in answer.read()


def test_hosts_of_services_not_emulated_get_the_loud_501(globus_proxy):
    done = run_python(
        """
        import requests
        answer = requests.get("https://abcd.ef12.data.globus.org/api/info")
        print(answer.status_code, answer.json()["code"])
        """,
        proxied_env(globus_proxy),
    )
    assert done.stdout.split() == ["501", "NotEmulated"], done.stderr


def test_the_certificate_authority_key_stays_off_disk(globus_proxy):
    written = sorted(p.name for p in globus_proxy.folder.iterdir())
    assert "ca.pem" in written and not any("ca-key" in name for name in written)
    assert oct(globus_proxy.folder.stat().st_mode & 0o777) == "0o700"


def test_serve_with_proxy_prints_a_proxy_environment(tmp_path):
    env_file = tmp_path / "globus.env"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "globus_testkit.cli",
            "serve",
            "--proxy",
            "--env-file",
            str(env_file),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        waited = subprocess.run(
            [sys.executable, "-m", "globus_testkit.cli", "wait", str(env_file)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        exports = {}
        for line in waited.stdout.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            exports[name] = value.strip("'")
        assert "GLOBUS_SDK_SERVICE_URL_TRANSFER" not in exports
        assert exports["HTTPS_PROXY"].startswith("http://127.0.0.1:")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
        env.update(exports, HOME=str(tmp_path))
        done = run_python(
            """
            import os, globus_sdk
            app = globus_sdk.ClientApp(
                "cli-proxy",
                client_id=os.environ["GLOBUS_CLI_CLIENT_ID"],
                client_secret=os.environ["GLOBUS_CLI_CLIENT_SECRET"],
            )
            print(globus_sdk.TransferClient(app=app).get_endpoint(
                "6c54cade-bde5-45c1-bdea-f4bd71dba2cc")["display_name"])
            """,
            env,
        )
        assert done.stdout.strip() == "Globus Tutorial Collection 1", done.stderr
    finally:
        process.terminate()
        process.wait(timeout=10)


GLOBUS = shutil.which("globus")


@pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")
def test_globus_cli_lists_the_tutorial_through_the_proxy(globus_emulator, globus_proxy, tmp_path):
    account = globus_emulator.service_account
    env = proxied_env(
        globus_proxy,
        GLOBUS_CLI_CLIENT_ID=account.client_id,
        GLOBUS_CLI_CLIENT_SECRET=account.client_secret,
        HOME=str(tmp_path),
    )
    done = subprocess.run(
        [GLOBUS, "ls", f"{TUTORIAL}:/home/share/godata/"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.split() == ["file1.txt", "file2.txt", "file3.txt"], done.stderr
