"""Routing of every path family, what is passed on (token, request id, trace context, query,
body, If-Match), what comes back (status, ETag), owners down or slow as 502/504 problems,
and a dashboard that answers with what it has."""

import re

import pytest

PROBLEM = "application/problem+json"
FAMILIES = [
    ("/api/v1/tickets", "ticket"),
    ("/api/v1/tickets/00000000-0000-4000-8000-000000000000/receive", "ticket"),
    ("/api/v1/hosts", "host"),
    ("/api/v1/organizations/abc", "host"),
    ("/api/v1/webhook-sources", "adapter"),
    ("/api/v1/alerts", "adapter"),
    ("/api/v1/adapter-events/1", "adapter"),
    ("/api/v1/adapters", "adapter"),
]


@pytest.mark.parametrize(("path", "owner"), FAMILIES)
async def test_each_path_family_reaches_its_owner(client, oidc, path, owner) -> None:
    r = await client.get(path, headers=oidc.headers(["msp-operator"]))
    assert r.status_code == 200, r.text
    assert (r.json()["service"], r.json()["path"]) == (owner, path)


async def test_the_request_is_passed_on_whole(client, oidc) -> None:
    headers = {
        **oidc.headers(["msp-operator"]),
        "If-Match": '"v6"',
        "Accept-Language": "en",
        "X-Request-ID": "req-123",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    }
    r = await client.post(
        "/api/v1/tickets/x/transition?dryRun=1&status=NEW&status=RECEIVED",
        json={"toStatus": "IN_PROGRESS", "reason": "작업 시작"},
        headers=headers,
    )
    assert r.status_code == 200
    echoed = r.json()
    sent = echoed["headers"]
    assert echoed["method"] == "POST"
    assert echoed["query"] == "dryRun=1&status=NEW&status=RECEIVED"
    assert '"reason": "작업 시작"' in echoed["body"] or "작업 시작" in echoed["body"]
    assert sent["authorization"] == headers["Authorization"]
    assert (sent["if-match"], sent["accept-language"]) == ('"v6"', "en")
    assert sent["x-request-id"] == "req-123"
    trace = re.match(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$", sent["traceparent"])
    assert trace and trace.group(1) == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert trace.group(2) != "00f067aa0ba902b7"  # a span of the gateway's own
    assert sent["x-forwarded-proto"] == "http"
    assert r.headers["etag"] == '"v7"' and r.headers["x-request-id"] == "req-123"


async def test_a_trace_is_started_when_none_comes_in(client, oidc) -> None:
    r = await client.get("/api/v1/hosts", headers=oidc.headers(["msp-operator"]))
    assert re.match(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", r.json()["headers"]["traceparent"])


async def test_the_owners_status_comes_back(client, oidc) -> None:
    headers = {**oidc.headers(["customer"], "3f2c1d4e-0000-4000-8000-000000000001")}
    r = await client.get("/api/v1/tickets/x", headers={**headers, "x-echo-status": "404"})
    assert r.status_code == 404
    assert r.headers.get_list("content-type") == ["application/json"]


async def test_the_gateway_checks_the_token_too(client, oidc) -> None:
    r = await client.get("/api/v1/tickets")
    assert r.status_code == 401 and r.headers["content-type"].startswith(PROBLEM)
    r = await client.get("/api/v1/tickets", headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401


async def test_webhooks_pass_without_a_user_token(client) -> None:
    r = await client.post("/api/v1/webhooks/uptime-kuma", json={"heartbeat": None})
    assert r.status_code == 200 and r.json()["service"] == "adapter"


async def test_unknown_families_are_404_problems(client, oidc) -> None:
    r = await client.get("/api/v1/nothing-here", headers=oidc.headers(["msp-operator"]))
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("size", [10, 1_000_000])
async def test_answers_with_a_length_come_back_whole(client, oidc, size) -> None:
    """Small ones are relayed in one piece, large ones streamed; both arrive whole."""
    headers = {**oidc.headers(["msp-operator"]), "x-echo-bytes": str(size)}
    r = await client.get("/api/v1/hosts", headers=headers)
    assert r.status_code == 200 and r.content == b"k" * size
    assert r.headers["content-length"] == str(size)


async def test_paths_climbing_out_of_the_api_are_refused(client, oidc) -> None:
    op = oidc.headers(["msp-operator"])
    # (a literal `..` is resolved by the client before sending; encoded dots reach the gateway)
    for path in ("/api/v1/tickets/%2e%2e/%2e%2e/internal/x", "/api/v1/tickets/%2E%2E/x"):
        r = await client.get(path, headers=op)
        assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM), path


async def test_a_body_over_the_limit_is_refused(client, oidc) -> None:
    from kohub_gateway.adapters.http.proxy import MAX_BODY_BYTES

    op = oidc.headers(["msp-operator"])
    r = await client.post("/api/v1/tickets", content=b"x" * (MAX_BODY_BYTES + 1), headers=op)
    assert r.status_code == 413 and r.headers["content-type"].startswith(PROBLEM)


async def test_a_body_without_a_length_is_counted_as_it_streams() -> None:
    # (the test client cannot stream a request body, so the reader is driven directly)
    from kohub_gateway.adapters.http.proxy import MAX_BODY_BYTES, BodyTooLarge, RequestBody

    megabyte = b"x" * 1_000_000
    messages = iter([{"type": "http.request", "body": megabyte, "more_body": True}] * 30)

    async def receive():
        return next(messages)

    body, seen = RequestBody(receive), 0
    with pytest.raises(BodyTooLarge):
        async for chunk in body:
            seen += len(chunk)
    assert body.too_large and seen <= MAX_BODY_BYTES


async def test_a_client_gone_mid_upload_ends_the_upload() -> None:
    """What came is not passed on as if it were the whole body."""
    from kohub_gateway.adapters.http.proxy import ClientGone, RequestBody

    messages = iter([
        {"type": "http.request", "body": b"part", "more_body": True},
        {"type": "http.disconnect"},
    ])  # fmt: skip

    async def receive():
        return next(messages)

    body, got = RequestBody(receive), []
    with pytest.raises(ClientGone):
        async for chunk in body:
            got.append(chunk)
    assert got == [b"part"] and body.client_gone


async def test_an_owner_down_is_502_and_too_slow_is_504(client, host_down_client, oidc) -> None:
    op = oidc.headers(["msp-operator"])
    down = await host_down_client.get("/api/v1/hosts", headers=op)
    assert down.status_code == 502 and down.headers["content-type"].startswith(PROBLEM)
    assert down.json()["detail"] == "The host service is not reachable."
    slow = await client.get("/api/v1/tickets", headers={**op, "x-echo-delay": "2"})
    assert slow.status_code == 504 and slow.json()["type"].endswith("gateway-timeout")


async def test_the_dashboard_gathers_the_parts(client, oidc) -> None:
    r = await client.get("/api/v1/dashboard/summary", headers=oidc.headers(["msp-operator"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["missing"] == []
    assert body["tickets"]["openedToday"] == 2 and body["tickets"]["mttrSeconds"] == 3600.0
    assert body["hosts"]["byCurrentStatus"]["DOWN"] == 1


async def test_the_dashboard_answers_without_a_part_that_is_down(host_down_client, oidc) -> None:
    op = oidc.headers(["msp-operator"])
    r = await host_down_client.get("/api/v1/dashboard/summary", headers=op)
    assert r.status_code == 200
    body = r.json()
    assert body["tickets"]["byStatus"]["NEW"] == 3
    assert body["hosts"] is None
    assert body["missing"] == [
        {"part": "hosts", "reason": "the host service is not reachable", "status": None}
    ]
    hosts = (await host_down_client.get("/api/v1/dashboard/hosts-status", headers=op)).json()
    assert hosts["hosts"] is None and hosts["missing"][0]["part"] == "hosts"


async def test_dashboard_roles(client, oidc) -> None:
    assert (await client.get("/api/v1/dashboard/summary")).status_code == 401
    nobody = await client.get("/api/v1/dashboard/summary", headers=oidc.headers([]))
    assert nobody.status_code == 403
    customer = oidc.headers(["customer"], "3f2c1d4e-0000-4000-8000-000000000001")
    assert (await client.get("/api/v1/dashboard/summary", headers=customer)).status_code == 200
