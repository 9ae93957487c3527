"""The exchange's state and rules: mailboxes owned by identities, their
message queues, agent registrations, termination, heartbeats and
statistics. No HTTP here: routes parse requests into these types, call
these methods, and give each refusal its status.

Rules (as academy's hosted exchange keeps them):
- A mailbox belongs to the identity that registered it. Anyone may ask
  about an entity the exchange has never seen; only the owner, and members
  of the Globus groups the owner shared it with, may use a mailbox that
  exists. Only the owner shares, and only with its own groups.
- Registering is idempotent, and a terminated mailbox stays terminated
  (a gravestone: its id cannot be brought back).
- Terminating drops the queue and answers every request the mailbox had
  received but not answered with academy's ``MailboxTerminated`` error
  response, so nobody waits for an answer that will never come.
- Requests are tracked from send to answer: that is what the statistics
  count.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock

# The hosted exchange's Globus Auth resource server and its one scope (the
# ids academy-py uses unless told otherwise).
EXCHANGE_CLIENT_ID = "ca1e2fbf-4e73-40a6-b2ab-c9458e5fcf99"
EXCHANGE_SCOPE_ID = "a9e8d535-83e9-40c6-baf4-3f16538b2f10"
EXCHANGE_SCOPE = f"https://auth.globus.org/scopes/{EXCHANGE_CLIENT_ID}/academy_exchange"

MESSAGE_SIZE_LIMIT = 512 * 1024  # the exchange's default, in bytes

AGENT = "agent"
USER = "user"
REQUEST = "request"
RESPONSE = "response"

# Status names as academy's MailboxStatus spells them.
MISSING = "MISSING"
ACTIVE = "ACTIVE"
TERMINATED = "TERMINATED"

# What the exchange writes in the answers it makes on a terminated
# mailbox's behalf (academy's ErrorCode.MAILBOX_TERMINATED, protocol 1.x).
ERROR_MAILBOX_TERMINATED = 0
PROTOCOL_VERSION = "1.1"
ACADEMY_VERSION = "1.0.0"


class ExchangeRefusal(Exception):
    """A request the exchange refuses; routes give each kind its status."""


class NotPermitted(ExchangeRefusal):
    """The mailbox belongs to another identity (and is not shared with the
    caller's groups), or the owner shares with a group it is not in."""


class UnknownMailbox(ExchangeRefusal):
    """No mailbox has this id."""


class MailboxTerminated(ExchangeRefusal):
    """The mailbox was terminated: it neither takes nor gives messages."""


class MessageTooLarge(ExchangeRefusal):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"message of {size} bytes is over the {limit}-byte limit")
        self.size = size
        self.limit = limit


@dataclass(frozen=True)
class Caller:
    """Who is asking: a Globus identity, and the groups it is an active
    member of (looked up only when some mailbox is shared)."""

    identity_id: str
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EntityId:
    """An agent's or a user's id; two ids are the same entity when role and
    uid match (the display name is not part of the identity)."""

    uid: str  # a canonical, lower-case UUID
    role: str  # AGENT or USER
    name: str | None = field(default=None, compare=False)

    def to_doc(self) -> dict[str, Any]:
        return {"uid": self.uid, "name": self.name, "role": self.role}


@dataclass(frozen=True)
class Message:
    """One message: the header fields the exchange reads, and the document
    exactly as its sender wrote it (delivered unchanged)."""

    src: EntityId
    dest: EntityId
    tag: str
    kind: str  # REQUEST or RESPONSE
    raw: str
    label: str | None = None
    protocol_version: str | None = PROTOCOL_VERSION

    @property
    def size(self) -> int:
        """Bytes as the sender wrote the message."""
        return len(self.raw.encode("utf-8"))

    @property
    def compact_size(self) -> int:
        """Bytes as academy's server counts them: re-serialised compactly."""
        compact = json.dumps(json.loads(self.raw), separators=(",", ":"), ensure_ascii=False)
        return len(compact.encode("utf-8"))


@dataclass(frozen=True)
class Statistics:
    """An agent's traffic, as academy's ``AgentStats`` counts it."""

    incoming: int = 0  # requests received: completed + pending
    outgoing: int = 0  # requests this entity sent
    completed: int = 0  # requests it answered
    in_progress: int = 0  # taken from the queue, not yet answered
    queued: int = 0  # messages waiting in the queue


@dataclass
class Mailbox:
    entity: EntityId
    owner_id: str  # the Globus identity that registered it
    created: float
    agent_classes: tuple[str, ...] = ()  # the agent's class, then its bases
    queue: deque[Message] = field(default_factory=deque)
    terminated: bool = False
    heartbeat: float | None = None
    pending: dict[str, Message] = field(default_factory=dict)  # requests by tag
    shares: set[str] = field(default_factory=set)  # groups whose members may use it
    completed: int = 0
    outgoing: int = 0

    @property
    def status(self) -> str:
        return TERMINATED if self.terminated else ACTIVE

    def summary(self, now: float) -> dict[str, Any]:
        """What a person looking at the exchange wants to see of it."""
        return {
            **self.entity.to_doc(),
            "owner_id": self.owner_id,
            "shared_with": sorted(self.shares),
            "agent_class": self.agent_classes[0] if self.agent_classes else None,
            "status": self.status,
            "queued": len(self.queue),
            "pending_requests": len(self.pending),
            "heartbeat_age": None if self.heartbeat is None else now - self.heartbeat,
        }

    def implements(self, class_name: str, *, allow_subclasses: bool) -> bool:
        if not self.agent_classes:
            return False
        if allow_subclasses:
            return class_name in self.agent_classes
        return class_name == self.agent_classes[0]


class ExchangeState:
    """Every mailbox of the exchange, and the rules that change them."""

    def __init__(self, clock: Clock, *, message_size_limit: int = MESSAGE_SIZE_LIMIT) -> None:
        self.clock = clock
        self.message_size_limit = message_size_limit
        self.mailboxes: dict[EntityId, Mailbox] = {}
        self.shared: set[EntityId] = set()  # mailboxes shared with some group

    # -- who may use what --------------------------------------------------------

    @property
    def any_shared(self) -> bool:
        """Whether any mailbox is shared (then callers' groups matter)."""
        return bool(self.shared)

    def may_use(self, caller: Caller, entity: EntityId) -> bool:
        """Whether ``caller`` may act on this entity's mailbox: its owner
        may, members of a group it is shared with may, and so may anyone
        while no such mailbox exists."""
        mailbox = self.mailboxes.get(entity)
        return (
            mailbox is None
            or mailbox.owner_id == caller.identity_id
            or not mailbox.shares.isdisjoint(caller.groups)
        )

    def mailbox(self, entity: EntityId) -> Mailbox | None:
        return self.mailboxes.get(entity)

    def _permitted(self, caller: Caller, entity: EntityId) -> Mailbox | None:
        if not self.may_use(caller, entity):
            raise NotPermitted(f"mailbox {entity.uid} belongs to another identity")
        return self.mailboxes.get(entity)

    def _open(self, caller: Caller, entity: EntityId) -> Mailbox:
        """The caller's existing, unterminated mailbox, or a refusal."""
        mailbox = self._permitted(caller, entity)
        if mailbox is None:
            raise UnknownMailbox(f"no mailbox {entity.uid}")
        if mailbox.terminated:
            raise MailboxTerminated(f"mailbox {entity.uid} was terminated")
        return mailbox

    # -- mailboxes ---------------------------------------------------------------

    def register(
        self, caller: Caller, entity: EntityId, agent_classes: tuple[str, ...] = ()
    ) -> Mailbox:
        """Create the mailbox if it does not exist (idempotent; a terminated
        mailbox stays terminated). Only agents keep their classes."""
        existing = self._permitted(caller, entity)
        if existing is not None:
            return existing
        mailbox = Mailbox(
            entity=entity,
            owner_id=caller.identity_id,
            created=self.clock.now(),
            agent_classes=agent_classes if entity.role == AGENT else (),
        )
        self.mailboxes[entity] = mailbox
        return mailbox

    def status(self, caller: Caller, entity: EntityId) -> str:
        mailbox = self._permitted(caller, entity)
        return MISSING if mailbox is None else mailbox.status

    def terminate(self, caller: Caller, entity: EntityId) -> list[Message]:
        """Close a mailbox for good: its queue is dropped and every request
        it had not answered is answered with academy's MailboxTerminated
        error. Returns those answers (each already delivered, where the
        requester's mailbox is open and the caller's own). Terminating an
        unknown or terminated mailbox changes nothing."""
        mailbox = self._permitted(caller, entity)
        if mailbox is None or mailbox.terminated:
            return []
        mailbox.terminated = True
        mailbox.queue.clear()
        requests = list(mailbox.pending.values())
        mailbox.pending.clear()
        answers = []
        for request in requests:
            answer = termination_answer(request)
            requester = self.mailboxes.get(answer.dest)
            # The exchange answers for the terminated mailbox, but never
            # into a mailbox the caller could not write to itself.
            if (
                requester is not None
                and not requester.terminated
                and self.may_use(caller, answer.dest)
            ):
                requester.queue.append(answer)
                answers.append(answer)
        return answers

    def discover(
        self, caller: Caller, class_name: str, *, allow_subclasses: bool
    ) -> list[EntityId]:
        """The open agent mailboxes the caller may use (its own and those
        shared with its groups) whose agent is ``class_name`` (or, with
        ``allow_subclasses``, a subclass of it), oldest first."""
        return [
            mailbox.entity
            for mailbox in self.mailboxes.values()
            if self.may_use(caller, mailbox.entity)
            and not mailbox.terminated
            and mailbox.implements(class_name, allow_subclasses=allow_subclasses)
        ]

    # -- sharing with groups ----------------------------------------------------------

    def _owned(self, caller: Caller, entity: EntityId) -> Mailbox:
        """The caller's own open mailbox (sharing is for owners only)."""
        mailbox = self.mailboxes.get(entity)
        if mailbox is None:
            raise UnknownMailbox(f"no mailbox {entity.uid}")
        if mailbox.terminated:
            raise MailboxTerminated(f"mailbox {entity.uid} was terminated")
        if mailbox.owner_id != caller.identity_id:
            raise NotPermitted(f"mailbox {entity.uid} belongs to another identity")
        return mailbox

    def share(self, caller: Caller, entity: EntityId, group_id: str) -> None:
        """Let the members of a group the owner belongs to use a mailbox."""
        mailbox = self._owned(caller, entity)
        if group_id not in caller.groups:
            raise NotPermitted(f"the owner is not a member of group {group_id}")
        mailbox.shares.add(group_id)
        self.shared.add(entity)

    def shares(self, caller: Caller, entity: EntityId) -> list[str]:
        return sorted(self._owned(caller, entity).shares)

    def unshare(self, caller: Caller, entity: EntityId, group_id: str) -> None:
        """Stop sharing with a group (nothing happens if it was not)."""
        mailbox = self._owned(caller, entity)
        mailbox.shares.discard(group_id)
        if not mailbox.shares:
            self.shared.discard(entity)

    # -- messages ----------------------------------------------------------------

    def send(self, caller: Caller, message: Message) -> None:
        """Queue a message for its destination, tracking requests until
        their answer comes back."""
        target = self._open(caller, message.dest)
        size = message.size
        if size > self.message_size_limit:
            size = message.compact_size  # never more than the sender's text
        if size > self.message_size_limit:
            raise MessageTooLarge(size, self.message_size_limit)
        if message.kind == REQUEST:
            target.pending[message.tag] = message
            sender = self.mailboxes.get(message.src)
            if sender is not None:
                sender.outgoing += 1
        else:
            responder = self.mailboxes.get(message.src)
            if responder is not None and responder.pending.pop(message.tag, None) is not None:
                responder.completed += 1
        target.queue.append(message)

    def receive(self, caller: Caller, entity: EntityId) -> Message | None:
        """The oldest message waiting in the caller's mailbox, taken off the
        queue, or None when it is empty (the caller decides how to wait)."""
        mailbox = self._open(caller, entity)
        return mailbox.queue.popleft() if mailbox.queue else None

    # -- liveness and statistics ---------------------------------------------------

    def beat(self, caller: Caller, entity: EntityId) -> None:
        """Record a heartbeat (on the virtual clock). The exchange accepts a
        heartbeat for an id it does not know; there is nothing to record."""
        mailbox = self._permitted(caller, entity)
        if mailbox is not None:
            mailbox.heartbeat = self.clock.now()

    def heartbeat_age(self, caller: Caller, entity: EntityId) -> float | None:
        """Seconds since the last heartbeat, or None if there never was one."""
        mailbox = self._open(caller, entity)
        if mailbox.heartbeat is None:
            return None
        return self.clock.now() - mailbox.heartbeat

    def statistics(self, caller: Caller, entity: EntityId) -> Statistics:
        """Traffic counts; all zero for an entity the exchange does not know."""
        mailbox = self._permitted(caller, entity)
        if mailbox is None:
            return Statistics()
        queued = len(mailbox.queue)
        pending = len(mailbox.pending)
        return Statistics(
            incoming=mailbox.completed + pending,
            outgoing=mailbox.outgoing,
            completed=mailbox.completed,
            in_progress=max(0, pending - queued),
            queued=queued,
        )


def termination_answer(request: Message) -> Message:
    """Academy's MailboxTerminated error response to ``request``, written
    on behalf of its (terminated) destination."""
    protocol_version = request.protocol_version or PROTOCOL_VERSION
    header = {
        "src": request.dest.to_doc(),
        "dest": request.src.to_doc(),
        "tag": request.tag,
        "label": request.label,
        "kind": RESPONSE,
        "protocol_version": protocol_version,
        "academy_version": ACADEMY_VERSION,
    }
    body = {
        "error_code": ERROR_MAILBOX_TERMINATED,
        "mailbox_id": request.dest.to_doc(),
        "kind": "academy-error-response",
    }
    return Message(
        src=request.dest,
        dest=request.src,
        tag=request.tag,
        kind=RESPONSE,
        raw=json.dumps({"header": header, "body": body}),
        label=request.label,
        protocol_version=protocol_version,
    )
