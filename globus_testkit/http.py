"""What every service's routes share: the request, errors, replies, paging,
schema validation and token checks.

Routes raise :class:`ApiError` (or a subclass); the service that owns the
route turns it into a body in its own format. Paging, validation and bearer
checks are written here once so no route rolls its own.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, islice
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from .fastschema import compile_schema

if TYPE_CHECKING:
    from .services.auth.models import TokenInfo

T = TypeVar("T")

MAX_BODY_BYTES = 10 * 1024 * 1024
# How deeply a JSON body may nest arrays and objects. Globus documents
# (flow definitions, schemas, run input) nest a dozen levels or so; a
# bound keeps every later step (validation, the flow engine, saving the
# state) far from Python's recursion limit.
MAX_JSON_DEPTH = 64
# Query integers and paging markers, as this module reads and writes them.
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_MARKER = re.compile(r"[0-9a-f]{1,16}")


class ApiError(Exception):
    """An error answer: the owning service decides its body's shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra


class BadRequest(ApiError):
    def __init__(self, message: str, code: str = "BadRequest", **extra: Any) -> None:
        super().__init__(400, code, message, **extra)


class Unauthorized(ApiError):
    def __init__(self, message: str, code: str = "AuthenticationFailed") -> None:
        super().__init__(401, code, message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    def __init__(self, message: str, code: str = "Forbidden", **extra: Any) -> None:
        super().__init__(403, code, message, **extra)


class NotFound(ApiError):
    def __init__(self, message: str, code: str = "NotFound", **extra: Any) -> None:
        super().__init__(404, code, message, **extra)


class SessionRequired(ApiError):
    """The caller's Auth session does not meet a resource's requirements.

    Auth decides what to demand (``world.auth.session_problems`` gives the
    ``authorization_parameters``); the service chooses the status and
    code the real one gives, and its ``error_body`` formats the rest in its
    own shape (the parameters travel in ``extra``).
    """

    def __init__(
        self,
        authorization_parameters: dict[str, Any],
        *,
        status: int = 403,
        code: str = "AuthorizationRequired",
        message: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(
            status,
            code,
            message or authorization_parameters.get("session_message") or code,
            authorization_parameters=authorization_parameters,
            **extra,
        )
        self.authorization_parameters = authorization_parameters


class NotEmulated(ApiError):
    """A route under a Globus host that the emulator does not implement.

    It answers loudly (501, naming the route) rather than inventing data, so
    a test never passes against fiction.
    """

    def __init__(self, service: str, method: str, path: str) -> None:
        super().__init__(
            501,
            "NotEmulated",
            f"globus-testkit does not emulate {method} {path} on the {service} "
            "service; nothing was sent to Globus",
        )


@dataclass
class Reply:
    """A route's answer before serialisation."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


class QueryArgs(MultiDict[str, str]):
    """A query's parameters. Routes mostly ask for optional ones that are
    absent: ``get`` and ``getlist`` answer those without werkzeug's raised
    and caught KeyError (an exception object per missing name)."""

    # (Callers see MultiDict's typed overloads: ``Call.args`` is declared one.)
    def get(self, key: str, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]
        if type is not None:
            return super().get(key, default, type)
        values = dict.get(self, key)
        return values[0] if values else default

    def getlist(self, key: str, type: Any = None) -> Any:
        if type is not None:
            return super().getlist(key, type)
        values = dict.get(self, key)
        return list(values) if values else []


class Call:
    """One request as a route sees it: method, path, query, body, caller."""

    __slots__ = (
        "__dict__",
        "base_url",
        "client_id",
        "headers",
        "method",
        "note",
        "operation",
        "path",
        "query_string",
        "raw_body",
        "real_delay",
        "remote_addr",
        "request_id",
        "resource",
        "service",
        "token",
    )

    def __init__(
        self,
        *,
        service: str,
        method: str,
        path: str,
        query_string: str,
        headers: dict[str, str],
        raw_body: bytes,
        request_id: str,
        base_url: str,
        remote_addr: str = "127.0.0.1",
    ) -> None:
        self.service = service
        self.operation = ""
        self.method = method
        self.path = path
        self.query_string = query_string
        self.headers = headers  # lower-cased names
        self.raw_body = raw_body
        self.request_id = request_id
        # the service's root as the caller addressed it, ending in "/"
        self.base_url = base_url
        self.remote_addr = remote_addr
        self.token: TokenInfo | None = None
        # a client that authenticated itself (OAuth2 endpoints), for the journal
        self.client_id: str | None = None
        self.note = ""  # why this call was answered unusually (journal)
        self.real_delay = 0.0  # real seconds to wait before answering
        # what a per-resource host or path prefix names (a GCS endpoint's id)
        self.resource = ""

    @cached_property
    def args(self) -> MultiDict[str, str]:
        if not self.query_string:
            return QueryArgs()
        return QueryArgs(parse_qsl(self.query_string, keep_blank_values=True))

    @cached_property
    def form(self) -> MultiDict[str, str]:
        try:
            text = self.raw_body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise BadRequest("request body is not valid UTF-8") from err
        return MultiDict(parse_qsl(text, keep_blank_values=True))

    def json(self, *, required: bool = True) -> Any:
        """The parsed JSON body; a clear 400 when it is missing or malformed."""
        if not self.raw_body.strip():
            if required:
                raise BadRequest("a JSON request body is required")
            return None
        return parse_json(self.raw_body, what="request body")

    def json_object(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise BadRequest("the request body must be a JSON object")
        return body

    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def arg_int(
        self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None
    ) -> int:
        """An integer query parameter, checked, with a 400 naming it if bad."""
        raw = self.args.get(name)
        if raw is None or raw == "":
            return default
        # int() would also take " 7", "+7", "1_0" and non-ASCII digits.
        if not _INTEGER.fullmatch(raw):
            raise BadRequest(f"query parameter {name!r} must be an integer")
        value = int(raw)
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum else f">= {minimum}"
            raise BadRequest(f"query parameter {name!r} must be {bound}")
        return value

    def arg_csv(self, name: str) -> list[str]:
        """A comma-separated query parameter's values (it may also be
        repeated, as globus-sdk sends a list), blanks dropped, in order."""
        return [
            part.strip()
            for value in self.args.getlist(name)
            for part in value.split(",")
            if part.strip()
        ]

    def arg_bool(self, name: str, default: bool = False) -> bool:
        raw = self.args.get(name)
        if raw is None or raw == "":
            return default
        lowered = raw.lower()
        if lowered in ("true", "1", "yes", "t"):
            return True
        if lowered in ("false", "0", "no", "f"):
            return False
        raise BadRequest(f"query parameter {name!r} must be true or false")


# -- JSON ----------------------------------------------------------------------

# Depth is measured on the bytes with C-speed steps only: escapes and
# everything but quotes and brackets dropped, strings (between quote
# pairs) dropped, then brackets summed as +1/-1.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_BRACKETS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large for a JSON number")
    return value


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def json_depth(data: bytes) -> int:
    """How deeply ``data`` (JSON text) nests arrays and objects, found
    without parsing (so without recursion); brackets inside strings do
    not count."""
    # An escaped backslash first, so that in \\" the quote still ends
    # the string; then escaped quotes, which do not.
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    structure = unescaped.translate(None, _NOT_STRUCTURE)
    outside_strings = b"".join(structure.split(b'"')[::2])
    if not outside_strings:
        return 0
    return max(accumulate(array("b", outside_strings.translate(_BRACKETS))))


def parse_json(data: bytes | str, *, what: str = "request body") -> Any:
    """JSON from a client, parsed in this one place: nesting beyond
    MAX_JSON_DEPTH, NaN, Infinity and numbers too large for a float are
    refused (as Globus's services refuse them) with a 400."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    # Counting brackets is cheap; measuring depth is only needed when
    # there are enough of them to nest too deep.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and json_depth(raw) > MAX_JSON_DEPTH:
        raise BadRequest(f"{what} nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
    except RecursionError as err:  # not reachable past the depth check; belt and braces
        raise BadRequest(f"{what} nests too deeply") from err
    except (UnicodeDecodeError, ValueError) as err:
        raise BadRequest(f"{what} is not valid JSON: {err}") from err


# Encoding answers is a good share of a call's cost: the encoder is built
# once, and skips the circular-reference check (the emulator's documents
# are trees it built itself).
_ENCODER = json.JSONEncoder(check_circular=False)


def encode_json(document: Any) -> bytes:
    """A reply's JSON body, as every transport sends it."""
    return _ENCODER.encode(document).encode("utf-8")


# -- paging ------------------------------------------------------------------


@dataclass
class Page:
    items: list[Any]
    offset: int
    limit: int
    total: int

    @property
    def has_next_page(self) -> bool:
        return self.offset + len(self.items) < self.total


def offset_page(call: Call, items: Sequence[T], *, default_limit: int, max_limit: int) -> Page:
    """Slice ``items`` by the request's ``offset`` and ``limit`` parameters."""
    limit = call.arg_int("limit", default_limit, minimum=1, maximum=max_limit)
    offset = call.arg_int("offset", 0)
    return Page(list(items[offset : offset + limit]), offset, limit, len(items))


def marker_page(items: Iterable[T], marker: str | None, limit: int) -> tuple[list[T], str | None]:
    """Marker paging: the marker is the opaque position of the next item.

    Only markers this function hands out are taken back; anything else
    (negative, not hex, padded, another service's) is a 400, so a client
    never loops on a marker that does not move. ``items`` may be a lazy
    iterable: then only what the page needs (and one more) is drawn from it,
    so a first page costs its own items, not the total."""
    start = 0
    if marker:
        if not _MARKER.fullmatch(marker):
            raise BadRequest(f"invalid paging marker {marker[:40]!r}", code="InvalidMarker")
        start = int(marker, 16)
    if isinstance(items, Sequence):
        chunk = list(items[start : start + limit])
        more = start + len(chunk) < len(items)
    else:
        rest = iter(items)
        chunk = list(islice(rest, start, start + limit))
        more = next(rest, _NO_MORE) is not _NO_MORE
    end = start + len(chunk)
    return chunk, (format(end, "x") if more else None)


_NO_MORE = object()


# -- schemas -----------------------------------------------------------------

_validators: dict[str, Any] = {}


def schema_validator(name: str) -> Any:
    """The compiled validator for ``schemas/<name>.json``, built once."""
    validator = _validators.get(name)
    if validator is None:
        from importlib.resources import files

        import jsonschema

        schema = json.loads(files("globus_testkit.schemas").joinpath(f"{name}.json").read_text())
        with warnings.catch_warnings():  # 3.2 warns it does not know 2020-12
            warnings.simplefilter("ignore", DeprecationWarning)
            cls = jsonschema.validators.validator_for(schema)
        # jsonschema 3.2 (which globus-automate-client pins) has no
        # FORMAT_CHECKER and reads 2020-12 schemas as its newest draft, which
        # covers every keyword these schemas use.
        checker = getattr(cls, "FORMAT_CHECKER", None)
        validator = _validators[name] = cls(schema, format_checker=checker)
    return validator


def schema_problems(schema: dict[str, Any], document: Any) -> list[str]:
    """Messages for each way ``document`` breaks a user-given schema (a
    flow's input_schema, a provider's). Its patterns run in linear time
    (patterns.py); the compiled validator is reused."""
    from .patterns import user_schema_validator

    return [e.message for e in user_schema_validator(schema).iter_errors(document)]


def unusable_schema_problems(schema: Any) -> list[str]:
    """Why a user-given schema cannot be used (none: it can), asked once,
    when it is deployed: it holds a pattern RE2 cannot run (named first:
    the more telling reason), or it is no valid JSON Schema of the draft
    it names (jsonschema's ``check_schema``)."""
    import jsonschema

    from .patterns import schema_pattern_problems

    problems = schema_pattern_problems(schema)
    if problems:
        return problems
    with warnings.catch_warnings():  # an unknown $schema: the newest draft
        warnings.simplefilter("ignore", DeprecationWarning)
        cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as err:
        where = "/".join(str(p) for p in err.path) or "(top)"
        return [f"not a valid JSON Schema at {where}: {err.message}"]
    return []


_acceptors: dict[str, Callable[[Any], bool]] = {}


def _acceptor(name: str) -> Callable[[Any], bool]:
    """The quick "valid?" for a schema: compiled where fastschema can,
    jsonschema's own is_valid where it cannot."""
    accepts = _acceptors.get(name)
    if accepts is None:
        validator = schema_validator(name)
        accepts = _acceptors[name] = compile_schema(validator.schema) or validator.is_valid
    return accepts


def validate(
    document: Any,
    schema: str,
    *,
    code: str = "BadRequest",
    status: int = 400,
    error: Callable[[str], ApiError] | None = None,
) -> None:
    """Refuse a document that does not match a schema, naming where it fails,
    with ``status`` and ``code`` (a 400 by default), or as
    ``error(message)`` for a service whose refusal has its own shape.
    Valid documents are waved through by the compiled check; jsonschema
    finds and words what is wrong with the others."""
    if _acceptor(schema)(document):
        return
    errors = sorted(schema_validator(schema).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(body)"
        message = f"invalid request at {where}: {first.message}"
        if error is not None:
            raise error(message)
        if status == 400:
            raise BadRequest(message, code=code)
        raise ApiError(status, code, message)
