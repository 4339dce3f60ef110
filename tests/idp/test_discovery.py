"""The provider looks like Keycloak from outside: discovery, keys, health, its log, its key file."""

import stat

import httpx
import jwt
import pytest
from idptools import KUSTHUB, REALM, Idp

from kohub_platform.testing import eventually

KEYCLOAK_PATHS = {
    "authorization_endpoint": "auth",
    "token_endpoint": "token",
    "jwks_uri": "certs",
    "userinfo_endpoint": "userinfo",
    "end_session_endpoint": "logout",
    "revocation_endpoint": "revoke",
}


async def test_discovery_document_has_keycloaks_paths(idp: Idp) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{idp.issuer}/.well-known/openid-configuration")
    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == idp.issuer
    assert idp.issuer.endswith(f"/realms/{REALM}")
    for field, name in KEYCLOAK_PATHS.items():
        assert document[field] == f"{idp.issuer}/protocol/openid-connect/{name}", field
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert {"authorization_code", "refresh_token", "client_credentials"} <= set(
        document["grant_types_supported"]
    )
    assert document["response_types_supported"] == ["code"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"openid", "profile", "email"} <= set(document["scopes_supported"])


async def test_certs_serve_the_public_rs256_key_only(idp: Idp) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(idp.endpoint("certs"))
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys(), "private parts published"
    jwt.PyJWK(key, algorithm="RS256")  # a usable RSA public key


async def test_keycloaks_realm_document(idp: Idp) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(idp.issuer)
    assert response.status_code == 200
    assert response.json()["realm"] == REALM
    assert response.json()["token-service"] == f"{idp.issuer}/protocol/openid-connect"


async def test_health_answers_and_each_request_is_one_log_line(idp: Idp) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{idp.base_url}/health?probe=1")
        missing = await client.get(f"{idp.base_url}/nowhere")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "issuer": idp.issuer}
    assert missing.status_code == 404

    async def logged() -> bool:
        requests = [line for line in idp.log_lines() if line.get("event") == "request"]
        paths = {(line["path"], line["status"]) for line in requests}
        return ("/health", 200) in paths and ("/nowhere", 404) in paths

    await eventually(logged, timeout=5)
    line = next(line for line in idp.log_lines() if line.get("path") == "/health")
    assert {"time", "method", "path", "status", "duration_ms"} <= line.keys()
    assert "probe" not in line["path"], "query strings are not logged"


async def test_signing_key_is_kept_across_restarts(tmp_path, idp: Idp) -> None:
    """A second provider with its own key file: the key is created once (mode 0600), and a
    token issued before a restart still verifies after it."""
    key_file = tmp_path / "keys" / "idp-signing-key.json"
    server = Idp(key_file=key_file, log=tmp_path / "idp.log", env={})
    await server.start()
    try:
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        async with httpx.AsyncClient() as client:
            kid_before = (await client.get(server.endpoint("certs"))).json()["keys"][0]["kid"]
            # no KOHUB_IDP_KUSTHUB_SECRET here: the documented development default applies
            response = await client.post(
                server.endpoint("token"),
                data={"grant_type": "client_credentials"},
                auth=(KUSTHUB["clientId"], KUSTHUB["developmentSecret"]),
            )
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        key_before = key_file.read_text()
    finally:
        server.stop()

    await server.start()  # same port, same key file
    try:
        assert key_file.read_text() == key_before
        async with httpx.AsyncClient() as client:
            kid_after = (await client.get(server.endpoint("certs"))).json()["keys"][0]["kid"]
        assert kid_after == kid_before
        principal = await server.verifier().verify(token)
        assert principal.roles == frozenset({"kohub-integration"})
    finally:
        server.stop()
    assert kid_before != (await _kid(idp)), "each key file has its own key"


async def _kid(idp: Idp) -> str:
    async with httpx.AsyncClient() as client:
        return (await client.get(idp.endpoint("certs"))).json()["keys"][0]["kid"]


@pytest.mark.parametrize("path", ["/realms/other/.well-known/openid-configuration", "/realms"])
async def test_other_realms_are_not_served(idp: Idp, path: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{idp.base_url}{path}")
    assert response.status_code == 404
