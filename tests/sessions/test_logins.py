"""Logins and the sessions they record: prompt=login, the browser page's
session message and MFA choice."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import globus_sdk
import pytest
import requests


def native_login(emulator, **url_params):
    native = globus_sdk.NativeAppAuthClient(emulator.native_client_id)
    native.oauth2_start_flow(requested_scopes="openid")
    url = native.oauth2_get_authorize_url(**url_params)
    code = emulator.auth.authorize(url)
    token = native.oauth2_exchange_code_for_tokens(code)["access_token"]
    return emulator.auth.session_of(token)


def test_a_second_login_reuses_the_browser_login_unless_prompt_login(globus_emulator):
    user = globus_emulator.user
    first = native_login(globus_emulator)
    started = first.authentications[user.id].auth_time
    globus_emulator.clock.advance(100)
    reused = native_login(globus_emulator)
    assert reused.authentications[user.id].auth_time == started
    forced = native_login(globus_emulator, prompt="login")
    assert forced.authentications[user.id].auth_time == started + 100


def test_a_later_login_keeps_the_identities_authenticated_before(globus_emulator):
    campus = globus_emulator.auth.add_identity("jdoe@uchicago.edu")
    globus_emulator.auth.link_identities(globus_emulator.user, campus)
    native_login(globus_emulator, session_required_single_domain="uchicago.edu")
    later = native_login(globus_emulator)
    assert set(later.authentications) == {globus_emulator.user.id, campus.id}


def test_the_browser_page_shows_the_session_message_and_honours_the_mfa_box(
    globus_emulator, globus_server
):
    native = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    native.oauth2_start_flow(requested_scopes="openid")
    url = native.oauth2_get_authorize_url(
        session_required_mfa=True, session_message="Use your security key"
    )
    # a browser on the live server
    page_url = globus_server.env["GLOBUS_SDK_SERVICE_URL_AUTH"] + "v2/oauth2/authorize"
    params = dict(parse_qsl(urlsplit(url).query))
    page = requests.get(page_url, params=params, timeout=10).text
    assert "Use your security key" in page
    assert 'name="mfa" value="true" checked' in page
    form = {**params, "identity_id": globus_emulator.user.id}  # the MFA box left unticked
    answer = requests.post(page_url, data=form, allow_redirects=False, timeout=10)
    code = dict(parse_qsl(urlsplit(answer.headers["Location"]).query))["code"]
    token = native.oauth2_exchange_code_for_tokens(code)["access_token"]
    session = globus_emulator.auth.session_of(token)
    assert session.authentications[globus_emulator.user.id].mfa is False


def test_presenting_someone_elses_identity_is_refused_and_changes_nothing(globus_emulator):
    stranger = globus_emulator.auth.add_identity("someone@uchicago.edu")
    native = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    native.oauth2_start_flow(requested_scopes="openid")
    url = native.oauth2_get_authorize_url()
    auth = globus_emulator.world.auth
    before = (len(auth.sessions), len(auth.consents), len(auth.codes))
    with pytest.raises(Exception, match="not linked"):
        globus_emulator.auth.authorize(url, present=[stranger])
    assert (len(auth.sessions), len(auth.consents), len(auth.codes)) == before


def test_tokens_minted_for_a_flow_run_leave_the_persons_session_alone(globus_emulator):
    first = native_login(globus_emulator, session_required_mfa=True)
    assert first.authentications[globus_emulator.user.id].mfa is True
    globus_emulator.auth.issue_token(globus_emulator.user, "openid")  # as a run's action would
    later = native_login(globus_emulator)
    assert later.authentications[globus_emulator.user.id].mfa is True
