"""Operations endpoints of the integration service: health, readiness (database, broker,
the ordered consumer), metrics, OpenAPI, and the AsyncAPI document of both directions."""

from kohub_platform.testing import eventually


async def test_health_ready_metrics_and_openapi(client) -> None:
    assert (await client.get("/health")).status_code == 200

    async def is_ready():  # the ordered consumer connects in the background
        body = (await client.get("/ready")).json()
        return body if body["status"] == "ready" else None

    ready = await eventually(is_ready, timeout=15)
    assert {"database", "broker", "consumer integration.ticket-events"} <= set(ready["checks"])
    metrics = (await client.get("/metrics")).text
    assert "kohub_http_requests_total" in metrics or "kohub_http" in metrics
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/internal/events/publish" in schema["paths"]
    assert "/api/internal/tickets/{ticket_id}/sync" in schema["paths"]


async def test_asyncapi_describes_both_directions_of_the_kusthub_contract(client) -> None:
    doc = (await client.get("/asyncapi.json")).json()
    assert doc["asyncapi"].startswith("3.")
    ops = {name: op["action"] for name, op in doc["operations"].items()}
    for event in ("incident.created", "incident.updated", "incident.resolved", "ticket.escalated"):
        assert ops[f"send.kusthub.events:{event}"] == "send"
    for event in ("customer.request.created", "ticket.completed"):
        assert ops[f"receive.kusthub.events:{event}"] == "receive"
    assert ops["receive.ticket.escalated"] == "receive"  # the ticket service's, on kohub.events
    channel = doc["channels"]["kusthub.events:incident.created"]
    assert channel["address"] == "incident.created"
    assert channel["bindings"]["amqp"]["exchange"]["name"] == "kusthub.events"
    message = doc["components"]["messages"]["KusthubIncidentCreatedEvent"]
    payload = doc["components"]["schemas"][message["payload"]["$ref"].rsplit("/", 1)[1]]
    assert set(payload["required"]) >= {"eventId", "eventType", "timestamp", "source", "data"}
