"""The emulated exchange against academy's own: academy-py ships the
exchange server it hosts (``academy.exchange.cloud.app``, an aiohttp app
over its in-memory backend). The same requests go to it and to the
emulator, and the answers must match: statuses, plain-text errors,
documents, the messages delivered (termination's error answers included)
and the statistics. Needs academy-py (``nox -s academy``).

academy's server runs here without authentication (every caller is the
same client), so the emulator's side uses one identity's token too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

pytest.importorskip("academy", reason="the reference exchange is academy-py's own")

from academy.exchange.cloud.config import ExchangeServingConfig
from academy.identifier import AgentId, UserId
from academy.message import Message, PingRequest
from academy_server import serving

from globus_testkit.services.exchange.models import EXCHANGE_SCOPE

Call = Callable[[str, str, Any], tuple[int, Any]]


@pytest.fixture
def reference_url() -> Iterator[str]:
    """academy's exchange server on a loopback port, in its own thread."""
    with serving(ExchangeServingConfig()) as url:
        yield url


def caller(base: str, token: str | None = None) -> Call:
    session = requests.Session()
    if token:
        session.headers["Authorization"] = f"Bearer {token}"

    def call(method: str, path: str, body: Any) -> tuple[int, Any]:
        answer = session.request(method, base + path, json=body, timeout=30)
        if answer.headers.get("Content-Type", "").startswith("application/json"):
            return answer.status_code, comparable(answer.json())
        text = answer.text
        if text.startswith("Missing or invalid field: "):
            text = "Missing or invalid field: ..."  # the rest is each parser's own words
        return answer.status_code, text

    return call


def comparable(document: Any) -> Any:
    """An answer with what legitimately differs taken out: the age of a
    heartbeat, and the academy version stamped on answers the exchange
    writes itself."""
    if isinstance(document, dict):
        if isinstance(document.get("heartbeat"), float):
            document["heartbeat"] = "a number"
        if isinstance(document.get("message"), str):
            message = json.loads(document["message"])
            message["header"].pop("academy_version", None)
            document["message"] = message
    return document


def scenario(call: Call) -> list[tuple[int, Any]]:
    """One agent's life on the exchange, with mistakes along the way."""
    user, agent = UserId.new(name="me"), AgentId.new(name="worker")
    unknown = AgentId.new()

    def box(entity: Any) -> dict[str, str]:
        return {"mailbox": entity.model_dump_json()}

    def message(src: Any, dest: Any, text: str = "hi") -> dict[str, str]:
        request = Message.create(src, dest, PingRequest())
        body = json.loads(request.model_dump_json())
        body["body"]["note"] = text  # the exchange passes bodies on unread
        return {"message": json.dumps(body)}

    answers = [
        call("POST", "/mailbox", box(user)),
        call("POST", "/mailbox", {**box(agent), "agent": "lab.Worker,lab.Base,academy.Agent"}),
        call("POST", "/mailbox", box(agent)),  # again: idempotent
        call("GET", "/mailbox", box(agent)),
        call("GET", "/mailbox", box(unknown)),
        call("PUT", "/message", message(user, agent, "first")),
        call("PUT", "/message", message(user, agent, "second")),
        call("GET", "/message", {**box(agent), "timeout": 5}),
        call("GET", "/mailbox/stats", box(agent)),
        call("GET", "/mailbox/stats", box(unknown)),
        call("GET", "/discover", {"agent": "lab.Base", "allow_subclasses": True}),
        call("GET", "/discover", {"agent": "lab.Base", "allow_subclasses": False}),
        call("GET", "/discover", {"agent": "lab.Worker", "allow_subclasses": False}),
        call("GET", "/mailbox/heartbeat", box(agent)),
        call("POST", "/mailbox/heartbeat", box(agent)),
        call("GET", "/mailbox/heartbeat", box(agent)),
        call("GET", "/mailbox/heartbeat", box(unknown)),
        call("PUT", "/message", message(user, unknown)),
        call("GET", "/message", {**box(unknown), "timeout": 1}),
        call("PUT", "/message", message(user, agent, "x" * (600 * 1024))),
        call("GET", "/message", {**box(agent), "timeout": 0}),
        call("GET", "/message", {**box(agent), "timeout": 61}),
        call("POST", "/mailbox", {}),
        call("PUT", "/message", {"message": "{"}),
        call("GET", "/discover", {"agent": "lab.Base"}),
        # the agent has taken "first" and not answered; "second" waits
        call("DELETE", "/mailbox", box(agent)),
        call("GET", "/message", {**box(user), "timeout": 5}),
        call("GET", "/message", {**box(user), "timeout": 5}),
        call("GET", "/mailbox", box(agent)),
        call("PUT", "/message", message(user, agent)),
        call("GET", "/message", {**box(agent), "timeout": 1}),
        call("GET", "/mailbox/heartbeat", box(agent)),
        call("POST", "/mailbox", box(agent)),  # a gravestone: stays terminated
        call("GET", "/mailbox", box(agent)),
        call("GET", "/discover", {"agent": "lab.Base", "allow_subclasses": True}),
        call("DELETE", "/mailbox", box(unknown)),
        call("GET", "/mailbox", box(unknown)),
    ]
    return answers


def test_the_emulated_exchange_answers_as_academys_own(reference_url, globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, EXCHANGE_SCOPE)
    emulated = scenario(caller(globus_emulator.exchange.url, token))
    reference = scenario(caller(reference_url))
    # uids differ between the runs; compare with each run's own ids masked
    assert masked(emulated) == masked(reference)


def masked(answers: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """The answers with every UUID replaced by its order of appearance."""
    text = json.dumps(answers)
    seen: dict[str, str] = {}
    for word in _uuids(text):
        seen.setdefault(word, f"<id{len(seen)}>")
    for word, mask in seen.items():
        text = text.replace(word, mask)
    return [(status, body) for status, body in json.loads(text)]


def _uuids(text: str) -> list[str]:
    return re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)
