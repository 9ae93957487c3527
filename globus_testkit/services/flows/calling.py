"""How the flow engine finds and calls action providers: their scope (as
Flows resolves it, from introspection) and every call, made as a given
identity through the emulator itself, never over the network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...http import ApiError
from .models import FLOWS_CLIENT_ID

if TYPE_CHECKING:
    from ...emulator import Emulator
    from ..actions.mounts import MountedProvider


class EmulatorCaller:
    """Calls providers as an identity, through the emulator itself."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def call(
        self, identity_id: str, method: str, url: str, scope: str, body: dict[str, Any] | None
    ) -> tuple[int, Any]:
        """The call as ``identity_id``, with a token for ``scope`` (space-
        separated scopes; none for an empty one: an unauthenticated API)."""
        if not scope:
            return self.emulator.call_internal(method, url, "", body)
        try:
            token = self.emulator.world.auth.issue_token(
                identity_id, scope, client_id=FLOWS_CLIENT_ID
            )[0].value
        except ApiError as err:
            return 401, {"code": "UnauthorizedRequest", "description": err.message}
        return self.emulator.call_internal(method, url, token, body)

    def scope_for(self, url: str) -> str:
        """The scope the provider at ``url`` accepts, as Flows finds it: from
        the provider's introspection document. Only providers the emulator
        hosts (by exact URL) or has mounted (by URL prefix) are asked;
        nothing else is ever called."""
        from ..actions.providers import hosted_provider

        url = url.rstrip("/")
        hosted = hosted_provider(url)
        if hosted is not None:
            return hosted.scope
        mount = self.emulator.actions.owning(url)
        if mount is None:
            raise ApiError(
                422,
                "UNPROCESSABLE_ENTITY",
                f"no action provider is known at {url}: globus-testkit neither hosts nor "
                "has mounted one there; mount it (emulator.actions.mount) or give the "
                "Action state an ActionScope",
            )
        return self._introspected_scope(url, mount)

    def _introspected_scope(self, url: str, mount: MountedProvider) -> str:
        """``GET <url>/`` on a mounted provider, as the world's user would;
        its ``globus_auth_scope``, or the mount's scope if it will not say."""
        world = self.emulator.world
        token = world.auth.issue_token(world.user_id, mount.scope, client_id=FLOWS_CLIENT_ID)[
            0
        ].value
        status, document = self.emulator.call_internal("GET", url + "/", token)
        if status == 200 and isinstance(document, dict):
            scope = document.get("globus_auth_scope")
            if isinstance(scope, str) and scope:
                return scope
        return mount.scope
