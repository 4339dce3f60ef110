"""The host API with real tokens, PostgreSQL and RabbitMQ."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from kohub_host.application import handlers
from kohub_host.bootstrap import bootstrap
from kohub_platform.testing import eventually

ORG = str(uuid.uuid4())
OTHER_ORG = str(uuid.uuid4())
ROLES = ["msp-admin", "msp-operator", "customer-admin", "customer", "no-role"]


def auth(oidc, role: str, org: str = ORG) -> dict[str, str]:
    roles = [] if role == "no-role" else [role]
    return oidc.headers(roles, None if role.startswith("msp") else org)


async def organization(client, oidc, name: str = "A사") -> str:
    r = await client.post(
        "/api/v1/organizations", json={"name": name}, headers=auth(oidc, "msp-admin")
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def register(client, oidc, org: str, **body) -> dict:
    payload = {
        "name": f"web-{uuid.uuid4().hex[:6]}",
        "connectionType": "SSH",
        "sshConfig": {"host": "10.0.0.1", "port": 22, "username": "admin"},
        "tags": ["Production", "web"],
        "organizationId": org,
        **body,
    }
    r = await client.post("/api/v1/hosts", json=payload, headers=auth(oidc, "msp-admin"))
    assert r.status_code == 201, r.text
    return r.json()


HID, AID = str(uuid.uuid4()), str(uuid.uuid4())
ENDPOINTS = [
    ("GET", "/api/v1/hosts", None, {"msp-admin", "msp-operator", "customer-admin"}),
    ("GET", "/api/v1/hosts/stats", None, {"msp-admin", "msp-operator", "customer-admin"}),
    ("POST", "/api/v1/hosts", {"name": "x"}, {"msp-admin"}),
    ("GET", f"/api/v1/hosts/{HID}", None, {"msp-admin", "msp-operator", "customer-admin"}),
    ("PUT", f"/api/v1/hosts/{HID}", {"name": "y"}, {"msp-admin"}),
    ("DELETE", f"/api/v1/hosts/{HID}", None, {"msp-admin"}),
    ("PUT", f"/api/v1/hosts/{HID}/lifecycle", {"status": "ACTIVE"}, {"msp-admin"}),
    ("GET", f"/api/v1/hosts/{HID}/status", None, {"msp-admin", "msp-operator"}),
    ("GET", f"/api/v1/hosts/{HID}/terminal-url", None, {"msp-admin", "msp-operator"}),
    ("GET", f"/api/v1/hosts/{HID}/adapters", None, {"msp-admin", "msp-operator"}),
    ("POST", f"/api/v1/hosts/{HID}/adapters", {"type": "termix", "config": {}}, {"msp-admin"}),
    ("PUT", f"/api/v1/hosts/{HID}/adapters/{AID}", {"status": "INACTIVE"}, {"msp-admin"}),
    ("DELETE", f"/api/v1/hosts/{HID}/adapters/{AID}", None, {"msp-admin"}),
    (
        "GET",
        "/api/v1/organizations",
        None,
        {"msp-admin", "msp-operator", "customer-admin", "customer"},
    ),
    ("POST", "/api/v1/organizations", {"name": "n"}, {"msp-admin"}),
    ("PUT", f"/api/v1/organizations/{HID}", {"name": "n"}, {"msp-admin"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "endpoint", ENDPOINTS, ids=lambda e: f"{e[0]} {e[1].replace(HID, '{id}').replace(AID, '{a}')}"
)
async def test_each_endpoint_for_each_role(client, oidc, endpoint, role) -> None:
    method, path, body, allowed = endpoint
    response = await client.request(method, path, json=body, headers=auth(oidc, role))
    if role in allowed:
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403, response.text


async def test_host_shows_organization_name_adapters_and_status(client, oidc) -> None:
    org = await organization(client, oidc, "A사")
    h = await register(client, oidc, org)
    assert h["organizationName"] == "A사"
    assert h["tags"] == ["production", "web"]
    assert h["currentStatus"]["status"] == "UNKNOWN"
    adapter = await client.post(
        f"/api/v1/hosts/{h['id']}/adapters",
        headers=auth(oidc, "msp-admin"),
        json={"type": "uptime-kuma", "config": {"sourceId": "kuma", "monitorId": h["id"][:8]}},
    )
    assert adapter.status_code == 201, adapter.text
    detail = (
        await client.get(f"/api/v1/hosts/{h['id']}", headers=auth(oidc, "msp-operator"))
    ).json()
    assert [a["type"] for a in detail["adapters"]] == ["uptime-kuma"]
    assert detail["sshConfig"] == {"host": "10.0.0.1", "port": 22, "username": "admin"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"connectionType": "TELNET"}, None),
        ({"sshConfig": None}, "sshConfig"),
        ({"sshConfig": {"host": "h", "port": 70000, "username": "u"}}, "sshConfig.port"),
        ({"sshConfig": {"host": "h", "username": "u", "password": "secret"}}, "sshConfig"),
        ({"sshConfig": {"host": "h", "username": "u", "privateKey": "-----BEGIN"}}, "sshConfig"),
        ({"tags": ["ok", " "]}, "tags"),
        ({"name": ""}, None),
        ({"organizationId": str(uuid.uuid4())}, "organizationId"),
    ],
)
async def test_invalid_hosts_are_refused_and_nothing_is_written(client, oidc, body, field) -> None:
    org = await organization(client, oidc)
    admin = auth(oidc, "msp-admin")
    payload = {
        "name": "db-01",
        "connectionType": "SSH",
        "sshConfig": {"host": "10.0.0.2", "username": "admin"},
        "organizationId": org,
        **body,
    }
    response = await client.post("/api/v1/hosts", json=payload, headers=admin)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if field:
        assert response.json()["errors"][0]["key"] == field
    listed = (await client.get(f"/api/v1/hosts?organizationId={org}", headers=admin)).json()
    assert listed["total"] == 0


async def test_names_are_unique_per_organization(client, oidc) -> None:
    org, other = await organization(client, oidc), await organization(client, oidc)
    await register(client, oidc, org, name="web-prod-01")
    again = await client.post(
        "/api/v1/hosts",
        headers=auth(oidc, "msp-admin"),
        json={"name": "WEB-PROD-01", "connectionType": "AGENT", "organizationId": org},
    )
    assert again.status_code == 409
    await register(client, oidc, other, name="web-prod-01")


async def test_one_monitor_maps_to_one_host(client, oidc) -> None:
    org = await organization(client, oidc)
    first, second = await register(client, oidc, org), await register(client, oidc, org)
    monitor = {"type": "prometheus", "config": {"matchers": {"instance": f"{uuid.uuid4()}:9100"}}}
    admin = auth(oidc, "msp-admin")
    ok = await client.post(f"/api/v1/hosts/{first['id']}/adapters", json=monitor, headers=admin)
    assert ok.status_code == 201
    clash = await client.post(f"/api/v1/hosts/{second['id']}/adapters", json=monitor, headers=admin)
    assert clash.status_code == 409
    bad = await client.post(
        f"/api/v1/hosts/{second['id']}/adapters",
        headers=admin,
        json={"type": "prometheus", "config": {"matchers": {}}},
    )
    assert bad.status_code == 422
    removed = await client.delete(
        f"/api/v1/hosts/{first['id']}/adapters/{ok.json()['id']}", headers=admin
    )
    assert removed.status_code == 204
    again = await client.post(f"/api/v1/hosts/{second['id']}/adapters", json=monitor, headers=admin)
    assert again.status_code == 201


async def test_customer_admin_reads_own_organization_only(client, oidc) -> None:
    mine = await organization(client, oidc)
    theirs = await organization(client, oidc)
    own = await register(client, oidc, mine)
    foreign = await register(client, oidc, theirs)
    reader = auth(oidc, "customer-admin", org=mine)
    assert (await client.get(f"/api/v1/hosts/{own['id']}", headers=reader)).status_code == 200
    assert (await client.get(f"/api/v1/hosts/{foreign['id']}", headers=reader)).status_code == 404
    listed = (await client.get("/api/v1/hosts?limit=200", headers=reader)).json()
    assert {i["organizationId"] for i in listed["items"]} == {mine}
    customer = auth(oidc, "customer", org=mine)
    assert (
        await client.get(f"/api/v1/organizations/{theirs}", headers=customer)
    ).status_code == 404
    assert (await client.get(f"/api/v1/organizations/{mine}", headers=customer)).status_code == 200


async def test_organization_from_a_token_is_created_on_the_fly(client, oidc) -> None:
    org = str(uuid.uuid4())
    listed = await client.get("/api/v1/organizations", headers=auth(oidc, "customer", org=org))
    assert [o["id"] for o in listed.json()] == [org]


async def test_list_filters_every_tag_must_match_and_pages(client, oidc) -> None:
    org = await organization(client, oidc)
    for n in range(5):
        await register(
            client, oidc, org, name=f"node-{n}", tags=["linux", "db" if n % 2 else "web"]
        )
    admin = auth(oidc, "msp-operator")
    both = (
        await client.get(f"/api/v1/hosts?organizationId={org}&tag=linux&tag=db", headers=admin)
    ).json()
    assert both["total"] == 2 and all("db" in i["tags"] for i in both["items"])
    names, cursor = [], None
    while True:
        url = f"/api/v1/hosts?organizationId={org}&limit=2&sort=-name"
        page = (
            await client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=admin)
        ).json()
        names += [i["name"] for i in page["items"]]
        if not (cursor := page["nextCursor"]):
            break
    assert names == [f"node-{n}" for n in reversed(range(5))]
    found = (await client.get(f"/api/v1/hosts?organizationId={org}&q=node-3", headers=admin)).json()
    assert [i["name"] for i in found["items"]] == ["node-3"]


async def test_if_match_guards_updates(client, oidc) -> None:
    org = await organization(client, oidc)
    h = await register(client, oidc, org)
    admin = auth(oidc, "msp-admin")
    url = f"/api/v1/hosts/{h['id']}"
    ok = await client.put(url, json={"description": "new"}, headers={**admin, "If-Match": '"v1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == '"v2"'
    stale = await client.put(
        url, json={"description": "old"}, headers={**admin, "If-Match": '"v1"'}
    )
    assert stale.status_code == 412


async def test_delete_deactivates_and_maintenance_expires(client, oidc, host_settings) -> None:
    org = await organization(client, oidc)
    admin = auth(oidc, "msp-admin")
    gone = await register(client, oidc, org)
    deleted = await client.delete(f"/api/v1/hosts/{gone['id']}", headers=admin)
    assert deleted.status_code == 200 and deleted.json()["status"] == "INACTIVE"
    assert (await client.get(f"/api/v1/hosts/{gone['id']}", headers=admin)).status_code == 200
    h = await register(client, oidc, org)
    until = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    paused = await client.put(
        f"/api/v1/hosts/{h['id']}/lifecycle",
        headers=admin,
        json={"status": "MAINTENANCE", "maintenanceUntil": until},
    )
    assert paused.json()["status"] == "MAINTENANCE"
    worker = bootstrap(host_settings)  # the job's own engine, on this test's event loop

    async def active_again():  # run the job until the window has passed
        await handlers.end_due_maintenance(worker.uow, worker.clock)
        back = (await client.get(f"/api/v1/hosts/{h['id']}", headers=admin)).json()
        return back if back["status"] == "ACTIVE" else None

    try:
        back = await eventually(active_again, timeout=15, interval=0.25)
    finally:
        await worker.engine.dispose()
    assert back["maintenanceUntil"] is None


async def test_customer_admin_reads_status_not_access_details(client, oidc) -> None:
    org = await organization(client, oidc)
    h = await register(client, oidc, org)
    await client.post(
        f"/api/v1/hosts/{h['id']}/adapters",
        headers=auth(oidc, "msp-admin"),
        json={"type": "termix", "config": {"baseUrl": "https://termix.example", "hostId": "4"}},
    )
    seen = (
        await client.get(f"/api/v1/hosts/{h['id']}", headers=auth(oidc, "customer-admin", org=org))
    ).json()
    assert seen["sshConfig"] is None and seen["adapters"] == []
    assert seen["currentStatus"]["status"] == "UNKNOWN"
    staff = (
        await client.get(f"/api/v1/hosts/{h['id']}", headers=auth(oidc, "msp-operator"))
    ).json()
    assert staff["sshConfig"]["host"] == "10.0.0.1" and len(staff["adapters"]) == 1


async def test_stats_count_hosts_by_status_and_observation(client, oidc) -> None:
    org = await organization(client, oidc, f"stats-{uuid.uuid4().hex[:6]}")
    admin = auth(oidc, "msp-admin")
    first, second, third = [await register(client, oidc, org) for _ in range(3)]
    r = await client.delete(f"/api/v1/hosts/{third['id']}", headers=admin)
    assert r.status_code in (200, 204), r.text
    r = await client.put(
        f"/api/v1/hosts/{second['id']}/lifecycle", json={"status": "MAINTENANCE"}, headers=admin
    )
    assert r.status_code == 200, r.text
    mine = await client.get("/api/v1/hosts/stats", headers=auth(oidc, "customer-admin", org))
    assert mine.status_code == 200, mine.text
    stats = mine.json()
    assert stats["total"] == 3
    assert stats["byStatus"] == {"ACTIVE": 1, "INACTIVE": 1, "MAINTENANCE": 1}
    # not yet observed by monitoring: UNKNOWN, the inactive host not counted
    assert stats["byCurrentStatus"]["UNKNOWN"] == 2 and sum(stats["byCurrentStatus"].values()) == 2
    everyone = (await client.get("/api/v1/hosts/stats", headers=admin)).json()
    assert everyone["total"] >= 3 and first["id"]
