"""KustHub's service account: client credentials give an access token kohub accepts."""

import httpx
import jwt
import pytest
from conftest import KUSTHUB_TEST_SECRET
from idptools import CONSOLE, KUSTHUB, Idp

from kohub_platform.auth import TokenVerifier
from kohub_platform.errors import Unauthorized
from kohub_platform.settings import OidcSettings

SERVICE_ACCOUNT = KUSTHUB["serviceAccount"]


async def _client_credentials(idp: Idp, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(idp.endpoint("token"), **kwargs)


async def test_kusthub_token_passes_kohubs_verifier(idp: Idp) -> None:
    response = await _client_credentials(
        idp,
        data={"grant_type": "client_credentials"},
        auth=(KUSTHUB["clientId"], KUSTHUB_TEST_SECRET),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 3600
    token = body["access_token"]

    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"]
    principal = await idp.verifier().verify(token)
    assert principal.roles == frozenset(SERVICE_ACCOUNT["roles"]) == {"kohub-integration"}
    assert principal.subject == SERVICE_ACCOUNT["sub"]
    assert principal.username == "service-account-kusthub"
    assert principal.org_id is None
    claims = principal.claims
    assert claims["aud"] == "kohub"
    assert claims["azp"] == "kusthub"
    assert claims["typ"] == "Bearer"
    assert claims["iss"] == idp.issuer
    assert claims["exp"] > claims["iat"]


async def test_client_secret_in_the_body_works_too(idp: Idp) -> None:
    response = await _client_credentials(
        idp,
        data={
            "grant_type": "client_credentials",
            "client_id": KUSTHUB["clientId"],
            "client_secret": KUSTHUB_TEST_SECRET,
        },
    )
    assert response.status_code == 200, response.text
    principal = await idp.verifier().verify(response.json()["access_token"])
    assert principal.roles == {"kohub-integration"}


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [
        (KUSTHUB["clientId"], "wrong-secret"),
        # the environment's secret replaces the development default
        (KUSTHUB["clientId"], KUSTHUB["developmentSecret"]),
        ("nobody", "whatever"),
    ],
    ids=["wrong-secret", "development-default-overridden", "unknown-client"],
)
async def test_bad_client_credentials_are_refused(idp: Idp, client_id: str, secret: str) -> None:
    response = await _client_credentials(
        idp, data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "access_token" not in response.json()


async def test_the_console_cannot_use_client_credentials(idp: Idp) -> None:
    response = await _client_credentials(
        idp, data={"grant_type": "client_credentials", "client_id": CONSOLE["clientId"]}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "grant type is not allowed" in response.json()["error_description"]


@pytest.mark.parametrize(
    ("issuer", "audience"),
    [("http://127.0.0.1:8080/realms/other", "kohub"), (None, "another-api")],
    ids=["other-issuer", "other-audience"],
)
async def test_the_verifier_really_checks(idp: Idp, issuer: str | None, audience: str) -> None:
    """The same provider's token, but the verifier expects another issuer or audience."""
    response = await _client_credentials(
        idp,
        data={"grant_type": "client_credentials"},
        auth=(KUSTHUB["clientId"], KUSTHUB_TEST_SECRET),
    )
    token = response.json()["access_token"]
    settings = OidcSettings(
        issuer=issuer or idp.issuer, audience=audience, jwks_url=idp.endpoint("certs")
    )
    with pytest.raises(Unauthorized):
        await TokenVerifier(settings).verify(token)
