"""One Compute worker process: run as a script (never imported by the
emulator), it reads tasks in frames on stdin and answers each with one
frame on stdout (the frames are described in workers.py): first a ready
frame with its environment, then per task its result or traceback.

It imports only the standard library and globus-compute-sdk, whose own
``ComputeSerializer`` unpacks the function and its arguments and packs the
result, so the client deserializes results exactly as against Globus. The
function's own prints go to stderr: stdout carries the answers.
"""

from __future__ import annotations

import json
import os
import platform
import struct
import sys
import traceback
from typing import Any, BinaryIO

_TASK = struct.Struct(">II")  # code and payload byte lengths
_ANSWER = struct.Struct(">cI")  # kind and byte length
_KIND_OF_STATUS = {"success": b"s", "failed": b"f"}
_ENCODING, _ERRORS = "utf-8", "surrogatepass"


def main() -> None:
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the function's prints must not corrupt the answers
    sys.stdout = sys.stderr
    from globus_compute_sdk.serialize import ComputeSerializer

    serializer = ComputeSerializer()
    functions = _KnownFunctions()
    # imports done: the function's time starts now
    _answer(answers, b"r", json.dumps(_environment()))
    tasks = sys.stdin.buffer
    while len(header := tasks.read(_TASK.size)) == _TASK.size:
        code_length, payload_length = _TASK.unpack(header)
        code = tasks.read(code_length).decode(_ENCODING, _ERRORS)
        payload = tasks.read(payload_length).decode(_ENCODING, _ERRORS)
        status, outcome = _run(serializer, functions, code, payload)
        _answer(answers, _KIND_OF_STATUS[status], outcome)


def _answer(answers: BinaryIO, kind: bytes, text: str) -> None:
    """One frame, in one write."""
    data = text.encode(_ENCODING, _ERRORS)
    answers.write(_ANSWER.pack(kind, len(data)) + data)
    answers.flush()


class _KnownFunctions:
    """The last few functions unpacked that dill pickled by reference
    (defined in an importable module): unpacking their code again would
    import the same module and hand back the very same object, so
    repeated tasks of one function skip dill. Functions pickled by value
    are unpacked afresh every time, as an endpoint does: each run gets
    new default arguments and closures."""

    KEPT = 8

    def __init__(self) -> None:
        self._by_code: dict[str, Any] = {}

    def unpack(self, serializer: Any, code: str) -> Any:
        function = self._by_code.get(code)
        if function is not None and _found_by_name(function):
            return function
        (packed_function,) = serializer.unpack_buffers(code)
        function = serializer.deserialize(packed_function)
        if _found_by_name(function):
            self._by_code[code] = function
            if len(self._by_code) > self.KEPT:
                del self._by_code[next(iter(self._by_code))]  # the oldest
        return function


def _found_by_name(function: Any) -> bool:
    """Whether ``function`` is what its module holds under its name, as
    unpickling a reference to it would find it."""
    found = sys.modules.get(getattr(function, "__module__", None) or "")
    for name in str(getattr(function, "__qualname__", "")).split("."):
        found = getattr(found, name, None)
    return found is not None and found is function


def _run(serializer: Any, functions: _KnownFunctions, code: str, payload: str) -> tuple[str, str]:
    try:
        function = functions.unpack(serializer, code)
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
