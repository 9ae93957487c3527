"""The opt-in certifi hook of proxy mode (``serve --proxy --python-trust``,
``ProxyServer.python_trust_env``): Python programs that verify against
certifi's bundle alone trust the run's CA, any ``sitecustomize`` already
there still runs, and nothing is left trusting once the run is over."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from globus_testkit.transports.proxy import ProxyServer

TUTORIAL_URL = "https://transfer.api.globus.org/v0.10/endpoint/6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
# requests with verify=True and no CA variable: certifi's bundle, and only it
PINNED = f"""
import certifi, requests
print(certifi.where())
try:
    reply = requests.get({TUTORIAL_URL!r}, verify=True, timeout=30)
    print(reply.status_code)
except requests.exceptions.SSLError:
    print("SSLError")
"""


def certifi_only_env(proxy_env: dict[str, str], **extra: str) -> dict[str, str]:
    """The proxy's environment minus every CA variable, as a program that
    pins certifi effectively sees it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    env.update(proxy_env, **extra)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "GLOBUS_SDK_VERIFY_SSL"):
        env.pop(name, None)
    return env


def run_python(code: str, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_program_pinning_certifi_refuses_the_proxy_without_the_hook(globus_proxy):
    assert run_python(PINNED, certifi_only_env(globus_proxy.env))[-1] == "SSLError"


def test_with_the_hook_certifi_names_a_bundle_that_trusts_the_run(globus_proxy):
    env = certifi_only_env(globus_proxy.env, **globus_proxy.python_trust_env)
    where, status = run_python(PINNED, env)
    assert Path(where).parent == globus_proxy.folder
    assert status == "401"  # the emulator answered: Transfer wants a token
    bundle = Path(where).read_bytes()
    assert globus_proxy.authority.ca_file.read_bytes() in bundle
    assert bundle.count(b"BEGIN CERTIFICATE") > 1  # certifi's roots stay trusted


def test_the_hook_keeps_the_pythonpath_and_runs_the_sitecustomize_it_shadows(
    globus_proxy, tmp_path, monkeypatch
):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "sitecustomize.py").write_text("import os\nos.environ['THEIRS_RAN'] = 'yes'\n")
    monkeypatch.setenv("PYTHONPATH", str(theirs))
    trust = globus_proxy.python_trust_env
    assert trust["PYTHONPATH"].split(os.pathsep) == [
        str(globus_proxy.python_trust_dir),
        str(theirs),
    ]
    env = certifi_only_env(globus_proxy.env, **trust)
    code = "import os, certifi\nprint(os.environ.get('THEIRS_RAN'), certifi.where())"
    ran, where = run_python(code, env)
    assert ran == "yes"
    assert Path(where).parent == globus_proxy.folder


def test_once_the_proxy_stops_the_hook_is_gone_and_certifi_is_its_own(globus_emulator):
    proxy = ProxyServer(globus_emulator)
    trust = proxy.python_trust_env
    proxy.stop()
    env = certifi_only_env({}, **trust)
    (where,) = run_python("import certifi\nprint(certifi.where())", env)
    assert not Path(where).is_relative_to(proxy.folder)
    assert not proxy.folder.exists()


def test_serve_prints_the_hook_only_when_asked(tmp_path):
    env_file = tmp_path / "globus.env"
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "globus_testkit.cli", "serve"),
            *("--proxy", "--python-trust", "--env-file", str(env_file)),
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
        hook_dir = Path(exports["PYTHONPATH"].split(os.pathsep)[0])
        assert (hook_dir / "sitecustomize.py").is_file()
        assert oct(hook_dir.parent.stat().st_mode & 0o777) == "0o700"
        assert run_python(PINNED, certifi_only_env(exports))[-1] == "401"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_python_trust_without_proxy_is_refused():
    done = subprocess.run(
        [sys.executable, "-m", "globus_testkit.cli", "serve", "--python-trust"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--python-trust needs --proxy" in done.stderr
