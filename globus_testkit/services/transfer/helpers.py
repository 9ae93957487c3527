"""``emulator.transfer``: what tests do to Transfer without HTTP."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..auth.models import SessionRequirement
from .collection import MAPPED, ROLES, Collection, RoleRecord
from .filetree import normalize
from .spec import add_collections
from .stream_world import add_stream_access_points
from .streams import StreamAccessPoint
from .tasks import MODES, Task

if TYPE_CHECKING:
    from ...emulator import Emulator


class TransferHelpers:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def add_collection(
        self,
        display_name: str,
        *,
        owner: Any = None,
        entity_type: str = MAPPED,
        files: dict[str, str | bytes | int] | None = None,
        **fields: Any,
    ) -> Collection:
        """A new collection owned by ``owner`` (default: the world's user).

        ``files`` maps paths to content (str or bytes) or to a size (int,
        for large files kept without content).
        """
        owner_id = getattr(owner, "id", owner) or self._emulator.user.id
        with self._emulator.lock:
            world = self._emulator.world
            before = set(world.transfer.collections)
            add_collections(
                world,
                [
                    {
                        "display_name": display_name,
                        "entity_type": entity_type,
                        "owner_id": owner_id,
                        **fields,
                    }
                ],
                default_owner=owner_id,
            )
            (new_id,) = set(world.transfer.collections) - before
            collection = world.transfer.collections[new_id]
            for path, content in (files or {}).items():
                self.write(collection, path, content)
            return collection

    def require_session(
        self,
        collection: Collection | str,
        *,
        policy: str | Iterable[str] | None = None,
        domains: str | Iterable[str] = (),
        identities: Iterable[Any] = (),
        mfa: bool = False,
        timeout: float | None = None,
        message: str | None = None,
    ) -> SessionRequirement:
        """Make the collection's storage gateway demand a session: an Auth
        ``policy`` (id), an identity from one of ``domains``, the given
        ``identities``, MFA, authentication within ``timeout`` seconds.
        A file operation whose token's login does not satisfy it answers
        the 502 with ``authorization_parameters`` that real Transfer gives;
        a task submission naming the collection, a 403
        ``AuthorizationRequired``. Returns the requirement."""
        requirement = SessionRequirement.of(
            policy=policy,
            domains=domains,
            identities=identities,
            mfa=mfa,
            timeout=timeout,
            message=message,
        )
        with self._emulator.lock:
            self.collection(collection).session_requirement = requirement
        return requirement

    def expire_assurance(self, collection: Collection | str) -> float:
        """Move the clock one second past the collection's assurance window
        (its requirement's ``timeout`` or its high-assurance policy's
        ``authentication_assurance_timeout``, the longer), so every login
        made until now no longer satisfies it. Returns the seconds moved."""
        with self._emulator.lock:
            target = self.collection(collection)
            window = self._emulator.world.auth.assurance_window(target.session_requirement)
        if window is None:
            raise ValueError(
                f"{target.display_name} demands no session that lapses with time "
                "(require_session(..., timeout=...) or a policy with "
                "authentication_assurance_timeout)"
            )
        self._emulator.clock.advance(window + 1)
        return window + 1

    def drop_session_requirement(self, collection: Collection | str) -> None:
        with self._emulator.lock:
            self.collection(collection).session_requirement = None

    def write(self, collection: Collection | str, path: str, content: str | bytes | int) -> None:
        """Put a file in a collection (parents made as needed)."""
        with self._emulator.lock:
            target = self.collection(collection)
            if isinstance(content, int):
                target.tree.write(normalize(path), size=content)
            else:
                data = content.encode() if isinstance(content, str) else content
                target.tree.write(normalize(path), content=data)

    def read(self, collection: Collection | str, path: str) -> bytes | None:
        with self._emulator.lock:
            return self.collection(collection).tree.find(normalize(path)).content

    def exists(self, collection: Collection | str, path: str) -> bool:
        with self._emulator.lock:
            return self.collection(collection).tree.exists(normalize(path))

    def set_role(
        self, collection: Collection | str, principal: Any, role: str, *, group: bool = False
    ) -> RoleRecord:
        """Give an identity (or, with ``group=True``, a group) a role on a
        collection: administrator, access_manager, activity_manager or
        activity_monitor. Returns the role record, as ``role_list`` shows it."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        with self._emulator.lock:
            return self._emulator.world.transfer.add_role(
                self.collection(collection),
                "group" if group else "identity",
                getattr(principal, "id", principal),
                role,
            )

    def collection(self, collection: Collection | str) -> Collection:
        collection_id = collection if isinstance(collection, str) else collection.id
        return self._emulator.world.transfer.collection(collection_id)

    def outage(self, collection: Collection | str, *, down: bool = True) -> None:
        """Make a collection unreachable (tasks retry, counting faults) or
        reachable again."""
        with self._emulator.lock:
            self.collection(collection).down = down

    def expire_credentials(self, collection: Collection | str, *, expired: bool = True) -> None:
        """Expire (or restore) the credentials Transfer holds for a
        collection: its tasks go INACTIVE until they are restored."""
        with self._emulator.lock:
            self.collection(collection).credentials_expired = expired

    def set_progress(self, mode: str, *, bytes_per_second: float | None = None) -> None:
        """``immediate`` (default), ``timed`` (on the virtual clock) or ``manual``."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        with self._emulator.lock:
            self._emulator.world.tasks.mode = mode
            if bytes_per_second is not None:
                self._emulator.world.tasks.bytes_per_second = bytes_per_second

    def finish(self, task_id: str) -> Task:
        """Manual progress: complete a task's work now."""
        with self._emulator.lock:
            return self._emulator.world.tasks.finish(task_id)

    def add_stream_access_point(
        self,
        display_name: str,
        *,
        owner: Any = None,
        public: bool = True,
        visible_to: Iterable[str] = (),
        **fields: Any,
    ) -> StreamAccessPoint:
        """A stream access point (an end of a tunnel) owned by ``owner``
        (default: the world's user), hosted by ``host_endpoint_id``. Private
        ones (``public=False``) are seen by their owner and the principal
        URNs in ``visible_to``. Other fields as in a world file."""
        owner_id = getattr(owner, "id", owner) or self._emulator.user.id
        item = {"display_name": display_name, "owner_id": owner_id, "public": public, **fields}
        if visible_to:
            item["visible_to"] = list(visible_to)
        with self._emulator.lock:
            (point,) = add_stream_access_points(self._emulator.world, [item])
            return point
