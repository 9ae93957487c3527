"""globus-sdk docs/user_guide/usage_patterns/data_transfer/
detecting_data_access/submit_transfer_detect_data_access.py: look each
collection up, add its data_access scope if it is a non-high-assurance
mapped collection, then submit."""

import globus_sdk

NATIVE_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
SRC_COLLECTION = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
DST_COLLECTION = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
SRC_PATH = "/home/share/godata/file1.txt"
DST_PATH = "/~/example-transfer-script-destination.txt"


def needs_data_access(client: globus_sdk.TransferClient, collection_id: str) -> bool:
    doc = client.get_endpoint(collection_id)
    return doc["entity_type"] == "GCSv5_mapped_collection" and not doc["high_assurance"]


with (
    globus_sdk.UserApp("detect-data-access-example", client_id=NATIVE_CLIENT_ID) as app,
    globus_sdk.TransferClient(app=app) as client,
):
    for collection in (SRC_COLLECTION, DST_COLLECTION):
        if needs_data_access(client, collection):
            client.add_app_data_access_scope(collection)
    request = globus_sdk.TransferData(SRC_COLLECTION, DST_COLLECTION)
    request.add_item(SRC_PATH, DST_PATH)
    task = client.submit_transfer(request)
    print(f"Submitted transfer. Task ID: {task['task_id']}.")
