"""Every error the emulated Transfer gives, with Transfer's own codes.

Routes format them in one place (``TransferService.error_body``) as
``{"code", "message", "request_id", "resource"}``.
"""

from __future__ import annotations

from typing import Any

from ...http import ApiError


class TransferError(ApiError):
    status = 400
    code = "ClientError.BadRequest"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        # ``code`` may name a more precise Transfer code than the class's.
        super().__init__(type(self).status, code or type(self).code, message, **extra)


class BadRequest(TransferError):
    pass


class BadPath(TransferError):
    code = "ClientError.BadRequest.InvalidPath"


class NotFound(TransferError):
    status, code = 404, "ClientError.NotFound"


class EndpointNotFound(TransferError):
    status, code = 404, "EndpointNotFound"


class TaskNotFound(TransferError):
    status, code = 404, "TaskNotFound"


class PermissionDenied(TransferError):
    status, code = 403, "PermissionDenied"


class Conflict(TransferError):
    status, code = 409, "ClientError.Conflict"


class PathNotFound(TransferError):
    status, code = 404, "ClientError.NotFound"


class NotADirectory(TransferError):
    status, code = 502, "ExternalError.DirListingFailed.NotDirectory"


class Exists(TransferError):
    status, code = 502, "ExternalError.MkdirFailed.Exists"


class IsADirectory(Exists):
    """A file written where a directory is: answered as Transfer answers
    any existing path, told apart by tasks (their IS_A_DIRECTORY fault)."""


class ConsentRequired(TransferError):
    status, code = 403, "ConsentRequired"
