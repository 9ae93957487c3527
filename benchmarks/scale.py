"""Scale contenders: the same call against a small and a big world."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

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
    no longer know the matches exactly, so every entry is checked."""

    def setup(stack: ExitStack) -> Runner:
        client, index_id = _search_world(stack, entries)
        second = {"subject": "https://example.org/0", "id": "second", "content": {"n": -1}}
        client.ingest(
            index_id,
            {
                "ingest_type": "GMetaList",
                "ingest_data": {"gmeta": [second | {"visible_to": ["public"]}]},
            },
        )
        return lambda: client.post_search(index_id, SORT_QUERY)

    return setup
