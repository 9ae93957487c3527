"""The browser login: the authorize page a person (or a headless test)
completes, and Auth's own page showing a native app's code."""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import urlencode

from ...http import Call, Reply
from .errors import (
    InvalidRequest,
    OAuthError,
)
from .models import AuthState
from .service import (
    AuthService,
    routes,
)
from .sessions import SessionDemand

# -- the browser login -------------------------------------------------------------


@routes.route("/v2/oauth2/authorize", "GET", operation="oauth2_authorize")
def authorize_page(svc: AuthService, call: Call) -> Reply:
    """A minimal login-and-consent page, so browser tests can click through."""
    params = call.args.to_dict()
    client = svc.state.clients.get(params.get("client_id", ""))
    if client is None:
        return _html_error("Unknown client", f"No client {params.get('client_id')!r}.")
    try:
        svc.state.check_redirect(
            client, params.get("redirect_uri", ""), auth_code_pages(call.base_url)
        )
    except OAuthError as err:
        return _html_error("Bad redirect", err.message, err.code)
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
    demand = session_demand(params)
    message = f'<p id="session-message">{html.escape(demand.message)}</p>' if demand.message else ""
    checked = " checked" if demand.mfa else ""
    page = f"""<!doctype html><html><head><title>Globus Auth (emulated)</title></head>
<body><h1>Log in to {html.escape(client.name)}</h1>
<form method="post" id="login">{hidden}
<label>Identity <select name="identity_id">{options}</select></label>
{message}<label><input type="checkbox" name="mfa" value="true"{checked}>
Use multi-factor authentication</label>
<p>{html.escape(client.name)} asks for:</p><ul>{scopes}</ul>
<button type="submit" id="allow">Allow</button></form></body></html>"""
    return Reply(page, content_type="text/html; charset=utf-8")


@routes.route("/v2/oauth2/authorize", "POST", operation="oauth2_authorize_submit")
def authorize_submit(svc: AuthService, call: Call) -> Reply:
    params = call.form.to_dict()
    try:
        # the page's checkbox is the person's choice of MFA
        location = complete_authorization(
            svc.state,
            params,
            params.get("identity_id"),
            auth_base=call.base_url,
            mfa=params.get("mfa") == "true",
        )
    except OAuthError as err:
        return _html_error("Login failed", err.message, err.code)
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


def _html_error(title: str, message: str, code: str = "invalid_request") -> Reply:
    """A page for the person at the browser: a bad authorize request is
    never redirected anywhere (RFC 6749 4.1.2.1)."""
    page = (
        f"<!doctype html><html><body><h1>{html.escape(title)}</h1>"
        f'<p id="error" data-error="{html.escape(code)}">'
        f"{html.escape(code)}: {html.escape(message)}</p></body></html>"
    )
    return Reply(page, status=400, content_type="text/html; charset=utf-8")


def auth_code_pages(auth_base: str) -> frozenset[str]:
    """Auth's own page showing a native app's user the code to paste, as
    reached through ``auth_base`` (the Auth root the client addressed,
    ending in "/") and on Auth's public hosts."""
    return frozenset(
        [f"{auth_base}v2/web/auth-code"]
        + [f"https://{host}/v2/web/auth-code" for host in AuthService.hosts]
    )


def auth_base_of(authorize_url: str) -> str:
    """The Auth root an authorize URL was built on (for code pages)."""
    path = authorize_url.split("?", 1)[0]
    return path[: -len("v2/oauth2/authorize")] if path.endswith("/v2/oauth2/authorize") else ""


def session_demand(params: dict[str, str]) -> SessionDemand:
    """The session parameters of an authorize request (comma-separated
    lists, as the SDK joins them)."""
    return SessionDemand(
        identities=_listed(params.get("session_required_identities")),
        domains=_listed(params.get("session_required_single_domain")),
        policies=_listed(params.get("session_required_policies")),
        mfa=params.get("session_required_mfa", "").lower() == "true",
        prompt_login=params.get("prompt") == "login",
        message=params.get("session_message") or None,
    )


def _listed(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def complete_authorization(
    state: AuthState,
    params: dict[str, str],
    identity_id: str | None,
    *,
    auth_base: str,
    present: Iterable[str] | None = None,
    mfa: bool | None = None,
) -> str:
    """Log ``identity_id`` in against an authorize request's parameters.

    The person authenticates with ``present`` (more identities of their
    own set) and with MFA or not; left as None, they do what the URL's
    ``session_required_*`` parameters ask, as far as their identity set
    allows. Returns the redirect URL with ``code`` and ``state``, or
    ``"code:<code>"`` when the redirect is Auth's own code page (the
    native-app case, where a person copies the code by hand).
    """
    if params.get("response_type", "code") != "code":
        raise InvalidRequest("response_type must be 'code'")
    if not identity_id:
        identity_id = state.default_user_id
    if identity_id not in state.identities:
        raise InvalidRequest(f"unknown identity {identity_id}")
    demand = session_demand(params)
    planned, planned_mfa = state.plan_login(identity_id, demand)
    redirect_uri = params.get("redirect_uri", "")
    code_pages = auth_code_pages(auth_base)
    code = state.start_authorization(
        client_id=params.get("client_id", ""),
        identity_id=identity_id,
        redirect_uri=redirect_uri,
        code_pages=code_pages,
        scope_text=params.get("scope", ""),
        code_challenge=params.get("code_challenge"),
        code_challenge_method=params.get("code_challenge_method"),
        refresh=params.get("access_type") == "offline",
        state=params.get("state") or "_default",
        present=planned if present is None else present,
        mfa=planned_mfa if mfa is None else mfa,
        prompt_login=demand.prompt_login,
    )
    if redirect_uri in code_pages:
        return f"code:{code.code}"
    query = {"code": code.code}
    if params.get("state"):
        query["state"] = params["state"]
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{urlencode(query)}"
