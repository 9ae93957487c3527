from __future__ import annotations

import globus_sdk
import pytest

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
DAY = 24 * 3600
MONTH = 31 * DAY
# Scope strings written out (globus-sdk 3.x and 4.x build them differently).
TIMER = "https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer"
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"


def data_access(collection: str) -> str:
    return f"https://auth.globus.org/scopes/{collection}/data_access"


def flow_user(flow_id: str) -> str:
    return f"https://auth.globus.org/scopes/{flow_id}/flow_{flow_id.replace('-', '_')}_user"


def timer_scope(*collections: str, flows: tuple[str, ...] = ()) -> str:
    """Timers' scope with Transfer (and collections' data_access) and
    flows' own scopes beneath it, as the SDK's helpers build it."""
    beneath = " ".join(f"*{data_access(c)}" for c in collections)
    transfer = f"{TRANSFER_ALL}[{beneath}]" if beneath else TRANSFER_ALL
    return f"{TIMER}[{' '.join([transfer, *(flow_user(f) for f in flows)])}]"


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
    token = globus_emulator.auth.issue_token(globus_emulator.user, TRANSFER_ALL, lifetime=MONTH)
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def tutorial_transfer(label: str | None = None) -> globus_sdk.TransferData:
    data = globus_sdk.TransferData(
        source_endpoint=TUTORIAL_1, destination_endpoint=TUTORIAL_2, label=label
    )
    data.add_item("/share/godata/file1.txt", "/~/file1.txt")
    return data
