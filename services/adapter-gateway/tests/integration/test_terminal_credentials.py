"""`/api/v1/me/terminal-credentials`: each operator's own Termix API key, stored encrypted
and never shown again."""

import uuid

import pytest

from kohub_platform.secrets import DEVELOPMENT_KEY, SecretBox

from .conftest import PROBLEM, auth, operator

PATH = "/api/v1/me/terminal-credentials"
NONE = {"configured": False, "keyHint": None, "updatedAt": None}


def new_key() -> str:
    return "tmx_" + uuid.uuid4().hex + uuid.uuid4().hex


async def test_a_key_is_stored_encrypted_and_never_shown(client, oidc, db) -> None:
    me, key = f"op-{uuid.uuid4()}", new_key()
    put = await client.put(PATH, json={"apiKey": key}, headers=operator(oidc, me))
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["configured"] is True
    assert body["keyHint"] == f"tmx_…{key[-4:]}"
    assert body["updatedAt"]
    got = await client.get(PATH, headers=operator(oidc, me))
    assert got.status_code == 200 and got.json() == body
    assert key not in put.text and key not in got.text

    row = await db.fetchrow("SELECT * FROM terminal_credentials WHERE user_id = $1", me)
    assert row["key_hint"] == body["keyHint"]
    sealed = bytes(row["ciphertext"])
    assert key.encode() not in sealed and key[4:].encode() not in sealed
    # encrypted, not hashed: the gateway can read it back to send it to Termix
    assert SecretBox((DEVELOPMENT_KEY,)).open(sealed) == key


async def test_a_new_key_replaces_the_old_and_delete_forgets_it(client, oidc, db) -> None:
    me = f"op-{uuid.uuid4()}"
    first = (await client.put(PATH, json={"apiKey": new_key()}, headers=operator(oidc, me))).json()
    second_key = new_key()
    second = await client.put(PATH, json={"apiKey": second_key}, headers=operator(oidc, me))
    assert second.status_code == 200
    assert second.json()["keyHint"] == f"tmx_…{second_key[-4:]}"
    assert second.json()["updatedAt"] >= first["updatedAt"]
    count = await db.fetchval("SELECT count(*) FROM terminal_credentials WHERE user_id = $1", me)
    assert count == 1

    deleted = await client.delete(PATH, headers=operator(oidc, me))
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.get(PATH, headers=operator(oidc, me))).json() == NONE
    # deleting again is no error
    assert (await client.delete(PATH, headers=operator(oidc, me))).status_code == 204


async def test_each_operator_sees_only_their_own_key(client, oidc) -> None:
    alice, bob = f"op-{uuid.uuid4()}", f"op-{uuid.uuid4()}"
    await client.put(PATH, json={"apiKey": new_key()}, headers=operator(oidc, alice))
    assert (await client.get(PATH, headers=operator(oidc, bob))).json() == NONE
    await client.delete(PATH, headers=operator(oidc, bob))
    assert (await client.get(PATH, headers=operator(oidc, alice))).json()["configured"] is True


async def test_an_admin_keeps_a_key_too(client, oidc) -> None:
    admin = operator(oidc, f"admin-{uuid.uuid4()}", "msp-admin")
    assert (await client.put(PATH, json={"apiKey": new_key()}, headers=admin)).status_code == 200
    assert (await client.get(PATH, headers=admin)).json()["configured"] is True


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"apiKey": "eyJhbGciOiJIUzI1NiJ9.login-token"}, 422),  # a Termix login JWT expires
        ({"apiKey": "tmx_ with spaces"}, 400),
        ({"apiKey": "tmx_"}, 400),
        ({"apiKey": new_key(), "other": 1}, 400),
        ({}, 400),
    ],
)
async def test_what_is_not_an_api_key_is_refused_without_echo(client, oidc, body, status) -> None:
    me = f"op-{uuid.uuid4()}"
    r = await client.put(PATH, json=body, headers=operator(oidc, me))
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    if body.get("apiKey"):
        assert body["apiKey"] not in r.text
    assert (await client.get(PATH, headers=operator(oidc, me))).json() == NONE


@pytest.mark.parametrize("role", ["customer", "customer-admin", "no-role"])
async def test_the_key_is_for_operators(client, oidc, role) -> None:
    headers = auth(oidc, role, str(uuid.uuid4()))
    assert (await client.put(PATH, json={"apiKey": new_key()}, headers=headers)).status_code == 403
    assert (await client.get(PATH, headers=headers)).status_code == 403
    assert (await client.delete(PATH, headers=headers)).status_code == 403
    assert (await client.get(PATH)).status_code == 401
