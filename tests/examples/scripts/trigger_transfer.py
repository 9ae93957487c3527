"""globus/globus-flows-trigger-examples: flows_service.py (a native-app
login with refresh tokens kept by SimpleJSONFileAdapter in
~/.globus-flows-trigger-tokens.json), deploy_flow.py (create or update a
flow from a definition and a schema file) and trigger_transfer_flow.py's
run_flow (run it for a new file's folder, with a label and tags). The
watchdog loop that calls run_flow is left out: the test plays the event.
globus-sdk 3 (its tokenstorage module).
argv: deploy DEFINITION SCHEMA [FLOW_ID] | run FLOW_ID SOURCE DESTINATION EVENT_FILE"""

import json
import os
import sys

import globus_sdk
from globus_sdk.tokenstorage import SimpleJSONFileAdapter

CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
NATIVE_CLIENT = globus_sdk.NativeAppAuthClient(CLIENT_ID)
TOKENS = SimpleJSONFileAdapter(os.path.expanduser("~/.globus-flows-trigger-tokens.json"))
FLOWS_SCOPES = [
    globus_sdk.FlowsClient.scopes.manage_flows,
    globus_sdk.FlowsClient.scopes.run,
    globus_sdk.FlowsClient.scopes.run_status,
    globus_sdk.FlowsClient.scopes.run_manage,
    globus_sdk.FlowsClient.scopes.view_flows,
]


def authorizer(flow_id=None):
    if flow_id:
        scopes, resource_server = globus_sdk.SpecificFlowClient(flow_id).scopes.user, flow_id
    else:
        scopes, resource_server = FLOWS_SCOPES, globus_sdk.FlowsClient.resource_server
    tokens = TOKENS.get_token_data(resource_server) if TOKENS.file_exists() else None
    if tokens is None:
        NATIVE_CLIENT.oauth2_start_flow(requested_scopes=scopes, refresh_tokens=True)
        print(f"Log in at this URL:\n\n{NATIVE_CLIENT.oauth2_get_authorize_url()}\n")
        code = input("Enter authorization code here: ").strip()
        response = NATIVE_CLIENT.oauth2_exchange_code_for_tokens(code)
        TOKENS.store(response)
        tokens = response.by_resource_server[resource_server]
    return globus_sdk.RefreshTokenAuthorizer(
        tokens["refresh_token"],
        NATIVE_CLIENT,
        access_token=tokens["access_token"],
        expires_at=tokens["expires_at_seconds"],
        on_refresh=TOKENS.on_refresh,
    )


if sys.argv[1] == "deploy":
    fc = globus_sdk.FlowsClient(authorizer=authorizer())
    with open(sys.argv[2]) as f:
        definition = json.loads(f.read())
    with open(sys.argv[3]) as f:
        schema = json.loads(f.read())
    if len(sys.argv) > 4:
        flow = fc.update_flow(
            flow_id=sys.argv[4],
            title="Flow from Trigger Examples",
            definition=definition,
            input_schema=schema,
        )
        print(f"Updated flow {sys.argv[4]}")
    else:
        flow = fc.create_flow(
            title="Flow from Trigger Examples", definition=definition, input_schema=schema
        )
        print(f"Deployed flow {flow['id']}")
else:
    flow_id, source_id, destination_id, event_file = sys.argv[2:6]
    fc = globus_sdk.SpecificFlowClient(flow_id, authorizer=authorizer(flow_id=flow_id))
    event_folder = os.path.dirname(event_file)
    folder_name = os.path.basename(event_folder)
    destination_path = os.path.join("/automation-tutorial/USERNAME/", folder_name, "")
    flow_input = {
        "input": {
            "source": {"id": source_id, "path": event_folder},
            "destination": {"id": destination_id, "path": destination_path},
            "recursive_tx": True,
        }
    }
    run = fc.run_flow(
        body=flow_input,
        label=f"Trigger transfer: {os.path.basename(event_file)}",
        tags=["Trigger_Tutorial"],
    )
    print(f"Transferring: {folder_name}")
    print(f"https://app.globus.org/runs/{run['run_id']}")
