"""globus-automate-client's FlowsClient, built as its docs build it, against
the emulator in either transport."""

from __future__ import annotations

import globus_sdk
import pytest

MANAGE_FLOWS = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/manage_flows"


@pytest.fixture
def base_url(globus_emulator, globus_transport):
    if globus_transport == "server":
        return globus_emulator._servers[0].service_url("flows").rstrip("/")
    return "https://flows.automate.globus.org"


@pytest.fixture
def flows_client(globus_emulator, base_url):
    def authorizer_callback(flow_url, flow_scope, client_id):
        # the seed's callback shape: an authorizer for the flow's own scope
        token = globus_emulator.auth.issue_token(globus_emulator.user, flow_scope)
        return globus_sdk.AccessTokenAuthorizer(token)

    token = globus_emulator.auth.issue_token(globus_emulator.user, MANAGE_FLOWS)
    return pytest.importorskip("globus_automate_client").FlowsClient.new_client(
        globus_emulator.native_client_id,
        authorizer_callback,
        globus_sdk.AccessTokenAuthorizer(token),
        base_url=base_url,
    )
