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
