"""Transfer streams: stream access points and the tunnels between them,
through TransferClient and globus_sdk.experimental.TransferClientV2."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import TRANSFER_ALL

experimental = pytest.importorskip("globus_sdk.experimental")
tunnel_data = pytest.importorskip("globus_sdk.services.transfer.data.tunnel_data")
if not hasattr(experimental, "TransferClientV2"):
    pytest.skip("this globus-sdk has no TransferClientV2", allow_module_level=True)

HOST = "d6428474-c308-4a2d-8a86-d377915d978b"
SEEDED = "5c0e7b1a-52a4-4a8e-9c55-0c7f2bd0a001"
WORLD = {
    "stream_access_points": [
        {
            "id": SEEDED,
            "display_name": "Beamline listener",
            "host_endpoint_id": HOST,
            "advertised_owner": "beamline@example.org",
            "organization": "Light Source",
        }
    ]
}


def token(globus_emulator, identity=None):
    authorizer = globus_sdk.AccessTokenAuthorizer(
        globus_emulator.auth.issue_token(identity or globus_emulator.user, TRANSFER_ALL)
    )
    return authorizer


@pytest.fixture
def clients(globus_emulator):
    """TransferClient and TransferClientV2 for the same user."""

    def make(identity=None):
        authorizer = token(globus_emulator, identity)
        return (
            globus_sdk.TransferClient(authorizer=authorizer),
            experimental.TransferClientV2(authorizer=authorizer),
        )

    return make


@pytest.fixture
def points(globus_emulator):
    return (
        globus_emulator.transfer.add_stream_access_point("Initiator", host_endpoint_id=HOST),
        globus_emulator.transfer.add_stream_access_point("Listener"),
    )


def new_tunnel(client, initiator, listener, **options):
    data = tunnel_data.CreateTunnelData(initiator.id, listener.id, **options)
    return client.create_tunnel(data)["data"]


def attributes(client, tunnel_id):
    return client.get_tunnel(tunnel_id)["data"]["attributes"]


def stop(client, tunnel_id):
    return client.update_tunnel(
        tunnel_id, {"data": {"type": "Tunnel", "attributes": {"state": "STOPPING"}}}
    )["data"]


def listen(client, tunnel_id, address="192.0.2.7", port=50000):
    return client.update_tunnel(
        tunnel_id,
        {
            "data": {
                "type": "Tunnel",
                "attributes": {"listener_ip_address": address, "listener_port": port},
            }
        },
    )["data"]


def error_of(call):
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        call()
    return caught.value


# -- stream access points -------------------------------------------------------------


@pytest.mark.globus(world=WORLD)
def test_seeded_access_point_is_shown_by_both_clients(clients):
    v1, v2 = clients()
    shown = v1.get_stream_access_point(SEEDED)["data"]
    assert shown["type"] == "StreamAccessPoint"
    assert shown["attributes"]["display_name"] == "Beamline listener"
    assert shown["attributes"]["organization"] == "Light Source"
    assert shown["attributes"]["advertised_owner"] == "beamline@example.org"
    assert shown["relationships"]["host_endpoint"]["data"] == {"id": HOST, "type": "Endpoint"}
    assert v2.get_stream_access_point(SEEDED)["data"] == shown
    assert [p["id"] for p in v2.list_stream_access_points()] == [SEEDED]


def test_private_access_point_is_seen_by_its_owner_and_named_principals(clients, globus_emulator):
    owner = globus_emulator.auth.add_identity("owner@example.org")
    member = globus_emulator.auth.add_identity("member@example.org")
    group = globus_emulator.world.groups.create("Streamers", {member.id: "member"})
    private = globus_emulator.transfer.add_stream_access_point(
        "Private", owner=owner, public=False, visible_to=[f"urn:globus:groups:id:{group.id}"]
    )
    for who in (owner, member):
        assert clients(who)[1].get_stream_access_point(private.id)["data"]["id"] == private.id
    outsider = clients()[1]
    err = error_of(lambda: outsider.get_stream_access_point(private.id))
    assert (err.http_status, err.code) == (404, "ClientError.NotFound")
    assert private.id not in [p["id"] for p in outsider.list_stream_access_points()]


def test_access_points_filter_by_fulltext(clients, globus_emulator):
    globus_emulator.transfer.add_stream_access_point("Beamline 7", organization="Light Source")
    globus_emulator.transfer.add_stream_access_point("Cluster", description="HPC light jobs")
    globus_emulator.transfer.add_stream_access_point("Laptop")
    _, v2 = clients()

    def names(text):
        found = v2.list_stream_access_points(query_params={"filter[fulltext]": text})
        return sorted(p["attributes"]["display_name"] for p in found)

    assert names("light") == ["Beamline 7", "Cluster"]
    assert names("light source") == ["Beamline 7"]
    assert names("nothing") == []


def test_access_points_on_endpoints_the_caller_administers(clients, globus_emulator):
    mine = globus_emulator.gcs.add_endpoint("My GCS")
    theirs = globus_emulator.gcs.add_endpoint(
        "Their GCS", owner=globus_emulator.auth.add_identity("them@example.org")
    )
    on_mine = globus_emulator.transfer.add_stream_access_point("Mine", host_endpoint_id=mine.id)
    globus_emulator.transfer.add_stream_access_point("Theirs", host_endpoint_id=theirs.id)
    _, v2 = clients()
    found = v2.list_stream_access_points(query_params={"filter[endpoint_admin]": "true"})
    assert [p["id"] for p in found] == [on_mine.id]
    # GCS-hosted: the access point's server is under its endpoint's domain
    server = found["data"][0]["attributes"]["tlsftp_server"]
    assert server.startswith("tlsftp://s-") and server.endswith(f".{mine.domain_name}:443")


def test_access_points_page_with_markers(clients, globus_emulator):
    made = [globus_emulator.transfer.add_stream_access_point(f"P{i}").id for i in range(5)]
    _, v2 = clients()
    pages = list(v2.paginated.list_stream_access_points(query_params={"page[limit]": 2}))
    assert [len(page["data"]) for page in pages] == [2, 2, 1]
    assert [p["id"] for page in pages for p in page] == made
    assert "links" not in pages[-1].data  # as recorded: no links on the last page
    bad = error_of(lambda: v2.list_stream_access_points(query_params={"page[marker]": "zz"}))
    assert bad.http_status == 422


# -- tunnels --------------------------------------------------------------------------


def test_new_tunnel_awaits_its_listener(clients, points, globus_emulator):
    v1, _ = clients()
    initiator, listener = points
    answer = v1.create_tunnel(
        tunnel_data.CreateTunnelData(initiator.id, listener.id, label="beam", lifetime_mins=30)
    )
    assert answer.http_status == 201
    created = answer["data"]
    assert created["type"] == "Tunnel"
    assert created["attributes"]["state"] == "AWAITING_LISTENER"
    assert created["attributes"]["label"] == "beam"
    assert created["attributes"]["lifetime_mins"] == 30
    relationships = created["relationships"]
    assert relationships["initiator"]["data"]["id"] == initiator.id
    assert relationships["listener"]["data"]["id"] == listener.id
    assert relationships["owner"]["data"] == {"id": globus_emulator.user.id, "type": "Identity"}
    assert v1.get_tunnel(created["id"])["data"] == created
    assert v1.get_tunnel_events(created["id"])["data"] == []


def test_listener_contact_makes_the_tunnel_active(clients, points):
    v1, v2 = clients()
    tunnel = new_tunnel(v1, *points)
    active = listen(v2, tunnel["id"])
    assert active["attributes"]["state"] == "ACTIVE"
    assert active["attributes"]["listener_ip_address"] == "192.0.2.7"
    assert active["attributes"]["listener_port"] == 50000
    codes = [e["attributes"]["code"] for e in v2.get_tunnel_events(tunnel["id"])]
    assert codes == ["STARTED", "TUNNEL_ACTIVE"]


def test_tunnel_created_with_its_listener_contact_starts_at_once(clients, points):
    _, v2 = clients()
    initiator, listener = points
    created = v2.create_tunnel(
        experimental.TunnelCreateDocument(
            initiator.id,
            listener.id,
            additional_fields={"listener_ip_address": "192.0.2.9", "listener_port": 6000},
        )
    )["data"]
    assert created["attributes"]["state"] == "ACTIVE"
    assert created["attributes"]["listener_port"] == 6000


def test_events_filter_by_code_and_error(clients, points):
    v1, _ = clients()
    tunnel = new_tunnel(v1, *points)
    listen(v1, tunnel["id"])
    only = v1.get_tunnel_events(tunnel["id"], query_params={"code_name": "TUNNEL_ACTIVE"})
    assert [e["attributes"]["code"] for e in only["data"]] == ["TUNNEL_ACTIVE"]
    errors = v1.get_tunnel_events(tunnel["id"], query_params={"is_error": "true"})
    assert errors["data"] == []
    bad = error_of(lambda: v1.get_tunnel_events(tunnel["id"], query_params={"is_error": "maybe"}))
    assert bad.http_status == 422


def test_stopping_a_tunnel_stops_it_by_the_next_read(clients, points):
    v1, v2 = clients()
    tunnel = new_tunnel(v1, *points)
    listen(v1, tunnel["id"])
    assert stop(v2, tunnel["id"])["attributes"]["state"] == "STOPPING"
    assert attributes(v1, tunnel["id"])["state"] == "STOPPED"
    events = v1.get_tunnel_events(tunnel["id"])["data"]
    assert [e["attributes"]["code"] for e in events] == [
        "STARTED",
        "TUNNEL_ACTIVE",
        "TUNNEL_STOPPED",
    ]
    assert all(e["type"] == "TunnelEvent" and not e["attributes"]["is_error"] for e in events)


def test_a_tunnel_stops_when_its_lifetime_passes(clients, points, globus_emulator):
    v1, _ = clients()
    tunnel = new_tunnel(v1, *points, lifetime_mins=10)
    globus_emulator.clock.advance(9 * 60)
    assert attributes(v1, tunnel["id"])["state"] == "AWAITING_LISTENER"
    globus_emulator.clock.advance(60)
    assert attributes(v1, tunnel["id"])["state"] == "STOPPED"


def test_longer_lifetime_and_new_label_are_kept(clients, points, globus_emulator):
    v1, v2 = clients()
    tunnel = new_tunnel(v1, *points, lifetime_mins=10)
    updated = v2.update_tunnel(
        tunnel["id"],
        experimental.TunnelUpdateDocument(label="renamed", additional_fields={"lifetime_mins": 60}),
    )["data"]["attributes"]
    assert (updated["label"], updated["lifetime_mins"]) == ("renamed", 60)
    globus_emulator.clock.advance(30 * 60)
    assert attributes(v1, tunnel["id"])["state"] == "AWAITING_LISTENER"


def test_resubmitted_submission_id_returns_the_same_tunnel(clients, points):
    v1, _ = clients()
    submission_id = v1.get_submission_id()["value"]
    first = new_tunnel(v1, *points, submission_id=submission_id)
    again = new_tunnel(v1, *points, submission_id=submission_id)
    assert again["id"] == first["id"]
    assert [t["id"] for t in v1.list_tunnels()] == [first["id"]]


def test_tunnels_are_their_owners_alone(clients, points, globus_emulator):
    v1, _ = clients()
    tunnel = new_tunnel(v1, *points)
    other = clients(globus_emulator.auth.add_identity("other@example.org"))[1]
    assert list(other.list_tunnels()) == []
    for call in (
        lambda: other.get_tunnel(tunnel["id"]),
        lambda: other.get_tunnel_events(tunnel["id"]),
        lambda: stop(other, tunnel["id"]),
        lambda: other.delete_tunnel(tunnel["id"]),
    ):
        assert error_of(call).http_status == 404
    assert attributes(v1, tunnel["id"])["state"] == "AWAITING_LISTENER"


def test_deleted_tunnel_is_gone(clients, points):
    v1, v2 = clients()
    tunnel = new_tunnel(v1, *points)
    assert v2.delete_tunnel(tunnel["id"])["data"] is None
    assert error_of(lambda: v1.get_tunnel(tunnel["id"])).http_status == 404
    assert list(v1.list_tunnels()) == []


def test_tunnel_to_an_unknown_access_point_is_not_made(clients, points):
    v1, _ = clients()
    initiator, _ = points
    data = tunnel_data.CreateTunnelData(initiator.id, "00000000-0000-4000-8000-000000000000")
    err = error_of(lambda: v1.create_tunnel(data))
    assert err.http_status == 404
    assert list(v1.list_tunnels()) == []


def test_errors_are_json_api_documents(clients, points):
    v1, _ = clients()
    err = error_of(lambda: v1.get_tunnel("00000000-0000-4000-8000-000000000000"))
    assert err.headers["Content-Type"] == "application/vnd.api+json"
    (error,) = err.raw_json["errors"]
    assert (error["status"], error["code"]) == ("404", "ClientError.NotFound")
    assert err.raw_json["meta"]["request_id"]


@pytest.mark.parametrize(
    "attributes_sent",
    [{"state": "ACTIVE"}, {"listener_port": 0}, {"lifetime_mins": "long"}, {"colour": "blue"}],
)
def test_bad_update_is_unprocessable_and_changes_nothing(clients, points, attributes_sent):
    v1, _ = clients()
    tunnel = new_tunnel(v1, *points, label="kept")
    before = v1.get_tunnel(tunnel["id"])["data"]
    document = {"data": {"type": "Tunnel", "attributes": {"label": "lost", **attributes_sent}}}
    err = error_of(lambda: v1.update_tunnel(tunnel["id"], document))
    assert (err.http_status, err.code) == (422, "ValidationError")
    assert v1.get_tunnel(tunnel["id"])["data"] == before


def test_malformed_create_is_unprocessable(clients, points):
    v1, _ = clients()
    initiator, _ = points
    document = {
        "data": {
            "type": "Tunnel",
            "attributes": {"label": "half"},
            "relationships": {
                "initiator": {"data": {"type": "StreamAccessPoint", "id": initiator.id}}
            },
        }
    }
    err = error_of(lambda: v1.create_tunnel(document))
    assert (err.http_status, err.code) == (422, "ValidationError")
    assert "relationships" in err.message
    assert list(v1.list_tunnels()) == []


def test_a_stopped_tunnel_cannot_be_stopped_or_reconnected(clients, points):
    v1, _ = clients()
    tunnel = new_tunnel(v1, *points)
    stop(v1, tunnel["id"])
    assert error_of(lambda: stop(v1, tunnel["id"])).http_status == 409
    assert error_of(lambda: listen(v1, tunnel["id"])).http_status == 409
    assert attributes(v1, tunnel["id"])["listener_ip_address"] is None


def test_lifetime_ending_in_the_past_is_refused(clients, points, globus_emulator):
    v1, _ = clients()
    tunnel = new_tunnel(v1, *points, lifetime_mins=60)
    globus_emulator.clock.advance(20 * 60)
    document = {"data": {"type": "Tunnel", "attributes": {"lifetime_mins": 10}}}
    assert error_of(lambda: v1.update_tunnel(tunnel["id"], document)).http_status == 400
    assert attributes(v1, tunnel["id"])["lifetime_mins"] == 60


def test_tunnels_and_access_points_survive_a_state_file(clients, points, globus_emulator, tmp_path):
    v1, _ = clients()
    tunnel = new_tunnel(v1, *points, label="kept")
    listen(v1, tunnel["id"])
    before = v1.get_tunnel(tunnel["id"])["data"]
    globus_emulator.save_state(tmp_path / "state")
    v1.delete_tunnel(tunnel["id"])
    globus_emulator.load_state(tmp_path / "state")
    assert v1.get_tunnel(tunnel["id"])["data"] == before
    assert len(v1.get_tunnel_events(tunnel["id"])["data"]) == 2
    assert v1.get_stream_access_point(points[0].id)["data"]["id"] == points[0].id


def test_world_file_with_an_unknown_access_point_field_is_refused():
    from globus_testkit import Emulator

    with pytest.raises(Exception, match="colour"):
        Emulator(world={"stream_access_points": [{"display_name": "x", "colour": "blue"}]})
