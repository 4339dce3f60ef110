"""End to end inside the gateway, on the real broker: a host learnt from `host.created`, an
Uptime Kuma DOWN mapped onto it and published as `alert.received` and `host.status.observed`,
and the ticket service's `alert.processed` written back once."""

import uuid
from datetime import UTC, datetime

import jsonschema
import msgspec

from kohub_contracts.alerts import AlertProcessed
from kohub_contracts.enums import AdapterType, AlertOutcome
from kohub_platform.testing import eventually

from .conftest import (
    auth,
    consumed,
    create_source,
    fixture,
    host_state,
    publish,
    publish_host,
    send,
    tap,
    until_mapped,
)

OUTCOMES_QUEUE = "adapter.alert-outcomes"


def decoded(messages, routing_key: str, **match) -> list[dict]:
    found = []
    for message in messages:
        if message.routing_key != routing_key:
            continue
        body = msgspec.json.decode(message.body)
        if all(body["data"].get(k) == v for k, v in match.items()):
            found.append({**body, "_message": message})
    return found


async def outbox_mentions(db, text: str) -> int:
    return await db.fetchval(
        "SELECT count(*) FROM outbox WHERE convert_from(body, 'UTF8') LIKE '%' || $1 || '%'",
        text,
    )


async def test_a_kuma_down_on_a_mapped_host_becomes_alert_received(
    client, oidc, channel, db
) -> None:
    org = str(uuid.uuid4())
    source = await create_source(client, oidc, "uptime-kuma")
    source_id = source["source"]["id"]
    state = host_state(
        org_id=org,
        name="web-prod-01",
        org_name="A사",
        adapters=[(AdapterType.UPTIME_KUMA, {"sourceId": source_id, "monitorId": "1"})],
    )
    await publish_host(channel, state)

    async def in_read_model():
        return await db.fetchrow("SELECT * FROM mapped_hosts WHERE host_id = $1", state.host_id)

    row = await eventually(in_read_model)
    assert str(row["org_id"]) == org and row["name"] == "web-prod-01"
    await until_mapped(client, oidc, state.host_id)

    received = await tap(channel, "alert.received", "host.status.observed")
    r = await send(client, "uptime-kuma", source["token"], fixture("uptime_kuma_1_23_down.json"))
    assert r.status_code == 202, r.text
    accepted = r.json()
    assert accepted["alerts"] == 1 and accepted["status"] == "PENDING"
    event_id = accepted["adapterEventId"]

    async def both_published():
        alerts = decoded(received, "alert.received", adapterEventId=event_id)
        observed = decoded(received, "host.status.observed", hostId=str(state.host_id))
        return (alerts, observed) if alerts and observed else None

    alerts, observed = await eventually(both_published, timeout=15)
    assert len(alerts) == 1
    envelope = alerts[0]
    message = envelope.pop("_message")
    assert envelope["eventType"] == "alert.received"
    assert envelope["source"] == "kohub.adapter"
    assert message.message_id == envelope["eventId"]
    assert message.delivery_mode == 2  # persistent
    assert message.correlation_id == r.headers["x-correlation-id"], "traceable to the request"
    alert = envelope["data"]
    assert alert["fingerprint"] == f"uptime-kuma:{source_id}:1"
    assert alert["sourceEventId"] == "uptime-kuma-1-20260130T101500"
    assert alert["state"] == "FIRING"
    assert alert["priority"] == "CRITICAL"
    assert alert["title"].startswith("[장애] web-prod-01 - ")
    assert "Request failed with status code 503" in alert["title"]
    assert alert["host"] == {"id": str(state.host_id), "name": "web-prod-01"}
    assert alert["organization"]["id"] == org
    assert alert["sourceId"] == source_id
    assert alert["adapter"] == "uptime-kuma" and alert["ticketSource"] == "UPTIME_KUMA"
    assert datetime.fromisoformat(alert["occurredAt"]) == datetime(
        2026, 1, 30, 10, 15, 0, 123000, tzinfo=UTC
    )
    assert alert["links"] == {"monitor": "https://portal.acme.example/login"}

    status = observed[0]["data"]
    assert status["status"] == "DOWN"
    assert status["adapter"] == "uptime-kuma"
    assert status["adapterId"] == str(state.adapters[0].adapter_id)
    assert status["message"] == "Request failed with status code 503"

    # what was published matches the gateway's AsyncAPI document
    document = (await client.get("/asyncapi.json")).json()
    for published in (envelope, {k: v for k, v in observed[0].items() if k != "_message"}):
        channel_doc = document["channels"][published["eventType"]]
        (ref,) = [m["$ref"] for m in channel_doc["messages"].values()]
        payload = document["components"]["messages"][ref.rsplit("/", 1)[1]]["payload"]
        jsonschema.validate(published, {**payload, "components": document["components"]})

    listed = await client.get(
        "/api/v1/alerts", params={"hostId": str(state.host_id)}, headers=auth(oidc, "msp-operator")
    )
    (item,) = listed.json()["items"]
    assert item["id"] == alert["alertId"]
    assert item["outcome"] is None and item["organizationId"] == org
    assert item["host"] == {"id": str(state.host_id), "name": "web-prod-01"}
    event = await client.get(f"/api/v1/adapter-events/{event_id}", headers=auth(oidc, "msp-admin"))
    assert event.json()["status"] == "PENDING" and event.json()["alertCount"] == 1


async def test_an_alert_with_no_host_and_no_default_organization_is_ignored(
    client, oidc, channel, db
) -> None:
    received = await tap(channel, "alert.received")
    lonely = await create_source(client, oidc, "uptime-kuma")
    r = await send(client, "uptime-kuma", lonely["token"], fixture("uptime_kuma_1_23_down.json"))
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "IGNORED" and r.json()["alerts"] == 1
    ignored_id = r.json()["adapterEventId"]
    # the outbox is written in the AdapterEvent's transaction: nothing there, nothing sent
    assert await outbox_mentions(db, ignored_id) == 0

    event = await client.get(
        f"/api/v1/adapter-events/{ignored_id}", headers=auth(oidc, "msp-admin")
    )
    assert event.json()["status"] == "IGNORED"
    assert event.json()["processedAt"] is not None
    alerts = await client.get(
        "/api/v1/alerts",
        params={"outcome": "IGNORED", "since": event.json()["receivedAt"]},
        headers=auth(oidc, "msp-operator"),
    )
    mine = [a for a in alerts.json()["items"] if a["adapterEventId"] == ignored_id]
    assert len(mine) == 1 and mine[0]["organizationId"] is None and mine[0]["host"] is None

    # a routed alert sent afterwards arrives; the ignored one never does
    routed = await create_source(
        client, oidc, "uptime-kuma", defaultOrganizationId=str(uuid.uuid4())
    )
    later = await send(client, "uptime-kuma", routed["token"])
    assert later.json()["status"] == "PENDING"
    assert await outbox_mentions(db, later.json()["adapterEventId"]) == 1

    async def later_arrived():
        return decoded(received, "alert.received", adapterEventId=later.json()["adapterEventId"])

    await eventually(later_arrived, timeout=15)
    assert decoded(received, "alert.received", adapterEventId=ignored_id) == []


async def _routed_alerts(client, oidc, payload: str) -> tuple[str, list[dict]]:
    """Alerts of a source with a default organization (no host needed), oldest first."""
    org = str(uuid.uuid4())
    source = await create_source(client, oidc, "prometheus", defaultOrganizationId=org)
    r = await send(client, "prometheus", source["token"], fixture(payload))
    assert r.status_code == 202 and r.json()["status"] == "PENDING", r.text
    listed = await client.get(
        "/api/v1/alerts", params={"organizationId": org}, headers=auth(oidc, "msp-operator")
    )
    items = listed.json()["items"]
    assert len(items) == r.json()["alerts"]
    assert all(i["outcome"] is None for i in items)
    return r.json()["adapterEventId"], items


def _processed(alert: dict, outcome: AlertOutcome, ticket_id=None, key=None) -> AlertProcessed:
    return AlertProcessed(
        alert_id=uuid.UUID(alert["id"]),
        adapter_event_id=uuid.UUID(alert["adapterEventId"]),
        fingerprint=alert["fingerprint"],
        outcome=outcome,
        processed_at=datetime.now(UTC),
        ticket_id=ticket_id,
        ticket_key=key,
    )


async def _alert(client, oidc, alert: dict) -> dict:
    r = await client.get(
        "/api/v1/alerts",
        params={"organizationId": alert["organizationId"]},
        headers=auth(oidc, "msp-admin"),
    )
    return next(a for a in r.json()["items"] if a["id"] == alert["id"])


async def _event(client, oidc, event_id: str) -> dict:
    r = await client.get(f"/api/v1/adapter-events/{event_id}", headers=auth(oidc, "msp-admin"))
    return r.json()


async def test_the_ticket_outcome_is_written_back_once(client, oidc, channel) -> None:
    event_id, (alert,) = await _routed_alerts(client, oidc, "alertmanager_real_firing.json")
    ticket_id = uuid.uuid4()
    message_id = await publish(
        channel,
        "alert.processed",
        _processed(alert, AlertOutcome.CREATED, ticket_id, "KH-000123"),
        source="kohub.ticket",
    )

    async def answered():
        found = await _alert(client, oidc, alert)
        return found if found["outcome"] is not None else None

    found = await eventually(answered, timeout=15)
    assert found["outcome"] == "CREATED"
    assert found["ticketKey"] == "KH-000123" and found["ticketId"] == str(ticket_id)
    event = await _event(client, oidc, event_id)
    assert event["status"] == "PROCESSED"
    assert event["createdTicketId"] == str(ticket_id)
    assert event["processedAt"] is not None

    # the same message again (a redelivery), then another answer for the same alert
    metrics = (await client.get("/metrics")).text
    before = consumed(metrics, OUTCOMES_QUEUE, "duplicate")
    await publish(
        channel,
        "alert.processed",
        _processed(alert, AlertOutcome.CREATED, ticket_id, "KH-000123"),
        source="kohub.ticket",
        event_id=message_id,
    )

    async def duplicates(n: int):
        return consumed((await client.get("/metrics")).text, OUTCOMES_QUEUE, "duplicate") >= n

    await eventually(lambda: duplicates(before + 1), timeout=15)
    await publish(
        channel,
        "alert.processed",
        _processed(alert, AlertOutcome.DEDUPLICATED, uuid.uuid4(), "KH-999999"),
        source="kohub.ticket",
    )
    await eventually(lambda: duplicates(before + 2), timeout=15)
    assert await _alert(client, oidc, alert) == found
    assert await _event(client, oidc, event_id) == event


async def test_an_event_of_several_alerts_is_processed_once_all_are_answered(
    client, oidc, channel
) -> None:
    event_id, alerts = await _routed_alerts(client, oidc, "alertmanager_firing_two.json")
    assert len(alerts) == 3
    ticket_id = uuid.uuid4()
    first, *rest = alerts
    await publish(
        channel,
        "alert.processed",
        _processed(first, AlertOutcome.CREATED, ticket_id, "KH-000200"),
        source="kohub.ticket",
    )

    async def answered(alert: dict):
        found = await _alert(client, oidc, alert)
        return found if found["outcome"] is not None else None

    await eventually(lambda: answered(first), timeout=15)
    assert (await _event(client, oidc, event_id))["status"] == "PENDING"
    for alert, outcome in zip(
        rest, (AlertOutcome.SUPPRESSED, AlertOutcome.DEDUPLICATED), strict=True
    ):
        await publish(
            channel,
            "alert.processed",
            _processed(alert, outcome, ticket_id, "KH-000200"),
            source="kohub.ticket",
        )
    for alert in rest:
        await eventually(lambda a=alert: answered(a), timeout=15)
    event = await _event(client, oidc, event_id)
    assert event["status"] == "PROCESSED"
    assert event["createdTicketId"] == str(ticket_id)


async def test_an_event_whose_alerts_touched_no_ticket_ends_ignored(client, oidc, channel) -> None:
    event_id, (alert,) = await _routed_alerts(client, oidc, "alertmanager_real_firing.json")
    await publish(
        channel,
        "alert.processed",
        _processed(alert, AlertOutcome.SUPPRESSED),
        source="kohub.ticket",
    )

    async def settled():
        event = await _event(client, oidc, event_id)
        return event if event["status"] != "PENDING" else None

    event = await eventually(settled, timeout=15)
    assert event["status"] == "IGNORED"
    assert event["createdTicketId"] is None
    assert (await _alert(client, oidc, alert))["outcome"] == "SUPPRESSED"
