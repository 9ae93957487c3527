"""The GCS Manager's documents (endpoint, storage gateway, collection,
role, user credential) as the emulator keeps them, its refusals, and
where a manager answers. No HTTP here; rules live in models.py."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..auth.models import IDENTITY_URN, SessionRequirement
from ..transfer.collection import Collection
from .errors import Exists, GCSError, Invalid, NotFound, PermissionDenied

__all__ = ["Exists", "GCSError", "Invalid", "NotFound", "PermissionDenied"]

MANAGER_VERSION = "5.4.80"
API_VERSION = "1.29.0"
ROLES = ("owner", "administrator", "access_manager", "activity_manager", "activity_monitor")
ENDPOINT_ADMIN_ROLES = ("owner", "administrator")
DOMAIN_SUFFIX = ".data.globus.org"
DEFAULT_TIMEOUT_MINS = 15840
ENDPOINT_FIELDS = (
    "display_name",
    "description",
    "organization",
    "department",
    "keywords",
    "contact_email",
    "contact_info",
    "info_link",
    "public",
    "network_use",
    "allow_udt",
    "subscription_id",
    "max_concurrency",
    "preferred_concurrency",
    "max_parallelism",
    "preferred_parallelism",
)
# Collection fields Transfer keeps (GCS name -> Transfer attribute).
SHARED_COLLECTION_FIELDS = (
    "display_name",
    "description",
    "organization",
    "department",
    "contact_email",
    "contact_info",
    "info_link",
    "public",
    "default_directory",
    "force_encryption",
    "disable_verify",
)


@dataclass
class Endpoint:
    id: str
    domain_name: str
    owner_id: str
    settings: dict[str, Any] = field(default_factory=dict)

    def to_api(self, manager_url: str) -> dict[str, Any]:
        return {
            "DATA_TYPE": "endpoint#1.2.0",
            "id": self.id,
            "gcs_manager_url": manager_url,
            "gridftp_control_channel_port": 443,
            "network_use": "normal",
            "allow_udt": False,
            "public": True,
            "subscription_id": None,
            "description": None,
            "organization": "",
            "department": None,
            "keywords": [],
            "contact_email": None,
            "contact_info": None,
            "info_link": None,
            **self.settings,
        }


@dataclass
class StorageGateway:
    id: str
    endpoint_id: str
    document: dict[str, Any]

    @property
    def connector_id(self) -> str:
        return str(self.document["connector_id"]).lower()

    @property
    def high_assurance(self) -> bool:
        return bool(self.document.get("high_assurance"))

    @property
    def require_mfa(self) -> bool:
        """MFA is a high-assurance gateway's option only."""
        return self.high_assurance and bool(self.document.get("require_mfa"))

    @property
    def timeout_mins(self) -> int:
        return int(self.document.get("authentication_timeout_mins", DEFAULT_TIMEOUT_MINS))

    @property
    def allowed_domains(self) -> list[str]:
        return list(self.document.get("allowed_domains") or [])

    def guest_session_requirement(self) -> SessionRequirement | None:
        """What Transfer demands of those a guest collection on this gateway
        is shared with: not the gateway's domains (sharing reaches beyond
        them), but MFA within the timeout where the gateway requires it."""
        if not self.require_mfa:
            return None
        return SessionRequirement(require_mfa=True, assurance_timeout=self.timeout_mins * 60)

    def session_requirement(self) -> SessionRequirement | None:
        """What the gateway demands of a caller's Auth session (None:
        nothing): an identity from one of its allowed domains, and on a
        high-assurance gateway one authenticated within its timeout (with
        MFA if it requires it). Transfer keeps the same requirement on
        each of the gateway's collections."""
        if not (self.allowed_domains or self.high_assurance):
            return None
        return SessionRequirement(
            required_domains=self.allowed_domains,
            require_mfa=self.require_mfa,
            assurance_timeout=self.timeout_mins * 60 if self.high_assurance else None,
        )

    def to_api(self) -> dict[str, Any]:
        timeout = self.timeout_mins
        return {
            "DATA_TYPE": "storage_gateway#1.2.0",
            "high_assurance": False,
            "require_high_assurance": False,
            "require_mfa": False,
            "allowed_domains": [],
            "identity_mappings": [],
            "restrict_paths": None,
            "users_allow": [],
            "users_deny": [],
            "process_user": None,
            "load_dsi_module": None,
            **self.document,
            "connector_id": self.connector_id,
            "policies": self.document.get("policies") or {},
            "authentication_timeout_mins": timeout,
            "authentication_assurance_timeout": timeout,
            "id": self.id,
        }


@dataclass
class GCSCollection:
    """What GCS alone knows of a collection Transfer holds."""

    id: str
    endpoint_id: str
    collection_type: str  # "mapped" | "guest"
    storage_gateway_id: str
    collection_base_path: str
    identity_id: str
    mapped_collection_id: str | None = None
    created_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_api(self, collection: Collection, gateway: StorageGateway) -> dict[str, Any]:
        """GCS's document; its authentication fields are its storage
        gateway's (read-only on a collection)."""
        shared = {name: getattr(collection, name) for name in SHARED_COLLECTION_FIELDS}
        keywords = [k for k in (collection.keywords or "").split(",") if k]
        timeout = gateway.timeout_mins
        document: dict[str, Any] = {
            "DATA_TYPE": "collection#1.10.0",
            "id": self.id,
            "collection_type": self.collection_type,
            "storage_gateway_id": self.storage_gateway_id,
            "collection_base_path": self.collection_base_path,
            "identity_id": self.identity_id,
            "keywords": keywords,
            "high_assurance": gateway.high_assurance,
            "require_high_assurance": gateway.high_assurance,
            "require_mfa": gateway.require_mfa,
            "authentication_timeout_mins": timeout,
            "authentication_assurance_timeout": timeout,
            "user_message": None,
            "user_message_link": None,
            "enable_https": True,
            "created_at": self.created_at,
            "last_access": None,
            **shared,
            **self.extra,
        }
        if self.collection_type == "mapped":
            document.setdefault("allow_guest_collections", False)
            document.setdefault("disable_anonymous_writes", False)
            document.setdefault("sharing_users_allow", [])
            document.setdefault("sharing_users_deny", [])
        else:
            document["mapped_collection_id"] = self.mapped_collection_id
        return document


@dataclass
class Role:
    id: str
    endpoint_id: str
    collection: str | None
    principal: str
    role: str

    def to_api(self) -> dict[str, Any]:
        return {
            "DATA_TYPE": "role#1.0.0",
            "id": self.id,
            "collection": self.collection,
            "principal": self.principal,
            "role": self.role,
        }


@dataclass
class UserCredential:
    id: str
    endpoint_id: str
    identity_id: str
    storage_gateway_id: str
    connector_id: str
    username: str
    display_name: str = ""
    policies: dict[str, Any] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        return {
            "DATA_TYPE": "user_credential#1.0.0",
            "id": self.id,
            "identity_id": self.identity_id,
            "storage_gateway_id": self.storage_gateway_id,
            "connector_id": self.connector_id,
            "username": self.username,
            "display_name": self.display_name,
            "invalid": False,
            "provisioned": False,
            "policies": self.policies,
        }


def client_identity_username(client_id: str) -> str:
    """The username of a client's own identity (an endpoint's, say)."""
    return f"{client_id}@clients.auth.globus.org"


def identity_of(principal: str) -> str | None:
    return principal[len(IDENTITY_URN) :] if principal.startswith(IDENTITY_URN) else None


def manager_url(endpoint: Endpoint, base_url: str) -> str:
    """Where a client reaches an endpoint's GCS Manager, given the base URL
    of the call asking (Transfer's, say): the endpoint's own host when
    that call came by host, else the same server's ``/gcs/<endpoint_id>``
    over HTTPS (a live server speaks both on one port; globus-cli refuses
    a ``gcs_manager_url`` that is not ``https://``)."""
    parts = urlsplit(base_url)
    path = parts.path.strip("/")
    if not path:
        return f"https://{endpoint.domain_name}"
    prefix = posixpath.dirname(path)
    root = f"https://{parts.netloc}" + (f"/{prefix}" if prefix else "")
    return f"{root}/gcs/{endpoint.id}"
