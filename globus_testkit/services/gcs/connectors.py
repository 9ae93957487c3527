"""The storage connectors a GCS Manager knows (the ids of globus-sdk's
``ConnectorTable``) and the policy documents each takes: a storage
gateway's ``policies`` and a user credential's are the connector's own
document types, and the secrets in them are written, never shown back.
No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import Invalid


@dataclass(frozen=True)
class Connector:
    id: str
    display_name: str
    family: str  # its documents' DATA_TYPE prefix: "<family>_storage_policies#1.0.0"

    @property
    def policies_type(self) -> str:
        return f"{self.family}_storage_policies"

    @property
    def credential_type(self) -> str:
        return f"{self.family}_user_credential_policies"

    def gateway_policies(self, policies: dict[str, Any] | None) -> dict[str, Any]:
        """A gateway's policies as stored: the connector's document type
        (defaulted when the caller gave none)."""
        # GCS's older name for the type, "<family>_storage_gateway", too
        return _typed(
            policies, (self.policies_type, f"{self.family}_storage_gateway"), "storage gateway"
        )

    def credential_policies(self, policies: dict[str, Any] | None) -> dict[str, Any]:
        return _typed(policies, (self.credential_type,), "user credential")

    def to_api(self) -> dict[str, Any]:
        return {
            "DATA_TYPE": "connector#1.1.0",
            "id": self.id,
            "display_name": self.display_name,
            "is_ha": False,
            "is_baa": False,
        }


def _typed(policies: dict[str, Any] | None, types: tuple[str, ...], what: str) -> dict[str, Any]:
    document = dict(policies or {})
    data_type = str(document.setdefault("DATA_TYPE", f"{types[0]}#1.0.0"))
    if data_type.partition("#")[0] not in types:
        raise Invalid(f"{what} policies must be a {types[0]} document, not {data_type}")
    return document


CONNECTORS: dict[str, Connector] = {
    c.id: c
    for c in (
        Connector("145812c8-decc-41f1-83cf-bb2a85a2a70b", "POSIX", "posix"),
        Connector("052be037-7dda-4d20-b163-3077314dc3e6", "POSIX Staging", "posix_staging"),
        Connector("7643e831-5f6c-4b47-a07f-8ee90f401d23", "S3", "s3"),
        # ActiveScale speaks S3, down to its policy documents' type
        Connector("7251f6c8-93c9-11eb-95ba-12704e0d6a4d", "ActiveScale", "s3"),
        Connector("9436da0c-a444-11eb-af93-12704e0d6a4d", "Azure Blob", "azure_blob"),
        Connector("7e3f3f5e-350c-4717-891a-2f451c24b0d4", "BlackPearl", "blackpearl"),
        Connector("7c100eae-40fe-11e9-95a3-9cb6d0d9fd63", "Box", "box"),
        Connector("1b6374b0-f6a4-4cf7-a26f-f262d9c6ca72", "Ceph", "ceph"),
        Connector("49b00fd6-63f1-48ae-b27f-d8af4589f876", "Dropbox", "dropbox"),
        Connector(
            "56366b96-ac98-11e9-abac-9cb6d0d9fd63", "Google Cloud Storage", "google_cloud_storage"
        ),
        Connector("976cf0cf-78c3-4aab-82d2-7c16adbcc281", "Google Drive", "google_drive"),
        Connector("fb656a17-0f69-4e59-95ff-d0a62ca7bdf5", "HPSS", "hpss"),
        Connector("e47b6920-ff57-11ea-8aaa-000c297ab3c2", "iRODS", "irods"),
        Connector("28ef55da-1f97-11eb-bdfd-12704e0d6a4d", "OneDrive", "onedrive"),
    )
}
POSIX_CONNECTOR = "145812c8-decc-41f1-83cf-bb2a85a2a70b"


def connector(connector_id: str) -> Connector:
    found = CONNECTORS.get(connector_id.lower())
    if found is None:
        raise Invalid(f"Unknown connector {connector_id}")
    return found
