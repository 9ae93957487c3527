"""State files are data only: what is saved comes back, and nothing in a
file can run code or make loading fail other than with StateFileError."""

from __future__ import annotations

import json
import os
import pickle

import globus_sdk
import pytest

from globus_testkit import Emulator, StateFileError
from globus_testkit.http import MAX_JSON_DEPTH

FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
HELLO = "https://actions.globus.org/hello_world"
# The deepest JSON the emulator accepts in a request body (harden-http's
# MAX_JSON_DEPTH); a flow's Parameters sit a few levels inside the body.
# As deep as a flow's Parameters can nest inside a request Flows accepts.
DEEP = MAX_JSON_DEPTH - 8


def nested(depth: int) -> object:
    value: object = "bottom"
    for level in range(depth):
        value = {f"level{level}": value} if level % 2 else [value]
    return value


def _flows_client(emulator: Emulator) -> globus_sdk.FlowsClient:
    token = emulator.auth.issue_token(emulator.user, FLOWS_ALL)
    return globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def _definition(parameters: object) -> dict[str, object]:
    return {
        "StartAt": "Hello",
        "States": {
            "Hello": {
                "Type": "Action",
                "ActionUrl": HELLO,
                "Parameters": {"echo_string": "hi", "extra": parameters},
                "ResultPath": "$.hello",
                "End": True,
            }
        },
    }


def test_a_saved_world_comes_back_whole_and_its_tokens_still_work(globus_emulator, tmp_path):
    flows = _flows_client(globus_emulator)
    flow = flows.create_flow("deep", _definition(nested(DEEP)), {})
    lab = globus_emulator.transfer.add_collection("Lab", files={"/a.bin": b"\x00\xffbytes"})
    globus_emulator.clock.advance(3600)
    now = globus_emulator.clock.now()
    state = tmp_path / "world.json"

    globus_emulator.save_state(state)
    globus_emulator.reset()
    globus_emulator.load_state(state)

    again = flows.get_flow(flow["id"])  # the old token is valid again
    assert again["definition"] == _definition(nested(DEEP))
    world = globus_emulator.world
    assert world.clock.now() == now
    # shared objects stay shared: every model reads the world's one clock
    assert world.auth.clock is world.clock is world.transfer.clock is world.flows.clock
    found = world.transfer.collections[lab.id].tree.find("/a.bin")
    assert found.content == b"\x00\xffbytes"
    assert json.loads(state.read_text())["format"] == "globus-testkit-state"


def test_a_flow_nested_as_deep_as_requests_allow_saves_and_loads(tmp_path):
    with Emulator() as emulator:
        definition = _definition(nested(DEEP))
        flow = _flows_client(emulator).create_flow("deep", definition, {})
        emulator.save_state(tmp_path / "state")
    fresh = Emulator()
    fresh.load_state(tmp_path / "state")
    assert fresh.world.flows.flows[flow["id"]].definition == definition


def test_exchange_mailboxes_and_fault_rules_survive_a_round_trip(tmp_path):
    from globus_testkit.services.exchange.models import EntityId, Mailbox

    emulator = Emulator(seed=4)
    entity = EntityId("0b0c3a4e-1d7f-4b43-9c3b-2a1f8e6d5c4b", "agent", "alice")
    mailbox = Mailbox(entity, emulator.user.id, 1.0, agent_classes=("A", "Base"))
    mailbox.shares.add("group-1")
    emulator.world.exchange.mailboxes[entity] = mailbox
    emulator.faults.add(service="transfer", status=503, probability=0.5)
    emulator.save_state(tmp_path / "state")

    loaded = Emulator()
    loaded.load_state(tmp_path / "state")
    back = loaded.world.exchange.mailboxes[entity]
    assert back.agent_classes == ("A", "Base") and back.shares == {"group-1"}
    assert loaded.faults.rules[0].status == 503
    assert loaded.seed == 4
    # the fault rules' random draws continue where they were
    assert loaded.faults._rng.random() == emulator.faults._rng.random()


def test_a_pickle_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    state = tmp_path / "state"
    state.write_bytes(pickle.dumps(Exploit()))
    with pytest.raises(StateFileError, match="not a globus-testkit state file"):
        Emulator().load_state(state)
    assert not marker.exists()


@pytest.mark.parametrize(
    "name",
    [
        "os:system",
        "subprocess:Popen",
        "globus_testkit.emulator:Emulator",
        "globus_testkit.transports.server:LiveServer",
        "globus_testkit.services.flows.routes:FlowsService",
        "globus_testkit.nonexistent:Thing",
    ],
)
def test_a_state_file_naming_a_class_outside_the_world_models_is_refused(tmp_path, name):
    document = {
        "format": "globus-testkit-state",
        "version": 3,
        "seed": 0,
        "spec": {},
        "world": {"$object": name, "state": {}},
    }
    state = tmp_path / "state"
    state.write_text(json.dumps(document))
    with pytest.raises(StateFileError, match="not a world model class"):
        Emulator().load_state(state)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "is empty"),
        (b"   \n", "is empty"),
        (b'{"format": "globus-testkit-state", "version": 3, "seed"', "truncated or corrupt"),
        (b'{"some": "other json"}', "not a globus-testkit state file"),
        (b"[1, 2, 3]", "not a globus-testkit state file"),
        (b"\x80\x04\x95garbage", "not a globus-testkit state file"),
        (b'{"format": "globus-testkit-state", "version": 99}', "version 99"),
        (
            b'{"format": "globus-testkit-state", "version": 3, "seed": 0, "spec": {},'
            b' "world": {"$nonsense": 1}}',
            "corrupt: unknown tag",
        ),
        (
            b'{"format": "globus-testkit-state", "version": 3, "seed": 0, "spec": {},'
            b' "world": {"$ref": 7}}',
            "corrupt: reference to unknown object",
        ),
        (
            b'{"format": "globus-testkit-state", "version": 3, "seed": 0, "spec": {},'
            b' "world": {"a": 1}}',
            "corrupt: it holds no world",
        ),
    ],
)
def test_a_broken_state_file_raises_one_clear_error_and_keeps_the_world(tmp_path, content, problem):
    emulator = Emulator()
    world = emulator.world
    state = tmp_path / "state"
    state.write_bytes(content)
    with pytest.raises(StateFileError, match=problem):
        emulator.load_state(state)
    assert emulator.world is world


def test_a_missing_state_file_raises_state_file_error(tmp_path):
    with pytest.raises(StateFileError, match="cannot read"):
        Emulator().load_state(tmp_path / "absent")


def test_a_truncated_copy_of_a_real_state_file_is_refused(tmp_path):
    emulator = Emulator()
    emulator.save_state(tmp_path / "whole")
    data = (tmp_path / "whole").read_bytes()
    for cut in (1, len(data) // 3, len(data) - 1):
        (tmp_path / "cut").write_bytes(data[:cut])
        with pytest.raises(StateFileError):
            Emulator().load_state(tmp_path / "cut")


def test_saving_never_follows_a_symlink_planted_beside_the_state_file(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    state = tmp_path / "world.state"
    (tmp_path / "world.state.partial").symlink_to(victim)
    Emulator().save_state(state)
    assert victim.read_text() == "precious"
    assert not state.is_symlink()
    Emulator().load_state(state)
    # no temp file is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "victim",
        "world.state",
        "world.state.partial",
    ]


def test_saving_something_that_is_not_world_data_fails_before_touching_the_file(tmp_path):
    import threading

    emulator = Emulator()
    state = tmp_path / "state"
    emulator.save_state(state)
    before = state.read_bytes()
    emulator.world.flows.lock = threading.Lock()  # type: ignore[attr-defined]
    with pytest.raises(StateFileError, match="lock"):
        emulator.save_state(state)
    assert state.read_bytes() == before


def test_a_world_nested_deeper_than_any_request_allows_still_saves(tmp_path):
    emulator = Emulator()
    emulator.world.flows.extra = nested(4 * DEEP)  # type: ignore[attr-defined]
    emulator.save_state(tmp_path / "state")
    loaded = Emulator()
    loaded.load_state(tmp_path / "state")
    assert loaded.world.flows.extra == nested(4 * DEEP)  # type: ignore[attr-defined]


def test_a_world_too_deep_to_save_fails_cleanly_and_keeps_the_old_file(tmp_path):
    emulator = Emulator()
    state = tmp_path / "state"
    emulator.save_state(state)
    before = state.read_bytes()
    emulator.world.flows.extra = nested(5000)  # type: ignore[attr-defined]
    with pytest.raises(StateFileError, match="nested too deeply"):
        emulator.save_state(state)
    assert state.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["state"]


def test_a_model_object_missing_its_fields_is_refused_when_loading(tmp_path):
    document = {
        "format": "globus-testkit-state",
        "version": 3,
        "seed": 0,
        "spec": {},
        "world": {
            "$object": "globus_testkit.services.exchange.models:EntityId",
            "state": {"uid": "x"},
        },
    }
    (tmp_path / "state").write_text(json.dumps(document))
    with pytest.raises(StateFileError, match="EntityId lacks role"):
        Emulator().load_state(tmp_path / "state")
