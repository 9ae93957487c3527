"""The query parsers (luqum for Search, jsonpath-ng for Flows) load with the
first query or path that needs them, not with ``import globus_testkit``: a
test run that never searches does not pay for them (docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys

PARSERS = ("luqum", "ply", "jsonpath_ng")


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in out.stdout.split()}


def test_importing_the_plugin_loads_no_query_parser():
    assert not _loaded_after("import globus_testkit.pytest_plugin") & set(PARSERS)


def test_reading_a_search_subject_loads_no_query_parser():
    """Ingesting and reading back a subject or an entry needs no query."""
    loaded = _loaded_after(
        """
import globus_sdk
from globus_testkit import Emulator
with Emulator(world={"search_indexes": [{"display_name": "I"}]}) as emulator:
    token = emulator.auth.issue_token(
        emulator.user, "urn:globus:auth:scope:search.api.globus.org:all"
    )
    client = globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    index_id = client.index_list()["index_list"][0]["id"]
    entry = {"subject": "s", "visible_to": ["public"], "content": {"a": 1}}
    client.ingest(index_id, {"ingest_type": "GMetaEntry", "ingest_data": entry})
    assert client.get_subject(index_id, "s")["subject"] == "s"
    assert client.get_entry(index_id, "s")["entries"][0]["content"] == {"a": 1}
"""
    )
    assert "globus_sdk" in loaded  # the probe ran
    assert not loaded & {"luqum", "ply"}
