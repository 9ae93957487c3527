"""Public clients that Globus's documentation and tools use are in every
world, so copied examples log in unchanged (docs/public-clients.md)."""

from __future__ import annotations

import globus_sdk
import pytest

from globus_testkit.services.auth.builtin import GLOBUS_CLI_TEMPLATE_ID, PUBLIC_CLIENTS

TUTORIAL_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
AUTOMATE_CLI_CLIENT_ID = "e6c75d97-532a-4c88-b031-8584a319fa3e"


def test_the_documented_ids_are_registered_in_every_world(globus_emulator):
    clients = globus_emulator.world.auth.clients
    for client_id in (TUTORIAL_CLIENT_ID, AUTOMATE_CLI_CLIENT_ID, GLOBUS_CLI_TEMPLATE_ID):
        assert clients[client_id].client_type == "public_installed_client"


@pytest.mark.parametrize("client_id", sorted(PUBLIC_CLIENTS))
def test_the_sdk_tutorials_login_works_unchanged_with_each_public_client(
    globus_emulator, client_id
):
    # the globus-sdk tutorial's native-app flow, with the emulator as the person
    auth_client = globus_sdk.NativeAppAuthClient(client_id)
    auth_client.oauth2_start_flow(requested_scopes="openid profile")
    code = globus_emulator.auth.authorize(auth_client.oauth2_get_authorize_url())
    tokens = auth_client.oauth2_exchange_code_for_tokens(code)
    access_token = tokens.by_resource_server["auth.globus.org"]["access_token"]
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(access_token))
    assert auth.userinfo()["sub"] == globus_emulator.user.id


def test_the_public_clients_page_lists_every_builtin_public_client():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "public-clients.md").read_text()
    for client_id in [*PUBLIC_CLIENTS, GLOBUS_CLI_TEMPLATE_ID]:
        assert client_id in page
