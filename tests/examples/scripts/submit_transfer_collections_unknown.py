"""globus-sdk docs/user_guide/usage_patterns/data_transfer/submit_transfer/
submit_transfer_collections_unknown.py: no scopes up front, the app
redrives the ConsentRequired it meets."""

import globus_sdk
from globus_sdk import GlobusAppConfig, UserApp

NATIVE_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
SRC_COLLECTION, SRC_PATH = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc", "/share/godata/file1.txt"
DST_COLLECTION = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
DST_PATH = "/~/example-transfer-script-destination.txt"

config = GlobusAppConfig(auto_redrive_gares=True)
with (
    UserApp("my-simple-transfer", client_id=NATIVE_CLIENT_ID, config=config) as app,
    globus_sdk.TransferClient(app=app) as client,
):
    request = globus_sdk.TransferData(SRC_COLLECTION, DST_COLLECTION)
    request.add_item(SRC_PATH, DST_PATH)
    task = client.submit_transfer(request)
    print(f"Submitted transfer. Task ID: {task['task_id']}.")
