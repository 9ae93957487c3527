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
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock, iso
from ...ids import Ids
from ..auth.models import SessionRequirement
from .errors import BadRequest, Conflict, EndpointNotFound, NotFound, PermissionDenied
from .filetree import FileTree, normalize

MAPPED = "GCSv5_mapped_collection"
GUEST = "GCSv5_guest_collection"
PERSONAL = "GCP_mapped_collection"
ENTITY_TYPES = (MAPPED, GUEST, PERSONAL, "GCSv5_endpoint", "GCP_guest_collection")
ROLES = ("administrator", "access_manager", "activity_manager", "activity_monitor")
# What each role grants, as role names: an administrator can do what every
# role can, an activity manager can also monitor.
GRANTS = {
    "administrator": frozenset(ROLES),
    "access_manager": frozenset({"access_manager"}),
    "activity_manager": frozenset({"activity_manager", "activity_monitor"}),
    "activity_monitor": frozenset({"activity_monitor"}),
}
MANAGING = frozenset({"administrator", "access_manager"})
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
UPDATABLE = (
    "display_name",
    "description",
    "keywords",
    "organization",
    "department",
    "contact_email",
    "contact_info",
    "info_link",
    "public",
    "default_directory",
    "force_encryption",
    "disable_verify",
    "force_verify",
    "disable_anonymous_writes",
    "user_message",
    "user_message_link",
    "location",
    "network_use",
    "max_concurrency",
    "preferred_concurrency",
    "max_parallelism",
    "preferred_parallelism",
)


@dataclass
class AccessRule:
    id: str
    principal_type: str
    principal: str
    path: str
    permissions: str
    create_time: float
    expiration_date: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "DATA_TYPE": "access",
            "id": self.id,
            "principal_type": self.principal_type,
            "principal": self.principal,
            "path": self.path,
            "permissions": self.permissions,
            "create_time": iso(self.create_time),
            "expiration_date": self.expiration_date,
            "role_id": None,
            "role_type": None,
        }


@dataclass
class RoleRecord:
    """One role granted on a collection to an identity or a group."""

    id: str
    principal_type: str  # "identity" | "group"
    principal: str
    role: str
    create_time: float

    def to_api(self) -> dict[str, Any]:
        return {
            "DATA_TYPE": "role",
            "id": self.id,
            "principal_type": self.principal_type,
            "principal": self.principal,
            "role": self.role,
            "create_time": iso(self.create_time),
        }


@dataclass
class Collection:
    id: str
    display_name: str
    entity_type: str
    owner_id: str
    owner_string: str
    tree: FileTree
    description: str | None = None
    keywords: str | None = None
    organization: str | None = None
    department: str | None = None
    contact_email: str | None = None
    contact_info: str | None = None
    info_link: str | None = None
    public: bool = True
    default_directory: str = "/~/"
    high_assurance: bool = False
    subscription_id: str | None = None
    host_endpoint_id: str | None = None
    host_collection_id: str | None = None
    host_path: str | None = None
    setup_key: str | None = None  # a Globus Connect Personal install's one-time key
    activity_notification_policy: dict[str, Any] | None = None  # guests only
    non_functional: bool = False
    force_encryption: bool = False
    disable_verify: bool = False
    force_verify: bool = False
    disable_anonymous_writes: bool = False
    user_message: str | None = None
    user_message_link: str | None = None
    location: str | None = None
    network_use: str | None = None
    max_concurrency: int | None = None
    preferred_concurrency: int | None = None
    max_parallelism: int | None = None
    preferred_parallelism: int | None = None
    requires_data_access_consent: bool = False
    # Trouble a test can cause: the storage is unreachable (tasks retry and
    # count faults), or the credentials Transfer uses for it expired (tasks
    # go INACTIVE until they are restored).
    down: bool = False
    credentials_expired: bool = False
    roles: dict[str, RoleRecord] = field(default_factory=dict)  # by role id
    # what the collection's storage gateway demands of a caller's session
    session_requirement: SessionRequirement | None = None
    rules: dict[str, AccessRule] = field(default_factory=dict)
    subscription_admin_verified: bool = False

    def effective_roles(
        self, identity_ids: Iterable[str], group_ids: Iterable[str]
    ) -> frozenset[str]:
        """Every role these identities hold here, directly or through a group,
        with what each implies (the owner is an administrator)."""
        identities, groups = set(identity_ids), set(group_ids)
        held = {"administrator"} if self.owner_id in identities else set()
        for record in self.roles.values():
            principals = identities if record.principal_type == "identity" else groups
            if record.principal in principals:
                held.add(record.role)
        return frozenset().union(*(GRANTS[role] for role in held))

    def servers(self) -> list[dict[str, Any]]:
        """The one server behind a mapped or personal collection, managed
        by Globus Connect Server or Personal; a guest collection has none
        of its own (it uses its host's)."""
        if self.entity_type in (GUEST, "GCP_guest_collection"):
            return []
        hostname = f"{self.id[:8]}.emulated.globus.invalid"
        server: dict[str, Any] = {
            "DATA_TYPE": "server",
            "id": int(self.id.replace("-", "")[:7], 16),
            "hostname": hostname,
            "port": 443,
            "scheme": "gsiftp",
            "uri": f"gsiftp://{hostname}:443",
            "subject": None,
        }
        if self.entity_type.startswith("GCP"):
            server.update(is_connected=not self.down, is_paused=False)
        return [server]

    @property
    def data_access_scope(self) -> str:
        return f"https://auth.globus.org/scopes/{self.id}/data_access"

    @property
    def gcs_endpoint_id(self) -> str | None:
        """The GCSv5 endpoint this is (or is on), whose GCS Manager runs it."""
        if self.entity_type == "GCSv5_endpoint":
            return self.id
        return self.host_endpoint_id if self.entity_type.startswith("GCSv5") else None

    def to_api(self, gcs_manager_url: str | None = None) -> dict[str, Any]:
        document = self._document()
        if gcs_manager_url is not None:  # GCSv5 entities only
            document["gcs_manager_url"] = gcs_manager_url
        return document

    def _document(self) -> dict[str, Any]:
        guest = self.entity_type in (GUEST, "GCP_guest_collection")
        return {
            "DATA_TYPE": "endpoint",
            "id": self.id,
            "display_name": self.display_name,
            "canonical_name": f"{self.owner_string}#{self.id}",
            "entity_type": self.entity_type,
            "owner_id": self.owner_id,
            "owner_string": self.owner_string,
            "username": self.owner_string.split("@")[0],
            "description": self.description,
            "keywords": self.keywords,
            "organization": self.organization,
            "department": self.department,
            "contact_email": self.contact_email,
            "contact_info": self.contact_info,
            "info_link": self.info_link,
            "public": self.public,
            "default_directory": self.default_directory,
            "high_assurance": self.high_assurance,
            "authentication_assurance_timeout": (
                self.session_requirement.assurance_timeout if self.session_requirement else None
            ),
            "subscription_id": self.subscription_id,
            "host_endpoint_id": self.host_endpoint_id,
            "host_endpoint": self.host_endpoint_id,
            "host_path": self.host_path,
            "gcs_version": "5.4.80" if self.entity_type.startswith("GCSv5") else None,
            "is_globus_connect": self.entity_type.startswith("GCP"),
            "globus_connect_setup_key": self.setup_key,
            "gcp_connected": True if self.entity_type.startswith("GCP") else None,
            "gcp_paused": False if self.entity_type.startswith("GCP") else None,
            "non_functional": self.non_functional,
            "non_functional_endpoint_id": None,
            "non_functional_endpoint_display_name": None,
            "force_encryption": self.force_encryption,
            "disable_verify": self.disable_verify,
            "force_verify": self.force_verify,
            "disable_anonymous_writes": self.disable_anonymous_writes,
            "user_message": self.user_message,
            "user_message_link": self.user_message_link,
            "location": self.location,
            "network_use": self.network_use,
            "max_concurrency": self.max_concurrency,
            "preferred_concurrency": self.preferred_concurrency,
            "max_parallelism": self.max_parallelism,
            "preferred_parallelism": self.preferred_parallelism,
            "mfa_required": False,
            "shareable": not guest,
            "acl_available": guest,
            "acl_editable": guest,
            "activated": True,
            "expires_in": -1,
            "expire_time": None,
            "in_use": False,
            "french_english_bilingual": False,
            "myproxy_server": None,
            "myproxy_dn": None,
            "oauth_server": None,
            "s3_url": None,
            "s3_owner_activated": False,
            "tlsftp_server": f"tlsftp://{self.id[:8]}.emulated.globus.invalid:443",
            "https_server": f"https://{self.id[:8]}.emulated.globus.invalid",
            "local_user_info_available": self.entity_type == MAPPED,
            "DATA": self.servers(),
            **(
                {
                    "guest_collection_activity_notification_policy": (
                        self.activity_notification_policy
                        or {"DATA_TYPE": "activity_notification_policy", "status": []}
                    )
                }
                if guest
                else {}
            ),
            # Verification is kept for Globus Connect Personal collections only.
            **(
                {"subscription_admin_verified": self.subscription_admin_verified}
                if self.entity_type.startswith("GCP")
                else {}
            ),
        }


def _principal_matches(rule: AccessRule, identity_id: str | None, groups: set[str]) -> bool:
    if rule.principal_type == "anonymous":
        return True
    if identity_id is None:
        return False
    if rule.principal_type == "all_authenticated_users":
        return True
    if rule.principal_type == "identity":
        return rule.principal == identity_id
    return rule.principal_type == "group" and rule.principal in groups


def _covers(rule_path: str, path: str) -> bool:
    prefix = rule_path.rstrip("/") + "/"
    return path == rule_path.rstrip("/") or path.startswith(prefix) or rule_path == "/"


class TransferState:
    """Collections and bookmarks; tasks live in :mod:`.tasks`."""

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
        return collection

    def create_guest(
        self,
        host: Collection,
        host_path: str,
        display_name: str,
        *,
        owner_id: str,
        owner_string: str,
        groups: set[str],
        **fields: Any,
    ) -> Collection:
        """A guest (shared) collection whose root is ``host_path`` on the
        host: the two share the same files, so what one writes the other
        sees. Its creator needs to read that directory on the host."""
        if host.entity_type not in (MAPPED, PERSONAL):
            raise BadRequest("guest collections are hosted on mapped collections only")
        path = normalize(host_path, host.default_directory)
        self.require(host, owner_id, groups, path, write=False)
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
        return collection

    def remove_collection(self, collection_id: str) -> Collection:
        """Forget a collection (its owner's decision, already checked)."""
        return self.collections.pop(self.collection(collection_id).id)

    def set_role(self, collection_id: str, identity_id: str, role: str | None) -> None:
        """Make ``role`` the one role ``identity_id`` holds directly on a
        collection (None: no role), as GCS mirrors its roles here."""
        collection = self.collection(collection_id)
        if role is not None and role not in ROLES:
            raise BadRequest(f"role must be one of {', '.join(ROLES)}")
        for record in list(collection.roles.values()):
            if record.principal_type == "identity" and record.principal == identity_id:
                del collection.roles[record.id]
        if role is not None:
            self.add_role(collection, "identity", identity_id, role)

    def visible(self, collection: Collection, identity_id: str, groups: set[str]) -> bool:
        if collection.public or collection.effective_roles((identity_id,), groups):
            return True
        return any(_principal_matches(r, identity_id, groups) for r in collection.rules.values())

    def visible_collection(
        self, collection_id: str, identity_id: str, groups: set[str]
    ) -> Collection:
        collection = self.collection(collection_id)
        if not self.visible(collection, identity_id, groups):
            # Globus does not reveal that a private collection exists.
            raise EndpointNotFound(f"No such endpoint or collection with id {collection_id!r}")
        return collection

    @staticmethod
    def require_role(
        collection: Collection, identity_id: str, groups: set[str], roles: Iterable[str], doing: str
    ) -> frozenset[str]:
        """The caller's effective roles, if one of them is among ``roles``."""
        held = collection.effective_roles((identity_id,), groups)
        if not held & set(roles):
            raise PermissionDenied(f"you may not {doing} on {collection.display_name}")
        return held

    def update_collection(
        self, collection_id: str, identity_id: str, groups: set[str], fields: dict[str, Any]
    ) -> Collection:
        collection = self.collection(collection_id)
        self.require_role(
            collection, identity_id, groups, ("administrator",), "update this collection"
        )
        if fields.get("is_globus_connect", collection.entity_type.startswith("GCP")) != (
            collection.entity_type.startswith("GCP")
        ):
            raise BadRequest("is_globus_connect cannot be changed")
        for key in UPDATABLE:
            if key in fields:
                setattr(collection, key, fields[key])
        return collection

    def delete_collection(
        self, collection_id: str, identity_id: str, groups: set[str]
    ) -> Collection:
        collection = self.collection(collection_id)
        self.require_role(
            collection, identity_id, groups, ("administrator",), "delete this collection"
        )
        return self.remove_collection(collection.id)

    def search(
        self,
        identity_id: str,
        groups: set[str],
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
        for collection in self.collections.values():
            if not self._in_scope(collection, identity_id, groups, scope):
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

    def _in_scope(self, c: Collection, identity_id: str, groups: set[str], scope: str) -> bool:
        if scope == "my-endpoints":
            return c.owner_id == identity_id
        if scope == "my-gcp-endpoints":
            return c.owner_id == identity_id and c.entity_type.startswith("GCP")
        if scope == "administered-by-me":
            return "administrator" in c.effective_roles((identity_id,), groups)
        if scope == "shared-by-me":
            # a GCSv5 guest collection is owned by its endpoint's client
            # identity; its creator administers it
            return c.entity_type == GUEST and (
                c.owner_id == identity_id
                or "administrator" in c.effective_roles((identity_id,), groups)
            )
        if scope == "shared-with-me":
            return c.owner_id != identity_id and any(
                _principal_matches(r, identity_id, groups) for r in c.rules.values()
            )
        if scope in ("recently-used", "in-use"):
            return c.id in self.recently_used.get(identity_id, [])
        return self.visible(c, identity_id, groups)

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
        return record

    @staticmethod
    def role(collection: Collection, role_id: str) -> RoleRecord:
        found = collection.roles.get(role_id)
        if found is None:
            raise NotFound(f"no role {role_id} on {collection.display_name}")
        return found

    # -- access ------------------------------------------------------------------

    def can(
        self,
        collection: Collection,
        identity_id: str | None,
        groups: set[str],
        path: str,
        write: bool,
    ) -> bool:
        if identity_id is not None and MANAGING & collection.effective_roles(
            (identity_id,), groups
        ):
            return True
        if collection.entity_type not in (GUEST, "GCP_guest_collection"):
            return identity_id is not None
        needed = "rw" if write else "r"
        return any(
            _principal_matches(rule, identity_id, groups)
            and _covers(rule.path, path)
            and needed in (rule.permissions, "r" if rule.permissions == "rw" else "")
            for rule in collection.rules.values()
        )

    def require(
        self,
        collection: Collection,
        identity_id: str,
        groups: set[str],
        path: str,
        *,
        write: bool,
    ) -> None:
        if not self.can(collection, identity_id, groups, path, write):
            verb = "write" if write else "read"
            raise PermissionDenied(f"No permission to {verb} {path} on {collection.display_name}")

    def add_rule(
        self, collection_id: str, identity_id: str, groups: set[str], rule: dict[str, Any]
    ) -> AccessRule:
        collection = self.collection(collection_id)
        self.require_role(collection, identity_id, groups, MANAGING, "manage access rules")
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

    def rule(
        self, collection_id: str, identity_id: str, groups: set[str], rule_id: str
    ) -> AccessRule:
        collection = self.collection(collection_id)
        self.require_role(collection, identity_id, groups, MANAGING, "view access rules")
        found = collection.rules.get(rule_id)
        if found is None:
            raise NotFound(f"no access rule {rule_id}")
        return found

    def delete_rule(
        self, collection_id: str, identity_id: str, groups: set[str], rule_id: str
    ) -> AccessRule:
        self.rule(collection_id, identity_id, groups, rule_id)
        return self.collection(collection_id).rules.pop(rule_id)
