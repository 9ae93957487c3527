"""One Compute worker process: run as a script (never imported by the
emulator), it reads tasks as JSON lines on stdin and answers each with one
JSON line: ``{"status", "outcome", "details"}``.

It imports only the standard library and globus-compute-sdk, whose own
``ComputeSerializer`` unpacks the function and its arguments and packs the
result, so the client deserializes results exactly as against Globus. The
function's own prints go to stderr: stdout carries the answers.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import traceback
from typing import Any


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the function's prints must not corrupt the answers
    sys.stdout = sys.stderr
    from globus_compute_sdk.serialize import ComputeSerializer

    serializer = ComputeSerializer()
    details = _environment()
    answers.write("ready\n")  # imports done: the function's time starts now
    answers.flush()
    for line in sys.stdin:
        job = json.loads(line)
        status, outcome = _run(serializer, job["code"], job["payload"])
        answers.write(json.dumps({"status": status, "outcome": outcome, "details": details}))
        answers.write("\n")
        answers.flush()


def _run(serializer: Any, code: str, payload: str) -> tuple[str, str]:
    try:
        (packed_function,) = serializer.unpack_buffers(code)
        function = serializer.deserialize(packed_function)
        args, kwargs = (serializer.deserialize(b) for b in serializer.unpack_buffers(payload))
    except BaseException:  # reported to the client, as an endpoint does
        return "failed", traceback.format_exc()
    try:
        result = function(*args, **kwargs)
    except BaseException as err:  # SystemExit too is the function's failure
        # The traceback starts in the function: this file's frame is noise.
        frames = err.__traceback__.tb_next if err.__traceback__ else None
        return "failed", "".join(traceback.format_exception(type(err), err, frames))
    try:
        return "success", serializer.serialize(result)
    except BaseException:
        return "failed", traceback.format_exc()


def _environment() -> dict[str, Any]:
    import dill  # globus-compute-sdk's own serializer library
    from globus_compute_sdk import __version__ as sdk_version

    return {
        "os": platform.platform(),
        "python_version": platform.python_version(),
        "dill_version": dill.__version__,
        "globus_compute_sdk_version": sdk_version,
    }


if __name__ == "__main__":
    main()
