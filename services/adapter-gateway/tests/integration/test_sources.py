"""Webhook sources (msp-admin): the token shown once and stored as its SHA-256, renames and
disabling under If-Match, token rotation, and the Grafana HMAC secret stored encrypted."""

import hashlib
import uuid

import pytest

from kohub_platform.secrets import DEVELOPMENT_KEY, SecretBox

from .conftest import PROBLEM, auth, create_source, send

SID = str(uuid.uuid4())
BASE = "/api/v1/webhook-sources"
ENDPOINTS = [
    ("GET", BASE, None),
    ("POST", BASE, {"adapterType": "prometheus", "name": "role check"}),
    ("GET", f"{BASE}/{SID}", None),
    ("PATCH", f"{BASE}/{SID}", {"name": "renamed"}),
    ("POST", f"{BASE}/{SID}/rotate-token", None),
    ("GET", "/api/v1/adapter-events", None),
    ("GET", f"/api/v1/adapter-events/{SID}", None),
]
IDS = [f"{m} {p.replace(SID, '{id}')}" for m, p, _ in ENDPOINTS]


@pytest.mark.parametrize("role", ["msp-operator", "customer-admin", "customer", "no-role"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
async def test_only_msp_admin_may_manage_sources(client, oidc, endpoint, role) -> None:
    method, path, body = endpoint
    org = None if role.startswith("msp") else str(uuid.uuid4())
    r = await client.request(method, path, json=body, headers=auth(oidc, role, org))
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
async def test_sources_need_a_token(client, endpoint) -> None:
    method, path, body = endpoint
    r = await client.request(method, path, json=body)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
async def test_msp_admin_passes_the_guard(client, oidc, endpoint) -> None:
    method, path, body = endpoint
    r = await client.request(method, path, json=body, headers=auth(oidc, "msp-admin"))
    assert r.status_code not in (401, 403), r.text


async def test_the_token_is_shown_once_and_stored_as_its_hash(client, oidc, db) -> None:
    admin = auth(oidc, "msp-admin")
    org = str(uuid.uuid4())
    r = await client.post(
        "/api/v1/webhook-sources",
        headers=admin,
        json={
            "adapterType": "uptime-kuma",
            "name": "  Kuma 본사  ",
            "defaultOrganizationId": org,
            "priorityOverrides": {"DOWN": "HIGH"},
        },
    )
    assert r.status_code == 201, r.text
    created = r.json()
    token, source = created["token"], created["source"]
    assert token.startswith("khw_") and len(token) >= 40
    assert source["tokenHint"] == token[:10]
    assert source["name"] == "Kuma 본사"
    assert source["enabled"] is True and source["version"] == 1
    assert source["defaultOrganizationId"] == org
    assert source["priorityOverrides"] == {"down": "HIGH"}
    assert source["webhookPath"] == "/api/v1/webhooks/uptime-kuma"
    assert source["hasHmacSecret"] is False
    assert r.headers["location"] == f"/api/v1/webhook-sources/{source['id']}"
    assert r.headers["etag"] == '"v1"'

    one = await client.get(f"/api/v1/webhook-sources/{source['id']}", headers=admin)
    assert one.status_code == 200
    assert "token" not in one.json()
    assert token not in one.text
    assert one.json()["tokenHint"] == token[:10]
    assert one.headers["etag"] == '"v1"'
    listed = await client.get("/api/v1/webhook-sources", headers=admin)
    assert source["id"] in [s["id"] for s in listed.json()]
    assert token not in listed.text

    row = await db.fetchrow("SELECT * FROM webhook_sources WHERE id = $1", uuid.UUID(source["id"]))
    assert row["token_hash"] != token
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in row.values())

    accepted = await send(client, "uptime-kuma", token)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "PENDING"  # routed to the default organization
    alerts = await client.get(
        "/api/v1/alerts", params={"organizationId": org}, headers=auth(oidc, "msp-operator")
    )
    (alert,) = alerts.json()["items"]
    assert alert["priority"] == "HIGH", "the source's override of a DOWN monitor"
    again = await client.get(f"/api/v1/webhook-sources/{source['id']}", headers=admin)
    assert again.json()["lastReceivedAt"] is not None


async def test_unknown_source_is_404(client, oidc) -> None:
    admin = auth(oidc, "msp-admin")
    r = await client.get(f"/api/v1/webhook-sources/{uuid.uuid4()}", headers=admin)
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
    r = await client.patch(f"/api/v1/webhook-sources/{uuid.uuid4()}", headers=admin, json={})
    assert r.status_code == 404


async def test_rename_and_disable_need_the_current_version(client, oidc) -> None:
    admin = auth(oidc, "msp-admin")
    created = await create_source(client, oidc, "prometheus")
    url = f"/api/v1/webhook-sources/{created['source']['id']}"
    token, v1 = created["token"], created["etag"]

    renamed = await client.patch(url, headers={**admin, "If-Match": v1}, json={"name": " AM "})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "AM" and renamed.json()["version"] == 2
    v2 = renamed.headers["etag"]
    assert v2 == '"v2"'

    stale = await client.patch(url, headers={**admin, "If-Match": v1}, json={"enabled": False})
    assert stale.status_code == 412, stale.text
    assert stale.headers["content-type"].startswith(PROBLEM)
    assert stale.headers["etag"] == v2
    assert (await client.get(url, headers=admin)).json()["enabled"] is True
    assert (await send(client, "prometheus", token)).status_code == 202

    off = await client.patch(url, headers={**admin, "If-Match": v2}, json={"enabled": False})
    assert off.status_code == 200, off.text
    assert off.json()["enabled"] is False
    assert (await send(client, "prometheus", token)).status_code == 401

    on = await client.patch(url, headers=admin, json={"enabled": True})  # no If-Match: allowed
    assert on.status_code == 200 and on.json()["version"] == 4
    assert (await send(client, "prometheus", token)).status_code == 202


async def test_rotating_the_token_retires_the_old_one(client, oidc, db) -> None:
    admin = auth(oidc, "msp-admin")
    created = await create_source(client, oidc, "prometheus")
    source_id, old = created["source"]["id"], created["token"]
    assert (await send(client, "prometheus", old)).status_code == 202
    url = f"/api/v1/webhook-sources/{source_id}/rotate-token"

    stale = await client.post(url, headers={**admin, "If-Match": '"v7"'})
    assert stale.status_code == 412, stale.text

    rotated = await client.post(url, headers={**admin, "If-Match": created["etag"]})
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["token"]
    assert new.startswith("khw_") and new != old
    assert rotated.json()["source"]["tokenHint"] == new[:10]
    assert rotated.json()["source"]["tokenRotatedAt"] is not None
    assert rotated.headers["etag"] == '"v2"'

    assert (await send(client, "prometheus", old)).status_code == 401
    assert (await send(client, "prometheus", new)).status_code == 202
    row = await db.fetchrow(
        "SELECT token_hash FROM webhook_sources WHERE id = $1", uuid.UUID(source_id)
    )
    assert row["token_hash"] == hashlib.sha256(new.encode()).hexdigest()
    shown = await client.get(f"/api/v1/webhook-sources/{source_id}", headers=admin)
    assert new not in shown.text and old not in shown.text


@pytest.mark.parametrize("adapter_type", ["uptime-kuma", "prometheus"])
async def test_an_hmac_secret_is_for_grafana_only(client, oidc, adapter_type) -> None:
    admin = auth(oidc, "msp-admin")
    name = f"hmac-{uuid.uuid4().hex[:6]}"
    r = await client.post(
        "/api/v1/webhook-sources",
        headers=admin,
        json={"adapterType": adapter_type, "name": name, "hmacSecret": "s" * 32},
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    listed = (await client.get("/api/v1/webhook-sources", headers=admin)).json()
    assert name not in [s["name"] for s in listed], "nothing was stored"

    created = await create_source(client, oidc, adapter_type)
    url = f"/api/v1/webhook-sources/{created['source']['id']}"
    patched = await client.patch(url, headers=admin, json={"hmacSecret": "s" * 32})
    assert patched.status_code == 422, patched.text
    assert (await client.get(url, headers=admin)).json()["hasHmacSecret"] is False


async def test_termix_sends_no_webhooks(client, oidc) -> None:
    r = await client.post(
        "/api/v1/webhook-sources",
        headers=auth(oidc, "msp-admin"),
        json={"adapterType": "termix", "name": "terminal"},
    )
    assert r.status_code == 422, r.text


async def test_the_grafana_secret_is_stored_encrypted(client, oidc, db) -> None:
    admin = auth(oidc, "msp-admin")
    secret = f"grafana-contact-point-{uuid.uuid4().hex}"
    created = await create_source(client, oidc, "grafana", hmacSecret=secret)
    source = created["source"]
    assert source["hasHmacSecret"] is True
    shown = await client.get(f"/api/v1/webhook-sources/{source['id']}", headers=admin)
    assert secret not in shown.text

    stored = await db.fetchval(
        "SELECT hmac_secret FROM webhook_sources WHERE id = $1", uuid.UUID(source["id"])
    )
    assert secret.encode() not in stored
    assert SecretBox((DEVELOPMENT_KEY,)).open(bytes(stored)) == secret

    url = f"/api/v1/webhook-sources/{source['id']}"
    cleared = await client.patch(url, headers=admin, json={"hmacSecret": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["hasHmacSecret"] is False
    assert (
        await db.fetchval(
            "SELECT hmac_secret FROM webhook_sources WHERE id = $1", uuid.UUID(source["id"])
        )
        is None
    )
