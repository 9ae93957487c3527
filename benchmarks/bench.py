"""globus-testkit benchmarks: side by side, interleaved, medians, ratios.

    python benchmarks/bench.py [--full]   # full run (a few minutes)
    python benchmarks/bench.py --quick    # smoke run: checks they work
    python benchmarks/bench.py --only exchange   # one comparison (title match)

Each comparison runs its contenders in alternating rounds within one
process, so machine noise hits them alike; it prints the median per call of
each and their ratio against the first contender. No goal is asserted: the
figures go to docs/performance.md.

The contenders live beside this file: harness.py (rounds, medians,
ratios), calls.py (one SDK call, canned and emulated, per service),
scale.py (small world against big) and system.py (a fresh world per test,
memory, state files, load).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import textwrap
from functools import partial

import globus_sdk
import requests
from calls import (
    QUERY,
    bare_werkzeug_server,
    canned_collection_list,
    canned_compute_round_trip,
    canned_exchange,
    canned_get_endpoint,
    canned_get_job,
    canned_get_run,
    canned_get_task,
    canned_my_groups,
    canned_post_search,
    canned_submit_transfer,
    canned_userinfo,
    emulated_collection_list,
    emulated_compute_round_trip,
    emulated_create_timer,
    emulated_exchange,
    emulated_get_endpoint,
    emulated_get_job,
    emulated_get_run,
    emulated_get_task,
    emulated_my_groups,
    emulated_post_search,
    emulated_submit_transfer,
    emulated_timer_run,
    emulated_userinfo,
    proxied_userinfo,
    server_userinfo,
)
from harness import Comparison, Contender, measure, report, small_vs_big
from scale import (
    PRIVATE,
    SORT_QUERY,
    among_groups,
    canned_search_answer,
    create_pause_rule_among_tasks,
    create_tunnel_among_tunnels,
    delete_client_among_tokens,
    flow_states,
    gcs_calls_among,
    gcs_collection_list_among,
    get_clients_among,
    get_endpoint_with_timers_waiting,
    get_endpoints_among,
    get_group_with_children_among,
    get_index_of,
    get_registered_api_among,
    get_task_among_compute_tasks,
    get_web_input_among_runs,
    high_assurance_group_among_logins,
    index_list_among,
    lenient_call_among_scopes,
    list_flows_among,
    list_jobs_among_timers,
    list_runs_among,
    ls_among_consents,
    ls_among_pause_rules,
    ls_first_page,
    manager_task_list_among_tasks,
    monitored_endpoints_among,
    revoke_among_logins,
    runs_list_page,
    search_index,
    search_my_endpoints_among,
    search_range_filter,
    search_sorted,
    search_sorted_with_a_subject_of_two_entries,
    search_with_a_second_entry,
    shared_endpoint_list_among,
    task_list_among_search_tasks,
    task_list_page,
    transfer_of,
    unfiltered_manager_task_list_among_tasks,
    unfiltered_pause_rule_list_among_rules,
)
from system import load_test, memory_soak, per_test_cost, state_file_round_trip
from workers_floor import bare_pipe_echo, worker_round_trip, worker_work_in_process

# long names in the table of "among 0 vs many" lines
OTHER_COLLECTIONS = "other collections (with their roles)"
GCS_ROLES = partial(gcs_calls_among, roles=True)
SHARED_LIST = "get_shared_endpoint_list of the caller's collection (1 guest)"
MANAGER_TASK_LIST = "endpoint_manager_task_list of the caller's endpoint (2 tasks)"
COMPUTE_ENDPOINTS = "a Compute get_endpoints by a caller with 2 endpoints,"
CREATE_PAUSE_RULE = "endpoint_manager_create_pause_rule on the caller's endpoint"
MY_ENDPOINTS = "endpoint_search (filter_scope my-endpoints)"
MY_INDEXES = "a Search index_list by a caller with 3 indexes,"
HIGH_ASSURANCE = "get_group of a high-assurance group"
LOGOUT = "an app's logout (revoke its refresh token)"
MONITORED = "endpoint_manager_monitored_endpoints by a monitor of 2"
ALL_MANAGED_TASKS = "endpoint_manager_task_list (ACTIVE, no endpoint filter; 2 tasks)"
ALL_MY_RULES = "endpoint_manager_pause_rule_list (no endpoint filter; 2 rules)"


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
            ("search post_search", canned_post_search, emulated_post_search),
            (
                "search post_search, 10 of 100 entries and a facet: the same bytes canned",
                canned_search_answer(100),
                search_index(100),
            ),
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
        comparisons.append(
            Comparison(
                "Compute: a worker's round trip (Workers.run, trivial function) vs its floor",
                [
                    Contender("bare pipe echo to a child Python (floor)", bare_pipe_echo),
                    Contender(
                        "the worker's unpack, run, pack, here (no pipes)", worker_work_in_process
                    ),
                    Contender("Workers.run: pipes, unpack, run, pack", worker_round_trip),
                ],
                calls,
            )
        )
    big = 2_000 if args.quick else 100_000
    many = 200 if args.quick else 10_000
    comparisons += [
        small_vs_big(
            f"scale: first ls page (100 entries) of a 10- vs a {big:,}-entry directory",
            ls_first_page,
            (10, big),
            "entries",
            max(2, calls // 4),
            goal="<= 3x",
        ),
        small_vs_big(
            f"scale: a 10-file vs a {many:,}-file recursive transfer, submitted and done",
            transfer_of,
            (10, many),
            "files",
            2,
            goal="done by the first read (the ratio is the work itself)",
        ),
        Comparison(
            "scale: 1,000 states run as 100 flows of 10 vs 1 flow of 1,000 (per state)",
            [
                Contender("10-state flows", flow_states(10, 1000)),
                Contender("a 1,000-state flow", flow_states(1000, 1000)),
            ],
            1,
            goal="<= 2x per state",
        ),
        small_vs_big(
            f"scale: a task_list page (100, from the middle) among 100 vs {many:,} tasks",
            task_list_page,
            (100, many),
            "tasks",
            max(2, calls // 10),
            goal="<= 1.5x",
        ),
        small_vs_big(
            f"scale: the first list_runs page (20) among 100 vs {many:,} runs",
            runs_list_page,
            (100, many),
            "runs",
            max(2, calls // 10),
            goal="<= 1.5x",
        ),
        small_vs_big(
            f"scale: get_endpoint by a caller in 2 groups, among 2 vs {many:,} groups",
            among_groups,
            (2, many),
            "groups",
            calls,
            goal="<= 1.5x",
        ),
        small_vs_big(
            f"scale: get_my_groups of a caller in 2 groups, among 2 vs {many:,} groups",
            partial(among_groups, my_groups=True),
            (2, many),
            "groups",
            calls,
            goal="<= 1.5x",
        ),
        # flat under scale: the same call among none and among many others
        *(
            small_vs_big(
                f"scale: {call} among 0 vs {many:,} {unit}",
                setup,
                (0, many),
                unit,
                calls,
                goal="<= 1.5x",
            )
            for call, setup, unit in (
                ("operation_ls (consent checked)", ls_among_consents, "other users who consented"),
                ("list_jobs by a caller with 2 timers,", list_jobs_among_timers, "others' timers"),
                ("GCS get_collection", partial(gcs_calls_among, roles=False), OTHER_COLLECTIONS),
                ("GCS get_role_list by a role administrator,", GCS_ROLES, "other roles"),
                ("operation_ls", ls_among_pause_rules, "pause rules on another endpoint"),
                ("create_tunnel", create_tunnel_among_tunnels, "other tunnels"),
                (MY_ENDPOINTS, search_my_endpoints_among, "other owners' collections"),
                ("a Compute get_task", get_task_among_compute_tasks, "finished tasks"),
                # listings by role: what the caller can see, not every item in the world
                ("list_flows by a caller with 3 flows,", list_flows_among, "other users' flows"),
                (MY_INDEXES, index_list_among, "other users' indexes"),
                ("get_registered_api", get_registered_api_among, "other registered APIs"),
                ("get_web_input", get_web_input_among_runs, "finished runs"),
                ("get_group with child_ids", get_group_with_children_among, "other groups"),
                ("a Search get_task_list", task_list_among_search_tasks, "tasks of another index"),
                (HIGH_ASSURANCE, high_assurance_group_among_logins, "other people with logins"),
                (LOGOUT, revoke_among_logins, "other people with tokens and logins"),
                ("a lenient get_endpoint (unissued token)", lenient_call_among_scopes, "scopes"),
                (CREATE_PAUSE_RULE, create_pause_rule_among_tasks, "others' unfinished tasks"),
                ("get_clients by a caller with 2 clients,", get_clients_among, "others' clients"),
                (COMPUTE_ENDPOINTS, get_endpoints_among, "others' endpoints"),
                (MANAGER_TASK_LIST, manager_task_list_among_tasks, "others' tasks elsewhere"),
                (SHARED_LIST, shared_endpoint_list_among, "others' collections"),
                ("list_runs by a caller with 2 runs,", list_runs_among, "others' finished runs"),
                ("an Auth delete_client", delete_client_among_tokens, "tokens of another app"),
                ("GCS get_collection_list", gcs_collection_list_among, OTHER_COLLECTIONS),
                (MONITORED, monitored_endpoints_among, "others' collections (with roles)"),
                (ALL_MANAGED_TASKS, unfiltered_manager_task_list_among_tasks, "others' tasks"),
                (ALL_MY_RULES, unfiltered_pause_rule_list_among_rules, "others' pause rules"),
            )
        ),
        small_vs_big(
            f"scale: a Search get_index of an index of 100 vs {many:,} entries",
            get_index_of,
            (100, many),
            "entries",
            calls,
            goal="<= 1.5x",
        ),
        # Search over a small and a big index
        *(
            small_vs_big(
                f"scale: a search {what} over 100 vs {many:,} entries",
                setup,
                (100, many),
                "entries",
                max(2, calls // 20),
            )
            for what, setup in (
                ("query (with a facet)", search_index),
                ("range filter (11 matches)", search_range_filter),
                ("sorted by a number (first 10)", search_sorted),
                (
                    "sorted by a number (first 10), a subject of 2 entries,",
                    search_sorted_with_a_subject_of_two_entries,
                ),
                (
                    "query (with a facet), a subject of 2 entries (one private),",
                    search_with_a_second_entry(QUERY, PRIVATE),
                ),
                (
                    "sorted by a number (first 10), a subject of 2 entries (one private),",
                    search_with_a_second_entry(SORT_QUERY, PRIVATE),
                ),
            )
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
                Contender("no timers", get_endpoint_with_timers_waiting(0)),
                Contender("300 timers waiting", get_endpoint_with_timers_waiting(300)),
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
