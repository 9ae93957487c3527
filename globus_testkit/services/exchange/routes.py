"""Academy's hosted exchange over HTTP (``https://exchange.academy-agents.org/v1``),
as academy's ``AcademyGlobusClient`` (requests) and ``HttpExchangeFactory``
(aiohttp, over the live server) call it.

Every request carries a JSON body (GET and DELETE too); mailbox ids and
messages travel as JSON text inside it. Answers are JSON, an empty 200, or
(``/mailbox/listen``) server-sent events; refusals are plain text with the
exchange's own words and statuses: 400 bad field, 401 no bearer token, 403
bad token or someone else's mailbox, 404 unknown mailbox, 408 nothing
arrived in time, 413 message too large, 419 mailbox terminated.

A receive that finds its mailbox empty waits, in real time as academy
asks, without holding the emulator's lock: it sleeps on a condition of
that lock, which every send and termination notifies (and the emulator
stopping, which ends the wait with a 503).
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...http import ApiError, BadRequest, Call, Reply, parse_json, validate
from ...workers import waiting
from ..auth.errors import TokenRejected
from ..auth.models import RESOURCE_SERVER, Dependency
from ..base import Handler, Routes, Service
from ..groups.routes import VIEW_MY_GROUPS
from .models import (
    AGENT,
    EXCHANGE_CLIENT_ID,
    EXCHANGE_SCOPE,
    EXCHANGE_SCOPE_ID,
    MISSING,
    PROTOCOL_VERSION,
    TERMINATED,
    Caller,
    EntityId,
    ExchangeRefusal,
    ExchangeState,
    MailboxTerminated,
    Message,
    MessageTooLarge,
    NotPermitted,
    UnknownMailbox,
)

if TYPE_CHECKING:
    from ...emulator import Emulator, World

routes = Routes()

LISTEN_TIMEOUT = 60  # the longest a receive may wait (the exchange's listen_timeout_s)
# How long a waiting receive sleeps before looking again even if nobody
# said anything changed (the world may have been replaced or edited by a
# test directly); sends and terminations wake it at once.
RECHECK_SECONDS = 1.0
TEXT = "text/plain; charset=utf-8"
EVENT_STREAM = "text/event-stream"

# The exchange's words for each refusal.
_REFUSALS: dict[type[ExchangeRefusal], tuple[int, str, str]] = {
    NotPermitted: (403, "Forbidden", "Incorrect permissions"),
    UnknownMailbox: (404, "NotFound", "Unknown mailbox ID"),
    MailboxTerminated: (419, "MailboxTerminated", "Mailbox was closed"),
}


class ExchangeService(Service):
    name = "exchange"
    hosts = ("exchange.academy-agents.org",)
    resource_server = EXCHANGE_CLIENT_ID
    routes = routes

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        # Tied to the emulator's lock: waiting on it lets go of the lock.
        self.changed = threading.Condition(emulator.lock)
        self.interruptions = 0  # how many times the emulator stopped

    def interrupt(self) -> None:
        with self.changed:
            self.interruptions += 1
            self.changed.notify_all()

    @property
    def state(self) -> ExchangeState:
        return self.world.exchange

    @classmethod
    def seed_world(cls, world: World) -> None:
        """The exchange's resource server and scope, with the ids academy uses."""
        world.auth.register_client(
            "Academy Exchange", client_type=RESOURCE_SERVER, client_id=EXCHANGE_CLIENT_ID
        )
        # academy's exchange server trades each token it is given for the
        # caller's Groups memberships (mailboxes can be shared with groups),
        # so its scope depends on Groups'.
        groups = world.auth.scope_by_string(VIEW_MY_GROUPS)
        world.auth.register_scope(
            EXCHANGE_SCOPE,
            client_id=EXCHANGE_CLIENT_ID,
            name="Academy Exchange",
            description="Send and receive messages through the Academy exchange",
            scope_id=EXCHANGE_SCOPE_ID,
            dependencies=[Dependency(groups.id)] if groups else [],
        )

    def error_reply(self, err: ApiError, call: Call) -> Reply:
        # The exchange answers refusals in plain text.
        return Reply(err.message, err.status, dict(err.headers), content_type=TEXT)

    def caller(self, call: Call, *, with_groups: bool = False) -> Caller:
        """Who is asking: the identity behind the bearer token, which Auth
        must have issued for the exchange, with its groups when they can
        matter (some mailbox is shared, or ``with_groups``)."""
        bearer = call.bearer()
        if bearer is None:
            raise ApiError(401, "Unauthorized", "Missing required headers.")
        try:
            info = self.world.auth.check_token(bearer, EXCHANGE_CLIENT_ID)
        except TokenRejected as err:
            raise ApiError(403, "Forbidden", "Token expired or revoked.") from err
        call.token = info
        if with_groups or self.state.any_shared:
            return Caller(info.identity_id, self._groups_of(info.identity_id))
        return Caller(info.identity_id)

    def _groups_of(self, identity_id: str) -> frozenset[str]:
        """The groups an identity is an active member of. (academy's server
        asks Groups with a dependent token; reading the memberships Groups
        keeps, as Transfer's ACLs and Flows' roles do, leaves the world
        untouched by requests the exchange then refuses.)"""
        return frozenset(group.id for group, _ in self.world.groups.groups_of({identity_id}))

    def wait_for_message(self, caller: Caller, entity: EntityId, timeout: float) -> Message | None:
        """Take the next message from a mailbox, waiting up to ``timeout``
        real seconds for one (None if none came). Runs under the emulator's
        lock and lets go of it while it waits, so sends from other threads
        get in; the emulator stopping ends the wait with a 503."""
        with waiting():  # not counted against the server's worker bound
            return self._wait_for_message(caller, entity, timeout)

    def _wait_for_message(self, caller: Caller, entity: EntityId, timeout: float) -> Message | None:
        deadline = time.monotonic() + timeout
        interruptions = self.interruptions
        while True:
            # Read the world afresh each time: it may have been replaced.
            message = self.state.receive(caller, entity)
            if message is not None:
                return message
            if self.interruptions != interruptions:
                raise ApiError(503, "Unavailable", "The emulator stopped while this request waited")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.changed.wait(min(remaining, RECHECK_SECONDS))


def route(path: str, method: str, operation: str) -> Callable[[Handler], Handler]:
    """Register a handler, turning the model's refusals into the
    exchange's statuses."""

    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def answering(svc: ExchangeService, call: Call, **args: Any) -> Reply:
            try:
                return handler(svc, call, **args)
            except MessageTooLarge as err:
                raise ApiError(
                    413, "TooLarge", f"Message of size {err.size} larger than limit {err.limit}."
                ) from err
            except ExchangeRefusal as err:
                status, code, text = _REFUSALS[type(err)]
                raise ApiError(status, code, text) from err

        return routes.route(path, method, operation=operation)(answering)

    return register


# -- parsing -------------------------------------------------------------------


def _invalid(detail: str) -> BadRequest:
    return BadRequest(f"Missing or invalid field: {detail}")


def _body(call: Call, schema: str) -> dict[str, Any]:
    try:
        body = call.json_object()
    except ApiError as err:
        raise _invalid(err.message) from err
    validate(body, schema, error=_invalid)
    return body


def _json_text(text: str, schema: str, field: str) -> dict[str, Any]:
    """A JSON document carried as text in ``field``, checked."""
    try:
        document = parse_json(text, what=field)
    except ApiError as err:
        raise _invalid(err.message) from err
    validate(document, schema, error=lambda message: _invalid(f"{field}: {message}"))
    assert isinstance(document, dict)
    return document


def _entity(document: dict[str, Any]) -> EntityId:
    return EntityId(
        uid=str(uuid.UUID(document["uid"])),
        role=document.get("role", AGENT),
        name=document.get("name"),
    )


def _mailbox(body: dict[str, Any]) -> EntityId:
    return _mailbox_id(body["mailbox"])


@functools.lru_cache(maxsize=4096)
def _mailbox_id(text: str) -> EntityId:
    """A mailbox id from its JSON text; clients send the same text on every
    receive, so parsed ids are kept (refusals are not: they raise)."""
    return _entity(_json_text(text, "exchange_entity", "mailbox"))


def _message(text: str) -> Message:
    document = _json_text(text, "exchange_message", "message")
    header = document["header"]
    label = header.get("label")
    return Message(
        src=_entity(header["src"]),
        dest=_entity(header["dest"]),
        tag=str(uuid.UUID(header["tag"])),
        kind=header["kind"],
        raw=text,
        label=str(uuid.UUID(label)) if label else None,
        protocol_version=header.get("protocol_version", PROTOCOL_VERSION),
    )


def _caller_and_mailbox(svc: ExchangeService, call: Call) -> tuple[Caller, EntityId]:
    """Who is asking (authenticated first, as the exchange does) and about
    which mailbox, for the requests that name only a mailbox."""
    caller = svc.caller(call)
    return caller, _mailbox(_body(call, "exchange_mailbox"))


def _empty() -> Reply:
    return Reply(b"", content_type=TEXT)


# -- mailboxes ---------------------------------------------------------------------


@route("/v1/mailbox", "POST", operation="register_mailbox")
def register_mailbox(svc: ExchangeService, call: Call) -> Reply:
    caller = svc.caller(call)
    body = _body(call, "exchange_mailbox")
    entity = _mailbox(body)
    classes = tuple(body["agent"].split(",")) if "agent" in body else ()
    svc.state.register(caller, entity, classes)
    return _empty()


@route("/v1/mailbox", "GET", operation="get_mailbox_status")
def mailbox_status(svc: ExchangeService, call: Call) -> Reply:
    caller, entity = _caller_and_mailbox(svc, call)
    return Reply({"status": svc.state.status(caller, entity)})


@route("/v1/mailbox", "DELETE", operation="terminate_mailbox")
def terminate_mailbox(svc: ExchangeService, call: Call) -> Reply:
    caller, entity = _caller_and_mailbox(svc, call)
    svc.state.terminate(caller, entity)
    svc.changed.notify_all()  # its own receivers learn it closed; requesters get answers
    return _empty()


@route("/v1/discover", "GET", operation="discover")
def discover(svc: ExchangeService, call: Call) -> Reply:
    caller = svc.caller(call)
    body = _body(call, "exchange_discover")
    found = svc.state.discover(caller, body["agent"], allow_subclasses=body["allow_subclasses"])
    return Reply({"agent_ids": ",".join(entity.uid for entity in found)})


# -- sharing with groups -------------------------------------------------------------


def _share_request(svc: ExchangeService, call: Call) -> tuple[Caller, EntityId, str]:
    caller = svc.caller(call, with_groups=True)
    body = _body(call, "exchange_share")
    return caller, _mailbox(body), body["group_id"]


@route("/v1/mailbox/share", "POST", operation="share_mailbox")
def share_mailbox(svc: ExchangeService, call: Call) -> Reply:
    caller, entity, group_id = _share_request(svc, call)
    svc.state.share(caller, entity, group_id)
    return _empty()


@route("/v1/mailbox/share", "GET", operation="get_mailbox_shares")
def get_mailbox_shares(svc: ExchangeService, call: Call) -> Reply:
    caller, entity = _caller_and_mailbox(svc, call)
    return Reply({"group_ids": svc.state.shares(caller, entity)})


@route("/v1/mailbox/share", "DELETE", operation="unshare_mailbox")
def unshare_mailbox(svc: ExchangeService, call: Call) -> Reply:
    caller, entity, group_id = _share_request(svc, call)
    svc.state.unshare(caller, entity, group_id)
    return _empty()


# -- messages ------------------------------------------------------------------------


@route("/v1/message", "PUT", operation="send_message")
def send_message(svc: ExchangeService, call: Call) -> Reply:
    caller = svc.caller(call)
    message = _message(_body(call, "exchange_send")["message"])
    svc.state.send(caller, message)
    svc.changed.notify_all()
    return _empty()


def _waiting(call: Call, svc: ExchangeService) -> tuple[Caller, EntityId, float]:
    """Who waits on which mailbox, and for how long (a receive or a listen)."""
    caller = svc.caller(call)
    body = _body(call, "exchange_receive")
    entity = _mailbox(body)
    timeout = body.get("timeout", LISTEN_TIMEOUT)
    if not 0 < timeout <= LISTEN_TIMEOUT:
        raise BadRequest(f"Invalid timeout (must be less than {LISTEN_TIMEOUT} and greater than 0)")
    return caller, entity, float(timeout)


@route("/v1/message", "GET", operation="receive_message")
def receive_message(svc: ExchangeService, call: Call) -> Reply:
    caller, entity, timeout = _waiting(call, svc)
    message = svc.wait_for_message(caller, entity, timeout)
    if message is None:
        raise ApiError(408, "Timeout", "Request timeout")
    return Reply({"message": message.raw})


@route("/v1/mailbox/listen", "GET", operation="listen")
def listen(svc: ExchangeService, call: Call) -> Reply:
    """Messages as server-sent events. The exchange keeps its stream open;
    this one waits for the first message (up to the timeout), sends every
    message then queued and ends, telling the client to reconnect at once
    (``retry: 0``), which academy's client does: the same messages arrive,
    in order, once each."""
    caller, entity, timeout = _waiting(call, svc)
    status = svc.state.status(caller, entity)
    if status == MISSING:
        raise UnknownMailbox(f"no mailbox {entity.uid}")
    if status == TERMINATED:
        raise MailboxTerminated(f"mailbox {entity.uid} was terminated")
    messages: list[Message] = []
    try:
        first = svc.wait_for_message(caller, entity, timeout)
        while first is not None:
            messages.append(first)
            first = svc.state.receive(caller, entity)
    except MailboxTerminated:
        pass  # the stream just ends; the client's next request learns why
    return Reply(_events(messages), content_type=EVENT_STREAM)


def _events(messages: list[Message]) -> bytes:
    lines = ["retry: 0", ""]
    for message in messages:
        lines += [f"data: {line}" for line in message.raw.splitlines()] + [""]
    return ("\n".join(lines) + "\n").encode()


# -- liveness and statistics -------------------------------------------------------------


@route("/v1/mailbox/heartbeat", "GET", operation="get_heartbeat")
def get_heartbeat(svc: ExchangeService, call: Call) -> Reply:
    caller, entity = _caller_and_mailbox(svc, call)
    return Reply({"heartbeat": svc.state.heartbeat_age(caller, entity)})


@route("/v1/mailbox/heartbeat", "POST", operation="update_heartbeat")
def update_heartbeat(svc: ExchangeService, call: Call) -> Reply:
    caller, entity = _caller_and_mailbox(svc, call)
    svc.state.beat(caller, entity)
    return _empty()


@route("/v1/mailbox/stats", "GET", operation="get_statistics")
def get_statistics(svc: ExchangeService, call: Call) -> Reply:
    caller, entity = _caller_and_mailbox(svc, call)
    return Reply(dataclasses.asdict(svc.state.statistics(caller, entity)))
