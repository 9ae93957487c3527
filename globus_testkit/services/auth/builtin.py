"""The resource servers and scopes every Globus world starts with.

Auth's own scopes live here, and so do those of services the emulator
does not (yet) emulate, so that apps asking for them can still log in;
their routes then answer a loud 501. Emulated services register their
own scopes in their ``register_scopes``.
"""

from __future__ import annotations

from .models import PUBLIC, RESOURCE_SERVER, AuthState

AUTH_CLIENT_ID = "01b00a3e-0c84-4d5d-9e86-d3f9e1b0a2a7"

AUTH_SCOPES = {
    "openid": "Know who you are in Globus",
    "profile": "View your name and organization",
    "email": "View your email address",
    "urn:globus:auth:scope:auth.globus.org:view_identities": "View identities in Globus",
    "urn:globus:auth:scope:auth.globus.org:view_identity_set": "View your linked identities",
    "urn:globus:auth:scope:auth.globus.org:manage_projects": "Manage your Globus projects",
    "urn:globus:auth:scope:auth.globus.org:view_consents": "View your consents",
}

# resource server name -> (client id, scopes)
OTHER_SERVICES: dict[str, tuple[str, list[str]]] = {
    "transfer.api.globus.org": (
        "21017803-059f-4a9b-b64c-051ab7c1d05d",
        [
            "urn:globus:auth:scope:transfer.api.globus.org:all",
            "urn:globus:auth:scope:transfer.api.globus.org:monitor_ongoing",
        ],
    ),
    "flows.globus.org": (
        "eec9b274-0c81-4334-bdc2-54e90e689b9a",
        [
            f"https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/{name}"
            for name in ("all", "manage_flows", "view_flows", "run", "run_status", "run_manage")
        ],
    ),
    "groups.api.globus.org": (
        "04896e9e-b98e-437e-becd-8084b9e234a0",
        [
            "urn:globus:auth:scope:groups.api.globus.org:all",
            "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships",
        ],
    ),
    "search.api.globus.org": (
        "bb3ccb2f-93b1-4c54-b0ca-9d3ba4e7d6b5",
        [
            "urn:globus:auth:scope:search.api.globus.org:all",
            "urn:globus:auth:scope:search.api.globus.org:search",
            "urn:globus:auth:scope:search.api.globus.org:ingest",
        ],
    ),
    "524230d7-ea86-4a52-8312-86065a9e0417": (
        "524230d7-ea86-4a52-8312-86065a9e0417",
        ["https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer"],
    ),
    "funcx_service": (
        "facd7ccc-c5f4-42aa-916b-a0e270e2c2a9",
        ["https://auth.globus.org/scopes/facd7ccc-c5f4-42aa-916b-a0e270e2c2a9/all"],
    ),
}


def register_resource_server(
    state: AuthState, fqdn: str, client_id: str, name: str, scopes: dict[str, str]
) -> None:
    state.register_client(name, client_type=RESOURCE_SERVER, client_id=client_id, fqdn=fqdn)
    for scope_string, description in scopes.items():
        state.register_scope(
            scope_string,
            client_id=client_id,
            description=description,
            scope_id=state.ids.stable_uuid("scope", scope_string),
        )


# globus-cli's template native app: its first user login instantiates it.
GLOBUS_CLI_TEMPLATE_ID = "95fdeba8-fac2-42bd-a357-e068d82ff78e"

# Public (native) clients that Globus's own documentation and tools log in
# with, so examples copied from them work unchanged (docs/public-clients.md).
PUBLIC_CLIENTS = {
    "61338d24-54d5-408f-a10d-66c06b59f6d2": "Globus SDK tutorial client",
    "e6c75d97-532a-4c88-b031-8584a319fa3e": "globus-automate-client CLI",
    "4cf29807-cf21-49ec-9443-ff9a3fb9f81c": "Globus Compute SDK",
    "3b1925c0-a87b-452b-a492-2c9921d3bd14": "Globus Jupyter notebooks",
    "f794186b-f330-4595-b6c6-9c9d3e903e47": "Globus automation tutorial notebooks",
    "d61ed2e0-b4f9-4fe9-9433-41e2528a807d": "Globus search tutorial notebook",
}


def register_builtin(state: AuthState) -> None:
    register_resource_server(state, "auth.globus.org", AUTH_CLIENT_ID, "Globus Auth", AUTH_SCOPES)
    cli = state.register_client("Globus CLI", client_type=PUBLIC, client_id=GLOBUS_CLI_TEMPLATE_ID)
    cli.template = True
    for client_id, name in PUBLIC_CLIENTS.items():
        state.register_client(name, client_type=PUBLIC, client_id=client_id)
    for fqdn, (client_id, scopes) in OTHER_SERVICES.items():
        register_resource_server(
            state,
            fqdn if fqdn != client_id else "",
            client_id,
            fqdn,
            {s: f"Use {fqdn}" for s in scopes},
        )
