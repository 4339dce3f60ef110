"""The HTTP API with real signed tokens, the real PostgreSQL and RabbitMQ."""

import asyncio
import uuid

import pytest

from kohub_platform.devtokens import SigningKey, realm_claims

ORG, OTHER_ORG = str(uuid.uuid4()), str(uuid.uuid4())
ROLES = ["msp-admin", "msp-operator", "customer-admin", "customer", "no-role"]


def auth(oidc, role: str, org: str | None = ORG, **claims) -> dict[str, str]:
    roles = [] if role == "no-role" else [role]
    org_id = None if role.startswith("msp") else org
    return oidc.headers(roles, org_id, **claims)


async def create(client, oidc, role="msp-operator", **body) -> dict:
    payload = {"title": "web-prod-01 응답 없음", "priority": "HIGH", **body}
    if role.startswith("msp"):
        payload.setdefault("organizationId", ORG)
    response = await client.post("/api/v1/tickets", json=payload, headers=auth(oidc, role))
    assert response.status_code == 201, response.text
    return response.json()


TID = "00000000-0000-4000-8000-000000000000"
# (method, path, body, roles allowed) — the role table of SPEC.md; msp-admin may do everything.
ENDPOINTS = [
    ("GET", "/api/v1/tickets", None, {"msp-admin", "msp-operator", "customer-admin", "customer"}),
    (
        "GET",
        "/api/v1/tickets/stats",
        None,
        {"msp-admin", "msp-operator", "customer-admin", "customer"},
    ),
    ("POST", "/api/v1/tickets", {"title": "x"}, {"msp-admin", "msp-operator", "customer"}),
    (
        "GET",
        f"/api/v1/tickets/{TID}",
        None,
        {"msp-admin", "msp-operator", "customer-admin", "customer"},
    ),
    ("PUT", f"/api/v1/tickets/{TID}", {"title": "y"}, {"msp-admin", "msp-operator"}),
    ("POST", f"/api/v1/tickets/{TID}/receive", None, {"msp-admin", "msp-operator"}),
    ("POST", f"/api/v1/tickets/{TID}/assign", {"assigneeId": TID}, {"msp-admin", "msp-operator"}),
    (
        "POST",
        f"/api/v1/tickets/{TID}/transition",
        {"toStatus": "CLOSED"},
        {"msp-admin", "msp-operator"},
    ),
    ("POST", f"/api/v1/tickets/{TID}/resolve", {"summary": "s"}, {"msp-admin", "msp-operator"}),
    ("POST", f"/api/v1/tickets/{TID}/complete", None, {"msp-admin", "customer"}),
    ("POST", f"/api/v1/tickets/{TID}/reopen", None, {"msp-admin", "msp-operator", "customer"}),
    ("GET", f"/api/v1/tickets/{TID}/activities", None, {"msp-admin", "msp-operator"}),
    (
        "POST",
        f"/api/v1/tickets/{TID}/comments",
        {"content": "c"},
        {"msp-admin", "msp-operator", "customer"},
    ),
    ("GET", f"/api/v1/tickets/{TID}/terminal-logs", None, {"msp-admin", "msp-operator"}),
    (
        "POST",
        f"/api/v1/tickets/{TID}/terminal-logs",
        {"sessionId": "s", "commandLog": "ls", "startedAt": "2026-01-30T10:20:00Z"},
        {"msp-admin", "msp-operator"},
    ),
    ("GET", f"/api/v1/tickets/{TID}/terminal-logs/{TID}", None, {"msp-admin", "msp-operator"}),
    (
        "POST",
        f"/api/v1/tickets/{TID}/terminal-access",
        {"hostId": TID, "termixHostId": "1"},
        {"msp-admin", "msp-operator"},
    ),
    ("GET", f"/api/v1/tickets/{TID}/resolution-context", None, {"msp-admin", "msp-operator"}),
    ("GET", "/api/v1/tickets/assignees", None, {"msp-admin", "msp-operator"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e[0]} {e[1].replace(TID, '{id}')}")
async def test_each_endpoint_for_each_role(client, oidc, endpoint, role) -> None:
    method, path, body, allowed = endpoint
    response = await client.request(method, path, json=body, headers=auth(oidc, role))
    if role in allowed:
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_full_walk_new_to_closed_over_http(client, oidc) -> None:
    op = auth(oidc, "msp-operator", name="김운영")
    ticket = await create(client, oidc)
    assert ticket["status"] == "NEW" and ticket["key"].startswith("KH-")
    tid, me = ticket["id"], ticket["reporter"]["id"]
    for step, body in [
        ("receive", None),
        ("assign", {"assigneeId": me}),
        ("transition", {"toStatus": "IN_PROGRESS", "reason": "분석 시작"}),
        ("transition", {"toStatus": "PENDING"}),
        ("transition", {"toStatus": "IN_PROGRESS"}),
        (
            "resolve",
            {
                "summary": "nginx 메모리 누수",
                "actionTaken": "nginx 재시작",
                "aiSuggestionUsed": {"suggestionId": "ai-123", "applied": True},
            },
        ),
    ]:
        response = await client.post(f"/api/v1/tickets/{tid}/{step}", json=body, headers=op)
        assert response.status_code == 200, (step, response.text)
    customer = auth(oidc, "customer")
    done = await client.post(f"/api/v1/tickets/{tid}/complete", headers=customer)
    assert done.json()["status"] == "COMPLETED"
    closed = await client.post(
        f"/api/v1/tickets/{tid}/transition", json={"toStatus": "CLOSED"}, headers=op
    )
    detail = closed.json()
    assert detail["status"] == "CLOSED" and detail["allowedTransitions"] == []
    assert detail["resolution"]["actionTaken"] == "nginx 재시작"
    assert detail["resolution"]["aiSuggestionUsed"] == {"suggestionId": "ai-123", "applied": True}
    assert detail["assignee"]["id"] == me
    contents = [a["content"] for a in detail["activities"]]
    assert "상태 변경: 신규 → 접수" in contents
    english = await client.get(
        f"/api/v1/tickets/{tid}/activities", headers={**op, "Accept-Language": "en"}
    )
    assert "Status changed: New → Received" in [a["content"] for a in english.json()]


async def test_illegal_move_answers_409_naming_allowed_targets(client, oidc) -> None:
    ticket = await create(client, oidc)
    response = await client.post(
        f"/api/v1/tickets/{ticket['id']}/transition",
        json={"toStatus": "IN_PROGRESS"},
        headers=auth(oidc, "msp-operator"),
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["allowedTransitions"] == ["RECEIVED", "CLOSED"]
    assert problem["currentStatus"] == "NEW"


async def test_other_organization_gets_404_everywhere(client, oidc) -> None:
    ticket = await create(client, oidc)
    stranger = auth(oidc, "customer", org=OTHER_ORG)
    tid = ticket["id"]
    assert (await client.get(f"/api/v1/tickets/{tid}", headers=stranger)).status_code == 404
    for path, body in [("comments", {"content": "x"}), ("complete", None), ("reopen", None)]:
        response = await client.post(f"/api/v1/tickets/{tid}/{path}", json=body, headers=stranger)
        assert response.status_code == 404, path
    listed = (await client.get("/api/v1/tickets?limit=200", headers=stranger)).json()
    assert all(item["organizationId"] == OTHER_ORG for item in listed["items"])
    own = await client.get(f"/api/v1/tickets/{tid}", headers=auth(oidc, "customer-admin"))
    assert own.status_code == 200


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "expired",
        "wrong issuer",
        "wrong audience",
        "alg none",
        "garbage",
        "unknown kid",
        "hs256 with public key",
    ],
)
async def test_bad_tokens_answer_401(client, oidc, case) -> None:
    import time

    import jwt

    now = int(time.time())
    tokens = {
        "expired": oidc.token(["msp-admin"], exp=now - 60, iat=now - 3600),
        "wrong issuer": oidc.token(["msp-admin"], iss="http://evil/realms/kecp-sso"),
        "wrong audience": oidc.token(["msp-admin"], aud="else", azp="else"),
        "alg none": jwt.encode(
            {"sub": "x", "iss": oidc.issuer, "aud": "kohub", "exp": now + 60},
            key=None,
            algorithm="none",
        ),
        "garbage": "abc.def.ghi",
        "unknown kid": SigningKey.generate().sign(
            realm_claims(issuer=oidc.issuer, audience="kohub", roles=["msp-admin"])
        ),
        "hs256 with public key": oidc.hs256_confusion_token(["msp-admin"]),
    }
    headers = {"Authorization": f"Bearer {tokens[case]}"} if case in tokens else {}
    response = await client.get("/api/v1/tickets", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "body",
    [
        {"title": 42},
        {"title": "x", "priority": "URGENT"},
        {"title": "x", "source": "EMAIL"},
        {"title": "x" * 201},
        {"title": "x", "description": "d" * 20_001},
        {"title": "x", "hostId": "web-prod-01"},
        {"title": "x", "surprise": True},
        [],
    ],
)
async def test_bad_bodies_are_refused_and_nothing_is_written(client, oidc, body) -> None:
    op = auth(oidc, "msp-operator")
    before = (await client.get("/api/v1/tickets?limit=1", headers=op)).json()["total"]
    if isinstance(body, dict):
        body.setdefault("organizationId", ORG)
    response = await client.post("/api/v1/tickets", json=body, headers=op)
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == response.status_code
    after = (await client.get("/api/v1/tickets?limit=1", headers=op)).json()["total"]
    assert after == before


async def test_stale_if_match_answers_412(client, oidc) -> None:
    op = auth(oidc, "msp-operator")
    ticket = await create(client, oidc)
    url = f"/api/v1/tickets/{ticket['id']}"
    first = await client.put(url, json={"priority": "LOW"}, headers={**op, "If-Match": '"v1"'})
    assert first.status_code == 200 and first.headers["etag"] == '"v2"'
    stale = await client.put(url, json={"priority": "CRITICAL"}, headers={**op, "If-Match": '"v1"'})
    assert stale.status_code == 412
    weak = await client.put(
        url, json={"priority": "CRITICAL"}, headers={**op, "If-Match": 'W/"v2"'}
    )
    assert weak.status_code == 412, "If-Match compares strongly"
    assert (await client.get(url, headers=op)).json()["priority"] == "LOW"


async def test_list_filters_search_and_cursor_pagination(client, oidc) -> None:
    org = str(uuid.uuid4())
    op = auth(oidc, "msp-operator")
    marker = uuid.uuid4().hex[:10]
    for n in range(7):
        await create(
            client,
            oidc,
            organizationId=org,
            title=f"{marker} disk {n}",
            priority="CRITICAL" if n % 2 else "LOW",
        )
    base = f"/api/v1/tickets?organizationId={org}"
    crit = (await client.get(f"{base}&priority=CRITICAL", headers=op)).json()
    assert crit["total"] == 3 and {i["priority"] for i in crit["items"]} == {"CRITICAL"}
    found = (await client.get(f"/api/v1/tickets?q={marker}%20disk%205", headers=op)).json()
    assert [i["title"] for i in found["items"]] == [f"{marker} disk 5"]
    seen, cursor = [], None
    while True:
        url = f"{base}&limit=3&sort=-priority" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=op)).json()
        assert page["total"] == 7
        seen += page["items"]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == 7 and len({i["id"] for i in seen}) == 7
    assert [i["priority"] for i in seen] == ["CRITICAL"] * 3 + ["LOW"] * 4
    status_filter = (await client.get(f"{base}&status=NEW&status=CLOSED", headers=op)).json()
    assert status_filter["total"] == 7
    bad = await client.get(f"{base}&cursor=not-a-cursor", headers=op)
    assert bad.status_code == 422


async def test_concurrent_creation_gives_unique_keys(client, oidc) -> None:
    results = await asyncio.gather(*(create(client, oidc) for _ in range(30)))
    keys = [r["key"] for r in results]
    assert len(set(keys)) == 30
    numbers = sorted(int(k.rsplit("-", 1)[1]) for k in keys)
    assert numbers == list(range(numbers[0], numbers[0] + 30)), "one number per ticket"
    assert all(len(k.rsplit("-", 1)[1]) >= 4 for k in keys)


async def test_terminal_log_is_stored_once_per_session(client, oidc) -> None:
    op = auth(oidc, "msp-operator")
    ticket = await create(client, oidc)
    url = f"/api/v1/tickets/{ticket['id']}/terminal-logs"
    body = {
        "sessionId": "session-123",
        "commandLog": "$ uptime\n$ systemctl restart nginx\n",
        "startedAt": "2026-01-30T10:20:00Z",
        "endedAt": "2026-01-30T10:35:00Z",
    }
    stored = await client.post(url, json=body, headers=op)
    assert stored.status_code == 201 and stored.json()["commandLog"].startswith("$ uptime")
    assert (await client.post(url, json=body, headers=op)).status_code == 409
    detail = (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=op)).json()
    assert [t["sessionId"] for t in detail["terminalLogs"]] == ["session-123"]
    assert detail["activities"][-1]["type"] == "TERMINAL_ACCESS"


async def test_operations_endpoints(client) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "broker": "ok"}
    assert "kohub_http" in (await client.get("/metrics")).text
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/tickets/{ticket_id}/transition" in schema["paths"]
    response = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_customers_see_status_and_conversation_not_internal_work(client, oidc) -> None:
    op = auth(oidc, "msp-operator")
    ticket = await create(client, oidc)
    tid, me = ticket["id"], ticket["reporter"]["id"]
    await client.post(f"/api/v1/tickets/{tid}/receive", headers=op)
    await client.post(f"/api/v1/tickets/{tid}/assign", json={"assigneeId": me}, headers=op)
    await client.post(
        f"/api/v1/tickets/{tid}/terminal-logs",
        headers=op,
        json={
            "sessionId": "s-1",
            "commandLog": "cat /etc/shadow",
            "startedAt": "2026-01-30T10:20:00Z",
        },
    )
    await client.post(
        f"/api/v1/tickets/{tid}/comments", json={"content": "보고 있습니다"}, headers=op
    )
    seen = (await client.get(f"/api/v1/tickets/{tid}", headers=auth(oidc, "customer"))).json()
    assert {a["type"] for a in seen["activities"]} == {"STATUS_CHANGE", "COMMENT"}
    assert seen["terminalLogs"] == []
    staff = (await client.get(f"/api/v1/tickets/{tid}", headers=op)).json()
    assert {"ASSIGNMENT", "TERMINAL_ACCESS"} <= {a["type"] for a in staff["activities"]}


async def test_a_token_cannot_claim_the_system_role(client, oidc) -> None:
    ticket = await create(client, oidc)
    intruder = oidc.headers(["customer", "kohub-integration"], OTHER_ORG)
    response = await client.get(f"/api/v1/tickets/{ticket['id']}", headers=intruder)
    assert response.status_code == 404


async def test_customer_cannot_name_an_unknown_or_foreign_host(client, oidc) -> None:
    customer = auth(oidc, "customer")
    unknown = await client.post(
        "/api/v1/tickets", headers=customer, json={"title": "x", "hostId": str(uuid.uuid4())}
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "No such host in this organization."
