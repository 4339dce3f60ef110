"""`GET /api/v1/alerts`: operators see every alert, customers their organization's only, and
the list pages with opaque cursors."""

import uuid

import pytest
import pytest_asyncio

from .conftest import PROBLEM, auth, create_source, fixture, send


async def alerts_of_org(client, oidc, payloads: list[str]) -> tuple[str, set[str]]:
    """A new organization with the alerts of `payloads` (Alertmanager fixtures)."""
    org = str(uuid.uuid4())
    source = await create_source(client, oidc, "prometheus", defaultOrganizationId=org)
    event_ids = set()
    for payload in payloads:
        r = await send(client, "prometheus", source["token"], fixture(payload))
        assert r.status_code == 202, r.text
        event_ids.add(r.json()["adapterEventId"])
    listed = await client.get(
        "/api/v1/alerts", params={"organizationId": org}, headers=auth(oidc, "msp-operator")
    )
    ids = {a["id"] for a in listed.json()["items"]}
    assert {a["adapterEventId"] for a in listed.json()["items"]} == event_ids
    return org, ids


@pytest_asyncio.fixture(scope="module")
async def two_orgs(client, oidc) -> dict[str, tuple[str, set[str]]]:
    return {
        "A": await alerts_of_org(client, oidc, ["alertmanager_real_firing.json"]),
        "B": await alerts_of_org(client, oidc, ["alertmanager_firing_two.json"]),
    }


async def everything(client, headers, **params) -> list[dict]:
    """Every page of the list."""
    items: list[dict] = []
    cursor = None
    while True:
        query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
        r = await client.get("/api/v1/alerts", params=query, headers=headers)
        assert r.status_code == 200, r.text
        items.extend(r.json()["items"])
        cursor = r.json()["nextCursor"]
        if cursor is None:
            return items


@pytest.mark.parametrize("role", ["msp-operator", "msp-admin"])
async def test_operators_see_every_organization(client, oidc, two_orgs, role) -> None:
    (org_a, a_ids), (org_b, b_ids) = two_orgs["A"], two_orgs["B"]
    seen = {a["id"] for a in await everything(client, auth(oidc, role))}
    assert a_ids | b_ids <= seen
    only_a = await client.get(
        "/api/v1/alerts", params={"organizationId": org_a}, headers=auth(oidc, role)
    )
    assert {a["id"] for a in only_a.json()["items"]} == a_ids
    only_b = await client.get(
        "/api/v1/alerts", params={"organizationId": org_b}, headers=auth(oidc, role)
    )
    assert {a["id"] for a in only_b.json()["items"]} == b_ids
    assert only_b.json()["total"] == len(b_ids) == 3


@pytest.mark.parametrize("role", ["customer", "customer-admin"])
async def test_a_customer_sees_its_organization_only(client, oidc, two_orgs, role) -> None:
    (org_a, a_ids), (org_b, b_ids) = two_orgs["A"], two_orgs["B"]
    mine = await everything(client, auth(oidc, role, org_a))
    assert {a["id"] for a in mine} == a_ids
    assert all(a["organizationId"] == org_a for a in mine)
    # asking for the other organization does not widen the scope
    other = await client.get(
        "/api/v1/alerts", params={"organizationId": org_b}, headers=auth(oidc, role, org_a)
    )
    assert other.status_code == 200
    assert other.json()["items"] == [] and other.json()["total"] == 0
    theirs = await everything(client, auth(oidc, role, org_b))
    assert {a["id"] for a in theirs} == b_ids


@pytest.mark.parametrize("org", [None, "not-a-uuid"])
async def test_a_customer_without_an_organization_sees_nothing(client, oidc, two_orgs, org) -> None:
    r = await client.get("/api/v1/alerts", headers=auth(oidc, "customer", org))
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [], "total": 0, "nextCursor": None, "limit": 50}


async def test_without_a_reader_role_the_list_is_403(client, oidc) -> None:
    r = await client.get("/api/v1/alerts", headers=auth(oidc, "no-role", str(uuid.uuid4())))
    assert r.status_code == 403
    assert (await client.get("/api/v1/alerts")).status_code == 401


async def test_pages_follow_the_cursor(client, oidc) -> None:
    payloads = [
        "alertmanager_firing_two.json",
        "alertmanager_real_firing.json",
        "alertmanager_resolved.json",
    ]
    org, ids = await alerts_of_org(client, oidc, payloads)
    assert len(ids) >= 5
    op = auth(oidc, "msp-operator")
    pages: list[list[dict]] = []
    cursor = None
    while True:
        params = {"organizationId": org, "limit": 2, **({"cursor": cursor} if cursor else {})}
        r = await client.get("/api/v1/alerts", params=params, headers=op)
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["total"] == len(ids) and page["limit"] == 2
        pages.append(page["items"])
        cursor = page["nextCursor"]
        if cursor is None:
            break
        assert len(page["items"]) == 2
    assert len(pages) == (len(ids) + 1) // 2
    listed = [a["id"] for page in pages for a in page]
    assert len(listed) == len(set(listed)) == len(ids)
    assert set(listed) == ids
    order = [(a["receivedAt"], a["id"]) for page in pages for a in page]
    assert order == sorted(order, reverse=True), "newest first, across pages"


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not a cursor"},
        {"cursor": "eyJmb28iOiAxfQ"},  # base64 of a JSON object, not a cursor
        {"limit": 0},
        {"limit": 201},
        {"state": "BURNING"},
    ],
    ids=["garbage cursor", "json cursor", "limit 0", "limit 201", "unknown state"],
)
async def test_bad_parameters_are_400(client, oidc, params) -> None:
    r = await client.get("/api/v1/alerts", params=params, headers=auth(oidc, "msp-operator"))
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_a_cursor_of_another_list_is_400(client, oidc) -> None:
    admin = auth(oidc, "msp-admin")
    for _ in range(2):  # at least two adapter events, so the first page has a next cursor
        source = await create_source(client, oidc, "prometheus")
        await send(client, "prometheus", source["token"])
    events = await client.get("/api/v1/adapter-events", params={"limit": 1}, headers=admin)
    cursor = events.json()["nextCursor"]
    assert cursor
    r = await client.get("/api/v1/alerts", params={"cursor": cursor}, headers=admin)
    assert r.status_code == 400, r.text
    assert r.json()["type"] == "urn:kohub:problem:bad-request"
