"""globus-sdk docs/examples/minimal_transfer_script/transfer_minimal.py:
one file from a collection to another, a UserApp redriving GAREs.
argv: SOURCE_COLLECTION_ID DEST_COLLECTION_ID (the example's placeholders)."""

import sys

import globus_sdk

CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"  # the SDK tutorial client
source, destination = sys.argv[1:3]

task_data = globus_sdk.TransferData(source, destination)
task_data.add_item("/share/godata/file1.txt", "/~/minimal-example-transfer-script-destination.txt")
config = globus_sdk.GlobusAppConfig(auto_redrive_gares=True)
with (
    globus_sdk.UserApp("minimal-transfer-example", client_id=CLIENT_ID, config=config) as app,
    globus_sdk.TransferClient(app=app) as transfer_client,
):
    task_doc = transfer_client.submit_transfer(task_data)
print(f"submitted transfer, task_id={task_doc['task_id']}")
