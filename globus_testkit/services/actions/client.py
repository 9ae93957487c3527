"""A small client for the Action Provider Interface, for tests.

It speaks the interface as a flow (or globus-automate-client) would:
introspect, run, status, cancel, release, log, resume, with a bearer token.
It returns ``requests`` responses unchanged so tests can assert on
statuses and bodies, good or bad.
"""

from __future__ import annotations

import uuid
from typing import Any

import requests


class ProviderClient:
    def __init__(self, url: str, token: str | None = None, *, timeout: float = 30) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()

    def with_token(self, token: str | None) -> ProviderClient:
        return ProviderClient(self.url, token, timeout=self.timeout)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.session.request(
            method,
            f"{self.url}{path}",
            json=body,
            headers=self._headers(),
            timeout=self.timeout,
        )

    def introspect(self) -> requests.Response:
        return self._call("GET", "/")

    def run(self, body: Any, *, request_id: str | None = None, **fields: Any) -> requests.Response:
        request = {"request_id": request_id or str(uuid.uuid4()), "body": body, **fields}
        return self._call("POST", "/run", request)

    def status(self, action_id: str) -> requests.Response:
        return self._call("GET", f"/{action_id}/status")

    def cancel(self, action_id: str) -> requests.Response:
        return self._call("POST", f"/{action_id}/cancel")

    def release(self, action_id: str) -> requests.Response:
        return self._call("POST", f"/{action_id}/release")

    def log(self, action_id: str) -> requests.Response:
        return self._call("GET", f"/{action_id}/log")

    def resume(self, action_id: str) -> requests.Response:
        return self._call("POST", f"/{action_id}/resume")
