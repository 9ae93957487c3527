"""A timer's grant and its runs: the dependent tokens Timers holds for a
timer's owner, and each occurrence calling Transfer or Flows with them
through the emulator itself (so tokens, consent, faults and the journal
apply as to any client)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...faults import DropConnection
from ...http import ApiError, NotFound
from ..auth.errors import OAuthError
from ..flows.models import flow_scope
from ..transfer import TRANSFER_ALL, TRANSFER_API
from .models import FLOWS_URL, TIMER_SCOPE, TIMERS_CLIENT_ID, RunResult, Timer

if TYPE_CHECKING:
    from ..auth.models import TokenInfo
    from .routes import TimersService


def dependent_scope(timer_type: str, flow_id: str | None) -> str:
    """The scope beneath Timers' own that a timer's runs use."""
    return flow_scope(flow_id) if timer_type == "flow" and flow_id else TRANSFER_ALL


def data_access_scopes(svc: TimersService, body: dict[str, Any]) -> list[str]:
    """The data_access scopes the collections of a transfer body need."""
    found = []
    for key in ("source_endpoint", "destination_endpoint"):
        try:
            collection = svc.world.transfer.collection(str(body.get(key)))
        except ApiError:
            continue  # Transfer itself will say, when the timer runs
        if collection.requires_data_access_consent and collection.data_access_scope not in found:
            found.append(collection.data_access_scope)
    return found


def required_scope(dependent: str, data_access: list[str]) -> str:
    """Timers' scope with everything beneath it a timer needs, as a GARE names it."""
    beneath = " ".join(f"*{scope}" for scope in data_access)
    inner = f"{dependent}[{beneath}]" if beneath else dependent
    return f"{TIMER_SCOPE}[{inner}]"


def authorization_required(message: str, scope: str) -> ApiError:
    parameters = {"session_message": message, "required_scopes": [scope]}
    return ApiError(
        403,
        "ConsentRequired",
        message,
        authorization_parameters=parameters,
        required_scopes=[scope],
    )


def gare(message: str, scopes: list[str]) -> dict[str, Any]:
    """The inactive reason's detail: what a client needs to log in again."""
    return {
        "code": "ConsentRequired",
        "authorization_parameters": {"session_message": message, "required_scopes": scopes},
    }


def take_grant(
    svc: TimersService,
    info: TokenInfo,
    timer_type: str,
    body: dict[str, Any],
    flow_id: str | None,
) -> dict[str, str]:
    """Dependent refresh tokens for what the timer will call, on the caller's
    behalf; the 403 a client turns into a login when consent is missing."""
    auth = svc.world.auth
    dependent = dependent_scope(timer_type, flow_id)
    if auth.scope_by_string(dependent) is None:  # a flow is a scope of its own
        raise NotFound(f"no flow {flow_id}", code="NOT_FOUND")
    if not auth.strict:
        return {}
    data_access = data_access_scopes(svc, body) if timer_type == "transfer" else []
    beneath = [[scope] for scope in data_access] or [[]]
    chains = [[TIMER_SCOPE, dependent, *tail] for tail in beneath]
    if not all(auth.has_consent_chain(info.identity_id, info.client_id, c) for c in chains):
        scope = required_scope(dependent, data_access)
        raise authorization_required("Missing required consent for this timer", scope)
    try:
        grant = auth.dependent_token_grant(
            auth.client(TIMERS_CLIENT_ID), info.token, dependent, refresh=True
        )
    except OAuthError as err:
        scope = required_scope(dependent, data_access)
        raise authorization_required(err.message, scope) from err
    return {t.token.resource_server: t.refresh_token or "" for t in grant.tokens}


def fire(svc: TimersService, timer: Timer, due: float) -> None:
    """One occurrence: call Transfer or Flows as the owner, record the result."""
    state = svc.world.timers
    dependent = dependent_scope(timer.timer_type, timer.flow_id)
    token = _access_token(svc, timer, dependent)
    if token is None:
        scopes = [required_scope(dependent, [])]
        state.deactivate(
            timer, "globus_auth_requirements", gare("The timer's grant no longer stands", scopes)
        )
        return
    if timer.timer_type == "flow":
        url, body = f"{FLOWS_URL}/flows/{timer.flow_id}/run", dict(timer.body)
        body.setdefault("label", timer.name[:64])
    else:
        url, body = f"{TRANSFER_API}/transfer", dict(timer.body)
    try:
        status, answer = svc.emulator.call_internal("POST", url, token, body)
    except DropConnection as err:
        status, answer = 0, {"code": "ConnectionFailed", "message": str(err)}
    ok = status < 400 and status != 0
    resource_id = None
    if ok and isinstance(answer, dict):
        resource_id = answer.get("task_id") or answer.get("run_id")
    state.record(
        timer,
        due,
        RunResult(due, status, resource_id, answer if ok else None, None if ok else answer),
    )
    needs = answer.get("authorization_parameters") if isinstance(answer, dict) else None
    session = {k: v for k, v in (needs or {}).items() if k.startswith("session_required_")}
    if status in (401, 403) and session:
        # A collection (or flow) wants a fresher or different login than the
        # one behind the owner's grant: the timer waits for its owner to
        # log in that way and resume it.
        message = needs.get("session_message") if needs else None
        detail = {
            "code": "AuthorizationRequired",
            "authorization_parameters": {
                "session_message": message or "A new login is required",
                **session,
            },
        }
        state.deactivate(timer, "globus_auth_requirements", detail)
    elif status in (401, 403) and needs:
        # Consent went missing beneath the timer (a collection's data_access):
        # the timer waits for its owner to consent and resume it.
        scopes = [f"{TIMER_SCOPE}[{s}]" for s in needs.get("required_scopes", [])]
        message = needs.get("session_message") or "Missing required consent"
        state.deactivate(timer, "globus_auth_requirements", gare(message, scopes or [TIMER_SCOPE]))


def _access_token(svc: TimersService, timer: Timer, dependent: str) -> str | None:
    """A fresh access token from the refresh token Timers holds, if the
    owner's consent still stands; None when it does not."""
    auth = svc.world.auth
    if not auth.strict:
        return "timers-lenient-token"
    if not auth.has_consent_chain(timer.owner_id, timer.client_id, [TIMER_SCOPE, dependent]):
        return None
    refresh = next(iter(timer.refresh_tokens.values()), None)
    if refresh is None:
        return None
    try:
        grant = auth.refresh_grant(auth.client(TIMERS_CLIENT_ID), refresh)
    except OAuthError:
        return None
    return grant.tokens[0].token.value
