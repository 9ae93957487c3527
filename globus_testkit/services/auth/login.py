"""The browser login: the authorize page a person (or a headless test)
completes, and Auth's own page showing a native app's code."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from ...http import Call, Reply
from .errors import (
    InvalidRequest,
    OAuthError,
)
from .models import (
    NATIVE_DEFAULT_REDIRECT_SUFFIX,
    AuthState,
)
from .service import (
    AuthService,
    routes,
)

# -- the browser login -------------------------------------------------------------


@routes.route("/v2/oauth2/authorize", "GET", operation="oauth2_authorize")
def authorize_page(svc: AuthService, call: Call) -> Reply:
    """A minimal login-and-consent page, so browser tests can click through."""
    params = call.args.to_dict()
    client = svc.state.clients.get(params.get("client_id", ""))
    if client is None:
        return _html_error("Unknown client", f"No client {params.get('client_id')!r}.")
    if not svc.state.redirect_allowed(client, params.get("redirect_uri", "")):
        return _html_error("Bad redirect", "The redirect_uri is not registered for this app.")
    users = [i for i in svc.state.identities.values() if i.identity_type == "login"]
    users.sort(key=lambda u: u.id != svc.state.default_user_id)  # the default user first
    options = "".join(
        f'<option value="{html.escape(u.id)}">{html.escape(u.username)}</option>' for u in users
    )
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
    )
    scopes = "".join(
        f"<li>{html.escape(s)}</li>" for s in params.get("scope", "openid profile email").split()
    )
    page = f"""<!doctype html><html><head><title>Globus Auth (emulated)</title></head>
<body><h1>Log in to {html.escape(client.name)}</h1>
<form method="post" id="login">{hidden}
<label>Identity <select name="identity_id">{options}</select></label>
<p>{html.escape(client.name)} asks for:</p><ul>{scopes}</ul>
<button type="submit" id="allow">Allow</button></form></body></html>"""
    return Reply(page, content_type="text/html; charset=utf-8")


@routes.route("/v2/oauth2/authorize", "POST", operation="oauth2_authorize_submit")
def authorize_submit(svc: AuthService, call: Call) -> Reply:
    params = call.form.to_dict()
    try:
        location = complete_authorization(svc.state, params, params.get("identity_id"))
    except OAuthError as err:
        return _html_error("Login failed", err.message)
    if location.startswith("code:"):
        query = urlencode({"code": location[5:]})
        location = f"{call.base_url}v2/web/auth-code?{query}"
    return Reply("", status=302, headers={"Location": location}, content_type="text/html")


@routes.route("/v2/web/auth-code", "GET", operation="web_auth_code")
def auth_code_page(svc: AuthService, call: Call) -> Reply:
    code = html.escape(call.args.get("code", ""))
    page = f"""<!doctype html><html><head><title>Native App Authorization Code</title></head>
<body><p>Copy this code back to your application:</p>
<pre id="code">{code}</pre></body></html>"""
    return Reply(page, content_type="text/html; charset=utf-8")


def _html_error(title: str, message: str) -> Reply:
    page = (
        f"<!doctype html><html><body><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(message)}</p></body></html>"
    )
    return Reply(page, status=400, content_type="text/html; charset=utf-8")


def complete_authorization(
    state: AuthState, params: dict[str, str], identity_id: str | None
) -> str:
    """Log ``identity_id`` in against an authorize request's parameters.

    Returns the redirect URL with ``code`` and ``state``, or ``"code:<code>"``
    when the redirect is Auth's own code page (the native-app case, where a
    person copies the code by hand).
    """
    if params.get("response_type", "code") != "code":
        raise InvalidRequest("response_type must be 'code'")
    if not identity_id:
        identity_id = state.default_user_id
    redirect_uri = params.get("redirect_uri", "")
    code = state.start_authorization(
        client_id=params.get("client_id", ""),
        identity_id=identity_id,
        redirect_uri=redirect_uri,
        scope_text=params.get("scope", ""),
        code_challenge=params.get("code_challenge"),
        code_challenge_method=params.get("code_challenge_method"),
        refresh=params.get("access_type") == "offline",
        state=params.get("state") or "_default",
    )
    if redirect_uri.endswith(NATIVE_DEFAULT_REDIRECT_SUFFIX):
        return f"code:{code.code}"
    query = {"code": code.code}
    if params.get("state"):
        query["state"] = params["state"]
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{urlencode(query)}"
