"""globus-sdk docs/examples/auth_manage_projects/manage_projects.py: create,
list and delete Auth projects with a UserApp that redrives GAREs.
argv: ACTION [-p PROJECT_ID] [-n NAME]."""

import argparse

import globus_sdk

CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"

parser = argparse.ArgumentParser()
parser.add_argument("action", choices=["create", "delete", "list"])
parser.add_argument("-p", "--project-id")
parser.add_argument("-n", "--name")
args = parser.parse_args()

config = globus_sdk.GlobusAppConfig(auto_redrive_gares=True)
with globus_sdk.UserApp("manage-projects-example", client_id=CLIENT_ID, config=config) as app:
    scopes = globus_sdk.AuthClient.scopes
    with globus_sdk.AuthClient(
        app_scopes=[scopes.manage_projects, scopes.openid, scopes.email], app=app
    ) as auth_client:
        if args.action == "create":
            userinfo = auth_client.userinfo()
            print(
                auth_client.create_project(
                    args.name, contact_email=userinfo["email"], admin_ids=userinfo["sub"]
                )
            )
        elif args.action == "delete":
            print(auth_client.delete_project(args.project_id))
        else:
            for project in auth_client.get_projects():
                print(f"name: {project['display_name']}")
                print(f"id: {project['id']}")
