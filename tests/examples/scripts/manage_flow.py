"""globus-sdk docs/examples/create_and_run_flow/manage_flow.py (and its
_minimal and run_flow_minimal variants, the same calls): create, list,
run, delete a hello-world flow, and log out.
argv: ACTION [-f FLOW_ID] [-t TITLE]."""

import argparse
import sys

import globus_sdk

CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
DEFINITION = {
    "StartAt": "DoIt",
    "States": {
        "DoIt": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string": "Hello, Asynchronous World!"},
            "End": True,
        }
    },
}

parser = argparse.ArgumentParser()
parser.add_argument("action", choices=["logout", "create", "delete", "list", "run"])
parser.add_argument("-f", "--flow-id")
parser.add_argument("-t", "--title")
args = parser.parse_args()

with globus_sdk.UserApp("manage-flow-example", client_id=CLIENT_ID) as app:
    try:
        if args.action == "logout":
            app.logout(sweep=True)
        elif args.action == "create":
            with globus_sdk.FlowsClient(app=app) as flows:
                print(
                    flows.create_flow(
                        title=args.title,
                        definition=DEFINITION,
                        input_schema={},
                        subtitle="A flow created by the SDK tutorial",
                    )
                )
        elif args.action == "delete":
            with globus_sdk.FlowsClient(app=app) as flows:
                print(flows.delete_flow(args.flow_id))
        elif args.action == "list":
            with globus_sdk.FlowsClient(app=app) as flows:
                for flow in flows.list_flows(filter_roles="flow_owner"):
                    print(f"title: {flow['title']}")
                    print(f"id: {flow['id']}")
        else:
            with globus_sdk.SpecificFlowClient(args.flow_id, app=app) as flow_client:
                print(flow_client.run_flow({}))
    except globus_sdk.FlowsAPIError as e:
        print(f"API Error: {e.code} {e.message}")
        print(e.text)
        sys.exit(1)
