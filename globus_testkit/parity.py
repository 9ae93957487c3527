"""Parity with globus-sdk's recorded responses.

``globus_sdk.testing`` ships responses recorded from the real services, one
set per SDK method. For each operation the emulator also serves, a parity
test drives the emulator through the same SDK method and compares the
*shape* of its answer with the recording (:func:`check`). Known deviations
are listed, each with its reason, in ``fixtures/parity/deviations.json``.

``python -m globus_testkit.parity`` prints the coverage table (operation:
stateful / missing); ``--update docs/parity.md`` rewrites the one there.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from werkzeug.exceptions import HTTPException

from .normalize import UUID, compare_shapes, shape
from .resources import fixtures_dir


@dataclass(frozen=True)
class Recording:
    set_id: str  # "auth.get_identities"
    case: str
    service: str
    method: str
    path: str
    status: int
    body: Any


def recordings() -> Iterator[Recording]:
    """Every recorded response globus-sdk ships, one per set and case."""
    import globus_sdk.testing.data as data
    from globus_sdk.testing import get_response_set
    from globus_sdk.testing.models import RegisteredResponse

    for module in pkgutil.walk_packages(data.__path__, prefix="globus_sdk.testing.data."):
        if module.ispkg or module.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        set_id = module.name.removeprefix("globus_sdk.testing.data.")
        try:
            importlib.import_module(module.name)
            response_set = get_response_set(set_id)
        except (ValueError, AssertionError, ImportError, AttributeError):
            continue
        for case in response_set.cases():
            found = response_set.lookup(case)
            entries = [found] if isinstance(found, RegisteredResponse) else list(found.responses)
            for entry in entries:
                yield Recording(
                    set_id,
                    case,
                    str(entry.service),
                    str(entry.method).upper(),
                    entry.path,
                    int(entry.status),
                    entry.json,
                )


def recording(set_id: str, case: str = "default") -> Recording:
    for found in recordings():
        if found.set_id == set_id and found.case == case:
            return found
    raise LookupError(f"globus-sdk has no recording {set_id} ({case})")


@lru_cache(maxsize=1)
def deviations() -> dict[str, dict[str, str]]:
    """Known deviations: operation -> {difference line: reason}; an
    operation's other recorded cases than "default" as ``set_id/case``."""
    path = fixtures_dir() / "parity" / "deviations.json"
    loaded: dict[str, dict[str, str]] = json.loads(path.read_text())
    return loaded


# Documents users write (a flow's definition and input schema, a run's
# input and output, an action's parameters): their insides are data, not
# shape, so only their presence is compared.
OPAQUE_KEYS = frozenset({"definition", "input_schema", "output", "parameters", "body", "input"})


def _opaque(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (None if k in OPAQUE_KEYS else _opaque(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_opaque(v) for v in value]
    return value


def differences(recorded: Any, answer: Any) -> list[str]:
    return compare_shapes(shape(_opaque(recorded)), shape(_opaque(answer)))


def check(set_id: str, answer: Any, case: str = "default") -> list[str]:
    """Shape differences between the emulator's answer and the recording,
    less the known deviations for this operation. Empty means parity."""
    recorded = recording(set_id, case)
    known = _listed(set_id, case)
    problems = differences(recorded.body, answer)
    return [p for p in problems if p not in known]


def stale_deviations(set_id: str, answer: Any, case: str = "default") -> list[str]:
    """Listed deviations that no longer occur (so the list stays true)."""
    recorded = recording(set_id, case)
    problems = set(differences(recorded.body, answer))
    return [d for d in _listed(set_id, case) if d not in problems]


def _listed(set_id: str, case: str) -> dict[str, str]:
    return deviations().get(set_id if case == "default" else f"{set_id}/{case}", {})


def emulated(service: str, method: str, path: str) -> bool:
    """Whether the emulator has a route for this call."""
    from .emulator import SERVICE_CLASSES

    for cls in SERVICE_CLASSES:
        if cls.name != service:
            continue
        try:
            cls.routes.match(method, cls.sdk_base_path + path.split("?", 1)[0])
        except HTTPException:
            return False
        return True
    return False


def coverage_table() -> str:
    """A markdown table: each recorded operation and whether the emulator
    answers it with state."""
    rows: dict[str, tuple[str, str, str]] = {}
    for found in recordings():
        if found.set_id in rows:
            continue
        status = "stateful" if emulated(found.service, found.method, found.path) else "missing"
        rows[found.set_id] = (status, found.method, UUID.sub("{id}", found.path))
    lines = [
        "| operation | emulator | recorded call |",
        "|---|---|---|",
    ]
    for set_id, (status, method, path) in sorted(rows.items()):
        lines.append(f"| `{set_id}` | {status} | `{method} {path}` |")
    counts = {s: sum(1 for r in rows.values() if r[0] == s) for s in ("stateful", "missing")}
    lines.append("")
    lines.append(
        f"{len(rows)} recorded operations: {counts['stateful']} stateful, "
        f"{counts['missing']} missing (answered with a loud 501). Generated by "
        "`python -m globus_testkit.parity`."
    )
    return "\n".join(lines)


START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"


def update_document(path: str) -> None:
    """Rewrite the table between the coverage markers of a markdown file."""
    from pathlib import Path

    document = Path(path)
    text = document.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    document.write_text(f"{head}{START}\n{coverage_table()}\n{END}{tail}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--update"]:
        update_document(sys.argv[2])
    else:
        sys.stdout.write(coverage_table() + "\n")
