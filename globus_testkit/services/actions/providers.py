"""What each Globus-hosted action provider does, and the catalogue of them
all by their real URLs and scopes.

A provider is a small behaviour (what ``run`` starts, how an action moves
on when read); the Action Provider Interface around it is in ``hosted.py``
once. A provider listed without a behaviour is known (Flows can resolve
its scope, introspection answers) but not emulated: running it answers the
loud 501. Providers are found by their exact URL, never by a look-alike
path on some other host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..compute.routes import COMPUTE_SCOPE
from ..transfer import TRANSFER_ALL
from . import compute_providers as compute
from . import search_providers as search
from . import transfer_providers as transfer

if TYPE_CHECKING:
    from .hosted import Action, ActionsService

Behaviour = Callable[["ActionsService", "Action"], None]

ACTIONS_HOST = "actions.globus.org"
TRANSFER_ACTIONS_HOST = "transfer.actions.globus.org"
# The client that owns the newer hosted providers' scopes.
HOSTED_CLIENT = "5fac2e64-c734-4e6b-90ea-ff12ddbf9653"
COMPUTE_ACTIONS_CLIENT = "b3db7e59-a6f1-4947-95c2-59d6b7a70f8c"
COMPUTE_ACTIONS_HOST = "compute.actions.globus.org"
COMPUTE_ACTIONS_SCOPE = f"https://auth.globus.org/scopes/{COMPUTE_ACTIONS_CLIENT}/action_all"


@dataclass(frozen=True)
class Provider:
    """One hosted provider: where it is, the scope it accepts, what it does.

    ``start`` fills in a new action (status, details, maybe ``finish_at``);
    ``poll``, if given, brings a running action up to date when read. A
    provider without ``start`` is known but not emulated.
    """

    url: str
    title: str
    scope: str
    input_schema: dict[str, Any]
    start: Behaviour | None = None
    poll: Behaviour | None = None
    synchronous: bool = False
    uses_transfer: bool = False
    dependent_scope: str = ""  # another service's scope it calls with (Compute's)

    @property
    def name(self) -> str:
        return self.url.split("://", 1)[1]

    @property
    def emulated(self) -> bool:
        return self.start is not None


def _hello_world(svc: ActionsService, action: Action) -> None:
    echo = action.body.get("echo_string", "hello, world")
    action.details = {"Hello": "World", "hello": echo}
    sleep = float(action.body.get("sleep_time", 0) or 0)
    if sleep > 0:
        action.finish_at = action.start_time + sleep
    else:
        svc.finish(action, "SUCCEEDED")


def _expression_eval(svc: ActionsService, action: Action) -> None:
    from ..flows.language import LanguageError, evaluate

    results = []
    for item in action.body.get("expressions", []):
        try:
            results.append(evaluate(item["expression"], item.get("arguments", {})))
        except LanguageError as err:
            action.details = {"error": err.cause, "expression": item["expression"]}
            svc.finish(action, "FAILED")
            return
    action.details = {"results": results}
    svc.finish(action, "SUCCEEDED")


def _notify(svc: ActionsService, action: Action) -> None:
    # Captured for the test to read; nothing is ever sent anywhere.
    svc.world.actions.notifications.append(dict(action.body))
    action.details = {"sent": True, "destination": action.body.get("destination")}
    svc.finish(action, "SUCCEEDED")


def _test_provider(svc: ActionsService, action: Action) -> None:
    """Behaves as told: ``{"outcome": "succeed" | "fail" | "inactive",
    "polls": N, "details": {...}}``."""
    action.details = action.body.get("details", {"outcome": action.body.get("outcome")})
    _test_poll(svc, action)


def _test_poll(svc: ActionsService, action: Action) -> None:
    if action.status not in ("ACTIVE",):
        return
    action.polls += 1
    if action.polls <= int(action.body.get("polls", 0)):
        return
    outcome = action.body.get("outcome", "succeed")
    if outcome == "inactive" and not action.resumed:
        action.status = "INACTIVE"
        action.note(svc.world.clock.now(), "INACTIVE", "the action needs attention")
        action.details = action.body.get("details") or {
            "code": "AuthorizationRequired",
            "authorization_parameters": {
                "session_message": "consent needed",
                "required_scopes": ["openid"],
            },
        }
    else:
        svc.finish(action, "FAILED" if outcome == "fail" else "SUCCEEDED")


def _url(host: str, path: str) -> str:
    return f"https://{host}/{path}"


def _legacy_scope(name: str) -> str:
    return f"https://auth.globus.org/scopes/{ACTIONS_HOST}/{name}"


ANY_OBJECT: dict[str, Any] = {"type": "object"}


def _transfer_family(
    host: str, scope: Callable[[str], str], names: dict[str, str]
) -> list[Provider]:
    """The Transfer providers, under their legacy or current host."""
    behaviours: dict[str, tuple[str, dict[str, Any], Behaviour, Behaviour | None, bool]] = {
        "transfer": (
            "Transfer",
            transfer.TRANSFER_INPUT,
            transfer.submit_transfer,
            transfer.task_poll,
            False,
        ),
        "delete": (
            "Delete",
            transfer.DELETE_INPUT,
            transfer.submit_delete,
            transfer.task_poll,
            False,
        ),
        "ls": (
            "List directory contents",
            transfer.ENDPOINT_PATH,
            transfer.operation("ls"),
            None,
            True,
        ),
        "stat": (
            "Stat file or directory",
            transfer.ENDPOINT_PATH,
            transfer.operation("stat"),
            None,
            True,
        ),
        "mkdir": (
            "Make directory",
            transfer.ENDPOINT_PATH,
            transfer.operation("mkdir"),
            None,
            True,
        ),
        "collection_info": (
            "Collection info",
            transfer.ENDPOINT_PATH,
            transfer.collection_info,
            None,
            True,
        ),
        "manage_permission": (
            "Manage permission",
            transfer.PERMISSION_INPUT,
            transfer.manage_permission,
            None,
            True,
        ),
    }
    found = []
    for path, kind in names.items():
        title, schema, start, poll, synchronous = behaviours[kind]
        found.append(
            Provider(
                _url(host, path),
                title,
                scope(path),
                schema,
                start,
                poll,
                synchronous=synchronous,
                uses_transfer=True,
            )
        )
    return found


def _not_emulated(url: str, title: str, scope: str) -> Provider:
    return Provider(url, title, scope, ANY_OBJECT)


CATALOGUE: list[Provider] = [
    Provider(
        _url(ACTIONS_HOST, "hello_world"),
        "Hello World",
        _legacy_scope("hello_world"),
        {
            "type": "object",
            "properties": {
                "echo_string": {"type": "string"},
                "sleep_time": {"type": "number", "minimum": 0},
                "required_dependent_scope": {"type": "string"},
            },
            "additionalProperties": False,
        },
        _hello_world,
    ),
    Provider(
        _url(ACTIONS_HOST, "expression_eval"),
        "Expression evaluation",
        f"https://auth.globus.org/scopes/{HOSTED_CLIENT}/expression",
        {
            "type": "object",
            "properties": {"expressions": {"type": "array"}},
            "required": ["expressions"],
        },
        _expression_eval,
        synchronous=True,
    ),
    Provider(
        _url(ACTIONS_HOST, "notification/notify"),
        "Send notification email",
        f"https://auth.globus.org/scopes/{HOSTED_CLIENT}/notification_notify",
        {
            "type": "object",
            "properties": {"destination": {}, "subject": {}, "body": {}},
            "required": ["destination"],
        },
        _notify,
        synchronous=True,
    ),
    Provider(
        _url(ACTIONS_HOST, "test"),
        "globus-testkit test provider",
        _legacy_scope("testkit_test"),
        {
            "type": "object",
            "properties": {
                "outcome": {"enum": ["succeed", "fail", "inactive"]},
                "polls": {"type": "integer", "minimum": 0},
                "details": {},
            },
        },
        _test_provider,
        _test_poll,
    ),
    # The retired actions.globus.org/transfer/* family, each with its own scope.
    *_transfer_family(
        ACTIONS_HOST,
        _legacy_scope,
        {
            f"transfer/{name}": name
            for name in ("transfer", "delete", "ls", "stat", "mkdir", "collection_info")
        }
        | {"transfer/set_permission": "manage_permission"},
    ),
    # transfer.actions.globus.org: every provider takes Transfer's own scope.
    *_transfer_family(
        TRANSFER_ACTIONS_HOST,
        lambda path: TRANSFER_ALL,
        {
            name: name
            for name in (
                "transfer",
                "delete",
                "ls",
                "stat",
                "mkdir",
                "collection_info",
                "manage_permission",
            )
        },
    ),
    _not_emulated(
        _url(TRANSFER_ACTIONS_HOST, "create_guest_collection"),
        "Create GCSv5 guest collection",
        TRANSFER_ALL,
    ),
    _not_emulated(
        _url(TRANSFER_ACTIONS_HOST, "create_gcp_guest_collection"),
        "Create GCP guest collection",
        TRANSFER_ALL,
    ),
    Provider(
        _url(ACTIONS_HOST, "search/ingest"),
        "Search ingest",
        _legacy_scope("search/ingest"),
        search.INGEST_INPUT,
        search.ingest,
        search.task_poll,
    ),
    Provider(
        _url(ACTIONS_HOST, "search/delete"),
        "Search delete",
        _legacy_scope("search/delete"),
        search.DELETE_INPUT,
        search.delete,
        search.task_poll,
    ),
    _not_emulated(
        _url(ACTIONS_HOST, "weboption/wait_for_option"),
        "Wait for user option selection",
        f"https://auth.globus.org/scopes/{HOSTED_CLIENT}/weboption_wait_for_option",
    ),
    _not_emulated(
        _url(ACTIONS_HOST, "datacite/mint"),
        "DataCite mint",
        f"https://auth.globus.org/scopes/{HOSTED_CLIENT}/datacite_mint",
    ),
    Provider(
        f"https://{COMPUTE_ACTIONS_HOST}",
        "Globus Compute (v2)",
        COMPUTE_ACTIONS_SCOPE,
        compute.V2_INPUT,
        compute.starter(v3=False),
        compute.poll,
        dependent_scope=COMPUTE_SCOPE,
    ),
    Provider(
        _url(COMPUTE_ACTIONS_HOST, "v3"),
        "Globus Compute (v3)",
        COMPUTE_ACTIONS_SCOPE,
        compute.V3_INPUT,
        compute.starter(v3=True),
        compute.poll,
        dependent_scope=COMPUTE_SCOPE,
    ),
]
HOSTED: dict[str, Provider] = {p.url: p for p in CATALOGUE}
# actions.automate.globus.org is the older name of actions.globus.org.
_ALIASES = {"actions.automate.globus.org": ACTIONS_HOST}


def hosted_provider(url: str) -> Provider | None:
    """The hosted provider at exactly ``url`` (a trailing slash aside)."""
    _, _, rest = url.rstrip("/").partition("://")
    host, _, path = rest.partition("/")
    host = _ALIASES.get(host.lower(), host.lower())
    return HOSTED.get(f"https://{host}/{path}" if path else f"https://{host}")
