"""The login refuses what it must: no PKCE, plain PKCE, a wrong code verifier, a wrong or
unknown login (the form again, with an error), cancel, an unregistered redirect URI."""

import re

import httpx
import pytest
from idptools import (
    CONSOLE,
    REDIRECT_URI,
    Idp,
    follow_to_redirect_uri,
    form_action,
    pkce_pair,
    query_of,
    start_authorization,
    submit_login,
    user,
)

ERROR_TEXT = "Invalid username or password."


async def test_without_pkce_the_console_is_refused(idp: Idp, browser: httpx.AsyncClient) -> None:
    response = await browser.get(
        idp.endpoint("auth"),
        params={
            "client_id": CONSOLE["clientId"],
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "state": "s1",
        },
    )
    assert response.status_code in (302, 303)
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI), "refused back to the client, no login page"
    callback = query_of(location)
    assert callback["error"] == "invalid_request"
    assert "PKCE" in callback["error_description"]
    assert callback["state"] == "s1"
    assert "code" not in callback


async def test_plain_pkce_is_refused(idp: Idp, browser: httpx.AsyncClient) -> None:
    verifier, _ = pkce_pair()
    response = await browser.get(
        idp.endpoint("auth"),
        params={
            "client_id": CONSOLE["clientId"],
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "code_challenge": verifier,
            "code_challenge_method": "plain",
        },
    )
    assert response.status_code in (302, 303)
    assert query_of(response.headers["location"])["error"] == "invalid_request"


async def test_a_wrong_code_verifier_gets_no_tokens(idp: Idp, browser: httpx.AsyncClient) -> None:
    auth = await start_authorization(browser, idp)
    response = await submit_login(
        browser, idp, auth.login_page, "operator1", user("operator1")["password"]
    )
    callback = query_of(await follow_to_redirect_uri(browser, response))
    other_verifier, _ = pkce_pair()
    tokens = await browser.post(
        idp.endpoint("token"),
        data={
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": REDIRECT_URI,
            "client_id": CONSOLE["clientId"],
            "code_verifier": other_verifier,
        },
    )
    assert tokens.status_code == 400
    assert tokens.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("username", "password"),
    [("operator1", "not-the-password"), ("nobody", "operator1-demo"), ("operator1", "")],
    ids=["wrong-password", "unknown-user", "empty-password"],
)
async def test_a_failed_login_shows_the_form_again_with_an_error(
    idp: Idp, browser: httpx.AsyncClient, username: str, password: str
) -> None:
    auth = await start_authorization(browser, idp)
    page = auth.login_page
    assert 'lang="ko"' in page.text and "비밀번호" in page.text and "Password" in page.text
    assert ERROR_TEXT not in page.text

    failed = await submit_login(browser, idp, page, username, password)
    assert failed.status_code == 200
    assert "location" not in failed.headers
    assert ERROR_TEXT in failed.text and "올바르지 않습니다" in failed.text
    assert 'id="input-error"' in failed.text
    assert f'value="{username}"' in failed.text, "the username is kept"
    assert not re.search(r'(src|href)="https?:|@import|url\(', failed.text), "no CDN"

    # the same form, now with the right password, completes the login
    ok = await submit_login(browser, idp, failed, "operator1", user("operator1")["password"])
    callback = query_of(await follow_to_redirect_uri(browser, ok))
    assert callback["state"] == auth.state and callback["code"]


async def test_email_works_as_the_username(idp: Idp, browser: httpx.AsyncClient) -> None:
    auth = await start_authorization(browser, idp)
    globex = user("globex-user")
    response = await submit_login(
        browser, idp, auth.login_page, globex["email"], globex["password"]
    )
    assert "code" in query_of(await follow_to_redirect_uri(browser, response))


async def test_cancel_returns_access_denied_to_the_console(
    idp: Idp, browser: httpx.AsyncClient
) -> None:
    auth = await start_authorization(browser, idp)
    response = await browser.post(
        form_action(auth.login_page.text, str(auth.login_page.url)), data={"action": "cancel"}
    )
    callback = query_of(await follow_to_redirect_uri(browser, response))
    assert callback["error"] == "access_denied"
    assert callback["state"] == auth.state


async def test_an_unregistered_redirect_uri_gets_an_error_page(
    idp: Idp, browser: httpx.AsyncClient
) -> None:
    _, challenge = pkce_pair()
    response = await browser.get(
        idp.endpoint("auth"),
        params={
            "client_id": CONSOLE["clientId"],
            "response_type": "code",
            "redirect_uri": "http://evil.example/callback",
            "scope": "openid",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "redirect_uri" in response.text
