"""Fixtures the globus-cli tests share: the env block `serve` prints."""

from __future__ import annotations

import json
import os

import pytest

from .test_globus_cli import globus


@pytest.fixture
def cli_env_for(globus_emulator, tmp_path):
    """The env block a live server or proxy prints (its ``env``), with HOME
    in a temp dir and the CLI logged in as the service account."""

    def env_for(pointing: dict[str, str]) -> dict[str, str]:
        account = globus_emulator.service_account
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GLOBUS_", "HOME"))}
        env.update(pointing)
        env["HOME"] = str(tmp_path)
        env["GLOBUS_CLI_CLIENT_ID"] = account.client_id
        env["GLOBUS_CLI_CLIENT_SECRET"] = account.client_secret
        return env

    return env_for


@pytest.fixture
def cli_env(cli_env_for, globus_server):
    """The env block `serve` prints, with HOME in a temp dir."""
    return cli_env_for(globus_server.env)


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
