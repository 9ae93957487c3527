"""A Transfer collection (endpoint): its fields, the roles granted on it,
what it shows the API, and the entity types and roles Transfer knows.
No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...clock import iso
from ..auth.models import SessionRequirement
from .access import AccessRule, Principals
from .filetree import FileTree

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

    def effective_roles(self, who: Principals) -> frozenset[str]:
        """Every role the caller holds here through any identity of their
        identity set or any of their groups, with what each implies (the
        owner is an administrator)."""
        held = {"administrator"} if self.owner_id in who.identities else set()
        for record in self.roles.values():
            principals = who.identities if record.principal_type == "identity" else who.groups
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
