"""globus-sdk docs/user_guide/usage_patterns/data_transfer/
transfer_relative_deadline/submit_transfer_relative_deadline.py: a
deadline an hour from now, as an ISO 8601 string with an offset."""

import datetime

import globus_sdk
from globus_sdk.globus_app import UserApp

NATIVE_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
SRC_COLLECTION, SRC_PATH = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc", "/home/share/godata/file1.txt"
DST_COLLECTION = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
DST_PATH = "/~/example-transfer-script-destination.txt"

deadline = datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(hours=1)
with (
    UserApp("relative-deadline-transfer", client_id=NATIVE_CLIENT_ID) as app,
    globus_sdk.TransferClient(app=app) as client,
):
    client.add_app_data_access_scope(SRC_COLLECTION)
    client.add_app_data_access_scope(DST_COLLECTION)
    request = globus_sdk.TransferData(SRC_COLLECTION, DST_COLLECTION, deadline=deadline.isoformat())
    request.add_item(SRC_PATH, DST_PATH)
    task = client.submit_transfer(request)
    print(f"Submitted transfer. Task ID: {task['task_id']}")
