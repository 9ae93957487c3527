"""academy's own exchange server, run as its operators run it (Globus Auth
on), authenticating everyone against the emulated Auth and Groups: it
introspects each token, trades it for a Groups token and reads the
caller's memberships. Agents reach it through academy's
``HttpExchangeFactory`` logged in as the world's service account; mailbox
sharing goes through a Globus group. Needs academy-py (``nox -s academy``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
import requests

pytest.importorskip("academy", reason="academy's exchange server comes with academy-py")

from academy.agent import Agent, action
from academy.exchange.cloud.client import HttpExchangeFactory
from academy.exchange.cloud.config import ExchangeAuthConfig, ExchangeServingConfig
from academy.identifier import UserId
from academy.manager import Manager
from academy_server import serving

from globus_testkit.services.exchange.models import EXCHANGE_CLIENT_ID, EXCHANGE_SCOPE


class Echo(Agent):
    @action
    async def echo(self, text: str) -> str:
        return text


@pytest.fixture
def exchange_server(globus_emulator) -> Iterator[str]:
    """academy's exchange server with Globus Auth, on a loopback port; its
    resource server (the one academy's scope belongs to) gets a secret."""
    secret = globus_emulator.auth.add_credential(EXCHANGE_CLIENT_ID)
    auth = ExchangeAuthConfig(
        method="globus", kwargs={"client_id": EXCHANGE_CLIENT_ID, "client_secret": secret}
    )
    with serving(ExchangeServingConfig(auth=auth)) as url:
        yield url


@pytest.fixture
def factory(globus_academy, exchange_server) -> HttpExchangeFactory:
    """academy logging in as the service account (globus_academy sets its
    variables) for a token to the exchange."""
    return HttpExchangeFactory(exchange_server, auth_method="globus")


def test_agents_talk_through_academys_server_authenticated_by_the_emulator(
    factory, globus_emulator
):
    async def scenario() -> None:
        async with await Manager.from_exchange_factory(factory) as manager:
            handle = await manager.launch(Echo)
            assert await handle.echo("over academy's own server") == "over academy's own server"

    asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    calls = globus_emulator.journal.calls("auth")
    introspections = [c for c in calls if c.operation == "oauth2_token_introspect"]
    assert introspections and {c.client_id for c in introspections} == {EXCHANGE_CLIENT_ID}
    assert "oauth2_token.dependent_token" in {c.operation for c in calls}
    assert globus_emulator.journal.calls("groups", "get_my_groups")


def test_tokens_the_emulator_did_not_issue_are_refused(exchange_server, globus_emulator):
    mailbox = {"mailbox": UserId.new().model_dump_json()}
    for token, status in (("AgMadeUp", 403), (None, 401)):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = requests.post(f"{exchange_server}/mailbox", json=mailbox, headers=headers)
        assert answer.status_code == status
    transfer = globus_emulator.auth.issue_token(
        globus_emulator.user, "urn:globus:auth:scope:transfer.api.globus.org:all"
    )
    answer = requests.post(
        f"{exchange_server}/mailbox", json=mailbox, headers={"Authorization": f"Bearer {transfer}"}
    )
    assert answer.status_code == 403  # a token for another resource server


def test_a_mailbox_shared_with_a_group_lets_its_members_in(
    factory, exchange_server, globus_emulator
):
    account = globus_emulator.service_account.client_id
    colleague = globus_emulator.auth.add_identity("colleague@example.org")
    with globus_emulator.lock:
        group = globus_emulator.world.groups.create(
            "Lab", {account: "member", colleague.id: "member"}
        )
    token = globus_emulator.auth.issue_token(colleague, EXCHANGE_SCOPE)
    headers = {"Authorization": f"Bearer {token}"}
    theirs = UserId.new(name="colleague")
    requests.post(
        f"{exchange_server}/mailbox", json={"mailbox": theirs.model_dump_json()}, headers=headers
    ).raise_for_status()

    async def scenario() -> tuple[int, int]:
        console = await factory.console()
        try:
            registered = await factory.create_user_client(name="owner")
            owner = registered.client_id
            ping = {"mailbox": owner.model_dump_json(), "timeout": 1}
            before = requests.get(f"{exchange_server}/message", json=ping, headers=headers)
            await console.share_mailbox(owner, uuid.UUID(group.id))
            after = requests.get(f"{exchange_server}/message", json=ping, headers=headers)
            await registered.close()
            return before.status_code, after.status_code
        finally:
            await console.close()

    before, after = asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    assert before == 403  # not theirs
    assert after == 408  # shared: let in, and nothing was waiting
