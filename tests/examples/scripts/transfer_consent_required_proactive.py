"""globus-sdk docs/examples/minimal_transfer_script/
transfer_consent_required_proactive.py: ls both collections to collect the
scopes a ConsentRequired asks for, log in once more with them, then submit.
argv: SRC DST."""

import argparse

import globus_sdk
from globus_sdk.scopes import TransferScopes

CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
APP_NAME = "proactive-transfer-consent-example"

parser = argparse.ArgumentParser()
parser.add_argument("SRC")
parser.add_argument("DST")
args = parser.parse_args()


def scopes_wanted(client: globus_sdk.TransferClient, collections: list[str]) -> list[str]:
    wanted: list[str] = []
    for collection in collections:
        try:
            client.operation_ls(collection, path="/")
        except globus_sdk.TransferAPIError as err:
            if err.info.consent_required:
                wanted.extend(err.info.consent_required.required_scopes)
    return wanted


with (
    globus_sdk.UserApp(APP_NAME, client_id=CLIENT_ID) as app,
    globus_sdk.TransferClient(app=app) as client,
):
    missing = scopes_wanted(client, [args.SRC, args.DST])

if missing:
    print("consent needed: logging in again")
    requirements = {TransferScopes.resource_server: [*missing, TransferScopes.all]}
    with globus_sdk.UserApp(APP_NAME, client_id=CLIENT_ID, scope_requirements=requirements) as app:
        app.login()

task_data = globus_sdk.TransferData(source_endpoint=args.SRC, destination_endpoint=args.DST)
task_data.add_item("/share/godata/file1.txt", "/~/example-transfer-script-destination.txt")
with (
    globus_sdk.UserApp(APP_NAME, client_id=CLIENT_ID) as app,
    globus_sdk.TransferClient(app=app) as client,
):
    task_doc = client.submit_transfer(task_data)
print(f"submitted transfer, task_id={task_doc['task_id']}")
