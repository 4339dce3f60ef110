"""Monitoring alerts to tickets through the running suite (issue "Adapter gateway"): the host
service announces a host and its adapters, the adapter gateway receives the tool's webhook,
and the ticket service opens, deduplicates and recovers exactly one ticket.

The Alertmanager test drives a real Prometheus and Alertmanager (Debian packages); the storm
test sends 5,000 identical alerts at once."""

import asyncio
import json
from typing import Any

import httpx
from monitoring import Monitoring
from suite import DEADLINE, FIXTURES, Suite

from kohub_platform.testing import eventually


def _alert_kinds(ticket: dict[str, Any]) -> list[str]:
    return [a["metadata"].get("kind") for a in ticket["activities"] if a["type"] == "ALERT"]


async def test_an_uptime_kuma_outage_is_one_critical_ticket_and_its_recovery_closes_it(
    host_service, ticket_service, adapter_service, oidc
) -> None:
    suite = Suite(host_service, ticket_service, adapter_service, oidc)
    try:
        source_id, token = await suite.source("uptime-kuma", "Uptime Kuma 본사")
        _, host_id = await suite.host(
            "web-prod-01",
            {"type": "uptime-kuma", "config": {"sourceId": source_id, "monitorId": "1"}},
        )
        down = json.loads((FIXTURES / "uptime_kuma_1_23_down.json").read_bytes())
        down["monitor"]["name"] = "web-prod-01"
        down["heartbeat"]["msg"] = "Connection refused"
        webhook = {"Authorization": f"Bearer {token}"}
        sent = await suite.adapter.post("/api/v1/webhooks/uptime-kuma", json=down, headers=webhook)
        assert sent.status_code == 202, sent.text
        # Uptime Kuma resends while the monitor stays down: the same event, nothing new
        again = await suite.adapter.post("/api/v1/webhooks/uptime-kuma", json=down, headers=webhook)
        assert again.status_code == 202

        ticket = await suite.one_ticket(host_id)
        assert ticket["title"] == "[장애] web-prod-01 - Connection refused"
        assert ticket["priority"] == "CRITICAL"
        assert ticket["source"] == "UPTIME_KUMA"
        assert ticket["sourceEventId"] == "uptime-kuma-1-20260130T101500"

        up = json.loads(json.dumps(down))
        up["heartbeat"] |= {"status": 1, "time": "2026-01-30 11:30:00.000", "msg": "200 - OK"}
        recovered = await suite.adapter.post(
            "/api/v1/webhooks/uptime-kuma", json=up, headers=webhook
        )
        assert recovered.status_code == 202
        closed = await suite.ticket_when(ticket["id"], lambda t: t["status"] == "CLOSED")
        assert _alert_kinds(closed) == ["fired", "recovered"]
        recovery = next(a for a in closed["activities"] if a["metadata"].get("kind") == "recovered")
        assert recovery["metadata"]["downtime"] == "PT1H14M59S"

        async def answered() -> bool:
            # the two identical DOWN deliveries may be handled in either order
            alerts = await suite.adapter.get("/api/v1/alerts", params={"hostId": host_id})
            outcomes = [a["outcome"] for a in alerts.json()["items"]]
            return outcomes[:1] == ["CLOSED"] and sorted(outcomes[1:]) == ["CREATED", "DUPLICATE"]

        await eventually(answered, timeout=DEADLINE)
        assert len(await suite.tickets_of(host_id)) == 1
    finally:
        await suite.close()


async def test_a_real_alertmanager_opens_a_ticket_and_prometheus_answers_the_status(
    host_service, ticket_service, adapter_service, oidc
) -> None:
    suite = Suite(host_service, ticket_service, adapter_service, oidc)
    try:
        _, token = await suite.source("prometheus", "Alertmanager e2e")
        webhook_url = f"{adapter_service.url}/api/v1/webhooks/prometheus"
        async with Monitoring(webhook_url, token) as monitoring:
            _, host_id = await suite.host(
                "node-e2e-01",
                {
                    "type": "prometheus",
                    "config": {
                        "matchers": {"instance": monitoring.instance, "job": "kohub-e2e"},
                        "url": monitoring.prometheus_url,
                    },
                },
            )
            status = await suite.hosts.get(f"/api/v1/hosts/{host_id}/status")
            assert status.json()["status"] == "UP", status.text

            monitoring.probe.stop()
            ticket = await suite.one_ticket(host_id)
            assert ticket["source"] == "PROMETHEUS"
            assert ticket["priority"] == "CRITICAL"  # severity: critical
            assert ticket["title"].startswith("[장애] node-e2e-01 - KohubE2ETargetDown")

            async def seen_down() -> bool:
                answer = (await suite.hosts.get(f"/api/v1/hosts/{host_id}/status")).json()
                return answer["status"] == "DOWN" and answer["adapter"] == "prometheus"

            await eventually(seen_down, timeout=DEADLINE)

            monitoring.probe.start()
            closed = await suite.ticket_when(ticket["id"], lambda t: t["status"] == "CLOSED")
            assert "recovered" in _alert_kinds(closed), monitoring.logs()
            assert len(await suite.tickets_of(host_id)) == 1
    finally:
        await suite.close()


STORM = 5_000


async def test_a_storm_of_identical_alerts_is_one_ticket_and_nothing_is_lost(
    host_service, ticket_service, adapter_service, oidc
) -> None:
    suite = Suite(host_service, ticket_service, adapter_service, oidc)
    try:
        source_id, token = await suite.source("prometheus", "storm")
        _, host_id = await suite.host(
            "storm-01",
            {"type": "prometheus", "config": {"matchers": {"instance": "storm-01:9100"}}},
        )
        body = json.dumps(
            {
                "version": "4",
                "groupKey": '{}:{alertname="NodeDown"}',
                "truncatedAlerts": 0,
                "status": "firing",
                "receiver": "kohub",
                "groupLabels": {"alertname": "NodeDown"},
                "commonLabels": {},
                "commonAnnotations": {},
                "externalURL": "http://alertmanager:9093",
                "alerts": [
                    {
                        "status": "firing",
                        "labels": {
                            "alertname": "NodeDown",
                            "instance": "storm-01:9100",
                            "severity": "critical",
                        },
                        "annotations": {"summary": "node is down"},
                        "startsAt": "2026-11-29T12:00:00.123456789Z",
                        "endsAt": "0001-01-01T00:00:00Z",
                        "generatorURL": "http://prometheus:9090/graph",
                        "fingerprint": "5f0c2e7a9b1d3c46",
                    }
                ],
            }
        ).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        gate = asyncio.Semaphore(64)
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(
            base_url=adapter_service.url, timeout=60, limits=limits
        ) as client:

            async def send() -> int:
                async with gate:
                    response = await client.post(
                        "/api/v1/webhooks/prometheus", content=body, headers=headers
                    )
                    return response.status_code

            codes = await asyncio.gather(*(send() for _ in range(STORM)))
        assert codes.count(202) == STORM, {c: codes.count(c) for c in set(codes)}

        events = await suite.adapter.get(
            "/api/v1/adapter-events", params={"sourceId": source_id, "limit": 1}
        )
        assert events.json()["total"] == STORM

        async def settled() -> bool:
            pending = await suite.adapter.get(
                "/api/v1/alerts", params={"hostId": host_id, "pending": "true", "limit": 1}
            )
            return pending.json()["total"] == 0

        await eventually(settled, timeout=120)
        created = await suite.adapter.get(
            "/api/v1/alerts", params={"hostId": host_id, "outcome": "CREATED", "limit": 1}
        )
        assert created.json()["total"] == 1
        duplicates = await suite.adapter.get(
            "/api/v1/alerts", params={"hostId": host_id, "outcome": "DUPLICATE", "limit": 1}
        )
        assert duplicates.json()["total"] == STORM - 1
        assert len(await suite.tickets_of(host_id)) == 1
    finally:
        await suite.close()
