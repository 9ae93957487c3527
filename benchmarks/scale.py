"""Scale contenders: the same call against a small and a big world."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import globus_sdk
import responses
from calls import (
    COMPUTE_ALL,
    FLOWS_ALL,
    GROUPS_ALL,
    QUERY,
    TRANSFER_SCOPE,
    TUTORIAL_1,
    chain,
    emulated_transfer,
    flows_client,
    search_client,
    timers_client,
    transfer_data,
    transfer_timer,
)
from harness import Runner, active

from globus_testkit import Emulator
from globus_testkit.services.timers.models import Schedule
from globus_testkit.services.transfer.access import Principals


def get_endpoint_with_timers_waiting(timers: int) -> Callable[[ExitStack], Runner]:
    def setup(stack: ExitStack) -> Runner:
        emulator, client = timers_client(stack)
        for _ in range(timers):
            client.create_timer(transfer_timer(86400))
        token = emulator.auth.issue_token(emulator.user, TRANSFER_SCOPE)
        transfer = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: transfer.get_endpoint(TUTORIAL_1)

    return setup


def among_groups(groups: int, *, my_groups: bool = False) -> Callable[[ExitStack], Runner]:
    """get_endpoint (every Transfer call asks Groups whom the caller is), or
    with ``my_groups`` get_my_groups, by a caller in 2 of ``groups`` groups."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        other = emulator.auth.add_identity("other@example.org").id
        for n in range(groups):
            emulator.groups.create(f"g{n}", members={emulator.user.id if n < 2 else other: "admin"})
        if my_groups:
            token = emulator.auth.issue_token(emulator.user, GROUPS_ALL)
            mine = globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
            return lambda: mine.get_my_groups()
        return lambda: client.get_endpoint(TUTORIAL_1)

    return setup


def list_jobs_among_timers(others: int) -> Callable[[ExitStack], Runner]:
    """list_jobs by a caller with 2 timers, beside ``others`` timers of
    someone else's (scheduled a year on, so none runs)."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = timers_client(stack)
        for _ in range(2):
            client.create_timer(transfer_timer(86400))
        someone = emulator.auth.add_identity("other@example.org").id
        next_year = Schedule("once", emulator.clock.now() + 365 * 86400)
        for _ in range(others):
            emulator.world.timers.add(someone, "bench", "transfer", {}, next_year)
        return lambda: client.list_jobs()

    return setup


def get_task_among_compute_tasks(others: int) -> Callable[[ExitStack], Runner]:
    """A Compute get_task beside ``others`` finished tasks (made through
    the model: no function runs, so globus-compute-sdk is not needed)."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator())
        state, owner = emulator.world.compute, emulator.user.id
        endpoint = state.register_endpoint(owner, "bench")
        function = state.register_function(owner, "bench", "code")
        for _ in range(others + 1):
            _, created = state.submit(owner, endpoint.id, {function.id: ["payload"]})
            task = state.tasks[created[function.id][0]]
            state.take(task)
            state.finish(task, "success", "result", {})
        token = emulator.auth.issue_token(emulator.user, COMPUTE_ALL)
        client = globus_sdk.ComputeClientV2(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: client.get_task(task.id)

    return setup


def ls_among_consents(people: int) -> Callable[[ExitStack], Runner]:
    """operation_ls on a mapped collection (its data_access consent checked)
    in a world where ``people`` others consented to Transfer as well."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        for n in range(people):
            someone = emulator.auth.add_identity(f"p{n}@example.org")
            emulator.auth.issue_token(someone, TRANSFER_SCOPE)
        return lambda: client.operation_ls(TUTORIAL_1, path="/home/share/godata")

    return setup


def ls_first_page(entries: int) -> Callable[[ExitStack], Runner]:
    def setup(stack: ExitStack) -> Runner:
        emulator, _ = emulated_transfer(stack)
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


def transfer_of(items: int) -> Callable[[ExitStack], Runner]:
    """Submit a recursive transfer of ``items`` files and read it until done."""

    def setup(stack: ExitStack) -> Runner:
        emulator, _ = emulated_transfer(stack)
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


def plain(data: globus_sdk.TransferData) -> dict[str, object]:
    """The document as the SDK would send it (its unset fields dropped)."""
    missing = getattr(globus_sdk, "MISSING", None)
    return {k: v for k, v in dict(data).items() if v is not missing and v is not None}


def task_list_page(tasks: int) -> Callable[[ExitStack], Runner]:
    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        with emulator.lock:
            for _ in range(tasks):
                emulator.world.tasks.submit(
                    emulator.user.id,
                    emulator.user.username,
                    Principals.of(emulator.user.id),
                    plain(transfer_data()),
                )
        # a full page of 100 from the middle (from the start when there are 100)
        return lambda: client.task_list(limit=100, offset=max(0, tasks // 2 - 50))

    return setup


def search_index(entries: int, query: dict[str, object] = QUERY) -> Callable[[ExitStack], Runner]:
    """A post_search (by default QUERY, with a facet) over an index of
    ``entries`` entries: a tenth hold "ocean" in their title and the odd half
    in their keywords, so QUERY's "ocean" matches 60%."""

    def setup(stack: ExitStack) -> Runner:
        client, index_id = _search_world(stack, entries)
        return lambda: client.post_search(index_id, query)

    return setup


def canned_search_answer(
    entries: int, query: dict[str, object] = QUERY
) -> Callable[[ExitStack], Runner]:
    """``search_index``'s answer taken once and served by responses: the
    same request and the same bytes back, with no emulator behind them."""

    def setup(stack: ExitStack) -> Runner:
        with ExitStack() as once:
            client, index_id = _search_world(once, entries)
            body = client.post_search(index_id, query).data
        mock = stack.enter_context(
            active(responses.RequestsMock(assert_all_requests_are_fired=False))
        )
        mock.post(f"https://search.api.globus.org/v1/index/{index_id}/search", json=body)
        canned = globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer("token"))
        return lambda: canned.post_search(index_id, query)

    return setup


def _search_world(stack: ExitStack, entries: int) -> tuple[globus_sdk.SearchClient, str]:
    """An emulator with an index of ``entries`` entries (see search_index)."""
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
    return search_client(emulator), index.id


def flow_states(states: int, total: int) -> Callable[[ExitStack], Runner]:
    """Run ``total // states`` flows of ``states`` states to SUCCEEDED, so
    every contender does the same number of states per call."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = flows_client(stack)
        flow = client.create_flow(f"{states} states", chain(states), {}).data
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


def runs_list_page(runs: int) -> Callable[[ExitStack], Runner]:
    """The first page (20) of list_runs among ``runs`` runs of one user.
    The world is built once (through the SDK) and reused by every round."""
    built: dict[str, tuple[Emulator, globus_sdk.FlowsClient]] = {}

    def setup(stack: ExitStack) -> Runner:
        if not built:
            emulator = Emulator()
            with emulator:
                token = emulator.auth.issue_token(emulator.user, FLOWS_ALL)
                client = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
                flow = client.create_flow("one", chain(1), {}).data
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


def _gcs_world(others: int) -> tuple[Emulator, str, str]:
    """One endpoint with its POSIX gateway and a mapped collection, owned
    by the world's user, and an endpoint administrator (by role) named
    admin@example.org; beside it ``others`` mapped collections, each with
    its creator's administrator role, on another endpoint. Returns the
    emulator, the endpoint id and the collection id."""
    emulator = Emulator()
    with emulator:
        admin = emulator.auth.add_identity("admin@example.org")
        endpoint_id, collection_id = _gcs_collections(emulator, "Lab GCS", 1)[0]
        with emulator.lock:
            state = emulator.world.gcs
            endpoint = state.endpoint(endpoint_id)
            principal = f"urn:globus:auth:identity:{admin.id}"
            state.create_role(
                emulator.world.transfer,
                endpoint,
                endpoint.owner_id,
                None,
                principal,
                "administrator",
            )
        _gcs_collections(emulator, "Elsewhere", others)
    return emulator, endpoint_id, collection_id


def _gcs_collections(emulator: Emulator, name: str, count: int) -> list[tuple[str, str]]:
    """A new endpoint with a POSIX gateway and ``count`` mapped collections
    on it, made through the model as its owner (ids: endpoint, collection)."""
    endpoint = emulator.gcs.add_endpoint(name)
    gateway = emulator.gcs.add_storage_gateway(endpoint, "POSIX")
    made = []
    with emulator.lock:
        state, transfer = emulator.world.gcs, emulator.world.transfer
        for n in range(count):
            document = {
                "collection_type": "mapped",
                "display_name": f"{name} {n}",
                "storage_gateway_id": gateway.id,
            }
            record, _ = state.create_collection(transfer, endpoint, endpoint.owner_id, document)
            made.append((endpoint.id, record.id))
    return made


def _gcs_client(emulator: Emulator, endpoint_id: str, username: str) -> globus_sdk.GCSClient:
    identity = next(i for i in emulator.world.auth.identities.values() if i.username == username)
    token = emulator.auth.issue_token(identity, emulator.gcs.scope(endpoint_id))
    return globus_sdk.GCSClient(
        emulator.gcs.manager_url(endpoint_id), authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )


def _gcs_world_once(
    built: list[tuple[Emulator, str, str]], others: int, stack: ExitStack
) -> tuple[Emulator, str, str]:
    """The world of ``_gcs_world(others)``, built on the first round and
    kept in ``built`` for the next, entered for this one."""
    if not built:
        built.append(_gcs_world(others))
    stack.enter_context(built[0][0])
    return built[0]


def gcs_calls_among(others: int, *, roles: bool) -> Callable[[ExitStack], Runner]:
    """GCS get_collection by the endpoint's owner, or with ``roles``
    get_role_list (include=all_roles) by its administrator by role, beside
    ``others`` mapped collections with their roles on another endpoint. The
    world is built once (the calls change nothing) and reused by every round."""
    built: list[tuple[Emulator, str, str]] = []

    def setup(stack: ExitStack) -> Runner:
        emulator, endpoint_id, collection_id = _gcs_world_once(built, others, stack)
        if roles:
            admin = _gcs_client(emulator, endpoint_id, "admin@example.org")
            return lambda: admin.get_role_list(query_params={"include": "all_roles"})
        owner = _gcs_client(emulator, endpoint_id, emulator.user.username)
        return lambda: owner.get_collection(collection_id)

    return setup


def ls_among_pause_rules(others: int) -> Callable[[ExitStack], Runner]:
    """operation_ls (pause rules checked) beside ``others`` pause rules on
    another, managed, collection."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        owner = emulator.auth.add_identity("manager@example.org").id
        managed = emulator.transfer.add_collection("Managed", owner=owner)
        with emulator.lock:
            managed.subscription_id = emulator.world.ids.uuid()
            rules = emulator.world.tasks.pause_rules
            for _ in range(others):
                rules.create(owner, Principals.of(owner), {"endpoint_id": managed.id})
        return lambda: client.operation_ls(TUTORIAL_1, path="/home/share/godata")

    return setup


# A registered API's target: one operation, as test_registered_apis's.
REGISTERED_TARGET = {
    "type": "openapi",
    "openapi_version": "3.1",
    "destination": {"method": "get", "url": "https://example.org/things/{thing}"},
    "specification": {"summary": "Get a thing"},
}
# A web input's question (as a CreateWebInput state's Parameters give it).
QUESTION = {"context": {"title": "Go on?", "text": "Say so."}, "options": [{"label": "Yes"}]}


def get_registered_api_among(others: int) -> Callable[[ExitStack], Runner]:
    """get_registered_api beside ``others`` registered APIs (made through
    the model)."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = flows_client(stack)
        owner = f"urn:globus:auth:identity:{emulator.user.id}"
        apis = emulator.world.flows.registered_apis
        for n in range(others + 1):
            api = apis.create(owner, {"name": f"api{n}", "target": REGISTERED_TARGET})
        return lambda: client.get_registered_api(api.id)

    return setup


def get_web_input_among_runs(others: int) -> Callable[[ExitStack], Runner]:
    """get_web_input (which brings every unfinished run up to now first)
    beside ``others`` finished runs (made and run through the model)."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = flows_client(stack)
        state, user = emulator.world.flows, emulator.user
        one = state.flows[client.create_flow("one", chain(1), {})["id"]]
        # asked by a run the first call brings to its end
        web_input_id = state.web_inputs.create(
            state.add_run(one, user.id, user.username, {}, {}), QUESTION
        ).id
        runner = next(s for s in emulator.services if s.name == "flows").runner()
        for _ in range(others):
            runner.advance(state.add_run(one, user.id, user.username, {}, {}))
        return lambda: client.get_web_input(web_input_id)

    return setup


def get_group_with_children_among(others: int) -> Callable[[ExitStack], Runner]:
    """get_group (with child_ids) of a group with 2 subgroups, beside
    ``others`` groups of someone else's."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator())
        parent = emulator.groups.create("parent")
        for n in range(2):
            emulator.groups.create(f"child{n}", parent_id=parent.id)
        someone = emulator.auth.add_identity("other@example.org").id
        for n in range(others):
            emulator.groups.create(f"g{n}", members={someone: "admin"})
        token = emulator.auth.issue_token(emulator.user, GROUPS_ALL)
        client = globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: client.get_group(parent.id, include="child_ids")

    return setup


def task_list_among_search_tasks(others: int) -> Callable[[ExitStack], Runner]:
    """get_task_list of an index with 2 tasks, beside ``others`` tasks of
    another index (submitted through the model, applied by the first call)."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator())
        mine, theirs = (emulator.search.create_index(name) for name in ("mine", "theirs"))
        state = emulator.world.search
        for index, count in ((mine, 2), (theirs, others)):
            for _ in range(count):
                state.submit(index, "ingest", entries=[])
        client = search_client(emulator)
        return lambda: client.get_task_list(mine.id)

    return setup


def get_index_of(entries: int) -> Callable[[ExitStack], Runner]:
    """A Search get_index (which counts the index's entries) of an index of
    ``entries`` entries (see search_index)."""

    def setup(stack: ExitStack) -> Runner:
        client, index_id = _search_world(stack, entries)
        return lambda: client.get_index(index_id)

    return setup


def create_tunnel_among_tunnels(others: int) -> Callable[[ExitStack], Runner]:
    """create_tunnel (a new submission id each call, as the SDK makes one)
    beside ``others`` tunnels of another user between the same access points."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        other = emulator.auth.add_identity("streamer@example.org").id
        initiator = emulator.transfer.add_stream_access_point("Initiator")
        listener = emulator.transfer.add_stream_access_point("Listener")
        with emulator.lock:
            streams = emulator.world.streams
            for n in range(others):
                streams.create_tunnel(
                    other,
                    frozenset({f"urn:globus:auth:identity:{other}"}),
                    initiator_id=initiator.id,
                    listener_id=listener.id,
                    submission_id=f"other-{n}",
                )
        ends = {
            "initiator": {"data": {"type": "StreamAccessPoint", "id": initiator.id}},
            "listener": {"data": {"type": "StreamAccessPoint", "id": listener.id}},
        }
        # a new document each call: the SDK writes its submission id into it
        return lambda: client.create_tunnel(
            {"data": {"type": "Tunnel", "relationships": ends, "attributes": {}}}
        )

    return setup


def search_my_endpoints_among(others: int) -> Callable[[ExitStack], Runner]:
    """endpoint_search with filter_scope my-endpoints by a user owning 3
    collections, beside ``others`` collections of 100 other owners."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        owners = [emulator.auth.add_identity(f"owner{n}@example.org") for n in range(100)]
        for n in range(3):
            emulator.transfer.add_collection(f"Mine {n}")
        with emulator.lock:
            transfer = emulator.world.transfer
            for n in range(others):
                owner = owners[n % len(owners)]
                transfer.create_collection(
                    f"Theirs {n}", owner_id=owner.id, owner_string=owner.username
                )
        return lambda: client.endpoint_search(filter_scope="my-endpoints")

    return setup


def list_flows_among(others: int) -> Callable[[ExitStack], Runner]:
    """list_flows by a caller with 3 flows, beside ``others`` flows of
    other users' (made through the model, each user one flow)."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = flows_client(stack)
        for n in range(3):
            client.create_flow(f"mine{n}", chain(1), {})
        state = emulator.world.flows
        for n in range(others):
            state.add_flow(f"other-{n}", {"title": f"theirs{n}", "definition": chain(1)})
        return lambda: client.list_flows()

    return setup


def index_list_among(others: int) -> Callable[[ExitStack], Runner]:
    """A Search index_list by a caller owning 3 indexes, beside ``others``
    indexes of other users' (made through the model, each user one index)."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator())
        for n in range(3):
            emulator.search.create_index(f"mine{n}")
        state = emulator.world.search
        for n in range(others):
            state.create_index(f"other-{n}", f"theirs{n}", "", trial=False)
        client = search_client(emulator)
        return lambda: client.index_list()

    return setup


def _others_logged_in(emulator: Emulator, others: int) -> None:
    """``others`` more people, each with a Transfer token and the login
    (session) behind it, as a busy world has."""
    for n in range(others):
        someone = emulator.auth.add_identity(f"p{n}@example.org")
        emulator.auth.issue_token(someone, TRANSFER_SCOPE)


def high_assurance_group_among_logins(others: int) -> Callable[[ExitStack], Runner]:
    """GroupsClient.get_group of a high-assurance group (Groups asks Auth
    when each of the caller's identities last signed in) among ``others``
    other people's logins."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator())
        _others_logged_in(emulator, others)
        token = emulator.auth.issue_token(emulator.user, GROUPS_ALL)
        groups = globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        high_assurance = {"is_high_assurance": True, "authentication_assurance_timeout": 3600}
        group_id = emulator.groups.create("lab", policies=high_assurance).id
        return lambda: groups.get_group(group_id)

    return setup


def revoke_among_logins(others: int) -> Callable[[ExitStack], Runner]:
    """A native app's logout, NativeAppAuthClient.oauth2_revoke_token of
    its refresh token (and so of the access tokens refreshed from it),
    among ``others`` other people's tokens and logins. Revoking again is
    the same work (RFC 7009: revoking a revoked token succeeds)."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator())
        _others_logged_in(emulator, others)
        app = globus_sdk.NativeAppAuthClient(emulator.native_client_id)
        app.oauth2_start_flow(requested_scopes=TRANSFER_SCOPE, refresh_tokens=True)
        code = emulator.auth.authorize(app.oauth2_get_authorize_url())
        tokens = app.oauth2_exchange_code_for_tokens(code).by_resource_server
        refresh = tokens["transfer.api.globus.org"]["refresh_token"]
        app.oauth2_refresh_token(refresh)  # one more access token born of it
        return lambda: app.oauth2_revoke_token(refresh)

    return setup


def lenient_call_among_scopes(flows: int) -> Callable[[ExitStack], Runner]:
    """A lenient emulator's get_endpoint with a token Auth never issued
    (answered as the first user, with every Transfer scope) beside
    ``flows`` flows' scopes, each a resource server of its own."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator(strict=False))
        auth = emulator.world.auth
        for _ in range(flows):
            flow = auth.register_client("a flow", client_type="resource_server")
            auth.register_scope(f"https://auth.globus.org/scopes/{flow.id}/run", client_id=flow.id)
        authorizer = globus_sdk.AccessTokenAuthorizer("any string will do")
        transfer = globus_sdk.TransferClient(authorizer=authorizer)
        return lambda: transfer.get_endpoint(TUTORIAL_1)

    return setup


RANGE_QUERY: dict[str, object] = {
    "q": "*",
    "filters": [{"type": "range", "field_name": "n", "values": [{"from": 10, "to": 20}]}],
}
SORT_QUERY: dict[str, object] = {"q": "*", "sort": [{"field_name": "n", "order": "desc"}]}


def search_range_filter(entries: int) -> Callable[[ExitStack], Runner]:
    """A post_search keeping ``n`` from 10 to 20 (11 matches) of ``entries``."""
    return search_index(entries, RANGE_QUERY)


def search_sorted(entries: int) -> Callable[[ExitStack], Runner]:
    """The first page (10) of every one of ``entries`` entries, by ``n`` descending."""
    return search_index(entries, SORT_QUERY)


def search_sorted_with_a_subject_of_two_entries(entries: int) -> Callable[[ExitStack], Runner]:
    """``search_sorted`` once one subject holds a second entry: the postings
    pool that subject's entries' keys, so its entries are checked."""

    return search_with_a_second_entry(SORT_QUERY, ["public"])(entries)


FILES = {"/data/a.dat": "alpha"}


def _my_managed_collection(emulator: Emulator) -> Any:
    """A collection of the world's user's, under a subscription (so they
    manage its activity), holding FILES."""
    subscription = emulator.world.ids.uuid()
    return emulator.transfer.add_collection(
        "Mine", owner=emulator.user, subscription_id=subscription, files=FILES
    )


def _submit_copies(
    emulator: Emulator, owner: str, source: str, destination: str, count: int
) -> None:
    """``count`` tasks of ``owner``'s copying FILES (through the model)."""
    document = {
        "DATA_TYPE": "transfer",
        "source_endpoint": source,
        "destination_endpoint": destination,
        "DATA": [{"source_path": "/data/a.dat", "destination_path": "/a.dat"}],
    }
    with emulator.lock:
        for _ in range(count):
            emulator.world.tasks.submit(owner, owner, Principals.of(owner), document)


def _others_copies(emulator: Emulator, count: int) -> None:
    """``count`` tasks of another user's between two collections of theirs."""
    other = emulator.auth.add_identity("other@example.org").id
    source, destination = (
        emulator.transfer.add_collection(f"end{n}", owner=other, files=FILES) for n in (1, 2)
    )
    _submit_copies(emulator, other, source.id, destination.id, count)


def create_pause_rule_among_tasks(others: int) -> Callable[[ExitStack], Runner]:
    """endpoint_manager_create_pause_rule on the caller's managed collection
    beside ``others`` unfinished tasks of another user's between two other
    collections (timed progress, too slow to finish)."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        mine = _my_managed_collection(emulator)
        emulator.transfer.set_progress("timed", bytes_per_second=0.001)
        _others_copies(emulator, others)
        rule = {"DATA_TYPE": "pause_rule", "endpoint_id": mine.id, "pause_ls": True}
        return lambda: client.endpoint_manager_create_pause_rule(rule)

    return setup


def get_clients_among(others: int) -> Callable[[ExitStack], Runner]:
    """AuthClient.get_clients by a caller with 2 clients (one in a project
    of theirs) beside ``others`` other users' clients, half of them in
    projects of their owners (made through the model)."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator())
        state, me = emulator.world.auth, emulator.user.id
        mine = state.create_project("Mine", "me@example.org", [me])
        state.register_client("one", owner_id=me)
        state.register_client("two", owner_id=me, project_id=mine.id)
        other = emulator.auth.add_identity("other@example.org").id
        theirs = state.create_project("Theirs", "other@example.org", [other])
        for n in range(others):
            state.register_client(f"c{n}", owner_id=other, project_id=theirs.id if n % 2 else None)
        scope = "urn:globus:auth:scope:auth.globus.org:manage_projects"
        token = emulator.auth.issue_token(emulator.user, scope)
        client = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: client.get_clients()

    return setup


def get_endpoints_among(others: int) -> Callable[[ExitStack], Runner]:
    """A Compute get_endpoints by a caller with 2 endpoints beside
    ``others`` other users' private endpoints (made through the model)."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator())
        state = emulator.world.compute
        for name in ("one", "two"):
            state.register_endpoint(emulator.user.id, name)
        other = emulator.auth.add_identity("other@example.org").id
        for n in range(others):
            state.register_endpoint(other, f"e{n}")
        token = emulator.auth.issue_token(emulator.user, COMPUTE_ALL)
        client = globus_sdk.ComputeClientV2(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: client.get_endpoints()

    return setup


def manager_task_list_among_tasks(others: int) -> Callable[[ExitStack], Runner]:
    """endpoint_manager_task_list filtered by the caller's managed endpoint
    (2 tasks on it) beside ``others`` tasks of another user's between two
    other collections."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        mine = _my_managed_collection(emulator)
        _submit_copies(emulator, emulator.user.id, mine.id, mine.id, 2)
        _others_copies(emulator, others)
        return lambda: client.endpoint_manager_task_list(filter_endpoint=mine.id)

    return setup


def shared_endpoint_list_among(others: int) -> Callable[[ExitStack], Runner]:
    """get_shared_endpoint_list of the caller's collection (1 guest on it)
    beside ``others`` other users' collections (made through the model)."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        mine = _my_managed_collection(emulator)
        state, me = emulator.world.transfer, emulator.user.id
        state.create_guest(
            mine, "/data/", "guest", owner_id=me, owner_string=me, who=Principals.of(me)
        )
        other = emulator.auth.add_identity("other@example.org").id
        for n in range(others):
            state.create_collection(f"c{n}", owner_id=other, owner_string=other)
        return lambda: client.get_shared_endpoint_list(mine.id)

    return setup


def list_runs_among(others: int) -> Callable[[ExitStack], Runner]:
    """list_runs by a caller with 2 runs beside ``others`` finished runs of
    another user's flow (made through the model)."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = flows_client(stack)
        state = emulator.world.flows
        me = emulator.user.id
        mine = state.add_flow(me, {"title": "mine", "definition": chain(1)})
        for _ in range(2):
            state.add_run(mine, me, me, {}, {})
        other = emulator.auth.add_identity("other@example.org").id
        theirs = state.add_flow(other, {"title": "theirs", "definition": chain(1)})
        for _ in range(others):
            state.add_run(theirs, other, other, {}, {}).status = "SUCCEEDED"
        return lambda: client.list_runs()

    return setup


def delete_client_among_tokens(others: int) -> Callable[[ExitStack], Runner]:
    """AuthClient.delete_client of one of the caller's clients (a fresh one
    each call) beside ``others`` tokens issued to another user's app."""

    def setup(stack: ExitStack) -> Runner:
        emulator = stack.enter_context(Emulator())
        state, me = emulator.world.auth, emulator.user.id
        other = emulator.auth.add_identity("other@example.org")
        app = state.register_client("their app", owner_id=other.id)
        for _ in range(others):
            state.issue_token(other.id, "openid", client_id=app.id)
        mine = [state.register_client(f"c{n}", owner_id=me).id for n in range(250)]
        scope = "urn:globus:auth:scope:auth.globus.org:manage_projects"
        token = emulator.auth.issue_token(emulator.user, scope)
        client = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        return lambda: client.delete_client(mine.pop())

    return setup


def gcs_collection_list_among(others: int) -> Callable[[ExitStack], Runner]:
    """GCS get_collection_list by the endpoint's owner beside ``others``
    mapped collections on another endpoint (the world of gcs_calls_among,
    built once and reused by every round)."""
    built: list[tuple[Emulator, str, str]] = []

    def setup(stack: ExitStack) -> Runner:
        emulator, endpoint_id, _ = _gcs_world_once(built, others, stack)
        owner = _gcs_client(emulator, endpoint_id, emulator.user.username)
        return lambda: owner.get_collection_list()

    return setup


def _others_with_roles(emulator: Emulator, count: int) -> None:
    """``count`` collections of another user's, every other one under a
    subscription, each with an activity monitor (a third user) and a group
    role (made through the model)."""
    state = emulator.world.transfer
    other = emulator.auth.add_identity("other@example.org").id
    monitor = emulator.auth.add_identity("monitor@example.org").id
    subscription, group = emulator.world.ids.uuid(), emulator.world.ids.uuid()
    with emulator.lock:
        for n in range(count):
            collection = state.create_collection(
                f"c{n}",
                owner_id=other,
                owner_string=other,
                subscription_id=subscription if n % 2 else None,
            )
            state.add_role(collection, "identity", monitor, "activity_monitor")
            state.add_role(collection, "group", group, "activity_manager")


def monitored_endpoints_among(others: int) -> Callable[[ExitStack], Runner]:
    """endpoint_manager_monitored_endpoints by a caller owning one managed
    collection and monitoring another (a role of theirs), beside ``others``
    other users' collections with their roles."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        _my_managed_collection(emulator)
        someone = emulator.auth.add_identity("someone@example.org")
        theirs = emulator.transfer.add_collection(
            "Theirs", owner=someone, subscription_id=emulator.world.ids.uuid()
        )
        emulator.transfer.set_role(theirs, emulator.user, "activity_monitor")
        _others_with_roles(emulator, others)
        return lambda: client.endpoint_manager_monitored_endpoints()

    return setup


def unfiltered_manager_task_list_among_tasks(others: int) -> Callable[[ExitStack], Runner]:
    """endpoint_manager_task_list of ACTIVE tasks, no endpoint filter, by
    the manager of one endpoint (2 tasks on it, held by manual progress)
    beside ``others`` finished tasks of another user's between two other
    collections."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        mine = _my_managed_collection(emulator)
        _others_copies(emulator, others)
        with emulator.lock:
            for task in emulator.world.tasks.list_for(None):
                emulator.world.tasks.advance(task)  # immediate progress: done
        emulator.transfer.set_progress("manual")
        _submit_copies(emulator, emulator.user.id, mine.id, mine.id, 2)
        return lambda: client.endpoint_manager_task_list(filter_status="ACTIVE")

    return setup


def unfiltered_pause_rule_list_among_rules(others: int) -> Callable[[ExitStack], Runner]:
    """endpoint_manager_pause_rule_list, no endpoint filter, by the manager
    of one endpoint (2 rules on it) beside ``others`` rules another manager
    made on theirs."""

    def setup(stack: ExitStack) -> Runner:
        emulator, client = emulated_transfer(stack)
        mine = _my_managed_collection(emulator)
        manager = emulator.auth.add_identity("manager@example.org").id
        theirs = emulator.transfer.add_collection("Managed", owner=manager)
        with emulator.lock:
            theirs.subscription_id = emulator.world.ids.uuid()
            rules = emulator.world.tasks.pause_rules
            for _ in range(others):
                rules.create(manager, Principals.of(manager), {"endpoint_id": theirs.id})
            me = Principals.of(emulator.user.id)
            for _ in range(2):
                rules.create(emulator.user.id, me, {"endpoint_id": mine.id})
        return lambda: client.endpoint_manager_pause_rule_list()

    return setup


def search_with_a_second_entry(
    query: dict[str, object], visible_to: list[str]
) -> Callable[[int], Callable[[ExitStack], Runner]]:
    """``search_index`` of ``query`` once one subject holds a second entry
    (the greatest ``n``, an "ocean" title) seen by ``visible_to``."""

    def by_size(entries: int) -> Callable[[ExitStack], Runner]:
        def setup(stack: ExitStack) -> Runner:
            client, index_id = _search_world(stack, entries)
            second = {
                "subject": "https://example.org/0",
                "id": "second",
                "visible_to": visible_to,
                "content": {"n": entries, "title": "ocean", "keywords": ["ice"]},
            }
            client.ingest(index_id, {"ingest_type": "GMetaEntry", "ingest_data": second})
            return lambda: client.post_search(index_id, query)

        return setup

    return by_size


# a second entry the caller (the world's user, not bypassing) may not see
PRIVATE = ["urn:globus:auth:identity:00000000-0000-4000-8000-000000000000"]
