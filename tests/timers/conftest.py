from __future__ import annotations

import globus_sdk
import pytest
from globus_sdk.scopes import GCSCollectionScopes, SpecificFlowScopes, TimersScopes, TransferScopes

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
DAY = 24 * 3600
MONTH = 31 * DAY


def timer_scope(*collections: str, flows: tuple[str, ...] = ()) -> str:
    """Timers' scope with Transfer (and collections' data_access) and
    flows' own scopes beneath it, as the SDK's helpers build it."""
    data_access = [GCSCollectionScopes(c).data_access.with_optional(True) for c in collections]
    beneath = [TransferScopes.all.with_dependencies(data_access)]
    beneath += [SpecificFlowScopes(f).user for f in flows]
    return str(TimersScopes.timer.with_dependencies(beneath))


@pytest.fixture
def timers_for(globus_emulator):
    """A TimersClient for ``identity`` (default: the world's user),
    consented to the given collections and flows; its token outlives a
    month of clock jumps."""

    def make(
        identity=None, *collections: str, flows: tuple[str, ...] = ()
    ) -> globus_sdk.TimersClient:
        token = globus_emulator.auth.issue_token(
            identity or globus_emulator.user,
            timer_scope(*collections, flows=flows),
            lifetime=MONTH,
        )
        return globus_sdk.TimersClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))

    return make


@pytest.fixture
def timers(timers_for):
    return timers_for(None, TUTORIAL_1, TUTORIAL_2)


@pytest.fixture
def transfer(globus_emulator):
    """The user's own TransferClient, to see what timers did."""
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, str(TransferScopes.all), lifetime=MONTH
    )
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def tutorial_transfer(label: str | None = None) -> globus_sdk.TransferData:
    data = globus_sdk.TransferData(TUTORIAL_1, TUTORIAL_2, label=label)
    data.add_item("/share/godata/file1.txt", "/~/file1.txt")
    return data
