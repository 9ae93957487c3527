"""A tiny action provider as a plain WSGI app (no toolkit needed), deployed
the way toolkit providers usually are: under a ``url_prefix`` such as
``/wordcount``. It counts the words of ``{"text": ...}`` at once."""

from __future__ import annotations

import json
import uuid
from typing import Any

from werkzeug.wrappers import Request, Response


def make_app(scope: str, url_prefix: str = "") -> Any:
    actions: dict[str, dict[str, Any]] = {}

    @Request.application  # type: ignore[arg-type]
    def app(request: Request) -> Response:
        path = request.path
        if not path.startswith(url_prefix + "/") and path != url_prefix:
            return _json({"code": "NotFound", "description": path}, 404)
        path = path[len(url_prefix) :] or "/"
        if path == "/" and request.method == "GET":
            return _json({"globus_auth_scope": scope, "title": "Word count", "types": ["Action"]})
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return _json({"code": "UnauthorizedRequest", "description": "no token"}, 401)
        if path == "/run" and request.method == "POST":
            body = request.get_json()["body"]
            action = {
                "action_id": str(uuid.uuid4()),
                "status": "SUCCEEDED",
                "details": {"words": len(str(body.get("text", "")).split())},
            }
            actions[action["action_id"]] = action
            return _json(action, 202)
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[1] == "status" and parts[0] in actions:
            return _json(actions[parts[0]])
        return _json({"code": "ActionNotFound", "description": path}, 404)

    return app


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status, content_type="application/json")


def make_provider(client_id: str, client_secret: str, scope: str) -> Any:
    """The factory ``serve --mount`` and the control plane call."""
    return make_app(scope, url_prefix="/wordcount")
