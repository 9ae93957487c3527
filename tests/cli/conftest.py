"""Fixtures the globus-cli tests share: the env block `serve` prints."""

from __future__ import annotations

import json
import os

import pytest

from .test_globus_cli import globus


@pytest.fixture
def cli_env(globus_emulator, globus_server, tmp_path):
    """The env block `serve` prints, with HOME in a temp dir."""
    account = globus_emulator.service_account
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLOBUS_", "HOME"))}
    env.update(globus_server.env)
    env["HOME"] = str(tmp_path)
    env["GLOBUS_CLI_CLIENT_ID"] = account.client_id
    env["GLOBUS_CLI_CLIENT_SECRET"] = account.client_secret
    return env


@pytest.fixture
def user_env(cli_env):
    env = dict(cli_env)
    del env["GLOBUS_CLI_CLIENT_ID"], env["GLOBUS_CLI_CLIENT_SECRET"]
    return env


@pytest.fixture
def run(cli_env):
    """globus-cli as the service account, with `-F json`: its parsed output."""

    def call(*args: str) -> dict:
        return json.loads(globus(cli_env, *args, "-F", "json").stdout)

    return call
