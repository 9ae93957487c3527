"""globus-sdk docs/user_guide/usage_patterns/sessions_and_consents/
handling_transfer_auth_params/ls_with_session_handling.py: an ls that
meets an authorization requirement logs in again with its parameters
(prompt=login) and lists again. argv: COLLECTION_ID."""

import sys

import globus_sdk
import globus_sdk.gare

NATIVE_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
COLLECTION_ID = sys.argv[1]


def print_listing(client: globus_sdk.TransferClient) -> None:
    for item in client.operation_ls(COLLECTION_ID):
        print(item["name"] + ("/" if item["type"] == "dir" else ""))


with globus_sdk.UserApp("ls-session", client_id=NATIVE_CLIENT_ID) as app:
    client = globus_sdk.TransferClient(app=app)
    client.add_app_data_access_scope(COLLECTION_ID)
    try:
        print_listing(client)
    except globus_sdk.TransferAPIError as err:
        if not err.info.authorization_parameters:
            raise
        print("An authorization requirement was not met. Logging in again...")
        gare = globus_sdk.gare.to_gare(err)
        if not gare:
            raise
        params = gare.authorization_parameters
        params.prompt = "login"
        app.login(auth_params=params)
        print_listing(client)
