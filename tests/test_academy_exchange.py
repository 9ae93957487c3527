"""Academy's hosted exchange, emulated: its models, its HTTP surface, and
academy-py itself launching agents through it.

The academy tests need academy-py (``nox -s academy`` installs it); they
skip without it. Everything else here runs in every session.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import threading
import time
import uuid

import pytest
import requests

from globus_testkit.clock import Clock
from globus_testkit.services.exchange.models import (
    AGENT,
    EXCHANGE_SCOPE,
    REQUEST,
    RESPONSE,
    USER,
    Caller,
    EntityId,
    ExchangeState,
    MailboxTerminated,
    Message,
    MessageTooLarge,
    NotPermitted,
    Statistics,
    UnknownMailbox,
)

try:
    from academy.agent import Agent, action
except ImportError:  # academy-py is optional; its tests skip below
    Agent = None

MANAGE_PROJECTS = "urn:globus:auth:scope:auth.globus.org:manage_projects"
ALICE, BOB = Caller("alice"), Caller("bob")
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"

# -- the models ----------------------------------------------------------------


def entity(role: str = AGENT, name: str | None = None) -> EntityId:
    return EntityId(str(uuid.uuid4()), role, name)


def message(src: EntityId, dest: EntityId, kind: str = REQUEST, tag: str | None = None) -> Message:
    tag = tag or str(uuid.uuid4())
    header = {"src": src.to_doc(), "dest": dest.to_doc(), "tag": tag, "kind": kind}
    raw = json.dumps({"header": header, "body": {"kind": "ping-request"}})
    return Message(src=src, dest=dest, tag=tag, kind=kind, raw=raw, label=None)


def alices_user_and_agent(exchange: ExchangeState) -> tuple[EntityId, EntityId]:
    user, agent = entity(USER), entity()
    exchange.register(ALICE, user)
    exchange.register(ALICE, agent)
    return user, agent


@pytest.fixture
def exchange() -> ExchangeState:
    return ExchangeState(Clock(start=1000.0))


def test_a_mailbox_belongs_to_whoever_registered_it(exchange):
    agent = entity()
    exchange.register(ALICE, agent, ("m.Worker",))
    assert exchange.register(ALICE, agent) is exchange.mailbox(agent)  # idempotent
    assert exchange.mailbox(agent).agent_classes == ("m.Worker",)
    with pytest.raises(NotPermitted):
        exchange.register(BOB, agent)
    with pytest.raises(NotPermitted):
        exchange.send(BOB, message(entity(USER), agent))
    with pytest.raises(NotPermitted):
        exchange.receive(BOB, agent)
    assert exchange.status(BOB, entity()) == "MISSING"  # an unknown id is anyone's to ask about


def test_the_name_is_not_part_of_an_entitys_identity(exchange):
    named = entity(name="worker")
    exchange.register(ALICE, named)
    assert exchange.mailbox(EntityId(named.uid, AGENT)) is not None
    assert exchange.mailbox(EntityId(named.uid, USER)) is None


def test_messages_arrive_in_order_and_once(exchange):
    user, agent = alices_user_and_agent(exchange)
    first, second = message(user, agent), message(user, agent)
    exchange.send(ALICE, first)
    exchange.send(ALICE, second)
    assert exchange.receive(ALICE, agent) == first
    assert exchange.receive(ALICE, agent) == second
    assert exchange.receive(ALICE, agent) is None
    with pytest.raises(UnknownMailbox):
        exchange.receive(ALICE, entity())
    with pytest.raises(UnknownMailbox):
        exchange.send(ALICE, message(user, entity()))


def test_discovery_by_class_with_and_without_subclasses(exchange):
    base, derived, other = entity(), entity(), entity()
    exchange.register(ALICE, base, ("m.Base",))
    exchange.register(ALICE, derived, ("m.Derived", "m.Base"))
    exchange.register(ALICE, other, ("m.Other",))
    exchange.register(BOB, entity(), ("m.Base",))  # not alice's
    exchange.register(ALICE, entity(USER), ("m.Base",))  # users have no class
    assert exchange.discover(ALICE, "m.Base", allow_subclasses=True) == [base, derived]
    assert exchange.discover(ALICE, "m.Base", allow_subclasses=False) == [base]
    assert exchange.discover(ALICE, "m.Derived", allow_subclasses=True) == [derived]
    exchange.terminate(ALICE, derived)
    assert exchange.discover(ALICE, "m.Base", allow_subclasses=True) == [base]


def test_termination_is_final_and_answers_pending_requests(exchange):
    user, agent = entity(USER), entity()
    exchange.register(ALICE, user)
    exchange.register(ALICE, agent, ("m.Worker",))
    taken, waiting = message(user, agent), message(user, agent)
    exchange.send(ALICE, taken)
    exchange.send(ALICE, waiting)
    assert exchange.receive(ALICE, agent) == taken  # in progress when terminated

    answers = exchange.terminate(ALICE, agent)

    assert [a.tag for a in answers] == [taken.tag, waiting.tag]
    for sent in answers:
        received = exchange.receive(ALICE, user)
        assert received == sent
        document = json.loads(received.raw)
        assert document["header"]["kind"] == RESPONSE
        assert document["header"]["src"]["uid"] == agent.uid
        assert document["header"]["dest"]["uid"] == user.uid
        assert document["body"] == {
            "error_code": 0,
            "mailbox_id": agent.to_doc(),
            "kind": "academy-error-response",
        }
    assert exchange.status(ALICE, agent) == "TERMINATED"
    with pytest.raises(MailboxTerminated):
        exchange.send(ALICE, message(user, agent))
    with pytest.raises(MailboxTerminated):
        exchange.receive(ALICE, agent)
    with pytest.raises(MailboxTerminated):
        exchange.heartbeat_age(ALICE, agent)
    exchange.register(ALICE, agent)  # a gravestone: it stays terminated
    assert exchange.status(ALICE, agent) == "TERMINATED"
    assert exchange.terminate(ALICE, agent) == []
    assert exchange.terminate(ALICE, entity()) == []  # unknown: nothing happens


def test_no_answer_goes_to_a_terminated_requester(exchange):
    user, agent = alices_user_and_agent(exchange)
    exchange.send(ALICE, message(user, agent))
    exchange.terminate(ALICE, user)
    assert exchange.terminate(ALICE, agent) == []


def test_statistics_follow_requests_to_their_answers(exchange):
    user, agent = alices_user_and_agent(exchange)
    first, second = message(user, agent), message(user, agent)
    exchange.send(ALICE, first)
    exchange.send(ALICE, second)
    exchange.receive(ALICE, agent)
    assert exchange.statistics(ALICE, agent) == Statistics(
        incoming=2, outgoing=0, completed=0, in_progress=1, queued=1
    )
    exchange.send(ALICE, message(agent, user, RESPONSE, tag=first.tag))
    assert exchange.statistics(ALICE, agent) == Statistics(
        incoming=2, outgoing=0, completed=1, in_progress=0, queued=1
    )
    assert exchange.statistics(ALICE, user).outgoing == 2
    assert exchange.statistics(ALICE, entity()) == Statistics()


def test_owners_share_mailboxes_with_their_own_groups(exchange):
    user, agent = alices_user_and_agent(exchange)
    exchange.register(ALICE, worker := entity(), ("m.Worker",))
    alice_in_lab = Caller("alice", frozenset({"lab"}))
    bob_in_lab = Caller("bob", frozenset({"lab"}))
    with pytest.raises(NotPermitted):
        exchange.receive(bob_in_lab, agent)
    with pytest.raises(NotPermitted):
        exchange.share(ALICE, agent, "lab")  # alice is not in lab
    with pytest.raises(NotPermitted):
        exchange.share(bob_in_lab, agent, "lab")  # not bob's to share
    with pytest.raises(UnknownMailbox):
        exchange.share(alice_in_lab, entity(), "lab")

    exchange.share(alice_in_lab, agent, "lab")
    exchange.share(alice_in_lab, worker, "lab")
    assert exchange.shares(ALICE, agent) == ["lab"]
    exchange.send(bob_in_lab, sent := message(user, agent))
    assert exchange.receive(bob_in_lab, agent) == sent
    assert exchange.discover(bob_in_lab, "m.Worker", allow_subclasses=True) == [worker]
    with pytest.raises(NotPermitted):
        exchange.receive(BOB, agent)  # bob outside the group
    with pytest.raises(NotPermitted):
        exchange.shares(bob_in_lab, agent)  # only the owner sees its shares

    assert exchange.any_shared
    exchange.unshare(ALICE, agent, "lab")
    exchange.unshare(ALICE, agent, "lab")  # again: nothing to do
    assert exchange.any_shared  # the worker still is
    with pytest.raises(NotPermitted):
        exchange.receive(bob_in_lab, agent)
    exchange.terminate(ALICE, worker)
    with pytest.raises(MailboxTerminated):
        exchange.share(alice_in_lab, worker, "lab")


def test_heartbeats_are_on_the_virtual_clock(exchange):
    agent = entity()
    exchange.register(ALICE, agent)
    assert exchange.heartbeat_age(ALICE, agent) is None
    exchange.beat(ALICE, agent)
    exchange.clock.advance(90)
    assert exchange.heartbeat_age(ALICE, agent) == 90
    exchange.beat(ALICE, entity())  # accepted, nothing to record
    with pytest.raises(UnknownMailbox):
        exchange.heartbeat_age(ALICE, entity())


def test_messages_over_the_size_limit_are_refused(exchange):
    small = ExchangeState(Clock(), message_size_limit=100)
    user, agent = entity(USER), entity()
    small.register(ALICE, user)
    small.register(ALICE, agent)
    with pytest.raises(MessageTooLarge) as caught:
        small.send(ALICE, message(user, agent))
    assert caught.value.limit == 100
    assert small.receive(ALICE, agent) is None


# -- the HTTP surface, through plain requests -----------------------------------------


class Exchange:
    """Raw calls to the emulated exchange as academy makes them: a JSON
    body on every method, ids and messages as JSON text inside it."""

    def __init__(self, base: str, token: str | None) -> None:
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: object = None, **options) -> requests.Response:
        return self.session.request(method, self.base + path, json=body, timeout=30, **options)

    def register(self, who: EntityId, classes: str | None = None) -> requests.Response:
        body = {"mailbox": json.dumps(who.to_doc())}
        if classes:
            body["agent"] = classes
        return self.call("POST", "/mailbox", body)

    def send(self, src: EntityId, dest: EntityId, text: str = "hi") -> requests.Response:
        header = {
            "src": src.to_doc(),
            "dest": dest.to_doc(),
            "tag": str(uuid.uuid4()),
            "kind": "request",
            "protocol_version": "1.1",
        }
        document = {"header": header, "body": {"kind": "ping-request", "text": text}}
        return self.call("PUT", "/message", {"message": json.dumps(document)})

    def receive(self, who: EntityId, timeout: float) -> requests.Response:
        return self.call(
            "GET", "/message", {"mailbox": json.dumps(who.to_doc()), "timeout": timeout}
        )

    def terminate(self, who: EntityId) -> requests.Response:
        return self.call("DELETE", "/mailbox", {"mailbox": json.dumps(who.to_doc())})


def exchange_url(emulator, transport: str) -> str:
    if transport == "server":
        return emulator._servers[0].service_url("exchange") + "v1"
    return "https://exchange.academy-agents.org/v1"


@pytest.fixture
def as_user(globus_emulator, globus_transport):
    """An exchange client with a token of the world's user for the exchange."""
    token = globus_emulator.auth.issue_token(globus_emulator.user, EXCHANGE_SCOPE)
    return Exchange(exchange_url(globus_emulator, globus_transport), token)


def exchange_state(emulator) -> bytes:
    with emulator.lock:
        return pickle.dumps(emulator.world.exchange)


def test_the_exchange_scope_belongs_to_its_resource_server(globus_emulator):
    tokens = globus_emulator.auth.issue_tokens(globus_emulator.user, EXCHANGE_SCOPE)
    assert list(tokens) == ["ca1e2fbf-4e73-40a6-b2ab-c9458e5fcf99"]


def test_a_message_goes_from_one_mailbox_to_another(as_user, globus_emulator):
    user, agent = entity(USER), entity()
    assert as_user.register(user).status_code == 200
    assert as_user.register(agent, "m.Worker,academy.agent.Agent").status_code == 200
    assert as_user.send(user, agent, "hello").status_code == 200
    answer = as_user.receive(agent, 5)
    assert answer.status_code == 200
    delivered = json.loads(answer.json()["message"])
    assert delivered["header"]["src"]["uid"] == user.uid
    assert delivered["body"]["text"] == "hello"
    found = as_user.call(
        "GET", "/discover", {"agent": "academy.agent.Agent", "allow_subclasses": True}
    )
    assert found.json() == {"agent_ids": agent.uid}
    stats = as_user.call("GET", "/mailbox/stats", {"mailbox": json.dumps(agent.to_doc())})
    assert stats.json() == {
        "incoming": 1,
        "outgoing": 0,
        "completed": 0,
        "in_progress": 1,
        "queued": 0,
    }
    status = as_user.call("GET", "/mailbox", {"mailbox": json.dumps(agent.to_doc())})
    assert status.json() == {"status": "ACTIVE"}
    calls = [c.operation for c in globus_emulator.journal.calls("exchange")]
    assert calls[:4] == ["register_mailbox", "register_mailbox", "send_message", "receive_message"]


def test_heartbeats_over_http(as_user, globus_emulator):
    agent = entity()
    as_user.register(agent)
    mailbox = {"mailbox": json.dumps(agent.to_doc())}
    assert as_user.call("GET", "/mailbox/heartbeat", mailbox).json() == {"heartbeat": None}
    assert as_user.call("POST", "/mailbox/heartbeat", mailbox).status_code == 200
    globus_emulator.clock.advance(45)
    assert as_user.call("GET", "/mailbox/heartbeat", mailbox).json() == {"heartbeat": 45}


def test_a_receive_with_nothing_to_take_times_out_with_408(as_user):
    agent = entity()
    as_user.register(agent)
    started = time.monotonic()
    answer = as_user.receive(agent, 0.3)
    assert answer.status_code == 408
    assert answer.text == "Request timeout"
    assert time.monotonic() - started >= 0.3


def waiting_receive(
    client: Exchange, mailbox: EntityId
) -> tuple[threading.Thread, list[requests.Response]]:
    """A receive (up to 20 s) started in another thread, and given time to
    start waiting; its answer lands in the list."""
    results: list[requests.Response] = []
    receiver = threading.Thread(target=lambda: results.append(client.receive(mailbox, 20)))
    receiver.start()
    time.sleep(0.2)
    return receiver, results


def test_a_waiting_receive_lets_everyone_else_in_and_wakes_on_a_send(as_user, globus_emulator):
    user, agent = entity(USER), entity()
    as_user.register(user)
    as_user.register(agent)
    started = time.monotonic()
    receiver, results = waiting_receive(as_user, agent)
    # other calls, to this service and others, are answered meanwhile
    assert as_user.register(entity()).status_code == 200
    with globus_emulator.lock:
        pass  # the emulator's lock is free
    assert as_user.send(user, agent, "wake up").status_code == 200
    receiver.join(timeout=10)
    assert not receiver.is_alive()
    assert time.monotonic() - started < 5
    assert json.loads(results[0].json()["message"])["body"]["text"] == "wake up"


def test_many_senders_and_receivers_lose_and_duplicate_nothing(as_user):
    """4 threads send 25 messages each into one mailbox while 3 threads
    receive from it: each message is taken exactly once."""
    user, agent = entity(USER), entity()
    as_user.register(user)
    as_user.register(agent)
    sent = [f"{sender}-{n}" for sender in range(4) for n in range(25)]
    received: list[str] = []
    failures: list[str] = []

    def send(sender: int) -> None:
        client = Exchange(as_user.base, as_user.session.headers["Authorization"][7:])
        for n in range(25):
            answer = client.send(user, agent, f"{sender}-{n}")
            if answer.status_code != 200:
                failures.append(answer.text)

    def receive() -> None:
        client = Exchange(as_user.base, as_user.session.headers["Authorization"][7:])
        while True:
            answer = client.receive(agent, 1)
            if answer.status_code == 408:
                return  # a second with nothing left
            if answer.status_code != 200:
                failures.append(answer.text)
                return
            received.append(json.loads(answer.json()["message"])["body"]["text"])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=receive) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert sorted(received) == sorted(sent)


def test_terminating_a_mailbox_wakes_its_receiver_with_419(as_user):
    agent = entity()
    as_user.register(agent)
    receiver, results = waiting_receive(as_user, agent)
    assert as_user.terminate(agent).status_code == 200
    receiver.join(timeout=10)
    assert results[0].status_code == 419
    assert results[0].text == "Mailbox was closed"
    assert as_user.send(entity(USER), agent).status_code == 419
    assert as_user.receive(agent, 1).status_code == 419


def test_a_waiting_receive_notices_the_world_was_replaced(as_user, globus_emulator):
    agent = entity()
    as_user.register(agent)
    receiver, results = waiting_receive(as_user, agent)
    globus_emulator.reset()  # nobody notifies: the receiver looks again by itself
    receiver.join(timeout=10)
    # it was let in before the reset; the new world has no such mailbox
    assert (results[0].status_code, results[0].text) == (404, "Unknown mailbox ID")


def test_stopping_the_emulator_lets_a_waiting_receive_go(as_user, globus_emulator):
    agent = entity()
    as_user.register(agent)
    receiver, results = waiting_receive(as_user, agent)
    stopped = time.monotonic()
    globus_emulator.stop()
    receiver.join(timeout=10)
    assert time.monotonic() - stopped < 5  # not the receive's 20 s
    answer = results[0]
    assert answer.status_code == 503, answer.text
    assert answer.text == "The emulator stopped while this request waited"


def test_errors_are_plain_text_as_the_exchange_gives_them(
    as_user, globus_emulator, globus_transport
):
    user, agent = entity(USER), entity()
    as_user.register(user)
    assert as_user.send(user, agent).status_code == 404  # not registered
    assert as_user.send(user, agent).text == "Unknown mailbox ID"
    as_user.register(agent)
    huge = as_user.send(user, agent, "x" * (600 * 1024))
    assert huge.status_code == 413
    assert huge.text.startswith("Message of size ") and huge.text.endswith(
        "larger than limit 524288."
    )
    assert huge.headers["Content-Type"].startswith("text/plain")
    assert as_user.receive(agent, 61).status_code == 400
    assert as_user.receive(agent, 0).text.startswith("Invalid timeout")

    base = exchange_url(globus_emulator, globus_transport)
    anonymous = Exchange(base, None).register(entity())
    assert (anonymous.status_code, anonymous.text) == (401, "Missing required headers.")
    transfer = globus_emulator.auth.issue_token(globus_emulator.user, TRANSFER_ALL)
    for token in (transfer, "AgMadeUp"):
        refused = Exchange(base, token).register(entity())
        assert (refused.status_code, refused.text) == (403, "Token expired or revoked.")

    stranger = globus_emulator.auth.add_identity()
    theirs = Exchange(base, globus_emulator.auth.issue_token(stranger, EXCHANGE_SCOPE))
    refused = theirs.receive(agent, 1)
    assert (refused.status_code, refused.text) == (403, "Incorrect permissions")
    assert theirs.terminate(agent).status_code == 403
    assert theirs.call("GET", "/discover", {"agent": "m.X", "allow_subclasses": True}).json() == {
        "agent_ids": ""
    }
    assert as_user.call("POST", "/mailbox/share", {}).status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/mailbox", None),
        ("POST", "/mailbox", []),
        ("POST", "/mailbox", {}),
        ("POST", "/mailbox", {"mailbox": "not json"}),
        ("POST", "/mailbox", {"mailbox": json.dumps({"uid": "nope"})}),
        ("POST", "/mailbox", {"mailbox": json.dumps({"uid": str(uuid.uuid4()), "x": 1})}),
        ("POST", "/mailbox", {"mailbox": json.dumps({"uid": str(uuid.uuid4())}), "agent": ""}),
        ("POST", "/mailbox", {"mailbox": json.dumps({"uid": str(uuid.uuid4()), "role": "cat"})}),
        ("PUT", "/message", {"message": json.dumps({"header": {}, "body": {}})}),
        ("PUT", "/message", {"message": "{"}),
        ("PUT", "/message", {"message": 7}),
        ("GET", "/message", {"mailbox": json.dumps({"uid": str(uuid.uuid4())}), "timeout": "1"}),
        ("GET", "/discover", {"agent": "m.X"}),
        ("GET", "/discover", {"agent": "m.X", "allow_subclasses": "yes"}),
        ("DELETE", "/mailbox", {"mailbox": ""}),
        ("GET", "/mailbox/stats", {"mailbox": 3}),
        ("POST", "/mailbox/heartbeat", {}),
    ],
)
def test_bad_input_is_refused_with_400_and_changes_nothing(
    as_user, globus_emulator, method, path, body
):
    as_user.register(entity())
    before = exchange_state(globus_emulator)
    answer = as_user.call(method, path, body)
    assert answer.status_code == 400, answer.text
    assert answer.text.startswith("Missing or invalid field: ")
    assert exchange_state(globus_emulator) == before


# -- academy-py itself -------------------------------------------------------------------

if Agent is not None:

    class Polite(Agent):
        @action
        async def greet(self, name: str) -> str:
            return f"hello, {name}"

    class Greeter(Polite):
        def __init__(self, greeting: str) -> None:
            super().__init__()
            self.greeting = greeting

        @action
        async def greet(self, name: str) -> str:
            return f"{self.greeting}, {name}"

    class Relay(Agent):
        """Calls another agent from inside its own action."""

        def __init__(self, other) -> None:
            super().__init__()
            self.other = other

        @action
        async def relay(self, name: str) -> str:
            return "relayed: " + await self.other.greet(name)


@pytest.fixture
def academy_factory(globus_academy):
    """The plugin's own fixture, as users get it."""
    return globus_academy


def agent_mailbox(emulator, agent_id) -> dict:
    (found,) = [m for m in emulator.exchange.mailboxes() if m["uid"] == str(agent_id.uid)]
    return found


def project_clients(emulator, factory) -> list[str]:
    with emulator.lock:
        return [
            c.name
            for c in emulator.world.auth.clients.values()
            if c.project_id == str(factory.info.project_id)
        ]


def test_academy_launches_an_agent_through_the_emulated_exchange(globus_emulator, academy_factory):
    from academy.exception import MailboxTerminatedError
    from academy.exchange.mailbox_status import MailboxStatus
    from academy.manager import Manager

    async def scenario() -> None:
        async with await Manager.from_exchange_factory(academy_factory) as manager:
            handle = await manager.launch(Greeter, args=("good morning",))
            assert await handle.greet("Ada") == "good morning, Ada"
            # the agent is a Globus Auth client of its own, in the project
            assert project_clients(globus_emulator, academy_factory) == [str(handle.agent_id)]
            mailbox = agent_mailbox(globus_emulator, handle.agent_id)
            assert mailbox["agent_class"].endswith(".Greeter")
            assert (mailbox["role"], mailbox["status"]) == ("agent", "ACTIVE")

            exchange = manager.exchange_client
            assert await exchange.discover(Greeter) == (handle.agent_id,)
            assert await exchange.discover(Polite) == (handle.agent_id,)
            assert await exchange.discover(Polite, allow_subclasses=False) == ()
            stats = await exchange.agent_stats(handle.agent_id)
            assert (stats.incoming, stats.completed) == (1, 1)

            # heartbeats are on the virtual clock: jump past three missed beats
            for _ in range(100):
                if await exchange.heartbeat_status(handle.agent_id) is not None:
                    break
                await asyncio.sleep(0.05)
            assert await exchange.status(handle.agent_id) == MailboxStatus.ACTIVE
            globus_emulator.clock.advance(120)
            assert await exchange.status(handle.agent_id) == MailboxStatus.INACTIVE

            await manager.shutdown(handle, blocking=True)
            assert await exchange.discover(Greeter) == ()
            assert agent_mailbox(globus_emulator, handle.agent_id)["status"] == "TERMINATED"
            with pytest.raises(MailboxTerminatedError):
                await handle.greet("again")

    asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    assert project_clients(globus_emulator, academy_factory) == []  # deleted on close
    operations = [c.operation for c in globus_emulator.journal.calls("auth")]
    for step in (
        "create_client",
        "create_client_credential",
        "create_scope",
        "oauth2_token.dependent_token",
        "oauth2_token.refresh_token",
        "delete_client",
    ):
        assert step in operations


def test_agents_call_each_other_while_receives_wait(globus_emulator, academy_factory):
    from academy.manager import Manager

    async def scenario() -> None:
        async with await Manager.from_exchange_factory(academy_factory) as manager:
            async with manager.launch_batch() as batch:
                greeter = await batch.queue(Greeter, args=("hi",))
                relay = await batch.queue(Relay, args=(greeter,))
            answers = await asyncio.gather(*(relay.relay(f"n{i}") for i in range(5)))
            assert answers == [f"relayed: hi, n{i}" for i in range(5)]
            assert len(project_clients(globus_emulator, academy_factory)) == 2

    asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    assert project_clients(globus_emulator, academy_factory) == []


def test_agents_in_other_processes_reach_the_emulator_over_the_live_server(
    globus_emulator, globus_server, academy_factory
):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from academy.exchange.cloud.globus import GlobusExchangeFactory
    from academy.manager import Manager

    # The factory (and its base_url) travels to the worker with the agent;
    # the worker inherits the SDK's service URLs from the environment.
    factory = GlobusExchangeFactory(
        academy_factory.info.project_id,
        client_params={"base_url": f"{globus_server.url}/exchange/v1"},
    )

    async def scenario() -> None:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        async with await Manager.from_exchange_factory(factory, executors=pool) as manager:
            handle = await manager.launch(Greeter, args=("hello",))
            assert await handle.greet("from afar") == "hello, from afar"

    asyncio.run(asyncio.wait_for(scenario(), timeout=120))
    assert project_clients(globus_emulator, factory) == []


def test_academys_http_client_uses_the_emulated_exchange_over_the_live_server(
    globus_emulator, globus_server, globus_academy
):
    """HttpExchangeFactory (aiohttp, server-sent events for receiving)
    against the emulator's exchange, logged in with Globus as academy does;
    mailbox sharing through a Globus group the service account is in."""
    from academy.exchange.cloud.client import HttpExchangeFactory
    from academy.manager import Manager

    account = globus_emulator.service_account.client_id
    with globus_emulator.lock:
        lab = globus_emulator.world.groups.create("Lab", {account: "member"})
    factory = HttpExchangeFactory(globus_emulator.exchange.url, auth_method="globus")

    async def scenario() -> None:
        async with await Manager.from_exchange_factory(factory) as manager:
            handle = await manager.launch(Greeter, args=("hey",))
            answers = await asyncio.gather(*(handle.greet(f"n{i}") for i in range(5)))
            assert answers == [f"hey, n{i}" for i in range(5)]
            console = await factory.console()
            try:
                await console.share_mailbox(handle.agent_id, uuid.UUID(lab.id))
                assert await console.get_shared_groups(handle.agent_id) == [uuid.UUID(lab.id)]
                await console.remove_shared_group(handle.agent_id, uuid.UUID(lab.id))
                assert await console.get_shared_groups(handle.agent_id) == []
            finally:
                await console.close()

    asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    operations = {c.operation for c in globus_emulator.journal.calls("exchange")}
    assert {"listen", "share_mailbox", "unshare_mailbox"} <= operations


def test_a_person_launches_agents_that_act_for_them(
    globus_emulator, globus_user_app, globus_transport, request, monkeypatch
):
    pytest.importorskip("academy")
    import globus_sdk
    from academy.exchange.cloud.globus import GlobusExchangeFactory
    from academy.manager import Manager

    # academy's own login would prompt for a code; hand it the world's
    # user, logged in without a browser, instead.
    monkeypatch.setattr("academy.exchange.cloud.globus.get_globus_app", lambda: globus_user_app)
    user = globus_emulator.user
    auth = globus_sdk.AuthClient(
        app=globus_user_app, app_scopes=[globus_sdk.Scope(MANAGE_PROJECTS)]
    )
    project = auth.create_project("agents", "agents@example.org", admin_ids=[user.id])
    client_params = None
    if globus_transport == "server":
        server = request.getfixturevalue("globus_server")
        client_params = {"base_url": f"{server.url}/exchange/v1"}
    factory = GlobusExchangeFactory(
        uuid.UUID(project["project"]["id"]), client_params=client_params
    )

    async def scenario() -> None:
        async with await Manager.from_exchange_factory(factory) as manager:
            handle = await manager.launch(Greeter, args=("welcome",))
            assert await handle.greet("Grace") == "welcome, Grace"

    asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    exchange_calls = globus_emulator.journal.calls("exchange")
    assert {c.identity_id for c in exchange_calls} == {user.id}
    assert len({c.client_id for c in exchange_calls}) == 2  # the person's app and the agent
    with globus_emulator.lock:
        mailboxes = list(globus_emulator.world.exchange.mailboxes.values())
    assert [m.owner_id for m in mailboxes] == [user.id, user.id]
    assert all(m.terminated for m in mailboxes)
    assert project_clients(globus_emulator, factory) == []


def test_an_agent_in_another_process_reaches_the_exchange_through_proxy_mode(
    globus_emulator, globus_proxy, academy_factory, monkeypatch
):
    """The worker knows no emulator URL at all: academy's own exchange URL
    and globus-sdk's production hosts reach this world through the proxy."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from academy.exchange.cloud.globus import GlobusExchangeFactory
    from academy.manager import Manager

    for name in [n for n in os.environ if n.startswith("GLOBUS_SDK_")]:
        monkeypatch.delenv(name)
    for name, value in globus_proxy.env.items():
        monkeypatch.setenv(name, value)  # the spawned worker inherits these
    factory = GlobusExchangeFactory(academy_factory.info.project_id)

    async def scenario() -> None:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        async with await Manager.from_exchange_factory(factory, executors=pool) as manager:
            handle = await manager.launch(Greeter, args=("hello",))
            assert await handle.greet("through the proxy") == "hello, through the proxy"

    asyncio.run(asyncio.wait_for(scenario(), timeout=120))
    assert project_clients(globus_emulator, factory) == []
