"""GCS Manager state: endpoints, storage gateways, the GCS side of
collections, roles and user credentials. No HTTP here.

A collection lives once, in Transfer (its name, description, files, ACLs
and roles as Transfer sees them); GCS keeps only what GCS alone knows of
it (its endpoint, storage gateway, base path, policies). A collection
deleted in Transfer is therefore gone from GCS too.

Who may do what (documented in docs/gcs.md): the endpoint's owner and its
``owner``/``administrator`` role holders manage the endpoint, its storage
gateways, mapped collections and roles; anyone may create a guest
collection on a mapped collection that allows them; a collection's
creator and its ``administrator`` role holders manage it.
"""

from __future__ import annotations

from typing import Any

from ...clock import Clock, iso
from ...derived import KeepsDerived
from ...ids import Ids
from ...principal_index import PrincipalIndex
from ..auth.models import identity_urn
from ..transfer.collection import GUEST, MAPPED, Collection
from ..transfer.models import TransferState
from .connectors import connector
from .credentials import UserCredentials
from .documents import (
    DOMAIN_SUFFIX,
    ENDPOINT_ADMIN_ROLES,
    ENDPOINT_FIELDS,
    ROLES,
    SHARED_COLLECTION_FIELDS,
    Endpoint,
    GCSCollection,
    GCSError,
    Invalid,
    NotFound,
    PermissionDenied,
    Role,
    StorageGateway,
    client_identity_username,
    identity_of,
    manager_url,
)
from .role_index import at, held, role_keys


class GCSState(KeepsDerived):
    """Every endpoint's GCS Manager state."""

    # roles by place and holder (see role_index), and collection ids by
    # endpoint (every collection question is about one endpoint's); None
    # until first asked
    DERIVED = ("_role_index", "_on_endpoint")
    _role_index: PrincipalIndex | None = None
    _on_endpoint: PrincipalIndex | None = None

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.endpoints: dict[str, Endpoint] = {}
        self.by_domain: dict[str, str] = {}
        self.gateways: dict[str, StorageGateway] = {}
        self.collections: dict[str, GCSCollection] = {}
        self.roles: dict[str, Role] = {}
        self.credentials = UserCredentials(ids)

    # -- endpoints -----------------------------------------------------------------

    def add_endpoint(
        self,
        transfer: TransferState,
        display_name: str,
        *,
        owner_id: str,
        owner_string: str,
        endpoint_id: str | None = None,
        domain: str | None = None,
        public: bool = True,
    ) -> Endpoint:
        """A new endpoint, known to Transfer as a ``GCSv5_endpoint``."""
        entry = transfer.create_collection(
            display_name,
            owner_id=owner_id,
            owner_string=owner_string,
            entity_type="GCSv5_endpoint",
            collection_id=endpoint_id,
            public=public,
        )
        hexid = entry.id.replace("-", "")
        domain = (domain or f"{hexid[:6]}.{hexid[6:10]}{DOMAIN_SUFFIX}").lower()
        if not domain.endswith(DOMAIN_SUFFIX) or domain in self.by_domain:
            raise Invalid(f"{domain} is taken or not a *{DOMAIN_SUFFIX} name")
        endpoint = Endpoint(entry.id, domain, owner_id, {"display_name": display_name})
        self.endpoints[endpoint.id] = endpoint
        self.by_domain[domain] = endpoint.id
        self._add_role(endpoint.id, None, identity_urn(owner_id), "owner")
        return endpoint

    def endpoint(self, endpoint_id: str) -> Endpoint:
        found = self.endpoints.get(endpoint_id.lower())
        if found is None:
            raise NotFound(f"No endpoint {endpoint_id}")
        return found

    def manager_url(self, endpoint_id: str | None, base_url: str) -> str | None:
        """The GCS Manager URL of an endpoint, None if there is no such
        endpoint (see :func:`manager_url`)."""
        found = self.endpoints.get((endpoint_id or "").lower())
        return None if found is None else manager_url(found, base_url)

    def endpoint_for_host(self, hostname: str) -> Endpoint | None:
        found = self.by_domain.get(hostname.lower())
        return self.endpoints.get(found) if found else None

    def update_endpoint(
        self, transfer: TransferState, endpoint: Endpoint, identity_id: str, fields: dict[str, Any]
    ) -> Endpoint:
        self.require_endpoint_admin(endpoint, identity_id)
        for key in ENDPOINT_FIELDS:
            if key in fields and key != "subscription_id":
                endpoint.settings[key] = fields[key]
        entry = transfer.collection(endpoint.id)
        for key in ("display_name", "description", "organization", "department", "public"):
            if key in fields and fields[key] is not None:
                setattr(entry, key, fields[key])
        return endpoint

    def resolve_subscription(
        self,
        endpoint: Endpoint,
        identity_id: str,
        subscription_id: str | None,
        managed: list[str],
    ) -> str | None:
        """The subscription the caller may give the endpoint (None: none),
        changing nothing. ``managed``: the subscriptions the caller manages
        (Groups' answer). Setting one takes its manager; ``DEFAULT`` is the
        caller's only one; clearing takes an endpoint admin or the current
        subscription's manager."""
        if subscription_id == "DEFAULT":
            if len(managed) != 1:
                raise Invalid("DEFAULT needs exactly one subscription you manage")
            return managed[0]
        if subscription_id is None:
            if endpoint.settings.get("subscription_id") not in managed:
                self.require_endpoint_admin(endpoint, identity_id)
            return None
        if subscription_id.lower() not in managed:
            raise PermissionDenied(f"You are not a manager of subscription {subscription_id}")
        return subscription_id.lower()

    def set_subscription(
        self, transfer: TransferState, endpoint: Endpoint, subscription_id: str | None
    ) -> None:
        """Give the endpoint a subscription :meth:`resolve_subscription` allowed."""
        endpoint.settings["subscription_id"] = subscription_id
        transfer.collection(endpoint.id).subscription_id = subscription_id

    def endpoint_roles(self, endpoint: Endpoint, identity_id: str) -> set[str]:
        return self._roles_held(endpoint.id, None, identity_id)

    def is_endpoint_admin(self, endpoint: Endpoint, identity_id: str) -> bool:
        return identity_id == endpoint.owner_id or bool(
            self.endpoint_roles(endpoint, identity_id) & set(ENDPOINT_ADMIN_ROLES)
        )

    def require_endpoint_admin(self, endpoint: Endpoint, identity_id: str) -> None:
        if not self.is_endpoint_admin(endpoint, identity_id):
            raise PermissionDenied("You do not have permission to administer this endpoint")

    # -- storage gateways ------------------------------------------------------------

    def create_gateway(
        self,
        endpoint: Endpoint,
        identity_id: str,
        document: dict[str, Any],
        *,
        gateway_id: str | None = None,
    ) -> StorageGateway:
        self.require_endpoint_admin(endpoint, identity_id)
        fields = _without_meta(document)
        found = connector(str(fields.get("connector_id", "")))
        fields["connector_id"] = found.id
        fields["policies"] = found.gateway_policies(fields.get("policies"))
        gateway = StorageGateway(gateway_id or self.ids.uuid(), endpoint.id, fields)
        self.gateways[gateway.id] = gateway
        return gateway

    def gateway(self, endpoint: Endpoint, gateway_id: str) -> StorageGateway:
        found = self.gateways.get(gateway_id.lower())
        if found is None or found.endpoint_id != endpoint.id:
            raise NotFound(f"No storage gateway {gateway_id}")
        return found

    def gateways_of(self, endpoint: Endpoint) -> list[StorageGateway]:
        return [g for g in self.gateways.values() if g.endpoint_id == endpoint.id]

    def update_gateway(
        self,
        transfer: TransferState,
        endpoint: Endpoint,
        identity_id: str,
        gateway_id: str,
        document: dict[str, Any],
    ) -> StorageGateway:
        gateway = self.gateway(endpoint, gateway_id)
        self.require_endpoint_admin(endpoint, identity_id)
        changes = _without_meta(document)
        if changes.pop("connector_id", gateway.connector_id).lower() != gateway.connector_id:
            raise Invalid("A storage gateway's connector_id cannot be changed")
        policies = changes.pop("policies", None)
        if policies is not None:
            merged = {**gateway.document["policies"], **policies}
            changes["policies"] = connector(gateway.connector_id).gateway_policies(merged)
        gateway.document.update(changes)
        for _, entry in self.collections_on(transfer, gateway):
            _apply_gateway(entry, gateway)
            if "high_assurance" in changes and entry.entity_type == MAPPED:
                entry.requires_data_access_consent = not gateway.high_assurance
        return gateway

    def delete_gateway(
        self, transfer: TransferState, endpoint: Endpoint, identity_id: str, gateway_id: str
    ) -> None:
        gateway = self.gateway(endpoint, gateway_id)
        self.require_endpoint_admin(endpoint, identity_id)
        if self.collections_on(transfer, gateway):
            raise GCSError("Storage gateway has collections; delete them first")
        del self.gateways[gateway.id]

    # -- collections ---------------------------------------------------------------

    def live_collections(self, transfer: TransferState, endpoint_id: str) -> list[GCSCollection]:
        """An endpoint's collections that Transfer still holds (forgetting
        the rest: a collection deleted through Transfer is deleted)."""
        if self._on_endpoint is None:
            self._on_endpoint = PrincipalIndex.of(self.collections, lambda r: (r.endpoint_id,))
        on_endpoint = self._on_endpoint.held_by((endpoint_id,))
        return [
            self.collections[c]
            for c in on_endpoint
            if not self._forgotten_if_deleted(transfer, endpoint_id, c)
        ]

    def _add_collection(self, record: GCSCollection) -> None:
        self.collections[record.id] = record
        if self._on_endpoint is not None:
            self._on_endpoint.put(record.id, (record.endpoint_id,))

    def _forgotten_if_deleted(
        self, transfer: TransferState, endpoint_id: str, collection_id: str
    ) -> bool:
        """Whether Transfer no longer holds a collection, forgetting it here
        if so: a collection deleted through Transfer is deleted."""
        if collection_id in transfer.collections:
            return False
        self._forget_collection(endpoint_id, collection_id)
        return True

    def _forget_collection(self, endpoint_id: str, collection_id: str) -> None:
        """A deleted collection takes its roles with it (as in GCS, whose
        roles on it are then not found and listed nowhere)."""
        self.collections.pop(collection_id, None)
        if self._on_endpoint is not None:
            self._on_endpoint.remove(collection_id)
        for role_id in self._roles().held_by((at(endpoint_id, collection_id),)):
            self._remove_role(self.roles[role_id])

    def collection(
        self, transfer: TransferState, endpoint: Endpoint, collection_id: str
    ) -> tuple[GCSCollection, Collection]:
        found = self.collections.get(collection_id.lower())
        if found is not None and self._forgotten_if_deleted(transfer, found.endpoint_id, found.id):
            found = None
        if found is None or found.endpoint_id != endpoint.id:
            raise NotFound(f"No collection {collection_id}")
        return found, transfer.collection(found.id)

    def collections_on(
        self, transfer: TransferState, gateway: StorageGateway
    ) -> list[tuple[GCSCollection, Collection]]:
        return [
            (record, transfer.collection(record.id))
            for record in self.live_collections(transfer, gateway.endpoint_id)
            if record.storage_gateway_id == gateway.id
        ]

    def gateway_for(
        self, transfer: TransferState, endpoint: Endpoint, document: dict[str, Any]
    ) -> StorageGateway:
        """The storage gateway a collection made from ``document`` would be
        on: a mapped collection's own, a guest collection's mapped one's."""
        if document.get("collection_type") == "mapped":
            return self.gateway(endpoint, str(document.get("storage_gateway_id") or ""))
        mapped, _ = self.collection(transfer, endpoint, str(document["mapped_collection_id"]))
        return self.gateway(endpoint, mapped.storage_gateway_id)

    def create_collection(
        self,
        transfer: TransferState,
        endpoint: Endpoint,
        identity_id: str,
        document: dict[str, Any],
    ) -> tuple[GCSCollection, Collection]:
        """A collection made through GCS. In Transfer its owner is the
        endpoint's client identity (as with real GCSv5, whose collections
        globus-cli finds their endpoint by); its creator holds GCS's
        ``administrator`` role on it, mirrored to Transfer."""
        kind = document["collection_type"]
        fields = _without_meta(document)
        base_path = fields.pop("collection_base_path", "/")
        keywords = fields.pop("keywords", None)
        shared = {k: fields.pop(k) for k in SHARED_COLLECTION_FIELDS if k in fields}
        shared.pop("display_name", None)
        if keywords is not None:
            shared["keywords"] = ",".join(keywords)
        for key in ("collection_type", "identity_id", "id"):
            fields.pop(key, None)
        mapped_id: str | None = None
        if kind == "mapped":
            self.require_endpoint_admin(endpoint, identity_id)
            gateway = self.gateway(endpoint, fields.pop("storage_gateway_id", ""))
            entry = transfer.create_collection(
                document["display_name"],
                owner_id=endpoint.id,
                owner_string=client_identity_username(endpoint.id),
                entity_type=MAPPED,
                host_endpoint_id=endpoint.id,
                # high-assurance collections have no data_access consent
                requires_data_access_consent=not gateway.high_assurance,
                **shared,
            )
        else:
            mapped_id = str(fields.pop("mapped_collection_id", ""))
            mapped, _ = self.collection(transfer, endpoint, mapped_id)
            if mapped.collection_type != "mapped":
                raise Invalid("mapped_collection_id must name a mapped collection")
            if not mapped.extra.get("allow_guest_collections"):
                raise PermissionDenied("The mapped collection does not allow guest collections")
            gateway = self.gateway(endpoint, mapped.storage_gateway_id)
            fields.pop("storage_gateway_id", None)
            entry = transfer.create_guest_collection(
                document["display_name"],
                host=mapped.id,
                root=base_path,
                owner_id=endpoint.id,
                owner_string=client_identity_username(endpoint.id),
                **shared,
            )
        record = GCSCollection(
            entry.id,
            endpoint.id,
            kind,
            gateway.id,
            base_path,
            identity_id,
            mapped_id,
            iso(self.clock.now()),
            fields,
        )
        self._add_collection(record)
        _apply_gateway(entry, gateway)
        self._add_role(endpoint.id, record.id, identity_urn(identity_id), "administrator")
        self._mirror_to_transfer(transfer, endpoint.id, record.id, identity_urn(identity_id))
        return record, entry

    def adopt_collection(
        self,
        transfer: TransferState,
        endpoint: Endpoint,
        collection_id: str,
        gateway: StorageGateway,
        **extra: Any,
    ) -> GCSCollection:
        """Make an existing Transfer collection a mapped collection of
        ``endpoint`` on ``gateway`` (the seeded tutorial collections)."""
        entry = transfer.place_on_endpoint(collection_id, endpoint.id)
        creator = entry.owner_id
        transfer.give_to(entry, endpoint.id, client_identity_username(endpoint.id))
        record = GCSCollection(
            entry.id,
            endpoint.id,
            "mapped",
            gateway.id,
            "/",
            creator,
            created_at=iso(self.clock.now()),
            extra=extra,
        )
        self._add_collection(record)
        _apply_gateway(entry, gateway)
        self._add_role(endpoint.id, record.id, identity_urn(creator), "administrator")
        self._mirror_to_transfer(transfer, endpoint.id, record.id, identity_urn(creator))
        return record

    def can_manage(self, endpoint: Endpoint, record: GCSCollection, identity_id: str) -> bool:
        if identity_id == record.identity_id or self.is_endpoint_admin(endpoint, identity_id):
            return True
        return "administrator" in self.collection_roles(record, identity_id)

    def update_collection(
        self,
        transfer: TransferState,
        endpoint: Endpoint,
        identity_id: str,
        collection_id: str,
        document: dict[str, Any],
    ) -> tuple[GCSCollection, Collection]:
        record, entry = self.collection(transfer, endpoint, collection_id)
        if not self.can_manage(endpoint, record, identity_id):
            raise PermissionDenied("You do not have permission to update this collection")
        fields = _without_meta(document)
        for fixed in ("collection_type", "storage_gateway_id", "mapped_collection_id", "id"):
            if fixed in fields and fields.pop(fixed) not in (None, getattr(record, fixed, None)):
                raise Invalid(f"{fixed} cannot be changed")
        if "keywords" in fields:
            entry.keywords = ",".join(fields.pop("keywords") or [])
        for key in SHARED_COLLECTION_FIELDS:
            if key in fields:
                setattr(entry, key, fields.pop(key))
        if "collection_base_path" in fields:
            record.collection_base_path = fields.pop("collection_base_path")
        record.extra.update(fields)
        return record, entry

    def delete_collection(
        self, transfer: TransferState, endpoint: Endpoint, identity_id: str, collection_id: str
    ) -> None:
        record, entry = self.collection(transfer, endpoint, collection_id)
        if not self.can_manage(endpoint, record, identity_id):
            raise PermissionDenied("You do not have permission to delete this collection")
        guests = self.live_collections(transfer, endpoint.id)
        if any(c.mapped_collection_id == record.id for c in guests):
            raise GCSError("Collection has guest collections; delete them first")
        transfer.remove_collection(entry.id)
        self._forget_collection(endpoint.id, record.id)

    def visible_collections(
        self,
        transfer: TransferState,
        endpoint: Endpoint,
        identity_id: str,
        filters: set[str],
        mapped_collection_id: str | None,
    ) -> list[tuple[GCSCollection, Collection]]:
        found = []
        admin = self.is_endpoint_admin(endpoint, identity_id)
        for record in self.live_collections(transfer, endpoint.id):
            entry = transfer.collection(record.id)
            manages = self.can_manage(endpoint, record, identity_id)
            if not (admin or manages or entry.public):
                continue
            if "mapped_collections" in filters and record.collection_type != "mapped":
                continue
            if "guest_collections" in filters and record.collection_type != "guest":
                continue
            if "managed_by_me" in filters and not manages:
                continue
            if "created_by_me" in filters and record.identity_id != identity_id:
                continue
            if mapped_collection_id and record.mapped_collection_id != mapped_collection_id:
                continue
            found.append((record, entry))
        found.sort(key=lambda pair: (pair[1].display_name.lower(), pair[0].id))
        return found

    # -- roles -----------------------------------------------------------------------

    def collection_roles(self, record: GCSCollection, identity_id: str) -> set[str]:
        return self._roles_held(record.endpoint_id, record.id, identity_id)

    def _roles_held(self, endpoint_id: str, collection: str | None, identity_id: str) -> set[str]:
        """The roles an identity holds on an endpoint itself (``collection``
        None) or on one of its collections."""
        ids = self._roles().held_by((held(endpoint_id, collection, identity_urn(identity_id)),))
        return {self.roles[role_id].role for role_id in ids}

    def _roles(self) -> PrincipalIndex:
        if self._role_index is None:
            self._role_index = PrincipalIndex.of(self.roles, role_keys)
        return self._role_index

    def _add_role(
        self, endpoint_id: str, collection: str | None, principal: str, role: str
    ) -> Role:
        created = Role(self.ids.uuid(), endpoint_id, collection, principal, role)
        self.roles[created.id] = created
        self._roles().put(created.id, role_keys(created))
        return created

    def _remove_role(self, role: Role) -> None:
        del self.roles[role.id]
        self._roles().remove(role.id)

    def _may_manage_roles(
        self, transfer: TransferState, endpoint: Endpoint, identity_id: str, collection: str | None
    ) -> bool:
        if self.is_endpoint_admin(endpoint, identity_id):
            return True
        if collection is None:
            return False
        record, _ = self.collection(transfer, endpoint, collection)
        return self.can_manage(endpoint, record, identity_id) or "access_manager" in (
            self.collection_roles(record, identity_id)
        )

    def create_role(
        self,
        transfer: TransferState,
        endpoint: Endpoint,
        identity_id: str,
        collection: str | None,
        principal: str,
        role: str,
    ) -> Role:
        if collection is not None:
            self.collection(transfer, endpoint, collection)
        if not self._may_manage_roles(transfer, endpoint, identity_id, collection):
            raise PermissionDenied("You do not have permission to manage roles here")
        for role_id in self._roles().held_by((held(endpoint.id, collection, principal),)):
            if self.roles[role_id].role == role:
                return self.roles[role_id]  # GCS answers the existing role
        created = self._add_role(endpoint.id, collection, principal, role)
        self._mirror_to_transfer(transfer, endpoint.id, collection, principal)
        return created

    def role(self, transfer: TransferState, endpoint: Endpoint, role_id: str) -> Role:
        found = self.roles.get(role_id.lower())
        if (
            found is not None
            and found.collection is not None
            and self._forgotten_if_deleted(transfer, found.endpoint_id, found.collection)
        ):
            found = None  # held on a collection deleted through Transfer
        if found is None or found.endpoint_id != endpoint.id:
            raise NotFound(f"No role {role_id}")
        return found

    def roles_of(
        self, endpoint: Endpoint, identity_id: str, collection: str | None, everyone: bool
    ) -> list[Role]:
        """Roles on the endpoint (or one collection): the caller's own, or
        all of them (``include=all_roles``) for those who manage roles."""
        key = (
            at(endpoint.id, collection)
            if everyone
            else held(endpoint.id, collection, identity_urn(identity_id))
        )
        return [self.roles[role_id] for role_id in self._roles().held_by((key,))]

    def delete_role(
        self, transfer: TransferState, endpoint: Endpoint, identity_id: str, role_id: str
    ) -> None:
        role = self.role(transfer, endpoint, role_id)
        if not self._may_manage_roles(transfer, endpoint, identity_id, role.collection):
            raise PermissionDenied("You do not have permission to manage roles here")
        self._remove_role(role)
        self._mirror_to_transfer(transfer, endpoint.id, role.collection, role.principal)

    def _mirror_to_transfer(
        self, transfer: TransferState, endpoint_id: str, collection: str | None, principal: str
    ) -> None:
        """Transfer keeps one role per identity per collection: the
        strongest GCS role it holds there."""
        identity_id = identity_of(principal)
        if collection is None or identity_id is None:
            return
        held = self._roles_held(endpoint_id, collection, identity_id)
        strongest = next((r for r in ROLES[1:] if r in held), None)
        transfer.set_role(collection, identity_id, strongest)


def _apply_gateway(entry: Collection, gateway: StorageGateway) -> None:
    """Transfer's view of a collection follows its storage gateway's
    authentication policy: its high_assurance flag, and what its logins
    demand of a caller's session (of a guest collection's, see
    StorageGateway.guest_session_requirement)."""
    entry.high_assurance = gateway.high_assurance
    entry.session_requirement = (
        gateway.guest_session_requirement()
        if entry.entity_type == GUEST
        else gateway.session_requirement()
    )


def _without_meta(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "DATA_TYPE"}
