"""The GCS Manager's refusals, with GCS's status and code
(GCSService.error_body formats them)."""

from __future__ import annotations

from ...http import ApiError


class GCSError(ApiError):
    """A refusal, with GCS's status and code (GCSService.error_body
    formats it)."""

    status = 400
    code = "invalid_parameter"
    summary: str | None = None  # the answer's "message", when "detail" says more

    def __init__(self, message: str) -> None:
        super().__init__(type(self).status, type(self).code, message)


class NotFound(GCSError):
    status = 404
    code = "not_found"


class PermissionDenied(GCSError):
    status = 403
    code = "permission_denied"


class Exists(GCSError):
    status = 409
    code = "exists"


class Invalid(GCSError):
    status = 422
    code = "invalid_parameter"


class Unprocessable(GCSError):
    """A document that does not match its schema (GCS's words, as
    globus-sdk's recording of a refused storage gateway shows them)."""

    status = 422
    code = "unprocessable_entity"
    summary = "Data Validation Error"
