from __future__ import annotations

import os

import pytest


@pytest.fixture
def cli_env(globus_emulator, globus_server, tmp_path):
    """The env block `serve` prints, with HOME in a temp dir, logged in as
    the world's service account."""
    account = globus_emulator.service_account
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLOBUS_", "HOME"))}
    env.update(globus_server.env)
    env["HOME"] = str(tmp_path)
    env["GLOBUS_CLI_CLIENT_ID"] = account.client_id
    env["GLOBUS_CLI_CLIENT_SECRET"] = account.client_secret
    return env
