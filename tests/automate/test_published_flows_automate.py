"""A published flow (tests/flows/published/) deployed and run to its end
through globus-automate-client 0.18, unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("globus_automate_client")

PUBLISHED = Path(__file__).parent.parent / "flows" / "published"


def test_the_looping_batched_move_runs_through_automate(flows_client, globus_emulator):
    document = json.loads((PUBLISHED / "looping_batched_move.json").read_text())
    source = globus_emulator.transfer.add_collection(
        "Instrument", files={f"/run/f{i}.txt": str(i) for i in range(3)}
    )
    archive = globus_emulator.transfer.add_collection("Archive", files={"/keep/.keep": ""})
    deployed = flows_client.deploy_flow(
        document["definition"], "Looping move", input_schema=document["input_schema"]
    )
    flow_id, flow_scope = deployed["id"], deployed["globus_auth_scope"]
    started = flows_client.run_flow(
        flow_id,
        flow_scope,
        {
            "source": {"id": source.id, "path": "/run/"},
            "destination": {"id": archive.id, "path": "/keep/"},
        },
    )
    for _ in range(30):  # poll as `flow run --watch` does; time moves meanwhile
        status = flows_client.flow_action_status(flow_id, flow_scope, started["action_id"])
        if status["status"] != "ACTIVE":
            break
        globus_emulator.clock.advance(60)
    assert status["status"] == "SUCCEEDED", status["details"]
    assert globus_emulator.transfer.read(archive, "/keep/f2.txt") == b"2"
    assert not globus_emulator.transfer.exists(source, "/run/f0.txt")
