"""The console's login: authorization code with PKCE through the provider's login form, the
tokens kohub gets out of it, refresh, userinfo, logout."""

from typing import Any
from urllib.parse import urljoin

import httpx
import jwt
import pytest
from idptools import (
    CONSOLE,
    ORG_IDS,
    REALM_DATA,
    REDIRECT_URI,
    Idp,
    exchange_code,
    follow_to_redirect_uri,
    login,
    pkce_pair,
    query_of,
    user,
)

from kohub_platform.errors import Unauthorized

USERNAMES = [u["username"] for u in REALM_DATA["users"]]


async def _verified_id_token(idp: Idp, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        (key,) = (await client.get(idp.endpoint("certs"))).json()["keys"]
    return jwt.decode(
        token,
        jwt.PyJWK(key, algorithm="RS256").key,
        algorithms=["RS256"],
        audience=CONSOLE["clientId"],
        issuer=idp.issuer,
    )


def _expected_org(username: str) -> str | None:
    org = user(username)["org"]
    return ORG_IDS[org] if org else None


async def test_operator_logs_in_with_pkce_and_kohub_accepts_the_token(
    idp: Idp, browser: httpx.AsyncClient
) -> None:
    tokens = await login(browser, idp, "operator1")
    assert tokens["token_type"] == "Bearer"
    principal = await idp.verifier().verify(tokens["access_token"])
    operator = user("operator1")
    assert principal.subject == operator["sub"]
    assert principal.roles == {"msp-operator"}
    assert principal.is_operator and not principal.is_admin
    assert principal.org_id is None
    assert principal.username == "operator1"
    assert principal.name == operator["name"] == "김운영"
    assert principal.email == operator["email"]
    claims = principal.claims
    assert claims["aud"] == "kohub" and claims["azp"] == "kohub-console"
    assert claims["typ"] == "Bearer"
    assert jwt.get_unverified_header(tokens["access_token"])["alg"] == "RS256"

    # the ID token is for the console, not a key to kohub's APIs
    with pytest.raises(Unauthorized):
        await idp.verifier().verify(tokens["id_token"])


async def test_customer_logs_in_and_the_token_names_the_organization(
    idp: Idp, browser: httpx.AsyncClient
) -> None:
    tokens = await login(browser, idp, "acme-user")
    principal = await idp.verifier().verify(tokens["access_token"])
    customer = user("acme-user")
    assert principal.subject == customer["sub"]
    assert principal.roles == {"customer"}
    assert principal.org_id == ORG_IDS["acme"]
    assert str(principal.org_uuid()) == ORG_IDS["acme"]
    assert principal.username == "acme-user"
    assert principal.name == customer["name"]
    assert principal.claims["groups"] == ["acme"]


@pytest.mark.parametrize("username", USERNAMES)
async def test_every_demo_user_gets_their_roles_and_organization(
    idp: Idp, browser: httpx.AsyncClient, username: str
) -> None:
    tokens = await login(browser, idp, username)
    principal = await idp.verifier().verify(tokens["access_token"])
    expected = user(username)
    assert principal.subject == expected["sub"]
    assert principal.roles == frozenset(expected["roles"])
    assert principal.org_id == _expected_org(username)

    id_token = await _verified_id_token(idp, tokens["id_token"])
    assert id_token["sub"] == expected["sub"]
    assert id_token["nonce"] == tokens["nonce"]
    assert id_token["preferred_username"] == username
    assert id_token["name"] == expected["name"]
    assert id_token["email"] == expected["email"]
    assert id_token["realm_access"] == {"roles": expected["roles"]}
    assert id_token.get("org_id") == _expected_org(username)


async def test_refresh_token_gives_a_new_access_token(idp: Idp, browser: httpx.AsyncClient) -> None:
    tokens = await login(browser, idp, "operator2")
    assert tokens.get("refresh_token")
    response = await browser.post(
        idp.endpoint("token"),
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": CONSOLE["clientId"],
        },
    )
    assert response.status_code == 200, response.text
    refreshed = response.json()
    assert refreshed["access_token"] != tokens["access_token"]
    principal = await idp.verifier().verify(refreshed["access_token"])
    assert principal.subject == user("operator2")["sub"]
    assert principal.roles == {"msp-operator"}


async def test_userinfo_answers_for_an_access_token(idp: Idp, browser: httpx.AsyncClient) -> None:
    tokens = await login(browser, idp, "acme-admin")
    response = await browser.get(
        idp.endpoint("userinfo"), headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 200, response.text
    info = response.json()
    assert info["sub"] == user("acme-admin")["sub"]
    assert info["preferred_username"] == "acme-admin"
    assert info["org_id"] == ORG_IDS["acme"]
    assert info["realm_access"] == {"roles": ["customer-admin"]}

    forged = tokens["access_token"][:-4] + (
        "AAAA" if not tokens["access_token"].endswith("AAAA") else "BBBB"
    )
    for headers in ({}, {"Authorization": f"Bearer {forged}"}, {"Authorization": "Bearer x.y.z"}):
        refused = await browser.get(idp.endpoint("userinfo"), headers=headers)
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_token"
        assert refused.headers["www-authenticate"].startswith("Bearer ")


async def test_single_sign_on_then_logout(idp: Idp, browser: httpx.AsyncClient) -> None:
    tokens = await login(browser, idp, "operator1", scope="openid")

    # a second authorization in the same browser needs no password (SSO session), and the
    # scopes it adds are granted without a consent screen
    verifier, challenge = pkce_pair()
    params = {
        "client_id": CONSOLE["clientId"],
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    again = await browser.get(idp.endpoint("auth"), params=params)
    code = query_of(await follow_to_redirect_uri(browser, again))["code"]
    second = await exchange_code(browser, idp, code, verifier)
    assert second.status_code == 200, second.text
    assert set(second.json()["scope"].split()) == {"openid", "profile", "email"}
    principal = await idp.verifier().verify(second.json()["access_token"])
    assert principal.subject == user("operator1")["sub"]

    # RP-initiated logout with id_token_hint: a page that submits itself (Keycloak asks
    # nothing then), then back to the console's post-logout URI
    post_logout = CONSOLE["postLogoutRedirectUris"][0]
    page = await browser.get(
        idp.endpoint("logout"),
        params={
            "client_id": CONSOLE["clientId"],
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": post_logout,
            "state": "bye",
        },
    )
    assert page.status_code == 200
    assert "form.submit()" in page.text
    action = urljoin(str(page.url), _attribute(page.text, "action"))
    xsrf = _attribute(page.text, "value", after='name="xsrf"')
    done = await browser.post(action, data={"xsrf": xsrf, "logout": "yes"})
    assert done.status_code in (302, 303)
    assert done.headers["location"] == f"{post_logout}?state=bye"

    # the session is gone: the next authorization shows the login form again
    after = await browser.get(idp.endpoint("auth"), params=params)
    assert "/login-actions/" in after.headers["location"]


def _attribute(page: str, name: str, *, after: str = 'id="op.logoutForm"') -> str:
    rest = page[page.index(after) :]
    start = rest.index(f'{name}="') + len(name) + 2
    return rest[start : rest.index('"', start)]
