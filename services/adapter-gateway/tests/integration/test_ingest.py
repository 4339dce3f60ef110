"""Nothing is lost: a body the gateway cannot read is stored FAILED with the raw body and
the reason before it is refused; an oversized body is refused; no secret header is stored."""

import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from kohub_adapter.adapters.postgres.retention import prune_received
from kohub_adapter.application.ingest import receive_webhook
from kohub_adapter.application.ports import ReceivedRequest
from kohub_contracts.enums import AdapterType

from .conftest import PROBLEM, auth, create_source, fixture, send


async def stored(client, oidc, event_id: str) -> dict:
    r = await client.get(f"/api/v1/adapter-events/{event_id}", headers=auth(oidc, "msp-admin"))
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_body_that_is_not_json_is_kept_failed(client, oidc) -> None:
    source = await create_source(client, oidc, "uptime-kuma")
    raw = b"this is {not json"
    r = await send(client, "uptime-kuma", source["token"], raw)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    problem = r.json()
    assert problem["type"] == "urn:kohub:problem:malformed-payload"
    event_id = problem["adapterEventId"]

    event = await stored(client, oidc, event_id)
    assert event["status"] == "FAILED"
    assert event["body"] == raw.decode()
    assert event["sourceId"] == source["source"]["id"]
    assert event["adapterType"] == "uptime-kuma"
    assert "not valid JSON" in event["error"]
    assert event["alertCount"] == 0
    assert "authorization" not in {h.lower() for h in event["headers"]}

    admin = auth(oidc, "msp-admin")
    failed = await client.get(
        "/api/v1/adapter-events",
        params={"status": "FAILED", "sourceId": source["source"]["id"]},
        headers=admin,
    )
    assert failed.status_code == 200, failed.text
    items = failed.json()["items"]
    assert [i["id"] for i in items] == [event_id]
    assert items[0]["error"] == event["error"]
    everything_failed = await client.get(
        "/api/v1/adapter-events", params={"status": "FAILED", "limit": 200}, headers=admin
    )
    assert all(i["status"] == "FAILED" for i in everything_failed.json()["items"])
    assert event_id in [i["id"] for i in everything_failed.json()["items"]]


@pytest.mark.parametrize(
    ("adapter_type", "body"),
    [
        ("uptime-kuma", b'{"hello": "world"}'),
        ("uptime-kuma", b"[]"),
        ("prometheus", b'{"version": "4", "status": "firing"}'),
        ("grafana", b'{"alerts": "many"}'),
    ],
    ids=["kuma object", "kuma array", "alertmanager without alerts", "grafana alerts string"],
)
async def test_json_of_the_wrong_shape_is_422_and_kept_failed(
    client, oidc, adapter_type, body
) -> None:
    source = await create_source(client, oidc, adapter_type)
    r = await send(client, adapter_type, source["token"], body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["type"] == "urn:kohub:problem:unprocessable-payload"
    assert r.json()["detail"]
    event = await stored(client, oidc, r.json()["adapterEventId"])
    assert event["status"] == "FAILED"
    assert event["body"] == body.decode()
    assert event["error"] == r.json()["detail"]


async def test_a_multipart_body_without_the_data_field_is_422(client, oidc) -> None:
    source = await create_source(client, oidc, "uptime-kuma")
    body = b'--XyZ\r\nContent-Disposition: form-data; name="other"\r\n\r\n{}\r\n--XyZ--\r\n'
    r = await send(
        client,
        "uptime-kuma",
        source["token"],
        body,
        content_type="multipart/form-data; boundary=XyZ",
    )
    assert r.status_code == 422, r.text
    event = await stored(client, oidc, r.json()["adapterEventId"])
    assert event["status"] == "FAILED"
    assert event["contentType"] == "multipart/form-data; boundary=XyZ"


async def test_a_body_over_one_mebibyte_is_413(client, oidc, db) -> None:
    source = await create_source(client, oidc, "prometheus")
    body = b'{"padding": "' + b"x" * (1024 * 1024) + b'"}'
    r = await send(client, "prometheus", source["token"], body)
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    count = await db.fetchval(
        "SELECT count(*) FROM adapter_events WHERE source_id = $1",
        uuid.UUID(source["source"]["id"]),
    )
    assert count == 0
    # exactly at the limit is fine (and then just not an Alertmanager webhook)
    body = b'{"padding": "' + b"x" * (1024 * 1024 - 15) + b'"}'
    assert len(body) == 1024 * 1024
    assert (await send(client, "prometheus", source["token"], body)).status_code == 422


async def test_stored_headers_keep_no_credentials(client, oidc, db) -> None:
    source = await create_source(client, oidc, "prometheus")
    r = await send(
        client,
        "prometheus",
        source["token"],
        headers={
            "Cookie": "session=abc",
            "X-Api-Key": "key-123",
            "X-Auth-Token": "tok-456",
            "X-Request-Source": "alertmanager-eu",
            "User-Agent": "Alertmanager/0.27.0",
        },
    )
    assert r.status_code == 202, r.text
    event = await stored(client, oidc, r.json()["adapterEventId"])
    names = {h.lower() for h in event["headers"]}
    assert {"x-request-source", "user-agent", "content-type"} <= names
    assert names.isdisjoint({"authorization", "cookie", "x-api-key", "x-auth-token"})
    assert source["token"] not in str(event)
    raw = await db.fetchval(
        "SELECT headers::text FROM adapter_events WHERE id = $1",
        uuid.UUID(r.json()["adapterEventId"]),
    )
    assert source["token"] not in raw and "key-123" not in raw and "tok-456" not in raw
    assert event["status"] == "IGNORED"  # no host, no default organization
    assert event["eventType"] == "alertmanager.v4"


async def test_an_unknown_adapter_event_is_404(client, oidc) -> None:
    r = await client.get(f"/api/v1/adapter-events/{uuid.uuid4()}", headers=auth(oidc, "msp-admin"))
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)


# -- values the database cannot hold ------------------------------------------------------
# The AdapterEvent columns are bounded (content_type varchar(200); alerts.fingerprint and
# source_event_id varchar(300)) and nothing bounds the values before the INSERT. The
# StringDataRightTruncation that follows is a DBAPIError, which problems.py answers with
# "503 the database is not reachable": the request is not stored, and the tool retries the
# same request forever.


async def events_of(db, source: dict) -> int:
    return await db.fetchval(
        "SELECT count(*) FROM adapter_events WHERE source_id = $1",
        uuid.UUID(source["source"]["id"]),
    )


async def test_an_over_long_content_type_is_no_database_outage(client, oidc, db) -> None:
    source = await create_source(client, oidc, "prometheus")
    content_type = "application/json; " + "p=v; " * 50  # 268 characters, valid syntax
    r = await send(client, "prometheus", source["token"], content_type=content_type)
    assert r.status_code == 202, f"a long Content-Type is answered {r.status_code}: {r.text}"
    assert await events_of(db, source) == 1, "the request is kept"


async def test_an_over_long_monitor_id_is_no_database_outage(client, oidc, db) -> None:
    source = await create_source(
        client, oidc, "uptime-kuma", defaultOrganizationId=str(uuid.uuid4())
    )
    body = json.loads(fixture("uptime_kuma_1_23_down.json"))
    body["heartbeat"]["monitorID"] = body["monitor"]["id"] = "m" * 400  # ids may be strings
    r = await send(client, "uptime-kuma", source["token"], json.dumps(body).encode())
    assert r.status_code == 422, f"a long monitor id is answered {r.status_code}: {r.text}"
    assert await events_of(db, source) == 1, "the request is kept (FAILED)"


async def test_one_unstorable_request_does_not_fail_the_others_of_its_batch(
    client, oidc, db, adapter_service
) -> None:
    """Group commit writes concurrent requests in one transaction; a row the database
    refuses (here a NUL in a header, which no HTTP request can carry) must fail only its own
    request. Two requests handed to the ingest at the same moment (in the app's own event
    loop) share a batch deterministically."""
    source = await create_source(client, oidc, "prometheus")
    portal = client.blocking_portal
    found = portal.call(adapter_service.sources.by_token, source["token"])
    assert found is not None

    def request(header: str) -> ReceivedRequest:
        return ReceivedRequest(
            adapter_type=AdapterType.PROMETHEUS,
            body=fixture("alertmanager_real_firing.json"),
            content_type="application/json",
            headers={"x-probe": header},
            received_at=datetime.now(UTC),
        )

    async def together() -> list:
        host_map = await adapter_service.host_map.current()

        def receive(header: str):
            return receive_webhook(
                found,
                request(header),
                registry=adapter_service.registry,
                host_map=host_map,
                store=adapter_service.ingest,
                locale="ko",
            )

        return await asyncio.gather(
            receive("plain"), receive("nul \x00 inside"), return_exceptions=True
        )

    well_formed, refused = portal.call(together)
    assert not isinstance(well_formed, BaseException), (
        f"a well-formed webhook failed with its batch neighbour: {well_formed!r}"
    )
    assert isinstance(refused, Exception)
    assert await events_of(db, source) == 1


async def test_received_webhooks_are_pruned_after_the_retention(
    client, oidc, db, adapter_settings
) -> None:
    source = await create_source(
        client, oidc, "prometheus", defaultOrganizationId=str(uuid.uuid4())
    )
    r = await send(client, "prometheus", source["token"])
    assert r.status_code == 202
    kept = await send(client, "prometheus", source["token"], b"not json")
    assert kept.status_code == 400
    old_id = uuid.UUID(r.json()["adapterEventId"])
    # the first one is old and settled; the second is recent
    await db.execute(
        "UPDATE adapter_events SET received_at = now() - interval '40 days', pending_alerts = 0"
        " WHERE id = $1",
        old_id,
    )
    engine = create_async_engine(adapter_settings.database_url)
    try:
        assert await prune_received(engine, days=30) == 1
    finally:
        await engine.dispose()
    assert await db.fetchval("SELECT count(*) FROM adapter_events WHERE id = $1", old_id) == 0
    assert await db.fetchval("SELECT count(*) FROM alerts WHERE adapter_event_id = $1", old_id) == 0
    assert await events_of(db, source) == 1
