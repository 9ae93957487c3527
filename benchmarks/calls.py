"""Per-call contenders: the same SDK call answered canned (globus_sdk.testing's
recorded answers, served by responses) and by the emulator, per service."""

from __future__ import annotations

import json
import os
import threading
import uuid
from contextlib import ExitStack

import globus_sdk
import requests
import responses
from globus_sdk.testing import load_response
from harness import Runner, active

from globus_testkit import Emulator


def canned_userinfo(stack: ExitStack) -> Runner:
    """globus_sdk.testing's recorded answer, served by responses."""
    mock = stack.enter_context(active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    load_response("auth.userinfo", case="unauthorized", requests_mock=mock)
    # the recorded set has only error cases, so serve the emulator's shape
    mock.replace(
        responses.GET,
        "https://auth.globus.org/v2/oauth2/userinfo",
        json={"sub": "x", "preferred_username": "u", "email": "e", "name": "n"},
    )
    client = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: userinfo(client)


def emulated_userinfo(stack: ExitStack) -> Runner:
    emulator = stack.enter_context(Emulator())
    client = auth_client(emulator)
    return lambda: userinfo(client)


def auth_client(emulator: Emulator) -> globus_sdk.AuthClient:
    """The same authorizer kind as the canned contender, with a real token:
    an app's token storage would add cost that is not the emulator's."""
    token = emulator.auth.issue_token(emulator.user, "openid profile email")
    return globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def userinfo(client: globus_sdk.AuthClient) -> None:
    method = getattr(client, "userinfo", None) or client.oauth2_userinfo
    method()


def server_userinfo(stack: ExitStack) -> Runner:
    emulator = Emulator()
    server = emulator.serve()
    stack.callback(emulator.stop)
    url = f"{server.url}/auth/"
    os.environ["GLOBUS_SDK_SERVICE_URL_AUTH"] = url
    stack.callback(os.environ.pop, "GLOBUS_SDK_SERVICE_URL_AUTH", None)
    client = auth_client(emulator)
    return lambda: userinfo(client)


def proxied_userinfo(stack: ExitStack) -> Runner:
    """userinfo at auth.globus.org's real URL, through proxy mode (HTTPS to
    the proxy, TLS terminated there, one keep-alive connection)."""
    emulator = Emulator()
    proxy = emulator.serve_proxy()
    stack.callback(emulator.stop)
    client = auth_client(emulator)
    client.transport.session.proxies = {"https": proxy.url}
    client.transport.verify_ssl = str(proxy.bundle)
    return lambda: userinfo(client)


def bare_werkzeug_server(stack: ExitStack) -> Runner:
    """The floor for any loopback answer: werkzeug returning fixed bytes."""
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Response

    body = b'{"sub": "x", "preferred_username": "u"}'

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        return Response(body, mimetype="application/json")(environ, start_response)

    from globus_testkit.transports.keepalive import KeepAliveHandler

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=KeepAliveHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    stack.callback(server.shutdown)
    port = server.socket.getsockname()[1]
    os.environ["GLOBUS_SDK_SERVICE_URL_AUTH"] = f"http://127.0.0.1:{port}/"
    stack.callback(os.environ.pop, "GLOBUS_SDK_SERVICE_URL_AUTH", None)
    client = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: userinfo(client)


TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"


TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"


TRANSFER_SCOPE = (
    "urn:globus:auth:scope:transfer.api.globus.org:all"
    f"[*https://auth.globus.org/scopes/{TUTORIAL_1}/data_access"
    f" *https://auth.globus.org/scopes/{TUTORIAL_2}/data_access]"
)


def transfer_data() -> globus_sdk.TransferData:
    data = globus_sdk.TransferData(source_endpoint=TUTORIAL_2, destination_endpoint=TUTORIAL_1)
    data.add_item("/home/share/godata/file1.txt", "/home/share/copy.txt")
    return data


def canned_transfer(stack: ExitStack, *set_ids: str) -> globus_sdk.TransferClient:
    mock = stack.enter_context(active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    for set_id in set_ids:
        load_response(set_id, requests_mock=mock)
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))


def emulated_transfer(stack: ExitStack) -> tuple[Emulator, globus_sdk.TransferClient]:
    emulator = stack.enter_context(Emulator())
    token = emulator.auth.issue_token(emulator.user, TRANSFER_SCOPE)
    client = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    return emulator, client


def canned_get_endpoint(stack: ExitStack) -> Runner:
    client = canned_transfer(stack, "transfer.get_endpoint")
    endpoint_id = "00000000-0000-0000-0005-4925541e7725"
    return lambda: client.get_endpoint(endpoint_id)


def emulated_get_endpoint(stack: ExitStack) -> Runner:
    _, client = emulated_transfer(stack)
    return lambda: client.get_endpoint(TUTORIAL_1)


def canned_submit_transfer(stack: ExitStack) -> Runner:
    client = canned_transfer(stack, "transfer.get_submission_id", "transfer.submit_transfer")
    return lambda: client.submit_transfer(transfer_data())


def emulated_submit_transfer(stack: ExitStack) -> Runner:
    _, client = emulated_transfer(stack)
    return lambda: client.submit_transfer(transfer_data())


def canned_get_task(stack: ExitStack) -> Runner:
    # globus-sdk records no get_task set: serve the emulator's own answer
    emulator, client = emulated_transfer(ExitStack())
    task_id = client.submit_transfer(transfer_data())["task_id"]
    body = client.get_task(task_id).data
    emulator.stop()
    mock = stack.enter_context(active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    mock.get(f"https://transfer.api.globus.org/v0.10/task/{task_id}", json=body)
    canned = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: canned.get_task(task_id)


def emulated_get_task(stack: ExitStack) -> Runner:
    _, client = emulated_transfer(stack)
    task_id = client.submit_transfer(transfer_data())["task_id"]
    return lambda: client.get_task(task_id)


TIMERS_SCOPE = (
    f"https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer[{TRANSFER_SCOPE}]"
)


def timers_client(stack: ExitStack) -> tuple[Emulator, globus_sdk.TimersClient]:
    emulator = stack.enter_context(Emulator())
    token = emulator.auth.issue_token(emulator.user, TIMERS_SCOPE, lifetime=10**9)
    client = globus_sdk.TimersClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    return emulator, client


def transfer_timer(interval: int) -> globus_sdk.TransferTimer:
    return globus_sdk.TransferTimer(
        schedule=globus_sdk.RecurringTimerSchedule(interval), body=transfer_data()
    )


def emulated_create_timer(stack: ExitStack) -> Runner:
    _, client = timers_client(stack)
    return lambda: client.create_timer(transfer_timer(3600))


def emulated_timer_run(stack: ExitStack) -> Runner:
    """One occurrence: the clock moves a minute and the timer submits its
    Transfer task through Transfer (tokens, consent, journal)."""
    emulator, client = timers_client(stack)
    client.create_timer(transfer_timer(60))
    return lambda: emulator.clock.advance(60)


GROUPS_ALL = "urn:globus:auth:scope:groups.api.globus.org:all"


def canned_my_groups(stack: ExitStack) -> Runner:
    mock = stack.enter_context(active(responses.RequestsMock(assert_all_requests_are_fired=False)))
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
    mock = stack.enter_context(active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    job_id = load_response("timer.get_job", requests_mock=mock).metadata["job_id"]
    client = globus_sdk.TimersClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: client.get_job(job_id)


def emulated_get_job(stack: ExitStack) -> Runner:
    _, client = timers_client(stack)
    timer_id = client.create_timer(transfer_timer(3600))["timer"]["job_id"]
    return lambda: client.get_job(timer_id)


def canned_collection_list(stack: ExitStack) -> Runner:
    mock = stack.enter_context(active(responses.RequestsMock(assert_all_requests_are_fired=False)))
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


SEARCH_ALL = "urn:globus:auth:scope:search.api.globus.org:all"


QUERY = {"q": "ocean", "limit": 10, "facets": [{"name": "kw", "field_name": "keywords"}]}


# The recorded answer shows one hit of ten and no facets: what this asks.
ONE_OF_TEN = {"q": "bar", "limit": 1}


def search_client(emulator: Emulator) -> globus_sdk.SearchClient:
    token = emulator.auth.issue_token(emulator.user, [SEARCH_ALL])
    return globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def canned_post_search(stack: ExitStack) -> Runner:
    mock = stack.enter_context(active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    index_id = load_response("search.post_search", requests_mock=mock).metadata["index_id"]
    client = globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: client.post_search(index_id, ONE_OF_TEN)


def emulated_post_search(stack: ExitStack) -> Runner:
    """The recorded answer's shape: ten public entries of {"foo": "bar"},
    one shown."""
    emulator = stack.enter_context(Emulator())
    entries = [
        {"subject": f"foo-bar-{n}", "visible_to": ["public"], "content": {"foo": "bar"}}
        for n in range(10)
    ]
    index = emulator.search.create_index("bench", entries=entries)
    client = search_client(emulator)
    return lambda: client.post_search(index.id, ONE_OF_TEN)


FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"


def flows_client(stack: ExitStack) -> tuple[Emulator, globus_sdk.FlowsClient]:
    emulator = stack.enter_context(Emulator())
    token = emulator.auth.issue_token(emulator.user, FLOWS_ALL)
    return emulator, globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def chain(states: int) -> dict[str, object]:
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


def canned_get_run(stack: ExitStack) -> Runner:
    mock = stack.enter_context(active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    found = load_response("flows.get_run", requests_mock=mock)
    run_id = found.metadata["run_id"]
    client = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
    return lambda: client.get_run(run_id)


def emulated_get_run(stack: ExitStack) -> Runner:
    emulator, client = flows_client(stack)
    flow = client.create_flow("one", chain(1), {}).data
    token = emulator.auth.issue_token(emulator.user, flow["globus_auth_scope"])
    runner = globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )
    run_id = runner.run_flow({})["run_id"]
    return lambda: client.get_run(run_id)


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
    mock = stack.enter_context(active(responses.RequestsMock(assert_all_requests_are_fired=False)))
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
    mock = stack.enter_context(active(responses.RequestsMock(assert_all_requests_are_fired=False)))
    submitted = load_response(globus_sdk.ComputeClientV3.submit, requests_mock=mock).metadata
    load_response(globus_sdk.ComputeClientV2.get_task, requests_mock=mock)
    v2, v3 = _compute_clients("token")

    def run() -> None:
        v3.submit(submitted["endpoint_id"], {"tasks": {submitted["function_id"]: ["x"]}})
        assert v2.get_task(submitted["task_id"])["status"] == "success"

    return run


def _trivial(x: int) -> int:
    return x + 1


def trivial_function_task() -> tuple[str, str]:
    """A trivial function's code and the payload of a call of it, as
    globus-compute-sdk packs them."""
    from globus_compute_sdk.serialize import ComputeSerializer

    serializer = ComputeSerializer()
    code = serializer.pack_buffers([serializer.serialize(_trivial)])
    payload = serializer.pack_buffers([serializer.serialize((1,)), serializer.serialize({})])
    return code, payload


def emulated_compute_round_trip(stack: ExitStack) -> Runner:
    """Submit, run in the emulator's worker process, read the result back."""
    from globus_compute_sdk.serialize import ComputeSerializer

    serializer = ComputeSerializer()
    emulator = stack.enter_context(Emulator())
    endpoint = emulator.compute.create_endpoint("bench")
    v2, v3 = _compute_clients(emulator.auth.issue_token(emulator.user, COMPUTE_ALL))
    code, payload = trivial_function_task()
    function_id = v3.register_function({"function_name": "trivial", "function_code": code})[
        "function_uuid"
    ]

    def run() -> None:
        tasks = v3.submit(endpoint.id, {"tasks": {function_id: [payload]}})["tasks"]
        answer = v2.get_task(tasks[function_id][0])
        assert serializer.deserialize(answer["result"]) == 2

    return run
