"""Token verification against a real JWKS endpoint: every bad token is refused."""

import dataclasses
import time

import httpx
import jwt
import pytest

from kohub_platform.auth import JwksCache, TokenVerifier
from kohub_platform.devtokens import SigningKey
from kohub_platform.errors import Unauthorized
from kohub_platform.testing import eventually


@pytest.fixture
def verifier(oidc) -> TokenVerifier:
    return TokenVerifier(oidc.settings, JwksCache(oidc.jwks_url, min_refresh_interval=0))


async def test_valid_token_gives_roles_and_organization(oidc, verifier) -> None:
    token = oidc.token(
        ["msp-operator"], org_id="3f0e5b1c-8f9a-4a59-9a51-7c0b1f9f3c11", name="김운영"
    )
    principal = await verifier.verify(token)
    assert principal.roles == {"msp-operator"}
    assert principal.org_id == "3f0e5b1c-8f9a-4a59-9a51-7c0b1f9f3c11"
    assert principal.display_name == "김운영"


async def test_azp_stands_for_audience(oidc, verifier) -> None:
    token = oidc.token(["customer"], aud="account", azp="kohub")
    assert (await verifier.verify(token)).roles == {"customer"}


def _bad_tokens(oidc) -> dict[str, str]:
    now = int(time.time())
    other_key = SigningKey.generate(kid=oidc.key.kid)  # same kid, wrong key
    unsigned = jwt.encode(
        {"sub": "x", "iss": oidc.issuer, "aud": "kohub", "exp": now + 60, "iat": now},
        key=None,
        algorithm="none",
    )
    return {
        "expired": oidc.token(["msp-operator"], exp=now - 3600, iat=now - 7200),
        "not yet valid": oidc.token(["msp-operator"], nbf=now + 3600),
        "wrong issuer": oidc.token(["msp-operator"], iss="https://evil.example/realms/kecp-sso"),
        "wrong audience": oidc.token(["msp-operator"], aud="other", azp="other"),
        "meant for another service": oidc.token(["msp-operator"], aud="kusthub", azp="kohub"),
        "id token": oidc.token(["msp-operator"], typ="ID"),
        "alg none": unsigned,
        "hs256 with public key": oidc.hs256_confusion_token(["msp-admin"]),
        "unknown kid": SigningKey.generate().sign({"sub": "x"}),
        "wrong key same kid": oidc.token(["msp-operator"], key=other_key),
        "garbage": "not.a.token",
        "empty": "",
    }


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "not yet valid",
        "wrong issuer",
        "wrong audience",
        "meant for another service",
        "id token",
        "alg none",
        "hs256 with public key",
        "unknown kid",
        "wrong key same kid",
        "garbage",
        "empty",
    ],
)
async def test_bad_tokens_are_refused(oidc, verifier, case: str) -> None:
    with pytest.raises(Unauthorized):
        await verifier.verify(_bad_tokens(oidc)[case])


async def test_unknown_kid_refetches_the_key_set(tmp_path) -> None:
    """Key rotation: a token signed by a key added after the first fetch is accepted."""
    import json

    from kohub_platform.devtokens import jwks_document, realm_claims
    from kohub_platform.settings import OidcSettings

    first, second = SigningKey.generate(), SigningKey.generate()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(jwks_document(first)))
    settings = OidcSettings(
        issuer="http://idp/realms/kecp-sso", audience="kohub", jwks_url=f"file://{jwks}"
    )
    verifier = TokenVerifier(settings, JwksCache(settings.jwks_url, min_refresh_interval=0))
    claims = realm_claims(issuer=settings.issuer, audience="kohub", roles=["customer"])
    await verifier.verify(first.sign(claims))
    jwks.write_text(json.dumps(jwks_document(first, second)))
    assert (await verifier.verify(second.sign(claims))).roles == {"customer"}


async def test_a_remembered_token_still_expires(oidc) -> None:
    settings = dataclasses.replace(oidc.settings, leeway_seconds=0)
    verifier = TokenVerifier(settings)
    token = oidc.token(["msp-operator"], exp=int(time.time()) + 3)
    assert (await verifier.verify(token)).roles == {"msp-operator"}
    assert (await verifier.verify(token)).roles == {"msp-operator"}  # from the cache

    async def refused() -> bool:
        try:
            await verifier.verify(token)
        except Unauthorized:
            return True
        return False

    assert await eventually(refused, timeout=10, interval=0.2)


async def test_an_unreachable_key_set_is_not_asked_again_and_again() -> None:
    """With the identity provider away, unknown-kid tokens are refused at once rather than
    each waiting for a fetch."""
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    cache = JwksCache("http://idp/certs", min_refresh_interval=60, client=client)
    for _ in range(20):
        with pytest.raises(Unauthorized):
            await cache.key_for("some-kid")
    assert calls == 1
    await client.aclose()
