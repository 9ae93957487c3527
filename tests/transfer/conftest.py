from __future__ import annotations

import globus_sdk
import pytest

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"


def consented_scope(*collections: str) -> str:
    deps = " ".join(f"*https://auth.globus.org/scopes/{c}/data_access" for c in collections)
    return f"{TRANSFER_ALL}[{deps}]" if deps else TRANSFER_ALL


@pytest.fixture
def transfer_for(globus_emulator):
    """A TransferClient for ``identity`` consented to the given collections."""

    def make(identity=None, *collections: str) -> globus_sdk.TransferClient:
        token = globus_emulator.auth.issue_token(
            identity or globus_emulator.user, consented_scope(*collections)
        )
        return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))

    return make


@pytest.fixture
def tc(transfer_for, lab, scratch):
    """The user's TransferClient, consented to the tutorials and their own
    two collections."""
    return transfer_for(None, TUTORIAL_1, TUTORIAL_2, lab.id, scratch.id)


# Both collections are managed (under a subscription), so their activity
# roles count for endpoint management.
MANAGED = "0d5e1f2a-0000-4000-8000-00000000feed"


@pytest.fixture
def lab(globus_emulator):
    return globus_emulator.transfer.add_collection(
        "Lab storage",
        subscription_id=MANAGED,
        files={
            "/data/run1/a.dat": "alpha",
            "/data/run1/b.dat": "bravo",
            "/data/run1/sub/c.log": "charlie",
            "/data/.hidden": "secret",
            "/data/big.bin": 5_000_000_000,
        },
    )


@pytest.fixture
def scratch(globus_emulator):
    return globus_emulator.transfer.add_collection(
        "Scratch space", description="fast disks", subscription_id=MANAGED
    )
