"""The adapter registry (operators), and what every service answers: /health, /ready,
/metrics, the OpenAPI and AsyncAPI documents."""

import uuid

import pytest

from .conftest import auth


async def test_the_registry_lists_the_adapters(client, oidc) -> None:
    r = await client.get("/api/v1/adapters", headers=auth(oidc, "msp-operator"))
    assert r.status_code == 200, r.text
    adapters = {a["adapterType"]: a for a in r.json()}
    assert set(adapters) == {"uptime-kuma", "prometheus", "grafana", "termix"}
    assert adapters["prometheus"]["capabilities"] == ["STATUS_QUERY", "WEBHOOK_RECEIVE"]
    assert adapters["uptime-kuma"]["capabilities"] == ["WEBHOOK_RECEIVE"]
    assert adapters["grafana"]["capabilities"] == ["WEBHOOK_RECEIVE"]
    assert adapters["termix"]["capabilities"] == ["LOG_COLLECT"]
    for adapter in adapters.values():
        expected = "TERMINAL" if adapter["adapterType"] == "termix" else "MONITORING"
        assert adapter["kind"] == expected
        assert adapter["healthy"] is True
        assert adapter["name"] and adapter["detail"] and adapter["checkedAt"]


@pytest.mark.parametrize("role", ["customer", "customer-admin", "no-role"])
async def test_the_registry_is_for_operators(client, oidc, role) -> None:
    r = await client.get("/api/v1/adapters", headers=auth(oidc, role, str(uuid.uuid4())))
    assert r.status_code == 403
    assert (await client.get("/api/v1/adapters")).status_code == 401


async def test_health_and_readiness(client) -> None:
    health = await client.get("/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}


async def test_metrics(client) -> None:
    await client.get("/health")
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert "# TYPE kohub_adapter_ingest_batch_size histogram" in r.text
    assert "kohub_outbox_published_total" in r.text


async def test_the_openapi_document(client) -> None:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200, r.text
    document = r.json()
    paths = set(document["paths"])
    assert {
        "/api/v1/webhooks/uptime-kuma",
        "/api/v1/webhooks/prometheus",
        "/api/v1/webhooks/grafana",
        "/api/v1/webhook-sources",
        "/api/v1/webhook-sources/{source_id}/rotate-token",
        "/api/v1/adapter-events",
        "/api/v1/alerts",
        "/api/v1/adapters",
        "/api/internal/hosts/{host_id}/status",
        "/api/internal/hosts/{host_id}/terminal",
        "/api/internal/hosts/{host_id}/terminal-sessions",
        "/api/v1/me/terminal-credentials",
    } <= paths
    assert "webhookToken" in document["components"]["securitySchemes"]
    webhook = document["paths"]["/api/v1/webhooks/grafana"]["post"]
    assert webhook["security"] == [{"webhookToken": []}]


async def test_the_asyncapi_document(client) -> None:
    r = await client.get("/asyncapi.json")
    assert r.status_code == 200, r.text
    document = r.json()
    assert document["asyncapi"] == "3.0.0"
    assert {
        "alert.received",
        "host.status.observed",
        "alert.processed",
        "host.created",
        "organization.upserted",
    } <= set(document["channels"])
