"""globus-testkit benchmarks: side by side, interleaved, medians, ratios.

    python benchmarks/bench.py [--full]   # full run (a few minutes)
    python benchmarks/bench.py --quick    # smoke run: checks they work
    python benchmarks/bench.py --only exchange   # one comparison (title match)

Each comparison runs its contenders in alternating rounds within one
process, so machine noise hits them alike; it prints the median per call of
each and their ratio against the first contender. No goal is asserted: the
figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import globus_sdk
import requests
import responses
from globus_sdk.testing import load_response

from globus_testkit import Emulator
from globus_testkit.services.transfer.access import Principals

Runner = Callable[[], None]


@dataclass
class Contender:
    name: str
    setup: Callable[[ExitStack], Runner]


@dataclass
class Comparison:
    title: str
    contenders: list[Contender]
    calls: int  # calls per round
    goal: str = ""


def measure(comparison: Comparison, rounds: int) -> list[tuple[str, float]]:
    """Median seconds per call of each contender over interleaved rounds.

    Each contender is set up afresh for each round and torn down after it,
    so two mocks are never active at once; set-up and one warm-up call
    (imports, first token, connections) stay outside the timing.
    """
    samples: dict[str, list[float]] = {c.name: [] for c in comparison.contenders}
    for _ in range(rounds):
        for contender in comparison.contenders:
            with ExitStack() as stack:
                run = contender.setup(stack)
                run()
                start = time.perf_counter()
                for _ in range(comparison.calls):
                    run()
                elapsed = time.perf_counter() - start
            samples[contender.name].append(elapsed / comparison.calls)
    return [(name, statistics.median(values)) for name, values in samples.items()]


def report(comparison: Comparison, results: list[tuple[str, float]]) -> None:
    base = results[0][1]
    print(f"\n## {comparison.title}" + (f"  (goal: {comparison.goal})" if comparison.goal else ""))
    for name, seconds in results:
        print(f"  {name:<52} {seconds * 1000:9.3f} ms   x{seconds / base:5.2f}")


# -- contenders -------------------------------------------------------------------


@contextmanager
def _active(mock: responses.RequestsMock) -> Iterator[responses.RequestsMock]:
    mock.start()
    try:
        yield mock
    finally:
        mock.stop()
        mock.reset()


def canned_userinfo(stack: ExitStack) -> Runner:
    """globus_sdk.testing's recorded answer, served by responses."""
    mock = stack.enter_context(_active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    load_response("auth.userinfo", case="unauthorized", requests_mock=mock)
    # the recorded set has only error cases, so serve the emulator's shape
    mock.replace(
        responses.GET,
        "https://auth.globus.org/v2/oauth2/userinfo",
        json={"sub": "x", "preferred_username": "u", "email": "e", "name": "n"},
    )
    client = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: _userinfo(client)


def emulated_userinfo(stack: ExitStack) -> Runner:
    emulator = stack.enter_context(Emulator())
    client = _auth_client(emulator)
    return lambda: _userinfo(client)


def _auth_client(emulator: Emulator) -> globus_sdk.AuthClient:
    """The same authorizer kind as the canned contender, with a real token:
    an app's token storage would add cost that is not the emulator's."""
    token = emulator.auth.issue_token(emulator.user, "openid profile email")
    return globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def _userinfo(client: globus_sdk.AuthClient) -> None:
    method = getattr(client, "userinfo", None) or client.oauth2_userinfo
    method()


def server_userinfo(stack: ExitStack) -> Runner:
    emulator = Emulator()
    server = emulator.serve()
    stack.callback(emulator.stop)
    url = f"{server.url}/auth/"
    os.environ["GLOBUS_SDK_SERVICE_URL_AUTH"] = url
    stack.callback(os.environ.pop, "GLOBUS_SDK_SERVICE_URL_AUTH", None)
    client = _auth_client(emulator)
    return lambda: _userinfo(client)


def proxied_userinfo(stack: ExitStack) -> Runner:
    """userinfo at auth.globus.org's real URL, through proxy mode (HTTPS to
    the proxy, TLS terminated there, one keep-alive connection)."""
    emulator = Emulator()
    proxy = emulator.serve_proxy()
    stack.callback(emulator.stop)
    client = _auth_client(emulator)
    client.transport.session.proxies = {"https": proxy.url}
    client.transport.verify_ssl = str(proxy.bundle)
    return lambda: _userinfo(client)


def bare_werkzeug_server(stack: ExitStack) -> Runner:
    """The floor for any loopback answer: werkzeug returning fixed bytes."""
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Response

    body = b'{"sub": "x", "preferred_username": "u"}'

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        return Response(body, mimetype="application/json")(environ, start_response)

    from globus_testkit.transports.server import _QuietHandler

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    stack.callback(server.shutdown)
    port = server.socket.getsockname()[1]
    os.environ["GLOBUS_SDK_SERVICE_URL_AUTH"] = f"http://127.0.0.1:{port}/"
    stack.callback(os.environ.pop, "GLOBUS_SDK_SERVICE_URL_AUTH", None)
    client = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: _userinfo(client)


# -- Transfer: the same SDK methods, canned and emulated ------------------------------

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
TRANSFER_SCOPE = (
    "urn:globus:auth:scope:transfer.api.globus.org:all"
    f"[*https://auth.globus.org/scopes/{TUTORIAL_1}/data_access"
    f" *https://auth.globus.org/scopes/{TUTORIAL_2}/data_access]"
)


def _transfer_data() -> globus_sdk.TransferData:
    data = globus_sdk.TransferData(source_endpoint=TUTORIAL_2, destination_endpoint=TUTORIAL_1)
    data.add_item("/home/share/godata/file1.txt", "/home/share/copy.txt")
    return data


def _canned_transfer(stack: ExitStack, *set_ids: str) -> globus_sdk.TransferClient:
    mock = stack.enter_context(_active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    for set_id in set_ids:
        load_response(set_id, requests_mock=mock)
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))


def _emulated_transfer(stack: ExitStack) -> tuple[Emulator, globus_sdk.TransferClient]:
    emulator = stack.enter_context(Emulator())
    token = emulator.auth.issue_token(emulator.user, TRANSFER_SCOPE)
    client = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    return emulator, client


def canned_get_endpoint(stack: ExitStack) -> Runner:
    client = _canned_transfer(stack, "transfer.get_endpoint")
    endpoint_id = "00000000-0000-0000-0005-4925541e7725"
    return lambda: client.get_endpoint(endpoint_id)


def emulated_get_endpoint(stack: ExitStack) -> Runner:
    _, client = _emulated_transfer(stack)
    return lambda: client.get_endpoint(TUTORIAL_1)


def canned_submit_transfer(stack: ExitStack) -> Runner:
    client = _canned_transfer(stack, "transfer.get_submission_id", "transfer.submit_transfer")
    return lambda: client.submit_transfer(_transfer_data())


def emulated_submit_transfer(stack: ExitStack) -> Runner:
    _, client = _emulated_transfer(stack)
    return lambda: client.submit_transfer(_transfer_data())


def canned_get_task(stack: ExitStack) -> Runner:
    # globus-sdk records no get_task set: serve the emulator's own answer
    emulator, client = _emulated_transfer(ExitStack())
    task_id = client.submit_transfer(_transfer_data())["task_id"]
    body = client.get_task(task_id).data
    emulator.stop()
    mock = stack.enter_context(_active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    mock.get(f"https://transfer.api.globus.org/v0.10/task/{task_id}", json=body)
    canned = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: canned.get_task(task_id)


def emulated_get_task(stack: ExitStack) -> Runner:
    _, client = _emulated_transfer(stack)
    task_id = client.submit_transfer(_transfer_data())["task_id"]
    return lambda: client.get_task(task_id)


# -- timers ----------------------------------------------------------------------------

TIMERS_SCOPE = (
    f"https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer[{TRANSFER_SCOPE}]"
)


def _timers(stack: ExitStack) -> tuple[Emulator, globus_sdk.TimersClient]:
    emulator = stack.enter_context(Emulator())
    token = emulator.auth.issue_token(emulator.user, TIMERS_SCOPE, lifetime=10**9)
    client = globus_sdk.TimersClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    return emulator, client


def _transfer_timer(interval: int) -> globus_sdk.TransferTimer:
    return globus_sdk.TransferTimer(
        schedule=globus_sdk.RecurringTimerSchedule(interval), body=_transfer_data()
    )


def emulated_create_timer(stack: ExitStack) -> Runner:
    _, client = _timers(stack)
    return lambda: client.create_timer(_transfer_timer(3600))


def emulated_timer_run(stack: ExitStack) -> Runner:
    """One occurrence: the clock moves a minute and the timer submits its
    Transfer task through Transfer (tokens, consent, journal)."""
    emulator, client = _timers(stack)
    client.create_timer(_transfer_timer(60))
    return lambda: emulator.clock.advance(60)


def _get_endpoint_with_timers_waiting(timers: int) -> Callable[[ExitStack], Runner]:
    def setup(stack: ExitStack) -> Runner:
        emulator, client = _timers(stack)
        for _ in range(timers):
            client.create_timer(_transfer_timer(86400))
        token = emulator.auth.issue_token(emulator.user, TRANSFER_SCOPE)
        transfer = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: transfer.get_endpoint(TUTORIAL_1)

    return setup


# -- scale -----------------------------------------------------------------------------


def _ls_first_page(entries: int) -> Callable[[ExitStack], Runner]:
    def setup(stack: ExitStack) -> Runner:
        emulator, _ = _emulated_transfer(stack)
        big = emulator.transfer.add_collection("Big")
        tree = big.tree
        for i in range(entries):
            tree.write(f"/d/f{i:06}", content=b"x", parents=False) if i else tree.write(
                f"/d/f{i:06}", content=b"x"
            )
        token = emulator.auth.issue_token(
            emulator.user,
            "urn:globus:auth:scope:transfer.api.globus.org:all"
            f"[*https://auth.globus.org/scopes/{big.id}/data_access]",
        )
        client = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: client.operation_ls(big.id, path="/d", limit=100)

    return setup


def _transfer_of(items: int) -> Callable[[ExitStack], Runner]:
    """Submit a recursive transfer of ``items`` files and read it until done."""

    def setup(stack: ExitStack) -> Runner:
        emulator, _ = _emulated_transfer(stack)
        source = emulator.transfer.add_collection("Source")
        for i in range(items):
            source.tree.write(f"/d/f{i:06}", content=b"x")
        token = emulator.auth.issue_token(
            emulator.user,
            "urn:globus:auth:scope:transfer.api.globus.org:all"
            f"[*https://auth.globus.org/scopes/{source.id}/data_access]",
        )
        client = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        counter = iter(range(1_000_000))

        def run() -> None:
            data = globus_sdk.TransferData(
                source_endpoint=source.id, destination_endpoint=source.id
            )
            data.add_item("/d", f"/copy{next(counter)}", recursive=True)
            task_id = client.submit_transfer(data)["task_id"]
            assert client.get_task(task_id)["status"] == "SUCCEEDED"

        return run

    return setup


def _plain(data: globus_sdk.TransferData) -> dict[str, object]:
    """The document as the SDK would send it (its unset fields dropped)."""
    missing = getattr(globus_sdk, "MISSING", None)
    return {k: v for k, v in dict(data).items() if v is not missing and v is not None}


def _task_list_page(tasks: int) -> Callable[[ExitStack], Runner]:
    def setup(stack: ExitStack) -> Runner:
        emulator, client = _emulated_transfer(stack)
        with emulator.lock:
            for _ in range(tasks):
                emulator.world.tasks.submit(
                    emulator.user.id,
                    emulator.user.username,
                    Principals.of(emulator.user.id),
                    _plain(_transfer_data()),
                )
        # a full page of 100 from the middle (from the start when there are 100)
        return lambda: client.task_list(limit=100, offset=max(0, tasks // 2 - 50))

    return setup


# -- the newer services' most common calls, canned and emulated ---------------------

GROUPS_ALL = "urn:globus:auth:scope:groups.api.globus.org:all"


def canned_my_groups(stack: ExitStack) -> Runner:
    mock = stack.enter_context(_active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    load_response("groups.get_my_groups", requests_mock=mock)
    client = globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: client.get_my_groups()


def emulated_my_groups(stack: ExitStack) -> Runner:
    emulator = stack.enter_context(Emulator())
    for name in ("Lab", "Consortium"):  # the recorded answer lists groups too
        emulator.groups.create(name, members={emulator.user.id: "admin"})
    token = emulator.auth.issue_token(emulator.user, GROUPS_ALL)
    client = globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    return lambda: client.get_my_groups()


def canned_get_job(stack: ExitStack) -> Runner:
    mock = stack.enter_context(_active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    job_id = load_response("timer.get_job", requests_mock=mock).metadata["job_id"]
    client = globus_sdk.TimersClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: client.get_job(job_id)


def emulated_get_job(stack: ExitStack) -> Runner:
    _, client = _timers(stack)
    timer_id = client.create_timer(_transfer_timer(3600))["timer"]["job_id"]
    return lambda: client.get_job(timer_id)


def canned_collection_list(stack: ExitStack) -> Runner:
    mock = stack.enter_context(_active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    load_response("globus_connect_server.get_collection_list", requests_mock=mock)
    client = globus_sdk.GCSClient(
        "abc.xyz.data.globus.org", authorizer=globus_sdk.AccessTokenAuthorizer("token")
    )
    return lambda: client.get_collection_list()


def emulated_collection_list(stack: ExitStack) -> Runner:
    emulator = stack.enter_context(Emulator())
    endpoint = emulator.gcs.add_endpoint("Lab GCS")
    gateway = emulator.gcs.add_storage_gateway(endpoint, "POSIX")
    token = emulator.auth.issue_token(emulator.user, emulator.gcs.scope(endpoint))
    client = globus_sdk.GCSClient(
        emulator.gcs.manager_url(endpoint), authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )
    for name in ("Mapped 1", "Mapped 2"):
        client.create_collection(
            globus_sdk.MappedCollectionDocument(
                display_name=name, storage_gateway_id=gateway.id, collection_base_path="/"
            )
        )
    return lambda: client.get_collection_list()


# -- Search -----------------------------------------------------------------------------

SEARCH_ALL = "urn:globus:auth:scope:search.api.globus.org:all"
_QUERY = {"q": "ocean", "limit": 10, "facets": [{"name": "kw", "field_name": "keywords"}]}


def canned_post_search(stack: ExitStack) -> Runner:
    mock = stack.enter_context(_active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    index_id = load_response("search.post_search", requests_mock=mock).metadata["index_id"]
    client = globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: client.post_search(index_id, _QUERY)


def _search_index(entries: int) -> Callable[[ExitStack], Runner]:
    """A post_search with a facet over an index of ``entries`` entries."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator())
        documents = [
            {
                "subject": f"https://example.org/{n}",
                "visible_to": ["public"],
                "content": {
                    "title": f"dataset {n} ocean" if n % 10 == 0 else f"dataset {n}",
                    "keywords": ["ocean" if n % 2 else "ice"],
                    "n": n,
                },
            }
            for n in range(entries)
        ]
        index = emulator.search.create_index("bench", entries=documents)
        token = emulator.auth.issue_token(emulator.user, [SEARCH_ALL])
        client = globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: client.post_search(index.id, _QUERY)

    return setup


# -- Flows ------------------------------------------------------------------------------

FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"


def _flows(stack: ExitStack) -> tuple[Emulator, globus_sdk.FlowsClient]:
    emulator = stack.enter_context(Emulator())
    token = emulator.auth.issue_token(emulator.user, FLOWS_ALL)
    return emulator, globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def _chain(states: int) -> dict[str, object]:
    """A flow of ``states`` Pass states in a row, each adding to the state."""
    names = [f"S{i}" for i in range(states)]
    return {
        "StartAt": names[0],
        "States": {
            name: {
                "Type": "Pass",
                "Parameters": {"step": i},
                "ResultPath": f"$.s{i % 8}",
                **({"Next": names[i + 1]} if i + 1 < states else {"End": True}),
            }
            for i, name in enumerate(names)
        },
    }


def _flow_states(states: int, total: int) -> Callable[[ExitStack], Runner]:
    """Run ``total // states`` flows of ``states`` states to SUCCEEDED, so
    every contender does the same number of states per call."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = _flows(stack)
        flow = client.create_flow(f"{states} states", _chain(states), {}).data
        token = emulator.auth.issue_token(emulator.user, flow["globus_auth_scope"])
        runner = globus_sdk.SpecificFlowClient(
            flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
        )

        def run() -> None:
            for _ in range(total // states):
                run_id = runner.run_flow({})["run_id"]
                assert client.get_run(run_id)["status"] == "SUCCEEDED"

        return run

    return setup


def canned_get_run(stack: ExitStack) -> Runner:
    mock = stack.enter_context(_active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    found = load_response("flows.get_run", requests_mock=mock)
    run_id = found.metadata["run_id"]
    client = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: client.get_run(run_id)


def emulated_get_run(stack: ExitStack) -> Runner:
    emulator, client = _flows(stack)
    flow = client.create_flow("one", _chain(1), {}).data
    token = emulator.auth.issue_token(emulator.user, flow["globus_auth_scope"])
    runner = globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )
    run_id = runner.run_flow({})["run_id"]
    return lambda: client.get_run(run_id)


def _runs_list_page(runs: int) -> Callable[[ExitStack], Runner]:
    """The first page (20) of list_runs among ``runs`` runs of one user.
    The world is built once (through the SDK) and reused by every round."""
    built: dict[str, tuple[Emulator, globus_sdk.FlowsClient]] = {}

    def setup(stack: ExitStack) -> Runner:
        if not built:
            emulator = Emulator()
            with emulator:
                token = emulator.auth.issue_token(emulator.user, FLOWS_ALL)
                client = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
                flow = client.create_flow("one", _chain(1), {}).data
                scoped = emulator.auth.issue_token(emulator.user, flow["globus_auth_scope"])
                runner = globus_sdk.SpecificFlowClient(
                    flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(scoped)
                )
                for _ in range(runs):
                    runner.run_flow({})
            built["world"] = (emulator, client)
        emulator, client = built["world"]
        stack.enter_context(emulator)
        return lambda: client.list_runs(query_params={"per_page": 20}).data

    return setup


# -- academy's exchange: a message sent and received ----------------------------------

EXCHANGE = "https://exchange.academy-agents.org/v1"


def _exchange_round_trip(session: requests.Session, agent: dict, message: str) -> Runner:
    """PUT a message to the agent's mailbox and GET it back, with the bodies
    academy-py sends (ids and the message as JSON text)."""
    receive = {"mailbox": json.dumps(agent), "timeout": 5}

    def run() -> None:
        session.put(f"{EXCHANGE}/message", json={"message": message}).raise_for_status()
        answer = session.get(f"{EXCHANGE}/message", json=receive)
        assert answer.json()["message"] == message

    return run


def _user_agent_message() -> tuple[dict, dict, str]:
    user = {"uid": str(uuid.uuid4()), "name": None, "role": "user"}
    agent = {"uid": str(uuid.uuid4()), "name": "worker", "role": "agent"}
    header = {"src": user, "dest": agent, "tag": str(uuid.uuid4()), "kind": "request"}
    return user, agent, json.dumps({"header": header, "body": {"kind": "ping-request"}})


def canned_exchange(stack: ExitStack) -> Runner:
    _, agent, message = _user_agent_message()
    mock = stack.enter_context(_active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    mock.put(f"{EXCHANGE}/message", body="")
    mock.get(f"{EXCHANGE}/message", json={"message": message})
    return _exchange_round_trip(requests.Session(), agent, message)


def emulated_exchange(stack: ExitStack) -> Runner:
    from globus_testkit.services.exchange.models import EXCHANGE_SCOPE

    emulator = stack.enter_context(Emulator())
    session = requests.Session()
    token = emulator.auth.issue_token(emulator.user, EXCHANGE_SCOPE)
    session.headers["Authorization"] = f"Bearer {token}"
    user, agent, message = _user_agent_message()
    for entity in (user, agent):
        session.post(f"{EXCHANGE}/mailbox", json={"mailbox": json.dumps(entity)})
    return _exchange_round_trip(session, agent, message)


# -- Compute: a trivial function submitted and its result read ------------------------

COMPUTE_ALL = "https://auth.globus.org/scopes/facd7ccc-c5f4-42aa-916b-a0e270e2c2a9/all"


def _compute_clients(
    token: str,
) -> tuple[globus_sdk.ComputeClientV2, globus_sdk.ComputeClientV3]:
    authorizer = globus_sdk.AccessTokenAuthorizer(token)
    return (
        globus_sdk.ComputeClientV2(authorizer=authorizer),
        globus_sdk.ComputeClientV3(authorizer=authorizer),
    )


def canned_compute_round_trip(stack: ExitStack) -> Runner:
    """The recorded submit and get_task answers (no function runs)."""
    mock = stack.enter_context(_active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    submitted = load_response(globus_sdk.ComputeClientV3.submit, requests_mock=mock).metadata
    load_response(globus_sdk.ComputeClientV2.get_task, requests_mock=mock)
    v2, v3 = _compute_clients("token")

    def run() -> None:
        v3.submit(submitted["endpoint_id"], {"tasks": {submitted["function_id"]: ["x"]}})
        assert v2.get_task(submitted["task_id"])["status"] == "success"

    return run


def _trivial(x: int) -> int:
    return x + 1


def emulated_compute_round_trip(stack: ExitStack) -> Runner:
    """Submit, run in the emulator's worker process, read the result back."""
    from globus_compute_sdk.serialize import ComputeSerializer

    serializer = ComputeSerializer()
    emulator = stack.enter_context(Emulator())
    endpoint = emulator.compute.create_endpoint("bench")
    v2, v3 = _compute_clients(emulator.auth.issue_token(emulator.user, COMPUTE_ALL))
    code = serializer.pack_buffers([serializer.serialize(_trivial)])
    function_id = v3.register_function({"function_name": "trivial", "function_code": code})[
        "function_uuid"
    ]
    payload = serializer.pack_buffers([serializer.serialize((1,)), serializer.serialize({})])

    def run() -> None:
        tasks = v3.submit(endpoint.id, {"tasks": {function_id: [payload]}})["tasks"]
        answer = v2.get_task(tasks[function_id][0])
        assert serializer.deserialize(answer["result"]) == 2

    return run


# -- per-test cost of a fresh world -------------------------------------------------

_TESTS_WITH = """
def test_{i}(globus_emulator):
    assert globus_emulator.user
"""
_TESTS_WITHOUT = """
def test_{i}():
    assert True
"""


def per_test_cost(tests: int, rounds: int) -> list[tuple[str, float]]:
    """Seconds per test of a pytest run using ``globus_emulator`` vs one not.
    Both runs pay pytest's start-up; their difference is the fixture's."""
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for name, template in (("without", _TESTS_WITHOUT), ("with", _TESTS_WITH)):
            path = Path(folder) / f"test_{name}_fixture.py"
            path.write_text("".join(template.format(i=i) for i in range(tests)))
            files[name] = path
        samples: dict[str, list[float]] = {"without": [], "with": []}
        for _ in range(rounds):
            for name, path in files.items():
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
                    check=True,
                    capture_output=True,
                    cwd=folder,
                )
                samples[name].append((time.perf_counter() - start) / tests)
    without = statistics.median(samples["without"])
    with_fixture = statistics.median(samples["with"])
    return [
        ("test without the fixture", without),
        ("test with globus_emulator", with_fixture),
        ("difference: the fixture's cost per test", with_fixture - without),
    ]


def resident_mb() -> float:
    """This process's resident memory now (Linux /proc), else its peak."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2**20 if sys.platform == "darwin" else 2**10)


def _soak_call(stack: ExitStack, emulator: Emulator, *, server: bool) -> Runner:
    """One userinfo call: through globus-sdk in-process, or over a
    keep-alive session to the live server."""
    token = emulator.auth.issue_token(emulator.user, "openid profile email")
    if not server:
        client = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: _userinfo(client)
    session = stack.enter_context(requests.Session())
    url = f"{emulator.serve().url}/auth/v2/oauth2/userinfo"
    headers = {"Authorization": f"Bearer {token}"}
    return lambda: session.get(url, headers=headers).raise_for_status()


def memory_soak(requests_count: int) -> None:
    """Resident memory while one world answers many requests, in-process
    (globus-sdk through the mock) and over the live server (a keep-alive
    session): it should level off once the journal is full, not grow."""
    print(f"\n## memory soak: resident memory over {requests_count:,} requests per transport")
    print("  (the journal keeps its newest 10,000 entries; figures in MB)")
    for transport in ("in-process", "live server"):
        with ExitStack() as stack:
            emulator = stack.enter_context(Emulator())
            call = _soak_call(stack, emulator, server=transport == "live server")
            checkpoints = {requests_count * k // 4 for k in range(1, 5)}
            start = resident_mb()
            marks = [f"start {start:7.1f}"]
            began = time.perf_counter()
            for number in range(1, requests_count + 1):
                call()
                if number in checkpoints:
                    marks.append(f"{number:,}: {resident_mb():7.1f}")
            seconds = time.perf_counter() - began
            end = resident_mb()
            print(f"  {transport:<12} " + "   ".join(marks))
            print(
                f"  {'':<12} end - start {end - start:+.1f} MB, journal kept "
                f"{len(emulator.journal):,} of {emulator.journal.total:,}, "
                f"{seconds / requests_count * 1000:.3f} ms per request"
            )


def state_file_round_trip(files: int, tasks: int) -> None:
    """Seconds to save and to load a world holding ``files`` files (in one
    collection) and ``tasks`` finished tasks, with the state file's size."""
    print(f"\n## state file: a world with {files:,} files and {tasks:,} tasks  (goal: < 1 s each)")
    emulator = Emulator()
    source = emulator.transfer.add_collection("Big")
    for i in range(files):
        source.tree.write(f"/d{i // 1000:03}/f{i:06}", content=b"x")
    with emulator.lock:
        for n in range(tasks):
            document = {
                "DATA_TYPE": "transfer",
                "source_endpoint": source.id,
                "destination_endpoint": source.id,
                "DATA": [
                    {
                        "DATA_TYPE": "transfer_item",
                        "source_path": f"/d000/f{n % 1000:06}",
                        "destination_path": f"/copies/c{n:06}",
                    }
                ],
            }
            emulator.world.tasks.submit(
                emulator.user.id, emulator.user.username, Principals.of(emulator.user.id), document
            )
        emulator.world.tasks.list_for(None)  # all finished, as a long session leaves them
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.json"
        saves, loads = [], []
        for _ in range(3):
            start = time.perf_counter()
            emulator.save_state(path)
            saves.append(time.perf_counter() - start)
            start = time.perf_counter()
            emulator.load_state(path)
            loads.append(time.perf_counter() - start)
        size = path.stat().st_size / 2**20
    print(f"  {'save_state (median of 3)':<52} {statistics.median(saves) * 1000:9.1f} ms")
    print(f"  {'load_state (median of 3)':<52} {statistics.median(loads) * 1000:9.1f} ms")
    print(f"  {'state file size':<52} {size:9.1f} MB")


def _hammer(
    url: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[int, int, list[float]]:
    """``clients`` threads, each with its own keep-alive session, calling
    ``url`` for ``seconds``: (answers, errors, latencies)."""
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def client() -> None:
        mine: list[float] = []
        failed = 0
        with requests.Session() as session:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                try:
                    ok = session.get(url, headers=headers, timeout=30).status_code == 200
                except requests.RequestException:
                    ok = False
                mine.append(time.perf_counter() - began)
                failed += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), errors[0], latencies


def load_test(clients: int, seconds: float) -> None:
    """A served emulator (userinfo, token checked, journaled) against a bare
    werkzeug app returning fixed bytes from the same kind of server, each
    under ``clients`` concurrent keep-alive clients in this process."""
    print(
        f"\n## load: {clients} concurrent clients for {seconds:g} s each"
        "  (goal: within 1.5x of the bare app)"
    )
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Response

    from globus_testkit.transports.server import _QuietHandler

    body = b'{"sub": "x", "preferred_username": "u"}'

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        return Response(body, mimetype="application/json")(environ, start_response)

    bare = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    threading.Thread(target=bare.serve_forever, args=(0.05,), daemon=True).start()
    emulator = Emulator()
    server = emulator.serve()
    token = emulator.auth.issue_token(emulator.user, "openid profile email")
    targets = [
        ("bare werkzeug app", f"http://127.0.0.1:{bare.socket.getsockname()[1]}/", {}),
        (
            "served emulator (userinfo)",
            f"{server.url}/auth/v2/oauth2/userinfo",
            {"Authorization": f"Bearer {token}"},
        ),
    ]
    try:
        for _, url, headers in targets:  # warm up: threads, connections, first token
            _hammer(url, headers, clients, 0.5)
        base = None
        for name, url, headers in targets:
            answers, errors, latencies = _hammer(url, headers, clients, seconds)
            rate = answers / seconds
            base = base or rate
            latencies.sort()
            p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0.0
            p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0.0
            print(
                f"  {name:<30} {rate:8.0f} req/s  x{base / rate if rate else 0:5.2f}"
                f"   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   errors {errors}"
            )
    finally:
        bare.shutdown()
        emulator.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny counts")
    parser.add_argument("--full", action="store_true", help="the full run (the default)")
    parser.add_argument("--only", help="run only the comparisons whose title contains this")
    parser.add_argument(
        "--soak", type=int, help="requests per transport in the memory soak (default 200,000)"
    )
    args = parser.parse_args(argv)
    rounds, calls, tests = (2, 5, 20) if args.quick else (15, 200, 400)

    print("# globus-testkit benchmarks")
    print(
        f"python {platform.python_version()}, globus-sdk {globus_sdk.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cpus, {platform.platform()}"
    )

    comparisons = [
        Comparison(
            "in-process: emulated vs canned (userinfo, globus_sdk.testing's recorded answer)",
            [
                Contender("canned (responses)", canned_userinfo),
                Contender("emulated, in-process", emulated_userinfo),
            ],
            calls,
            goal="ratio <= 1.00",
        ),
        Comparison(
            "live server per call (userinfo)",
            [
                Contender("emulated, in-process", emulated_userinfo),
                Contender("emulated, live server", server_userinfo),
                Contender("emulated, through proxy mode (HTTPS)", proxied_userinfo),
                Contender("bare werkzeug app, same server kind", bare_werkzeug_server),
            ],
            calls,
        ),
    ]
    comparisons += [
        Comparison(
            f"in-process: emulated vs canned ({name})",
            [Contender("canned (responses)", canned), Contender("emulated, in-process", emulated)],
            calls,
            goal="ratio <= 1.00",
        )
        for name, canned, emulated in (
            ("get_run", canned_get_run, emulated_get_run),
            ("get_endpoint", canned_get_endpoint, emulated_get_endpoint),
            ("submit_transfer", canned_submit_transfer, emulated_submit_transfer),
            ("get_task", canned_get_task, emulated_get_task),
            ("academy exchange: send + receive", canned_exchange, emulated_exchange),
            ("search post_search, 100 entries", canned_post_search, _search_index(100)),
            ("groups get_my_groups", canned_my_groups, emulated_my_groups),
            ("timers get_job", canned_get_job, emulated_get_job),
            ("GCS get_collection_list", canned_collection_list, emulated_collection_list),
        )
    ]
    if importlib.util.find_spec("globus_compute_sdk") is not None:
        comparisons.append(
            Comparison(
                "Compute: submit a trivial function and read its result (per round trip)",
                [
                    Contender("canned (responses), nothing runs", canned_compute_round_trip),
                    Contender("emulated, run in a worker process", emulated_compute_round_trip),
                ],
                max(2, calls // 10),
            )
        )
    big = 2_000 if args.quick else 100_000
    many = 200 if args.quick else 10_000
    comparisons += [
        Comparison(
            f"scale: first ls page (100 entries) of a 10- vs a {big:,}-entry directory",
            [
                Contender("10 entries", _ls_first_page(10)),
                Contender(f"{big:,} entries", _ls_first_page(big)),
            ],
            max(2, calls // 4),
            goal="<= 3x",
        ),
        Comparison(
            f"scale: a 10-file vs a {many:,}-file recursive transfer, submitted and done",
            [
                Contender("10 files", _transfer_of(10)),
                Contender(f"{many:,} files", _transfer_of(many)),
            ],
            2,
            goal="done by the first read (the ratio is the work itself)",
        ),
        Comparison(
            "scale: 1,000 states run as 100 flows of 10 vs 1 flow of 1,000 (per state)",
            [
                Contender("10-state flows", _flow_states(10, 1000)),
                Contender("a 1,000-state flow", _flow_states(1000, 1000)),
            ],
            1,
            goal="<= 2x per state",
        ),
        Comparison(
            f"scale: a task_list page (100, from the middle) among 100 vs {many:,} tasks",
            [
                Contender("100 tasks", _task_list_page(100)),
                Contender(f"{many:,} tasks", _task_list_page(many)),
            ],
            max(2, calls // 10),
            goal="<= 1.5x",
        ),
        Comparison(
            f"scale: the first list_runs page (20) among 100 vs {many:,} runs",
            [
                Contender("100 runs", _runs_list_page(100)),
                Contender(f"{many:,} runs", _runs_list_page(many)),
            ],
            max(2, calls // 10),
            goal="<= 1.5x",
        ),
        Comparison(
            f"scale: a search query (with a facet) over 100 vs {many:,} entries",
            [
                Contender("100 entries", _search_index(100)),
                Contender(f"{many:,} entries", _search_index(many)),
            ],
            max(2, calls // 20),
        ),
    ]
    comparisons += [
        Comparison(
            "timers: creating a timer and one run of it, against a direct submit_transfer",
            [
                Contender("submit_transfer (direct)", emulated_submit_transfer),
                Contender("create_timer (TransferTimer)", emulated_create_timer),
                Contender("one timer run (clock advance)", emulated_timer_run),
            ],
            calls,
        ),
        Comparison(
            "timers: get_endpoint with no timers vs 300 timers waiting (due check)",
            [
                Contender("no timers", _get_endpoint_with_timers_waiting(0)),
                Contender("300 timers waiting", _get_endpoint_with_timers_waiting(300)),
            ],
            calls,
            goal="ratio ~1 (one comparison per request)",
        ),
    ]
    for comparison in comparisons:
        if args.only is None or args.only in comparison.title:
            report(comparison, measure(comparison, rounds))
    if args.only is None or args.only in "memory soak":
        memory_soak(args.soak or (2_000 if args.quick else 200_000))
    if args.only is None or args.only in "state file":
        state_file_round_trip(*((2_000, 200) if args.quick else (100_000, 10_000)))
    if args.only is None or args.only in "load":
        load_test(10 if args.quick else 50, 2.0 if args.quick else 10.0)
    fresh = Comparison("per-test cost of a fresh world", [], tests, goal="<= 2 ms per test")
    if args.only is None or args.only in fresh.title:
        results = per_test_cost(tests, max(1, rounds // 3))
        print(f"\n## {fresh.title}  (goal: {fresh.goal})")
        for name, seconds in results:
            print(f"  {name:<52} {seconds * 1000:9.3f} ms")
    _ = requests  # imported so the first contender does not pay for it
    print(
        textwrap.dedent("""
        Figures are medians of interleaved rounds; ratios are against the
        first line of each section.""")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
