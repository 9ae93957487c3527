"""globus-sdk's published Auth examples: managing projects
(docs/examples/auth_manage_projects/) as a reader runs the scripts."""

from __future__ import annotations

import json
from typing import Any

from .conftest import needs_sdk4


def printed_document(output: str) -> Any:
    assert "{" in output, output
    return json.loads(output[output.index("{") :])


@needs_sdk4
def test_manage_projects_create_list_delete(run_example, globus_emulator):
    created = run_example("manage_projects.py", "create", "-n", "Example Project")
    assert created.returncode == 0, created.output
    assert created.logins == 1
    project = printed_document(created.output)["project"]
    assert project["display_name"] == "Example Project"
    assert project["contact_email"] == globus_emulator.user.email
    assert [a["id"] for a in project["admins"]["identities"]] == [globus_emulator.user.id]

    listed = run_example("manage_projects.py", "list")
    assert listed.returncode == 0, listed.output
    assert f"name: Example Project\nid: {project['id']}" in listed.output
    assert listed.logins == 0

    # the list-only example asks for less: it logs in on its own app name
    only_list = run_example("list_projects.py")
    assert only_list.returncode == 0, only_list.output
    assert f"id: {project['id']}" in only_list.output

    deleted = run_example("manage_projects.py", "delete", "-p", project["id"])
    assert deleted.returncode == 0, deleted.output
    assert printed_document(deleted.output)["project"]["id"] == project["id"]
    relisted = run_example("manage_projects.py", "list")
    assert project["id"] not in relisted.output
