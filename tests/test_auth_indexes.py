"""Auth answers four questions from indexes instead of walking the world:
when an identity last authenticated (every request to a high-assurance
group), which access tokens a refresh token made (revoking it), which
scopes a resource server registered (a lenient token's scopes, a client's
document), and which tokens a client was issued (deleting it). After any
mix of logins, grants, refreshes, revocations, scope and client changes,
through copies and state files, each must answer what walking every
session, token and scope answers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from world_copies import copy_world

from globus_testkit import Emulator
from globus_testkit.services.auth.models import RESOURCE_SERVER, AuthState, Client

APP_URI = "https://app.example.org/callback"


def walked_last_authentication(state: AuthState, identity_id: str) -> float | None:
    times = [
        s.authentications[identity_id].auth_time
        for s in state.sessions.values()
        if identity_id in s.authentications
    ]
    return max(times, default=None)


def assert_agrees(state: AuthState) -> None:
    for identity_id in state.identities:
        expected = walked_last_authentication(state, identity_id)
        assert state.last_authentication(identity_id) == expected, identity_id
    for refresh in (t for t in state.tokens.values() if t.kind == "refresh"):
        born = [t for t in state.tokens.values() if t.refresh_token == refresh.value]
        assert state.born_of(refresh.value) == born  # in the order they were minted
    for client_id in {*state.clients, *(s.client_id for s in state.scopes.values())}:
        mine = [s for s in state.scopes.values() if s.client_id == client_id]
        assert state.scopes_of_client(client_id) == mine  # in the order registered
        issued = [t for t in state.tokens.values() if t.client_id == client_id]
        assert state.tokens_of_client(client_id) == issued  # in the order issued


class World:
    """A random walk of writes over one Auth state (the world is replaced
    by a copy now and then, pickled or through a state file, so both the
    kept and the rebuilt indexes are checked)."""

    def __init__(self, seed: int, tmp_path: Path) -> None:
        emulator = self.emulator = Emulator(seed=seed)
        self.state_file = tmp_path / "world.json"
        self.draw = random.Random(seed)
        self.people = [emulator.user.id]
        self.app_id = self.state.register_client("app", redirect_uris=[APP_URI]).id
        self.servers: list[str] = []
        self.refresh_tokens: list[str] = []
        self.names = iter(range(1_000_000))  # a new scope string each time

    @property
    def state(self) -> AuthState:
        return self.emulator.world.auth

    @property
    def app(self) -> Client:
        return self.state.clients[self.app_id]

    def add_person(self) -> None:
        person = self.state.add_identity(f"p{len(self.people)}@example.org").id
        if self.draw.random() < 0.3:  # a linked identity of someone already here
            self.state.link_identities(self.draw.choice(self.people), person)
        self.people.append(person)

    def log_in(self) -> None:
        person = self.draw.choice(self.people)
        linked = [i.id for i in self.state.identity_set(person)]
        self.state.record_login(
            person,
            self.draw.sample(linked, self.draw.randint(0, len(linked))),
            mfa=self.draw.random() < 0.3,
            prompt_login=self.draw.random() < 0.5,
            browser=self.draw.random() < 0.7,
        )

    def grant_with_refresh(self) -> None:
        scope = self.draw.choice(self._requestable())
        code = self.state.start_authorization(
            client_id=self.app_id,
            identity_id=self.draw.choice(self.people),
            redirect_uri=APP_URI,
            code_pages=(),
            scope_text=scope,
            code_challenge=None,
            code_challenge_method=None,
            refresh=True,
            prompt_login=self.draw.random() < 0.5,
        )
        grant = self.state.exchange_code(self.app, code.code, APP_URI, None)
        self.refresh_tokens += [t.refresh_token for t in grant.tokens if t.refresh_token]

    def refresh(self) -> None:
        live = [r for r in self.refresh_tokens if not self.state.tokens[r].revoked]
        if live:
            self.state.refresh_grant(self.app, self.draw.choice(live))

    def revoke(self) -> None:
        tokens = [t.value for t in self.state.tokens.values() if t.client_id == self.app_id]
        if tokens:
            value = self.draw.choice(self.refresh_tokens + tokens)
            self.state.revoke(value, self.app)
            if self.state.tokens[value].kind == "refresh":
                born = [t for t in self.state.tokens.values() if t.refresh_token == value]
                assert born and all(t.revoked for t in born)

    def issue_directly(self) -> None:
        self.state.issue_token(
            self.draw.choice(self.people),
            self.draw.choice(self._requestable()),
            client_id=self.app_id,
        )

    def add_scope(self) -> None:
        if not self.servers or self.draw.random() < 0.3:
            self.servers.append(self.state.register_client("api", client_type=RESOURCE_SERVER).id)
        server = self.draw.choice(self.servers)
        self.state.register_scope(
            f"https://auth.globus.org/scopes/{server}/s{next(self.names)}", client_id=server
        )

    def drop_scope_or_server(self) -> None:
        if not self.servers:
            return
        server = self.draw.choice(self.servers)
        mine = [s for s in self.state.scopes.values() if s.client_id == server]
        if mine and self.draw.random() < 0.7:
            self.state.delete_scope(self.draw.choice(mine).id)
        else:
            self.state.delete_client(server)
            self.servers.remove(server)

    def copy(self) -> None:
        copy_world(self.emulator, self.draw, self.state_file)  # a copy rebuilds the indexes

    def _requestable(self) -> list[str]:
        return ["openid", "urn:globus:auth:scope:transfer.api.globus.org:all"]


@pytest.mark.parametrize("seed", range(4))
def test_auth_indexes_agree_with_walks_over_every_session_token_and_scope(seed, tmp_path):
    world = World(seed, tmp_path)
    moves = [
        (world.add_person, 2),
        (world.log_in, 3),
        (world.grant_with_refresh, 3),
        (world.refresh, 3),
        (world.revoke, 2),
        (world.issue_directly, 2),
        (world.add_scope, 3),
        (world.drop_scope_or_server, 1),
        (world.copy, 1),
    ]
    for _ in range(150):
        move = world.draw.choices([m for m, _ in moves], [w for _, w in moves])[0]
        move()
        world.emulator.clock.advance(world.draw.randint(0, 100))
        assert_agrees(world.state)
    # the walk did reach the cases the indexes are for
    state = world.state
    logins = [i for s in state.sessions.values() for i in s.authentications]
    assert any(logins.count(i) > 1 for i in state.identities)
    refreshed = [t.refresh_token for t in state.tokens.values() if t.refresh_token]
    assert any(refreshed.count(r) > 1 and state.tokens[r].revoked for r in refreshed)
    assert any(s.client_id in world.servers for s in state.scopes.values())


def test_a_revoked_refresh_token_takes_only_its_own_access_tokens(tmp_path):
    world = World(0, tmp_path)
    for _ in range(3):
        world.grant_with_refresh()
    first, *others = world.refresh_tokens
    world.state.refresh_grant(world.app, first)
    world.state.revoke(first, world.app)
    assert all(t.revoked for t in world.state.born_of(first))
    assert len(world.state.born_of(first)) == 2  # the grant's and the refresh's
    for other in others:
        assert not any(t.revoked for t in world.state.born_of(other))
