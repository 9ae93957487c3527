from __future__ import annotations

import globus_sdk
import pytest

FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
HELLO = "https://actions.globus.org/hello_world"


@pytest.fixture
def flows(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, FLOWS_ALL)
    return globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


@pytest.fixture
def runner_for(globus_emulator):
    """A SpecificFlowClient for a flow, with a token for its own scope."""

    def make(flow, identity=None):
        token = globus_emulator.auth.issue_token(
            identity or globus_emulator.user, flow["globus_auth_scope"]
        )
        return globus_sdk.SpecificFlowClient(
            flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
        )

    return make
