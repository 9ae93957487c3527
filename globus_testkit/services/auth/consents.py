"""Consents: which client an identity let use which scope, as trees of
dependent scopes beneath the scope first asked for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...clock import iso
from .scope_registry import ScopeRegistry
from .scopes import ScopeRequest

if TYPE_CHECKING:
    from .tokens import TokenInfo


@dataclass
class Consent:
    id: int
    identity_id: str
    client_id: str  # the client allowed to use the scope
    scope_id: str
    scope_string: str
    dependency_path: list[int]
    created: float
    updated: float
    last_used: float
    auto_approved: bool

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client": self.client_id,
            "scope": self.scope_id,
            "scope_name": self.scope_string,
            "effective_identity": self.identity_id,
            "dependency_path": list(self.dependency_path),
            "created": iso(self.created),
            "updated": iso(self.updated),
            "last_used": iso(self.last_used),
            "status": "approved",
            "allows_refresh": True,
            "auto_approved": self.auto_approved,
            "atomically_revocable": len(self.dependency_path) > 1,
        }


class ConsentRegistry(ScopeRegistry):
    """Consent trees: the fourth layer of :class:`AuthState`."""

    # identity id -> its consents, in order: every question is about one
    # identity, so none walks the world's (built when first asked)
    DERIVED = (*ScopeRegistry.DERIVED, "_consents_by_identity")
    _consents_by_identity: dict[str, list[Consent]] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consents: list[Consent] = []
        self._next_consent_id = 100000

    def _consents_of(self, identity_id: str) -> list[Consent]:
        if self._consents_by_identity is None:
            self._consents_by_identity = {}
            for node in self.consents:
                self._consents_by_identity.setdefault(node.identity_id, []).append(node)
        return self._consents_by_identity.get(identity_id, [])

    def record_consents(
        self,
        identity_id: str,
        client_id: str,
        requests: Iterable[ScopeRequest],
        *,
        auto_approved: bool,
    ) -> None:
        """Record that the identity let ``client_id`` use these scope trees.

        Each scope's declared dependencies are consented with it; a
        dependency node is owned by the client of the scope above it, which
        is the one that will use it on the identity's behalf.
        """
        for request in requests:
            self._consent_tree(identity_id, client_id, request, [], auto_approved)

    def _consent_tree(
        self,
        identity_id: str,
        client_id: str,
        request: ScopeRequest,
        parent_path: list[int],
        auto_approved: bool,
    ) -> None:
        scope = self.scope_by_string(request.scope)
        assert scope is not None  # parse_scope_request checked it
        node = self._find_consent(identity_id, client_id, scope.id, parent_path)
        now = self.clock.now()
        if node is None:
            node = Consent(
                id=self._next_consent_id,
                identity_id=identity_id,
                client_id=client_id,
                scope_id=scope.id,
                scope_string=scope.scope_string,
                dependency_path=[*parent_path, self._next_consent_id],
                created=now,
                updated=now,
                last_used=now,
                auto_approved=auto_approved,
            )
            self._next_consent_id += 1
            self.consents.append(node)
            if self._consents_by_identity is not None:
                self._consents_by_identity.setdefault(identity_id, []).append(node)
        else:
            node.updated, node.last_used = now, now
        children = {dep.scope: dep for dep in request.dependencies}
        for declared in scope.dependencies:
            dep_scope = self.scopes[declared.scope_id]
            children.setdefault(dep_scope.scope_string, ScopeRequest(dep_scope.scope_string))
        for child in children.values():
            self._consent_tree(
                identity_id, scope.client_id, child, node.dependency_path, auto_approved
            )

    def _find_consent(
        self, identity_id: str, client_id: str, scope_id: str, parent_path: list[int]
    ) -> Consent | None:
        for node in self._consents_of(identity_id):
            if (
                node.client_id == client_id
                and node.scope_id == scope_id
                and node.dependency_path[:-1] == parent_path
            ):
                return node
        return None

    def consent_roots(self, identity_id: str, client_id: str, scope: str) -> list[Consent]:
        """Approved consents letting ``client_id`` use ``scope`` for the identity."""
        return [
            node
            for node in self._consents_of(identity_id)
            if node.client_id == client_id and node.scope_string == scope
        ]

    def consent_children(self, node: Consent) -> list[Consent]:
        depth = len(node.dependency_path)
        return [  # a tree's nodes are all its identity's
            child
            for child in self._consents_of(node.identity_id)
            if len(child.dependency_path) == depth + 1
            and child.dependency_path[:depth] == node.dependency_path
        ]

    def has_dependent_consent(
        self, token: TokenInfo, parent_scope: str, dependent_scope: str
    ) -> bool:
        """Whether the token's holder may use ``dependent_scope`` beneath
        ``parent_scope`` (e.g. a collection's data_access beneath Transfer)."""
        for root in self.consent_roots(token.identity_id, token.client_id, parent_scope):
            if any(c.scope_string == dependent_scope for c in self.consent_children(root)):
                return True
        return False

    def has_consent_chain(self, identity_id: str, client_id: str, chain: Iterable[str]) -> bool:
        """Whether the identity lets ``client_id`` use the first scope of
        ``chain``, and beneath it the next, and so on (a service holding a
        grant checks it still stands before acting on it)."""
        scopes = list(chain)
        nodes = self.consent_roots(identity_id, client_id, scopes[0]) if scopes else []
        for scope in scopes[1:]:
            nodes = [c for n in nodes for c in self.consent_children(n) if c.scope_string == scope]
        return bool(nodes)

    def consents_for(self, identity_id: str, client_id: str | None) -> list[Consent]:
        """Consents of an identity; only trees rooted at ``client_id`` if given."""
        mine = self._consents_of(identity_id)
        roots = {
            node.dependency_path[0]
            for node in mine
            if len(node.dependency_path) == 1 and (client_id is None or node.client_id == client_id)
        }
        return [node for node in mine if node.dependency_path[0] in roots]

    def revoke_consent(self, identity_id: str, scope: str, client_id: str | None = None) -> int:
        """Revoke every consent naming ``scope`` and everything beneath it.

        Globus forgets a revoked consent, so the nodes are removed and the
        next token use that needs them is refused. Returns how many went.
        """
        targets = [
            n.dependency_path
            for n in self._consents_of(identity_id)
            if n.scope_string == scope and (client_id is None or n.client_id == client_id)
        ]
        if not targets:
            return 0

        def beneath_a_target(node: Consent) -> bool:
            return any(node.dependency_path[: len(t)] == t for t in targets)

        kept = [n for n in self.consents if not beneath_a_target(n)]
        removed = len(self.consents) - len(kept)
        self.consents = kept
        if self._consents_by_identity is not None:  # a tree is all one identity's
            mine = self._consents_by_identity.get(identity_id, [])
            self._consents_by_identity[identity_id] = [n for n in mine if not beneath_a_target(n)]
        return removed
