"""The gateway in front of the running services: the API through it is the services' API,
and the dashboard's figures are the services' own."""

import uuid

import httpx


async def test_the_api_through_the_gateway_and_the_dashboard_figures(
    gateway_service, ticket_service, host_service, adapter_service, oidc
) -> None:
    admin = oidc.headers(["msp-admin"])
    operator = oidc.headers(["msp-operator"], name="김운영")
    async with (
        httpx.AsyncClient(base_url=gateway_service.url, timeout=15) as gateway,
        httpx.AsyncClient(base_url=ticket_service.url, timeout=15) as tickets,
        httpx.AsyncClient(base_url=host_service.url, timeout=15) as hosts,
    ):
        org = (
            await gateway.post(
                "/api/v1/organizations", json={"name": "게이트웨이 고객사"}, headers=admin
            )
        ).json()
        host = await gateway.post(
            "/api/v1/hosts",
            json={
                "name": f"gw-{uuid.uuid4().hex[:6]}",
                "connectionType": "HTTPS",
                "organizationId": org["id"],
            },
            headers=admin,
        )
        assert host.status_code == 201, host.text
        created = []
        for priority in ("CRITICAL", "LOW"):
            r = await gateway.post(
                "/api/v1/tickets",
                json={"title": f"gw {priority}", "priority": priority, "organizationId": org["id"]},
                headers=operator,
            )
            assert r.status_code == 201, r.text
            assert r.headers["location"].startswith("/api/v1/tickets/")
            created.append({**r.json(), "etag": r.headers["etag"]})
        params = {"organizationId": org["id"]}
        through = await gateway.get("/api/v1/tickets", params=params, headers=operator)
        direct = await tickets.get("/api/v1/tickets", params=params, headers=operator)
        assert through.status_code == 200 and through.json() == direct.json()
        assert through.json()["total"] == 2

        r = await gateway.post(
            f"/api/v1/tickets/{created[0]['id']}/receive",
            headers={
                **operator,
                "If-Match": created[0]["etag"],
            },
        )
        assert r.status_code == 200, r.text
        assert r.headers["etag"] == '"v2"'

        summary = await gateway.get(
            "/api/v1/dashboard/summary", params={"tz": "Asia/Seoul"}, headers=operator
        )
        assert summary.status_code == 200, summary.text
        body = summary.json()
        assert body["missing"] == []
        own_tickets = (
            await tickets.get(
                "/api/v1/tickets/stats", params={"tz": "Asia/Seoul"}, headers=operator
            )
        ).json()
        own_hosts = (await hosts.get("/api/v1/hosts/stats", headers=operator)).json()
        assert body["tickets"]["byStatus"] == own_tickets["byStatus"]
        assert body["tickets"]["openByPriority"] == own_tickets["openByPriority"]
        assert body["hosts"] == own_hosts
        recent = (await gateway.get("/api/v1/dashboard/recent-tickets", headers=operator)).json()
        assert {t["id"] for t in created} <= {t["id"] for t in recent["items"]}

        # a customer through the gateway: another organization's ticket is 404
        stranger = oidc.headers(["customer"], str(uuid.uuid4()))
        r = await gateway.get(f"/api/v1/tickets/{created[0]['id']}", headers=stranger)
        assert r.status_code == 404 and r.headers["content-type"].startswith(
            "application/problem+json"
        )
