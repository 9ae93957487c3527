"""Record real traffic as fixtures, scrubbed; replay recordings, marked.

``globus-testkit record --upstream URL`` is a loopback proxy: point a
client's ``GLOBUS_SDK_SERVICE_URL_*`` at it and every exchange is written
to ``<out>/<service>.json``. Tokens, secrets and authorization headers
never reach the files; ids, client ids, usernames and emails are replaced
by stand-ins, the same stand-in for the same value everywhere, so a
recording stays coherent.

``Emulator(replay=DIR)`` answers from recordings the routes the stateful
emulator does not emulate (or, with ``replay_mode="all"``, every route it
has a recording for), and each such answer is marked in the journal.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .normalize import UUID

SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "secret",
        "token",
        "code",
        "code_verifier",
        "password",
    }
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
DROPPED_HEADERS = frozenset({"authorization", "cookie", "set-cookie"})


class Scrubber:
    """Replaces identifying values with consistent stand-ins."""

    def __init__(self) -> None:
        self.uuids: dict[str, str] = {}
        self.emails: dict[str, str] = {}

    def value(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, key) for v in value]
        if not isinstance(value, str):
            return value
        if key in SECRET_KEYS:
            return "<scrubbed>"
        return self.text(value)

    def text(self, text: str) -> str:
        text = UUID.sub(lambda m: self._uuid(m.group(0).lower()), text)
        return EMAIL.sub(lambda m: self._email(m.group(0).lower()), text)

    def _uuid(self, original: str) -> str:
        if original not in self.uuids:
            self.uuids[original] = f"00000000-0000-4000-8000-{len(self.uuids) + 1:012d}"
        return self.uuids[original]

    def _email(self, original: str) -> str:
        if original not in self.emails:
            self.emails[original] = f"user{len(self.emails) + 1}@example.org"
        return self.emails[original]

    def query(self, query: str) -> str:
        pairs = [
            (k, "<scrubbed>" if k in SECRET_KEYS else self.text(v))
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        return urlencode(pairs)

    def form(self, body: bytes) -> Any:
        try:
            return self.value(json.loads(body)) if body.strip() else None
        except ValueError:
            text = body.decode("utf-8", "replace")
            return {"form": self.value(dict(parse_qsl(text, keep_blank_values=True)))}


@dataclass
class Recording:
    service: str
    method: str
    path: str
    query: str
    request: Any
    status: int
    response: Any

    @property
    def template(self) -> str:
        return UUID.sub("{id}", self.path)


class Recorder:
    """Writes scrubbed exchanges, one JSON list per service."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.scrubber = Scrubber()
        self.lock = threading.Lock()

    def record(
        self,
        service: str,
        method: str,
        path: str,
        query: str,
        body: bytes,
        status: int,
        answer: bytes,
    ) -> None:
        with self.lock:
            scrub = self.scrubber
            entry = {
                "service": service,
                "method": method,
                "path": scrub.text(path),
                "query": scrub.query(query),
                "request": scrub.form(body),
                "status": status,
                "response": scrub.form(answer),
            }
            target = self.out / f"{service}.json"
            self.out.mkdir(parents=True, exist_ok=True)
            existing = json.loads(target.read_text()) if target.exists() else []
            existing.append(entry)
            target.write_text(json.dumps(existing, indent=1) + "\n")


def proxy_app(upstream: str, recorder: Recorder) -> Any:
    """A WSGI app forwarding ``/<service>/<path>`` to the upstream and
    recording each exchange. ``upstream`` is a base URL laid out like the
    emulator's server, or ``globus`` for the real services' hosts."""
    import requests

    session = requests.Session()

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        service, _, rest = path.lstrip("/").partition("/")
        query = environ.get("QUERY_STRING", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and key not in ("HTTP_HOST", "HTTP_CONTENT_LENGTH")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        url = _upstream_url(upstream, service, "/" + rest)
        answer = session.request(
            environ["REQUEST_METHOD"],
            url + (f"?{query}" if query else ""),
            data=body,
            headers=headers,
            timeout=60,
            allow_redirects=False,
        )
        recorder.record(
            service,
            environ["REQUEST_METHOD"],
            "/" + rest,
            query,
            body,
            answer.status_code,
            answer.content,
        )
        passed = [
            (k, v)
            for k, v in answer.headers.items()
            if k.lower()
            not in ("content-length", "transfer-encoding", "connection", "content-encoding")
        ]
        start_response(f"{answer.status_code} {answer.reason}", passed)
        return [answer.content]

    return app


def _upstream_url(upstream: str, service: str, path: str) -> str:
    if upstream == "globus":
        from globus_sdk.config import get_service_url

        return get_service_url(service, environment="production").rstrip("/") + path
    return f"{upstream.rstrip('/')}/{service}{path}"


@dataclass
class Replay:
    """Recorded answers, found by service, method and path template."""

    recordings: list[Recording] = field(default_factory=list)
    mode: str = "missing"  # "missing": only un-emulated routes; "all": any recorded one

    @classmethod
    def load(cls, folder: str | Path, mode: str = "missing") -> Replay:
        if mode not in ("missing", "all"):
            raise ValueError("replay mode must be 'missing' or 'all'")
        found = []
        for path in sorted(Path(folder).glob("*.json")):
            for item in json.loads(path.read_text()):
                found.append(
                    Recording(
                        item["service"],
                        item["method"],
                        item["path"],
                        item.get("query", ""),
                        item.get("request"),
                        item["status"],
                        item.get("response"),
                    )
                )
        return cls(found, mode)

    def find(self, service: str, method: str, path: str) -> Recording | None:
        template = UUID.sub("{id}", path)
        matches = [
            r
            for r in self.recordings
            if r.service == service and r.method == method and r.template == template
        ]
        return matches[-1] if matches else None
