"""globus-sdk docs/user_guide/usage_patterns/service_accounts/
using_client_app/client_app_ls.py: a ClientApp lists the tutorial
collection. argv: CLIENT_ID CLIENT_SECRET (the example's placeholders)."""

import sys

import globus_sdk

CLIENT_ID, CLIENT_SECRET = sys.argv[1:3]
TUTORIAL_COLLECTION = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"

config = globus_sdk.GlobusAppConfig(token_storage="memory")
with (
    globus_sdk.ClientApp(
        "sample-app", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, config=config
    ) as app,
    globus_sdk.TransferClient(app=app) as tc,
):
    tc.add_app_data_access_scope(TUTORIAL_COLLECTION)
    for entry in tc.operation_ls(TUTORIAL_COLLECTION, path="/home/share/godata"):
        print(entry["name"])
