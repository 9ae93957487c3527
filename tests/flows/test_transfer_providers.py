"""The hosted Transfer providers through the Action Provider Interface, as
a flow or globus-automate-client calls them: today's inputs and the legacy
ones, the newer providers, and bad input answered as a client error."""

from __future__ import annotations

import pytest

from globus_testkit.services.actions.client import ProviderClient

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
CURRENT = "https://transfer.actions.globus.org"
LEGACY = "https://actions.globus.org/transfer"


def provider(globus_emulator, globus_transport, url, scope=TRANSFER_ALL):
    if globus_transport == "server":
        server = globus_emulator._servers[0]
        url = url.replace("https://transfer.actions.globus.org", f"{server.url}/actions")
        url = url.replace("https://actions.globus.org", f"{server.url}/actions")
    return ProviderClient(url, globus_emulator.auth.issue_token(globus_emulator.user, scope))


@pytest.fixture
def lab(globus_emulator):
    return globus_emulator.transfer.add_collection("Lab", files={"/in/a.txt": "alpha"})


def test_transfer_takes_todays_data_items(globus_emulator, globus_transport, lab):
    client = provider(globus_emulator, globus_transport, f"{CURRENT}/transfer")
    started = client.run(
        {
            "source_endpoint": lab.id,
            "destination_endpoint": lab.id,
            "label": "copy a",
            "DATA": [{"source_path": "/in/a.txt", "destination_path": "/out/a.txt"}],
        }
    )
    assert started.status_code == 202, started.text
    status = client.status(started.json()["action_id"]).json()
    assert status["status"] == "SUCCEEDED", status
    assert status["details"]["label"] == "copy a"
    assert globus_emulator.transfer.read(lab, "/out/a.txt") == b"alpha"


def test_delete_takes_todays_data_items_and_the_legacy_form(globus_emulator, globus_transport, lab):
    current = provider(globus_emulator, globus_transport, f"{CURRENT}/delete")
    done = current.run({"endpoint": lab.id, "DATA": [{"path": "/in/a.txt"}]}).json()
    assert current.status(done["action_id"]).json()["status"] == "SUCCEEDED"
    assert not globus_emulator.transfer.exists(lab, "/in/a.txt")
    globus_emulator.transfer.write(lab, "/in/b.txt", "bravo")
    legacy = provider(
        globus_emulator,
        globus_transport,
        f"{LEGACY}/delete",
        "https://auth.globus.org/scopes/actions.globus.org/transfer/delete",
    )
    done = legacy.run({"endpoint_id": lab.id, "items": [{"path": "/in/b.txt"}]}).json()
    assert legacy.status(done["action_id"]).json()["status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("delete", {"endpoint_id": TUTORIAL_1, "items": "/home/share/godata/file1.txt"}),
        (
            "transfer",
            {
                "source_endpoint_id": TUTORIAL_1,
                "transfer_items": [{"source_path": "/a", "destination_path": "/b"}],
            },
        ),
        ("transfer", {"source_endpoint": TUTORIAL_1, "destination_endpoint": TUTORIAL_2}),
    ],
)
def test_bad_input_is_a_client_error_and_starts_nothing(
    globus_emulator, globus_transport, name, body
):
    client = provider(globus_emulator, globus_transport, f"{CURRENT}/{name}")
    answer = client.run(body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "BadActionRequest"
    assert globus_emulator.world.actions.actions == {}


def test_collection_info_describes_the_collection(globus_emulator, globus_transport, lab):
    client = provider(globus_emulator, globus_transport, f"{CURRENT}/collection_info")
    done = client.run({"endpoint_id": lab.id}).json()
    assert done["status"] == "SUCCEEDED"
    assert (done["details"]["id"], done["details"]["display_name"]) == (lab.id, "Lab")


def test_manage_permission_creates_updates_and_deletes_a_rule(globus_emulator, globus_transport):
    guest = globus_emulator.transfer.add_collection(
        "Shared", entity_type="GCSv5_guest_collection", files={"/share/x.txt": "x"}
    )
    friend = globus_emulator.auth.add_identity("friend@example.org")
    client = provider(globus_emulator, globus_transport, f"{CURRENT}/manage_permission")
    created = client.run(
        {
            "operation": "CREATE",
            "endpoint_id": guest.id,
            "path": "/share/",
            "permissions": "r",
            "principal_type": "identity",
            "principal": friend.id,
        }
    ).json()
    assert created["status"] == "SUCCEEDED", created
    rule_id = created["details"]["access_id"]
    updated = client.run(
        {"operation": "UPDATE", "endpoint_id": guest.id, "rule_id": rule_id, "permissions": "rw"}
    ).json()
    assert updated["status"] == "SUCCEEDED", updated
    deleted = client.run({"operation": "DELETE", "endpoint_id": guest.id, "rule_id": rule_id})
    assert deleted.json()["status"] == "SUCCEEDED"
    again = client.run({"operation": "DELETE", "endpoint_id": guest.id, "rule_id": rule_id})
    assert again.json()["status"] == "FAILED"
    assert again.json()["details"]["http_status"] == 404


def test_stat_of_a_missing_path_succeeds_with_not_found(globus_emulator, globus_transport):
    # whether a path exists is what stat answers: Globus's published move
    # and two-hop flows stat a destination that may not exist, with no Catch
    client = provider(globus_emulator, globus_transport, f"{CURRENT}/stat")
    done = client.run({"endpoint_id": TUTORIAL_1, "path": "/no/such"}).json()
    assert done["status"] == "SUCCEEDED"
    assert done["details"]["code"] == "NotFound"
    assert "type" not in done["details"]


def test_stat_on_an_unknown_collection_still_fails(globus_emulator, globus_transport):
    client = provider(globus_emulator, globus_transport, f"{CURRENT}/stat")
    unknown = "00000000-0000-4000-8000-000000000000"
    done = client.run({"endpoint_id": unknown, "path": "/"}).json()
    assert done["status"] == "FAILED"


def test_ls_of_a_missing_path_still_fails_as_not_found(globus_emulator, globus_transport):
    client = provider(globus_emulator, globus_transport, f"{CURRENT}/ls")
    done = client.run({"endpoint_id": TUTORIAL_1, "path": "/no/such/"}).json()
    assert done["status"] == "FAILED"
    assert done["details"]["code"] == "NotFound"


def test_a_transfer_item_without_recursive_copies_a_directory(globus_emulator, globus_transport):
    # the provider's own documented example names a directory with no
    # `recursive`: Transfer tells the path's type itself
    globus_emulator.transfer.write(TUTORIAL_1, "/home/share/godata/run/a.txt", "a")
    client = provider(globus_emulator, globus_transport, f"{CURRENT}/transfer")
    done = client.run(
        {
            "source_endpoint": TUTORIAL_1,
            "destination_endpoint": TUTORIAL_1,
            "DATA": [{"source_path": "/~/run/", "destination_path": "/~/copy/"}],
        }
    ).json()
    while done["status"] == "ACTIVE":
        globus_emulator.clock.advance(60)
        done = client.status(done["action_id"]).json()
    assert done["status"] == "SUCCEEDED", done
    assert globus_emulator.transfer.read(TUTORIAL_1, "/home/share/godata/copy/a.txt") == b"a"
