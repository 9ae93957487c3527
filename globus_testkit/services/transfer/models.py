"""Transfer's collections, their files and who may use them. No HTTP here.

Access rule (documented in docs/transfer.md): a collection's owner, its
administrators and access managers may do anything; on a guest collection
everyone else needs an
ACL rule covering the path (``r`` to read, ``rw`` to write); on a mapped
collection any authenticated identity may read and write (the storage
gateway's own policies are outside the emulator).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...clock import Clock
from ...derived import KeepsDerived
from ...ids import Ids
from ...principal_index import PrincipalIndex
from .access import AccessRule, Principals, covers, principal_matches
from .collection import (
    ENTITY_TYPES,
    GUEST,
    MANAGING,
    MAPPED,
    PERSONAL,
    ROLES,
    UPDATABLE,
    Collection,
    RoleRecord,
)
from .errors import BadRequest, Conflict, EndpointNotFound, NotFound, PermissionDenied
from .filetree import FileTree, normalize

SEARCH_SCOPES = (
    "all",
    "my-endpoints",
    "my-gcp-endpoints",
    "recently-used",
    "in-use",
    "shared-by-me",
    "shared-with-me",
    "administered-by-me",
)


def _hosts(collection: Collection) -> set[str]:
    hosts = {collection.host_endpoint_id, collection.host_collection_id}
    return {host for host in hosts if host is not None}


def _holders(collection: Collection) -> tuple[str, ...]:
    """Whoever may hold a role on a collection: its owner and every
    identity or group granted one."""
    return (collection.owner_id, *(record.principal for record in collection.roles.values()))


class TransferState(KeepsDerived):
    """Collections and bookmarks; tasks live in :mod:`.tasks`."""

    # collection ids by owner id (a search for one owner's collections);
    # None until first asked
    DERIVED = ("_by_owner", "_by_host", "_by_holder")
    _by_owner: PrincipalIndex | None = None
    # collections by the endpoint and collection hosting them (a host's
    # guest and hosted collections); None until first asked
    _by_host: PrincipalIndex | None = None
    # collections by their owner and by every principal granted a role on
    # them (what a caller may hold roles on); None until first asked
    _by_holder: PrincipalIndex | None = None

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.collections: dict[str, Collection] = {}
        self.recently_used: dict[str, list[str]] = {}  # identity -> collection ids
        self.bookmarks: dict[str, dict[str, Any]] = {}

    # -- collections -------------------------------------------------------------

    def create_collection(
        self,
        display_name: str,
        *,
        owner_id: str,
        owner_string: str,
        entity_type: str = MAPPED,
        collection_id: str | None = None,
        **fields: Any,
    ) -> Collection:
        if entity_type not in ENTITY_TYPES:
            raise BadRequest(f"entity_type must be one of {', '.join(ENTITY_TYPES)}")
        collection = Collection(
            id=collection_id or self.ids.uuid(),
            display_name=display_name,
            entity_type=entity_type,
            owner_id=owner_id,
            owner_string=owner_string,
            tree=FileTree(self.clock),
            **fields,
        )
        if collection.id in self.collections:
            raise Conflict(f"a collection {collection.id} already exists")
        self.collections[collection.id] = collection
        self._owners().put(collection.id, (collection.owner_id,))
        self._note_hosts(collection)
        self._note_holders(collection)
        return collection

    def create_guest(
        self,
        host: Collection,
        host_path: str,
        display_name: str,
        *,
        owner_id: str,
        owner_string: str,
        who: Principals,
        **fields: Any,
    ) -> Collection:
        """A guest (shared) collection whose root is ``host_path`` on the
        host: the two share the same files, so what one writes the other
        sees. Its creator needs to read that directory on the host."""
        if host.entity_type not in (MAPPED, PERSONAL):
            raise BadRequest("guest collections are hosted on mapped collections only")
        path = normalize(host_path, host.default_directory)
        self.require(host, who, path, write=False)
        root = host.tree.directory(path)
        guest = self.create_collection(
            display_name,
            owner_id=owner_id,
            owner_string=owner_string,
            entity_type=GUEST if host.entity_type == MAPPED else "GCP_guest_collection",
            host_endpoint_id=host.id,
            host_collection_id=host.id,
            host_path=path if path.endswith("/") else path + "/",
            **{"default_directory": "/", **fields},
        )
        guest.tree.root = root  # a view of the host's directory, not a copy
        return guest

    def collection(self, collection_id: str) -> Collection:
        found = self.collections.get(collection_id.lower())
        if found is None:
            raise EndpointNotFound(f"No such endpoint or collection with id {collection_id!r}")
        return found

    def create_guest_collection(
        self,
        display_name: str,
        *,
        host: str,
        root: str,
        owner_id: str,
        owner_string: str,
        **fields: Any,
    ) -> Collection:
        """A GCSv5 guest collection whose files are the directory ``root``
        of the mapped collection ``host`` (the same nodes, not a copy)."""
        mapped = self.collection(host)
        if mapped.entity_type != MAPPED:
            raise BadRequest("a guest collection's host must be a mapped collection")
        node = mapped.tree.find(normalize(root))
        if node.kind != "dir":
            raise BadRequest(f"{root} is not a directory on {mapped.display_name}")
        guest = self.create_collection(
            display_name,
            owner_id=owner_id,
            owner_string=owner_string,
            entity_type=GUEST,
            host_endpoint_id=mapped.host_endpoint_id,
            host_collection_id=mapped.id,
            **fields,
        )
        guest.tree = FileTree.rooted_at(self.clock, node)
        return guest

    def place_on_endpoint(self, collection_id: str, endpoint_id: str) -> Collection:
        """Make a mapped collection one of a GCSv5 endpoint's."""
        collection = self.collection(collection_id)
        if collection.entity_type != MAPPED:
            raise BadRequest("only a GCSv5 mapped collection can be placed on an endpoint")
        collection.host_endpoint_id = self.collection(endpoint_id).id
        self._note_hosts(collection)
        return collection

    def remove_collection(self, collection_id: str) -> Collection:
        """Forget a collection (its owner's decision, already checked)."""
        collection = self.collection(collection_id)
        self._owners().remove(collection.id)
        for index in (self._by_host, self._by_holder):
            if index is not None:
                index.remove(collection.id)
        return self.collections.pop(collection.id)

    def hosted_on(self, host_id: str) -> list[Collection]:
        """The collections whose host endpoint or host collection is
        ``host_id``, in the world's order."""
        if self._by_host is None:
            self._by_host = PrincipalIndex.of(self.collections, _hosts)
        return [self.collections[c] for c in self._by_host.held_by([host_id])]

    def _note_hosts(self, collection: Collection) -> None:
        if self._by_host is not None:
            self._by_host.put(collection.id, _hosts(collection))

    def give_to(self, collection: Collection, owner_id: str, owner_string: str) -> None:
        """Make ``owner_id`` a collection's owner."""
        collection.owner_id, collection.owner_string = owner_id, owner_string
        self._owners().put(collection.id, (owner_id,))
        self._note_holders(collection)

    def owned_by(self, owner_id: str) -> list[Collection]:
        return [self.collections[c] for c in self._owners().held_by((owner_id,))]

    def _owners(self) -> PrincipalIndex:
        """Collection ids by owner: built on first ask, kept up by every
        create, removal and change of owner (the only writes to either)."""
        if self._by_owner is None:
            self._by_owner = PrincipalIndex.of(self.collections, lambda c: (c.owner_id,))
        return self._by_owner

    def set_role(self, collection_id: str, identity_id: str, role: str | None) -> None:
        """Make ``role`` the one role ``identity_id`` holds directly on a
        collection (None: no role), as GCS mirrors its roles here."""
        collection = self.collection(collection_id)
        if role is not None and role not in ROLES:
            raise BadRequest(f"role must be one of {', '.join(ROLES)}")
        for record in list(collection.roles.values()):
            if record.principal_type == "identity" and record.principal == identity_id:
                del collection.roles[record.id]
        self._note_holders(collection)
        if role is not None:
            self.add_role(collection, "identity", identity_id, role)

    def held_by(self, who: Principals) -> list[Collection]:
        """The collections the caller may hold a role on (owned by one of
        their identities, or granted a role to one of them or one of their
        groups), in the world's order: a superset of those where
        ``effective_roles`` finds a role, at the cost of the caller's."""
        if self._by_holder is None:
            self._by_holder = PrincipalIndex.of(self.collections, _holders)
        found = self._by_holder.held_by(who.identities | who.groups)
        return [self.collections[c] for c in found]

    def _note_holders(self, collection: Collection) -> None:
        if self._by_holder is not None:
            self._by_holder.put(collection.id, _holders(collection))

    def visible(self, collection: Collection, who: Principals) -> bool:
        if collection.public or collection.effective_roles(who):
            return True
        return any(principal_matches(r, who) for r in collection.rules.values())

    def visible_collection(self, collection_id: str, who: Principals) -> Collection:
        collection = self.collection(collection_id)
        if not self.visible(collection, who):
            # Globus does not reveal that a private collection exists.
            raise EndpointNotFound(f"No such endpoint or collection with id {collection_id!r}")
        return collection

    @staticmethod
    def require_role(
        collection: Collection, who: Principals, roles: Iterable[str], doing: str
    ) -> frozenset[str]:
        """The caller's effective roles, if one of them is among ``roles``."""
        held = collection.effective_roles(who)
        if not held & set(roles):
            raise PermissionDenied(f"you may not {doing} on {collection.display_name}")
        return held

    def update_collection(
        self, collection_id: str, who: Principals, fields: dict[str, Any]
    ) -> Collection:
        collection = self.collection(collection_id)
        self.require_role(collection, who, ("administrator",), "update this collection")
        if fields.get("is_globus_connect", collection.entity_type.startswith("GCP")) != (
            collection.entity_type.startswith("GCP")
        ):
            raise BadRequest("is_globus_connect cannot be changed")
        for key in UPDATABLE:
            if key in fields:
                setattr(collection, key, fields[key])
        return collection

    def delete_collection(self, collection_id: str, who: Principals) -> Collection:
        collection = self.collection(collection_id)
        self.require_role(collection, who, ("administrator",), "delete this collection")
        return self.remove_collection(collection.id)

    def search(
        self,
        identity_id: str,
        who: Principals,
        *,
        fulltext: str | None = None,
        scope: str = "all",
        owner_id: str | None = None,
        entity_type: str | None = None,
        non_functional: bool | None = None,
    ) -> list[Collection]:
        if scope not in SEARCH_SCOPES:
            raise BadRequest(f"filter_scope must be one of {', '.join(SEARCH_SCOPES)}")
        words = (fulltext or "").lower().split()
        found = []
        for collection in self._candidates(identity_id, scope, owner_id):
            if not self._in_scope(collection, identity_id, who, scope):
                continue
            if owner_id and collection.owner_id != owner_id:
                continue
            if entity_type and collection.entity_type != entity_type:
                continue
            if non_functional is not None and collection.non_functional != non_functional:
                continue
            text = " ".join(
                str(v or "")
                for v in (
                    collection.display_name,
                    collection.description,
                    collection.keywords,
                    collection.organization,
                    collection.owner_string,
                    collection.id,
                )
            ).lower()
            if all(word in text for word in words):
                found.append(collection)
        found.sort(key=lambda c: (c.display_name.lower(), c.id))
        return found

    def _candidates(
        self, identity_id: str, scope: str, owner_id: str | None
    ) -> Iterable[Collection]:
        """The collections a search may find: one owner's, when it asks
        for one's (its own, or ``owner_id``'s), else every one (a full-text
        search over all of them is a walk by nature)."""
        if owner_id:
            return self.owned_by(owner_id)
        if scope in ("my-endpoints", "my-gcp-endpoints"):
            return self.owned_by(identity_id)
        return self.collections.values()

    def _in_scope(self, c: Collection, identity_id: str, who: Principals, scope: str) -> bool:
        if scope == "my-endpoints":
            return c.owner_id == identity_id
        if scope == "my-gcp-endpoints":
            return c.owner_id == identity_id and c.entity_type.startswith("GCP")
        if scope == "administered-by-me":
            return "administrator" in c.effective_roles(who)
        if scope == "shared-by-me":
            # a GCSv5 guest collection is owned by its endpoint's client
            # identity; its creator administers it
            return c.entity_type == GUEST and (
                c.owner_id == identity_id or "administrator" in c.effective_roles(who)
            )
        if scope == "shared-with-me":
            return c.owner_id != identity_id and any(
                principal_matches(r, who) for r in c.rules.values()
            )
        if scope in ("recently-used", "in-use"):
            return c.id in self.recently_used.get(identity_id, [])
        return self.visible(c, who)

    def used(self, identity_id: str, *collection_ids: str) -> None:
        recent = self.recently_used.setdefault(identity_id, [])
        for collection_id in collection_ids:
            if collection_id in recent:
                recent.remove(collection_id)
            recent.insert(0, collection_id)
        del recent[100:]

    # -- roles -------------------------------------------------------------------

    def add_role(
        self, collection: Collection, principal_type: str, principal: str, role: str
    ) -> RoleRecord:
        if role not in ROLES:
            raise BadRequest(f"role must be one of {', '.join(ROLES)}")
        if principal_type not in ("identity", "group"):
            raise BadRequest("principal_type must be identity or group")
        for existing in collection.roles.values():
            if (existing.principal_type, existing.principal, existing.role) == (
                principal_type,
                principal,
                role,
            ):
                raise Conflict(f"{principal} already has the {role} role", code="Exists")
        record = RoleRecord(self.ids.uuid(), principal_type, principal, role, self.clock.now())
        collection.roles[record.id] = record
        self._note_holders(collection)
        return record

    def remove_role(self, collection: Collection, role_id: str) -> RoleRecord:
        record = self.role(collection, role_id)
        del collection.roles[role_id]
        self._note_holders(collection)
        return record

    def managed(self, collection: Collection) -> bool:
        """Whether a collection is managed: it, or a guest collection's
        host, is under a subscription."""
        host = self.collections.get(collection.host_endpoint_id or "")
        return collection.subscription_id is not None or (
            host is not None and host.subscription_id is not None
        )

    def require_roles_assignable(self, collection: Collection) -> None:
        """Transfer's role API assigns roles on Globus Connect Personal
        collections only (a Globus Connect Server collection's roles are its
        GCS Manager's, mirrored here), and only on a managed one: the
        collection, or a guest collection's host, has a subscription."""
        if not collection.entity_type.startswith("GCP"):
            raise BadRequest(
                f"the roles of {collection.display_name} are managed through its "
                "Globus Connect Server endpoint, not the Transfer role API"
            )
        if not self.managed(collection):
            raise PermissionDenied(
                f"assigning roles requires a managed endpoint: {collection.display_name} "
                "has no subscription"
            )

    @staticmethod
    def role(collection: Collection, role_id: str) -> RoleRecord:
        found = collection.roles.get(role_id)
        if found is None:
            raise NotFound(f"no role {role_id} on {collection.display_name}", code="RoleNotFound")
        return found

    # -- access ------------------------------------------------------------------

    def can(
        self,
        collection: Collection,
        who: Principals | None,
        path: str,
        write: bool,
    ) -> bool:
        if who is not None and MANAGING & collection.effective_roles(who):
            return True
        if collection.entity_type not in (GUEST, "GCP_guest_collection"):
            return who is not None
        needed = "rw" if write else "r"
        return any(
            principal_matches(rule, who)
            and covers(rule.path, path)
            and needed in (rule.permissions, "r" if rule.permissions == "rw" else "")
            for rule in collection.rules.values()
        )

    def require(
        self,
        collection: Collection,
        who: Principals,
        path: str,
        *,
        write: bool,
    ) -> None:
        if not self.can(collection, who, path, write):
            verb = "write" if write else "read"
            raise PermissionDenied(f"No permission to {verb} {path} on {collection.display_name}")

    def add_rule(self, collection_id: str, who: Principals, rule: dict[str, Any]) -> AccessRule:
        collection = self.collection(collection_id)
        self.require_role(collection, who, MANAGING, "manage access rules")
        if collection.entity_type not in (GUEST, "GCP_guest_collection"):
            raise BadRequest("access rules can only be set on guest collections")
        path = normalize(rule["path"])
        if not path.endswith("/"):
            path += "/"
        for existing in collection.rules.values():
            if (existing.principal_type, existing.principal, existing.path) == (
                rule["principal_type"],
                rule["principal"],
                path,
            ):
                raise Conflict("an access rule for that principal and path already exists")
        created = AccessRule(
            id=self.ids.uuid(),
            principal_type=rule["principal_type"],
            principal=rule.get("principal", ""),
            path=path,
            permissions=rule["permissions"],
            create_time=self.clock.now(),
            expiration_date=rule.get("expiration_date"),
        )
        collection.rules[created.id] = created
        return created

    def rule(self, collection_id: str, who: Principals, rule_id: str) -> AccessRule:
        collection = self.collection(collection_id)
        self.require_role(collection, who, MANAGING, "view access rules")
        found = collection.rules.get(rule_id)
        if found is None:
            raise NotFound(f"no access rule {rule_id}", code="AccessRuleNotFound")
        return found

    def delete_rule(self, collection_id: str, who: Principals, rule_id: str) -> AccessRule:
        self.rule(collection_id, who, rule_id)
        return self.collection(collection_id).rules.pop(rule_id)
