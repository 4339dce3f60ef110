"""Every way a webhook can fail to prove itself is the same bare 401 (and stores nothing);
every way the tools really authenticate is accepted; a source over its rate gets 429."""

import base64
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import pytest_asyncio

from kohub_adapter.domain.sources import grafana_signature

from .conftest import (
    FORM_CONTENT_TYPE,
    PROBLEM,
    REJECTED,
    WEBHOOK,
    auth,
    basic,
    bearer,
    create_source,
    fixture,
    send,
)

SECRET = "grafana-hmac-secret-0123456789"
DISABLED_SECRET = "grafana-disabled-secret-0123456789"
SIGNATURE = "X-Grafana-Alerting-Signature"
TIMESTAMP = "X-Grafana-Alerting-Signature-Timestamp"


@pytest_asyncio.fixture(scope="module")
async def sources(client, oidc) -> dict[str, dict[str, Any]]:
    made = {
        "uptime-kuma": await create_source(client, oidc, "uptime-kuma"),
        "prometheus": await create_source(client, oidc, "prometheus"),
        "grafana": await create_source(client, oidc, "grafana", hmacSecret=SECRET),
        "disabled": await create_source(client, oidc, "uptime-kuma"),
        "disabled-grafana": await create_source(
            client, oidc, "grafana", hmacSecret=DISABLED_SECRET
        ),
    }
    for name in ("disabled", "disabled-grafana"):
        off = await client.patch(
            f"/api/v1/webhook-sources/{made[name]['source']['id']}",
            headers=auth(oidc, "msp-admin"),
            json={"enabled": False},
        )
        assert off.status_code == 200, off.text
    return made


def signed(body: bytes, *, age: int = 0, secret: str = SECRET) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    return {SIGNATURE: grafana_signature(secret, timestamp, body), TIMESTAMP: timestamp}


GRAFANA_BODY = fixture("grafana_firing.json")
Headers = Callable[[dict[str, dict[str, Any]]], dict[str, str | bytes]]
FAILURES: list[tuple[str, str, Headers]] = [
    ("no header", "uptime-kuma", lambda s: {}),
    ("empty bearer", "uptime-kuma", lambda s: {"Authorization": "Bearer "}),
    ("unknown token", "uptime-kuma", lambda s: bearer("khw_" + uuid.uuid4().hex)),
    ("another scheme", "prometheus", lambda s: {"Authorization": "Token abc"}),
    ("disabled source", "uptime-kuma", lambda s: bearer(s["disabled"]["token"])),
    ("prometheus token at uptime-kuma", "uptime-kuma", lambda s: bearer(s["prometheus"]["token"])),
    ("uptime-kuma token at grafana", "grafana", lambda s: bearer(s["uptime-kuma"]["token"])),
    ("grafana token at prometheus", "prometheus", lambda s: bearer(s["grafana"]["token"])),
    ("malformed basic", "prometheus", lambda s: {"Authorization": "Basic %%%not-base64%%%"}),
    ("basic without password", "prometheus", lambda s: basic("")),
    ("basic with unknown password", "prometheus", lambda s: basic("khw_nope")),
    ("basic at uptime-kuma", "uptime-kuma", lambda s: basic(s["uptime-kuma"]["token"])),
    (
        "basic with the token as user name",
        "prometheus",
        lambda s: {
            "Authorization": "Basic "
            + base64.b64encode(f"{s['prometheus']['token']}:".encode()).decode()
        },
    ),
    (
        "grafana bad signature",
        "grafana",
        lambda s: {**signed(GRAFANA_BODY), SIGNATURE: "0" * 64},
    ),
    (
        "grafana signed with another secret",
        "grafana",
        lambda s: signed(GRAFANA_BODY, secret="another-secret-0123456789"),
    ),
    (
        "grafana signed by a disabled source",
        "grafana",
        lambda s: signed(GRAFANA_BODY, secret=DISABLED_SECRET),
    ),
    (
        "grafana token of a disabled source",
        "grafana",
        lambda s: bearer(s["disabled-grafana"]["token"]),
    ),
    (
        "grafana signature of another body",
        "grafana",
        lambda s: signed(GRAFANA_BODY + b" "),
    ),
    ("grafana timestamp 6 minutes old", "grafana", lambda s: signed(GRAFANA_BODY, age=360)),
    ("grafana timestamp 6 minutes ahead", "grafana", lambda s: signed(GRAFANA_BODY, age=-360)),
    (
        "grafana without timestamp header",
        "grafana",
        lambda s: {SIGNATURE: signed(GRAFANA_BODY)[SIGNATURE]},
    ),
    (
        "grafana non-numeric timestamp",
        "grafana",
        lambda s: {SIGNATURE: signed(GRAFANA_BODY)[SIGNATURE], TIMESTAMP: "yesterday"},
    ),
    ("signature at prometheus", "prometheus", lambda s: signed(GRAFANA_BODY)),
    # header bytes outside ASCII (HTTP allows obs-text; Litestar reads them as Latin-1)
    ("non-ascii bearer", "uptime-kuma", lambda s: {"Authorization": b"Bearer khw_\xe9\xe9"}),
    # base64.b64decode raises a plain ValueError for non-ASCII text, and hmac.compare_digest
    # a TypeError for non-ASCII str: both must still be a bare 401
    ("non-ascii basic", "prometheus", lambda s: {"Authorization": b"Basic \xe9\xe9\xe9\xe9"}),
    (
        "non-ascii grafana signature",
        "grafana",
        lambda s: {**signed(GRAFANA_BODY), SIGNATURE: b"\xe9" * 64},
    ),
]


@pytest.mark.parametrize(
    ("adapter_type", "headers"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES]
)
async def test_every_failure_is_the_same_bare_401(
    client, db, sources, adapter_type, headers
) -> None:
    stored_before = await db.fetchval("SELECT count(*) FROM adapter_events")
    body = GRAFANA_BODY if adapter_type == "grafana" else None
    r = await send(client, adapter_type, None, body, headers=headers(sources))
    assert r.status_code == 401, f"a refused credential must be the bare 401, got {r.text}"
    assert r.headers["content-type"].startswith(PROBLEM)
    problem = r.json()
    assert set(problem) == {"type", "title", "status", "detail", "instance", "requestId"}
    assert problem["type"] == "urn:kohub:problem:unauthorized"
    assert problem["detail"] == REJECTED
    assert problem["instance"] == WEBHOOK[adapter_type]
    assert await db.fetchval("SELECT count(*) FROM adapter_events") == stored_before


async def test_uptime_kuma_with_bearer_json(client, sources) -> None:
    r = await send(client, "uptime-kuma", sources["uptime-kuma"]["token"])
    assert r.status_code == 202, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"adapterEventId", "alerts", "status"}
    assert body["alerts"] == 1 and body["status"] == "IGNORED"  # no host, no default org


async def test_uptime_kuma_with_bearer_multipart(client, oidc, sources) -> None:
    r = await send(
        client,
        "uptime-kuma",
        sources["uptime-kuma"]["token"],
        fixture("uptime_kuma_form_down.txt"),
        content_type=FORM_CONTENT_TYPE,
    )
    assert r.status_code == 202, r.text
    assert r.json()["alerts"] == 1
    event = await client.get(
        f"/api/v1/adapter-events/{r.json()['adapterEventId']}", headers=auth(oidc, "msp-admin")
    )
    assert event.json()["contentType"] == FORM_CONTENT_TYPE
    assert event.json()["eventType"] == "heartbeat"
    assert "Shop checkout" in event.json()["body"]


async def test_alertmanager_with_bearer(client, sources) -> None:
    r = await send(
        client,
        "prometheus",
        sources["prometheus"]["token"],
        fixture("alertmanager_firing_two.json"),
    )
    assert r.status_code == 202, r.text
    assert r.json()["alerts"] == 3  # two firing, one resolved


async def test_alertmanager_with_basic_auth(client, sources) -> None:
    r = await send(client, "prometheus", None, headers=basic(sources["prometheus"]["token"]))
    assert r.status_code == 202, r.text
    assert r.json()["alerts"] == 1


async def test_grafana_with_bearer(client, sources) -> None:
    r = await send(client, "grafana", sources["grafana"]["token"], GRAFANA_BODY)
    assert r.status_code == 202, r.text


async def test_grafana_with_basic_auth(client, sources) -> None:
    r = await send(
        client, "grafana", None, GRAFANA_BODY, headers=basic(sources["grafana"]["token"])
    )
    assert r.status_code == 202, r.text


async def test_grafana_with_hmac_signature(client, oidc, sources) -> None:
    r = await send(client, "grafana", None, GRAFANA_BODY, headers=signed(GRAFANA_BODY))
    assert r.status_code == 202, r.text
    event = await client.get(
        f"/api/v1/adapter-events/{r.json()['adapterEventId']}", headers=auth(oidc, "msp-admin")
    )
    assert event.json()["sourceId"] == sources["grafana"]["source"]["id"]
    stored = {name.lower() for name in event.json()["headers"]}
    assert not any("signature" in name for name in stored), stored


async def test_grafana_signature_within_the_skew_is_accepted(client, sources) -> None:
    r = await send(client, "grafana", None, GRAFANA_BODY, headers=signed(GRAFANA_BODY, age=240))
    assert r.status_code == 202, r.text


async def test_past_its_rate_a_source_gets_429(client, oidc) -> None:
    created = await create_source(client, oidc, "prometheus", rateLimitPerMinute=2)
    assert created["source"]["rateLimitPerMinute"] == 2
    token = created["token"]
    for _ in range(2):
        assert (await send(client, "prometheus", token)).status_code == 202
    r = await send(client, "prometheus", token)
    assert r.status_code == 429, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert int(r.headers["retry-after"]) >= 1
    assert r.json()["type"] == "urn:kohub:problem:too-many-requests"
    # another source is not limited by this one's rate
    other = await create_source(client, oidc, "prometheus")
    assert (await send(client, "prometheus", other["token"])).status_code == 202
