"""Second calls of methods, with the documented options the first table
leaves out (filters, includes, orderings, provisioning...): a route that
refuses an option it should take, or answers it out of shape, fails."""

from __future__ import annotations

from collections.abc import Callable

from . import calls_gcs_compute as gcs
from . import calls_services as services
from . import calls_transfer as transfer
from .world import TRANSFER_ALL, Call, Sweep, call


def _provider(s: Sweep) -> str:
    found = s.auth.get_identity_providers(domains="globusid.org")["identity_providers"]
    return str(found[0]["id"])


def _transfer_scope(s: Sweep) -> str:
    return str(s.auth.get_scopes(scope_strings=TRANSFER_ALL)["scopes"][0]["id"])


def _resumed(s: Sweep) -> Call:
    job = services._job(s)
    s.timers.pause_job(job)
    return call(s.timers, job, update_credentials=True)


def _runs_of_flow(s: Sweep) -> Call:
    run = s.run()
    return call(s.flows, filter_flow_id=run["flow_id"], filter_roles="run_owner")


OPTIONS: dict[str, Callable[[Sweep], Call]] = {
    "AuthClient.get_identities[provision]": lambda s: call(
        s.auth, usernames="newcomer@globusid.org", provision=True
    ),
    "AuthClient.get_identities[ids]": lambda s: call(s.auth, ids=[s.user.id]),
    "AuthClient.get_consents[all]": lambda s: call(s.auth, s.user.id, all=True),
    "AuthClient.get_identity_providers[ids]": lambda s: call(s.auth, ids=[_provider(s)]),
    "AuthClient.get_scopes[ids]": lambda s: call(s.auth, ids=[_transfer_scope(s)]),
    "AuthClient.get_client[fqdn]": lambda s: call(s.auth, fqdn="example.org"),
    "AuthClient.get_jwk[as_pem]": lambda s: call(s.auth, as_pem=True),
    "GCSClient.get_collection_list[filter]": lambda s: (
        gcs._collection(s),
        call(s.gcs, filter="mapped_collections", include="private_policies"),
    )[1],
    "GCSClient.get_collection_list[mapped]": lambda s: call(
        s.gcs, mapped_collection_id=gcs._collection(s)
    ),
    "GCSClient.get_collection[include]": lambda s: call(
        s.gcs, gcs._collection(s), query_params={"include": "private_policies"}
    ),
    "GCSClient.get_storage_gateway[include]": lambda s: call(
        s.gcs, gcs._gateway(s), include="private_policies"
    ),
    "GCSClient.get_storage_gateway_list[include]": lambda s: (
        gcs._gateway(s),
        call(s.gcs, include="private_policies"),
    )[1],
    "GCSClient.get_role_list[collection]": lambda s: call(s.gcs, collection_id=gcs._collection(s)),
    "GCSClient.get_user_credential_list[gateway]": lambda s: call(
        s.gcs, storage_gateway=gcs._gateway(s)
    ),
    "GroupsClient.get_my_groups[statuses]": lambda s: (
        s.group(),
        call(s.groups, statuses=["active", "invited"]),
    )[1],
    "GroupsClient.get_group[include]": lambda s: call(
        s.groups,
        s.group(),
        include=["memberships", "my_memberships", "policies", "allowed_actions", "child_ids"],
    ),
    "TimersClient.list_jobs[filter]": lambda s: (
        services._job(s),
        call(s.timers, query_params={"filter_active": True, "order": "submitted_at desc"}),
    )[1],
    "TimersClient.resume_job[update_credentials]": _resumed,
    "ComputeClientV2.get_endpoints[any]": lambda s: call(s.compute, role="any"),
    "ComputeClientV2.get_version[all]": lambda s: call(s.compute, service="all"),
    "FlowsClient.list_flows[filters]": lambda s: (
        s.flow(),
        call(s.flows, filter_roles=["flow_owner"], filter_fulltext="Sweep", orderby="title ASC"),
    )[1],
    "FlowsClient.list_runs[filters]": _runs_of_flow,
    "FlowsClient.get_run[include_flow_description]": lambda s: call(
        s.flows, s.run()["run_id"], include_flow_description=True
    ),
    "FlowsClient.get_run_logs[reverse_order]": lambda s: call(
        s.flows, s.run()["run_id"], reverse_order=True
    ),
    "FlowsClient.list_web_inputs[filters]": lambda s: call(
        s.flows, filter_roles="respondent", filter_states="open"
    ),
    "TransferClient.task_list[filter]": lambda s: (
        s.task(),
        call(
            s.transfer,
            filter={"status": "SUCCEEDED", "type": "TRANSFER"},
            orderby="request_time DESC",
        ),
    )[1],
    "TransferClient.operation_ls[options]": lambda s: call(
        s.transfer,
        s.lab.id,
        path="/data/",
        show_hidden=True,
        orderby=["name DESC"],
        filter="name:~*.dat",
        limit=1,
        offset=0,
    ),
    "TransferClient.endpoint_search[scope]": lambda s: call(
        s.transfer, filter_scope="my-endpoints"
    ),
    "TransferClient.endpoint_search[entity_type]": lambda s: call(
        s.transfer, "Lab", filter_entity_type="GCSv5_mapped_collection", filter_non_functional=False
    ),
    "TransferClient.endpoint_manager_task_list[filters]": lambda s: (
        transfer._managed_task(s),
        call(
            s.transfer,
            filter_status="SUCCEEDED",
            filter_endpoint=s.lab.id,
            filter_owner_id=s.user.id,
        ),
    )[1],
    "SearchClient.search[advanced]": lambda s: call(
        s.search, services._filled(s), "n:1", advanced=True, offset=0, limit=5
    ),
    "SearchClient.post_search[facets]": lambda s: call(
        s.search,
        services._filled(s),
        {
            "q": "*",
            "facets": [{"name": "n", "field_name": "n", "type": "terms"}],
            "sort": [{"field_name": "n", "order": "asc"}],
        },
    ),
    "SearchClient.index_list[filter_roles]": lambda s: (
        s.index(),
        call(s.search, filter_roles=["owner"]),
    )[1],
}
