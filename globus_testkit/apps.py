"""globus-sdk apps wired to an emulator: what the fixtures hand out.

``HeadlessLogin`` is a globus-sdk login flow manager that does what a person
would do in a browser (log in, consent, copy the code) by asking the
emulator directly, so a ``UserApp`` logs in without a prompt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import globus_sdk
from globus_sdk.login_flows import LoginFlowManager

if TYPE_CHECKING:
    from .emulator import Emulator
    from .services.auth.models import Identity


class HeadlessLogin(LoginFlowManager):
    """Logs ``identity`` (default: the world's user) in without a browser."""

    def __init__(
        self,
        login_client: globus_sdk.AuthLoginClient,
        emulator: Emulator,
        identity: Identity | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(login_client, **kwargs)
        self.emulator = emulator
        self.identity = identity

    def run_login_flow(self, auth_parameters: Any) -> globus_sdk.OAuthTokenResponse:
        redirect_uri = self.login_client.base_url + "v2/web/auth-code"
        url = self._get_authorize_url(auth_parameters, redirect_uri)
        answer = self.emulator.auth.authorize(url, self.identity)
        return self.login_client.oauth2_exchange_code_for_tokens(answer)


class HeadlessLoginProvider:
    """What ``GlobusAppConfig(login_flow_manager=...)`` accepts: builds a
    :class:`HeadlessLogin` for the app's own login client."""

    def __init__(self, emulator: Emulator, identity: Identity | str | None = None) -> None:
        self.emulator = emulator
        self.identity = identity

    def for_globus_app(
        self, *, app_name: str, config: Any, login_client: globus_sdk.AuthLoginClient
    ) -> HeadlessLogin:
        return HeadlessLogin(
            login_client,
            self.emulator,
            self.identity,
            request_refresh_tokens=config.request_refresh_tokens,
        )


def client_app(
    emulator: Emulator,
    name: str = "globus-testkit-client-app",
    *,
    auto_redrive_gares: bool = False,
) -> globus_sdk.ClientApp:
    """A ClientApp for the world's service account, keeping tokens in memory.
    ``auto_redrive_gares``: see :func:`user_app`."""
    account = emulator.service_account
    return globus_sdk.ClientApp(
        name,
        client_id=account.client_id,
        client_secret=account.client_secret,
        config=globus_sdk.GlobusAppConfig(
            token_storage="memory", **_redrive_option(auto_redrive_gares)
        ),
    )


def _redrive_option(auto_redrive_gares: bool) -> dict[str, Any]:
    # only globus-sdk 4 knows the option; asking for it on 3.x fails loudly
    return {"auto_redrive_gares": True} if auto_redrive_gares else {}


def user_app(
    emulator: Emulator,
    name: str = "globus-testkit-user-app",
    *,
    identity: Identity | str | None = None,
    request_refresh_tokens: bool = False,
    login: bool = True,
    auto_redrive_gares: bool = False,
) -> globus_sdk.UserApp:
    """A UserApp for the world's native app, logged in as ``identity``
    (default: the world's user) with no browser, tokens in memory.
    ``auto_redrive_gares``: a 403 authorization-requirements error makes
    the app log in again with its parameters and retry (SDK 4)."""
    app = globus_sdk.UserApp(
        name,
        client_id=emulator.native_client_id,
        config=globus_sdk.GlobusAppConfig(
            token_storage="memory",
            # an instance provider: the SDK checks for the method, not its kind
            login_flow_manager=cast(Any, HeadlessLoginProvider(emulator, identity)),
            request_refresh_tokens=request_refresh_tokens,
            **_redrive_option(auto_redrive_gares),
        ),
    )
    if login:
        app.login()
    return app
