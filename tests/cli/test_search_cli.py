"""globus-cli's `globus search ...` commands against the live server."""

from __future__ import annotations

import json

import pytest

from .test_globus_cli import GLOBUS, globus

pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")


def test_every_search_command_against_the_server(cli_env, tmp_path):
    def run(*args: str) -> dict:
        return json.loads(globus(cli_env, "search", *args, "-F", "json").stdout)

    index = run("index", "create", "CLI index", "made by globus-cli")
    index_id = index["id"]
    assert run("index", "show", index_id)["display_name"] == "CLI index"
    assert [i["id"] for i in run("index", "list")["index_list"]] == [index_id]

    document = tmp_path / "ingest.json"
    document.write_text(
        json.dumps(
            {
                "ingest_type": "GMetaList",
                "ingest_data": {
                    "gmeta": [
                        {"subject": "a", "visible_to": ["public"], "content": {"t": "alpha one"}},
                        {"subject": "b", "visible_to": ["public"], "content": {"t": "bravo two"}},
                    ]
                },
            }
        )
    )
    task_id = run("ingest", index_id, str(document))["task_id"]
    assert run("task", "show", task_id)["state"] == "SUCCESS"
    assert [t["task_id"] for t in run("task", "list", index_id)["tasks"]] == [task_id]

    found = run("query", index_id, "-q", "alpha")
    assert [g["subject"] for g in found["gmeta"]] == ["a"]
    assert run("subject", "show", index_id, "b")["entries"][0]["content"] == {"t": "bravo two"}

    query = tmp_path / "query.json"
    query.write_text(json.dumps({"q": "t:bravo", "advanced": True}))
    assert run("delete-by-query", index_id, "--query-document", str(query))["task_id"]
    run("subject", "delete", index_id, "a")
    assert run("query", index_id, "-q", "*")["total"] == 0

    principal = "urn:globus:auth:identity:" + "0" * 8 + "-0000-4000-8000-" + "0" * 12
    role = run("index", "role", "create", index_id, "writer", principal)
    roles = run("index", "role", "list", index_id)["role_list"]
    assert {r["role_name"] for r in roles} == {"owner", "writer"}
    globus(cli_env, "search", "index", "role", "delete", index_id, role["id"])
    run("index", "delete", index_id)
    assert run("index", "show", index_id)["status"] == "delete-pending"
