"""``/v2/api/policies`` and ``/v2/api/identity_providers``: the Auth
policies a project's administrators keep, and the providers identities
come from."""

from __future__ import annotations

from ...http import Call, Reply
from .errors import ApiBadRequest, ApiForbidden
from .policies import Policy
from .service import AuthService, caller_id, routes, wrapped_body


def _admin_projects(svc: AuthService, call: Call) -> tuple[str, set[str]]:
    identity_id = caller_id(svc, call)
    return identity_id, set(svc.state.administered_projects(identity_id))


def _administered_policy(svc: AuthService, call: Call, policy_id: str) -> Policy:
    _, projects = _admin_projects(svc, call)
    policy = svc.state.policy(policy_id)
    if policy.project_id not in projects:
        raise ApiForbidden(f"you are not an administrator of policy {policy_id}'s project")
    return policy


@routes.route("/v2/api/policies", "GET", operation="get_policies")
def get_policies(svc: AuthService, call: Call) -> Reply:
    _, projects = _admin_projects(svc, call)
    policies = svc.state.policies_of_projects(projects)
    return Reply({"policies": [p.to_api() for p in policies]})


@routes.route("/v2/api/policies", "POST", operation="create_policy")
def create_policy(svc: AuthService, call: Call) -> Reply:
    fields = wrapped_body(call, "policy", "auth_policy")
    _, projects = _admin_projects(svc, call)
    svc.state.project(fields["project_id"])
    if fields["project_id"] not in projects:
        raise ApiForbidden(f"you are not an administrator of project {fields['project_id']}")
    policy = svc.state.create_policy(fields["project_id"], fields)
    return Reply({"policy": policy.to_api()})


@routes.route("/v2/api/policies/<policy_id>", "GET", operation="get_policy")
def get_policy(svc: AuthService, call: Call, policy_id: str) -> Reply:
    return Reply({"policy": _administered_policy(svc, call, policy_id).to_api()})


@routes.route("/v2/api/policies/<policy_id>", "PUT", operation="update_policy")
def update_policy(svc: AuthService, call: Call, policy_id: str) -> Reply:
    _administered_policy(svc, call, policy_id)
    fields = wrapped_body(call, "policy", "auth_policy_update")
    if "project_id" in fields:
        _, projects = _admin_projects(svc, call)
        svc.state.project(fields["project_id"])
        if fields["project_id"] not in projects:
            raise ApiForbidden(f"you are not an administrator of project {fields['project_id']}")
    return Reply({"policy": svc.state.update_policy(policy_id, fields).to_api()})


@routes.route("/v2/api/policies/<policy_id>", "DELETE", operation="delete_policy")
def delete_policy(svc: AuthService, call: Call, policy_id: str) -> Reply:
    _administered_policy(svc, call, policy_id)
    return Reply({"policy": svc.state.delete_policy(policy_id).to_api()})


@routes.route("/v2/api/identity_providers", "GET", operation="get_identity_providers")
def get_identity_providers(svc: AuthService, call: Call) -> Reply:
    caller_id(svc, call)
    ids = call.arg_csv("ids")
    domains = call.arg_csv("domains")
    if ids and domains:
        raise ApiBadRequest("give ids or domains, not both")
    if ids or domains:
        found = svc.state.find_providers(ids=ids, domains=domains)
    else:
        found = list(svc.state.providers.values())
    return Reply({"identity_providers": [p.to_api() for p in found]})


@routes.route("/v2/api/identity_providers/<provider_id>", "GET", operation="get_identity_provider")
def get_identity_provider(svc: AuthService, call: Call, provider_id: str) -> Reply:
    caller_id(svc, call)
    return Reply({"identity_provider": svc.state.identity_provider(provider_id).to_api()})
