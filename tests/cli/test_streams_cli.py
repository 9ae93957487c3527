"""globus-cli's `globus streams ...` commands (tunnels and stream access
points) against the live server."""

from __future__ import annotations

import pytest

from .test_globus_cli import GLOBUS, globus

pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")


@pytest.fixture
def points(globus_emulator):
    initiator = globus_emulator.transfer.add_stream_access_point(
        "CLI initiator", organization="Lab", contact_email="ops@example.org"
    )
    listener = globus_emulator.transfer.add_stream_access_point("CLI listener")
    return initiator, listener


def test_access_point_show_prints_its_attributes(run, points, cli_env):
    initiator, _ = points
    shown = run("streams", "access-point", "show", initiator.id)["data"]
    assert shown["id"] == initiator.id
    assert shown["attributes"]["organization"] == "Lab"
    text = globus(cli_env, "streams", "access-point", "show", initiator.id).stdout
    assert "CLI initiator" in text and "ops@example.org" in text


def test_tunnel_create_show_update_list_stop_events_and_delete(
    run, points, cli_env, globus_emulator
):
    initiator, listener = points
    created = run(
        "streams",
        "tunnel",
        "create",
        initiator.id,
        listener.id,
        "--label",
        "cli tunnel",
        "--lifetime-minutes",
        "30",
    )["data"]
    tunnel_id = created["id"]
    assert created["attributes"]["state"] == "AWAITING_LISTENER"
    assert created["attributes"]["lifetime_mins"] == 30
    assert created["relationships"]["listener"]["data"]["id"] == listener.id

    shown = run("streams", "tunnel", "show", tunnel_id)["data"]
    assert shown["attributes"]["label"] == "cli tunnel"
    renamed = run("streams", "tunnel", "update", tunnel_id, "--label", "renamed")["data"]
    assert renamed["attributes"]["label"] == "renamed"
    listed = run("streams", "tunnel", "list")["data"]
    assert [(t["id"], t["attributes"]["label"]) for t in listed] == [(tunnel_id, "renamed")]
    assert "renamed" in globus(cli_env, "streams", "tunnel", "list").stdout

    stopping = run("streams", "tunnel", "stop", tunnel_id)["data"]
    assert stopping["attributes"]["state"] == "STOPPING"
    assert run("streams", "tunnel", "show", tunnel_id)["data"]["attributes"]["state"] == "STOPPED"
    events = run("streams", "tunnel", "events", tunnel_id)["data"]
    assert [e["attributes"]["code"] for e in events] == ["TUNNEL_STOPPED"]
    assert "TUNNEL_STOPPED" in globus(cli_env, "streams", "tunnel", "events", tunnel_id).stdout

    deleted = globus(cli_env, "streams", "tunnel", "delete", tunnel_id)
    assert "Tunnel deleted successfully" in deleted.stdout
    assert run("streams", "tunnel", "list")["data"] == []
    missing = globus(cli_env, "streams", "tunnel", "show", tunnel_id, check=False)
    assert missing.returncode != 0
    assert "404" in missing.stderr + missing.stdout


def test_tunnel_to_an_unseen_access_point_is_refused(run, points, cli_env, globus_emulator):
    initiator, _ = points
    owner = globus_emulator.auth.add_identity("owner@example.org")
    hidden = globus_emulator.transfer.add_stream_access_point("Hidden", owner=owner, public=False)
    refused = globus(cli_env, "streams", "tunnel", "create", initiator.id, hidden.id, check=False)
    assert refused.returncode != 0
    assert "404" in refused.stderr + refused.stdout
    assert run("streams", "tunnel", "list")["data"] == []
