"""The seeded world the SDK method sweep calls into: one client per
globus-sdk service client class, each with a token for what it calls, and
builders for the things a call needs (a task, a flow, a run, an index...)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import globus_sdk

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
MANAGED = "0d5e1f2a-0000-4000-8000-00000000feed"
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
GROUPS_ALL = "urn:globus:auth:scope:groups.api.globus.org:all"
TIMERS = "https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer"
SEARCH_ALL = "urn:globus:auth:scope:search.api.globus.org:all"
COMPUTE_ALL = "https://auth.globus.org/scopes/facd7ccc-c5f4-42aa-916b-a0e270e2c2a9/all"
AUTH_SCOPES = (
    "openid profile email urn:globus:auth:scope:auth.globus.org:view_identity_set "
    "urn:globus:auth:scope:auth.globus.org:manage_projects"
)
WEB_REDIRECT = "https://sweep.example.org/callback"
POSIX = "145812c8-decc-41f1-83cf-bb2a85a2a70b"
PAUSED = {
    "StartAt": "Wait",
    "States": {
        "Wait": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/test",
            "Parameters": {"outcome": "inactive"},
            "End": True,
        }
    },
}


@dataclass
class Call:
    """One invocation: the client, then the method's arguments."""

    client: Any
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    # pages its paginator must walk (the table asks for small pages of a
    # longer listing where the method lets it)
    min_pages: int = 0


def call(client: Any, *args: Any, **kwargs: Any) -> Call:
    return Call(client, args, kwargs)


def paged(pages: int, invocation: Call) -> Call:
    invocation.min_pages = pages
    return invocation


def paged_over(s: Sweep, make: Callable[[Sweep], object], invocation: Call) -> Call:
    """``invocation`` asking for pages of one: it must walk two pages, of
    the two things ``make`` adds to the listing first."""
    make(s)
    make(s)
    return paged(2, invocation)


class Sweep:
    """The world's user's clients, built on first use."""

    def __init__(self, emulator: Any) -> None:
        self.e = emulator
        self.user = emulator.user
        self._managing = False

    def token(self, scopes: str, client_id: str | None = None) -> globus_sdk.AccessTokenAuthorizer:
        value = self.e.auth.issue_token(self.user, scopes, client_id=client_id)
        return globus_sdk.AccessTokenAuthorizer(value)

    # clients
    @cached_property
    def auth(self) -> globus_sdk.AuthClient:
        return globus_sdk.AuthClient(authorizer=self.token(AUTH_SCOPES))

    @cached_property
    def confidential(self) -> globus_sdk.ConfidentialAppAuthClient:
        account = self.e.service_account
        return globus_sdk.ConfidentialAppAuthClient(account.client_id, account.client_secret)

    @cached_property
    def web_app(self) -> globus_sdk.ConfidentialAppAuthClient:
        """A confidential web app with a redirect URI, for login flows."""
        app = self.e.auth.register_client("Sweep web app", redirect_uris=[WEB_REDIRECT])
        return globus_sdk.ConfidentialAppAuthClient(app.id, app.credentials[0].secret)

    @cached_property
    def native(self) -> globus_sdk.NativeAppAuthClient:
        return globus_sdk.NativeAppAuthClient(self.e.native_client_id)

    @cached_property
    def transfer(self) -> globus_sdk.TransferClient:
        collections = (TUTORIAL_1, TUTORIAL_2, self.lab.id, self.scratch.id)
        deps = " ".join(f"*https://auth.globus.org/scopes/{c}/data_access" for c in collections)
        authorizer = self.token(f"{TRANSFER_ALL}[{deps}]")
        return globus_sdk.TransferClient(authorizer=authorizer)

    @cached_property
    def flows(self) -> globus_sdk.FlowsClient:
        return globus_sdk.FlowsClient(authorizer=self.token(FLOWS_ALL))

    @cached_property
    def groups(self) -> globus_sdk.GroupsClient:
        return globus_sdk.GroupsClient(authorizer=self.token(GROUPS_ALL))

    @cached_property
    def timers(self) -> globus_sdk.TimersClient:
        beneath = " ".join(
            f"*https://auth.globus.org/scopes/{c}/data_access" for c in (TUTORIAL_1, TUTORIAL_2)
        )
        return globus_sdk.TimersClient(
            authorizer=self.token(f"{TIMERS}[{TRANSFER_ALL}[{beneath}]]")
        )

    @cached_property
    def search(self) -> globus_sdk.SearchClient:
        return globus_sdk.SearchClient(authorizer=self.token(SEARCH_ALL))

    @cached_property
    def compute(self) -> globus_sdk.ComputeClientV2:
        return globus_sdk.ComputeClientV2(authorizer=self.token(COMPUTE_ALL))

    @cached_property
    def compute3(self) -> globus_sdk.ComputeClientV3:
        return globus_sdk.ComputeClientV3(authorizer=self.token(COMPUTE_ALL))

    @cached_property
    def gcs_endpoint(self) -> Any:
        return self.e.gcs.add_endpoint("Sweep GCS", owner=self.user)

    @cached_property
    def gcs(self) -> globus_sdk.GCSClient:
        authorizer = self.token(self.e.gcs.scope(self.gcs_endpoint))
        client = globus_sdk.GCSClient("unused.invalid", authorizer=authorizer)
        client.base_url = self.e.gcs.manager_url(self.gcs_endpoint).rstrip("/") + "/api/"
        return client

    # transfer world
    @cached_property
    def lab(self) -> Any:
        return self.e.transfer.add_collection(
            "Lab storage",
            owner=self.user,
            subscription_id=MANAGED,
            files={"/data/a.dat": "alpha", "/data/b.dat": "bravo"},
        )

    @cached_property
    def scratch(self) -> Any:
        return self.e.transfer.add_collection("Scratch", owner=self.user, subscription_id=MANAGED)

    def task(self) -> str:
        data = globus_sdk.TransferData(
            source_endpoint=self.lab.id, destination_endpoint=self.scratch.id
        )
        data.add_item("/data/a.dat", "/a.dat")
        data.add_item("/data/b.dat", "/b.dat")
        return str(self.transfer.submit_transfer(data)["task_id"])

    def manage(self) -> None:
        """The user manages activity on lab and scratch (once)."""
        if not self._managing:
            for collection in (self.lab, self.scratch):
                self.e.transfer.set_role(collection, self.user, "activity_manager")
            self._managing = True

    def monitored_task(self) -> str:
        self.manage()
        return self.task()

    # flows world
    def flow(self, definition: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.flows.create_flow("Sweep", definition or PAUSED, {}).data

    def runner(self, flow: dict[str, Any]) -> globus_sdk.SpecificFlowClient:
        authorizer = self.token(flow["globus_auth_scope"])
        return globus_sdk.SpecificFlowClient(flow["id"], authorizer=authorizer)

    def run(self) -> dict[str, Any]:
        flow = self.flow()
        return self.runner(flow).run_flow({}, label="sweep").data

    # auth world
    def project(self) -> dict[str, Any]:
        made = self.auth.create_project("Sweep", contact_email="sweep@example.org")
        return dict(made["project"])

    def app_client(self) -> dict[str, Any]:
        made = self.auth.create_client(
            "sweep app", project=self.project()["id"], public_client=False
        )
        return dict(made["client"])

    # groups, search, compute worlds
    def group(self) -> str:
        return str(self.groups.create_group({"name": "Sweep group"})["id"])

    def index(self) -> str:
        return str(self.search.create_index("Sweep", "swept")["id"])

    def compute_endpoint(self) -> str:
        return str(self.e.compute.create_endpoint("sweep laptop").id)
