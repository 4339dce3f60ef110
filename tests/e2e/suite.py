"""HTTP clients of the running services, as one would drive them (msp-admin), shared by the
end-to-end tests."""

from pathlib import Path
from typing import Any

import httpx

from kohub_platform.testing import eventually

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "services" / "adapter-gateway" / "tests" / "fixtures"
DEADLINE = 60.0


class Suite:
    """HTTP clients of the three services, as msp-admin."""

    def __init__(self, host_service, ticket_service, adapter_service, oidc) -> None:
        headers = oidc.headers(["msp-admin"])
        self.hosts = httpx.AsyncClient(base_url=host_service.url, timeout=15, headers=headers)
        self.tickets = httpx.AsyncClient(base_url=ticket_service.url, timeout=15, headers=headers)
        self.adapter = httpx.AsyncClient(base_url=adapter_service.url, timeout=30, headers=headers)

    async def close(self) -> None:
        for client in (self.hosts, self.tickets, self.adapter):
            await client.aclose()

    async def source(self, adapter_type: str, name: str, **extra: Any) -> tuple[str, str]:
        response = await self.adapter.post(
            "/api/v1/webhook-sources", json={"adapterType": adapter_type, "name": name, **extra}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return body["source"]["id"], body["token"]

    async def host(self, name: str, adapter: dict[str, Any]) -> tuple[str, str]:
        org = await self.hosts.post("/api/v1/organizations", json={"name": f"{name} 고객사"})
        org_id = org.json()["id"]
        created = await self.hosts.post(
            "/api/v1/hosts",
            json={"name": name, "connectionType": "HTTPS", "organizationId": org_id},
        )
        assert created.status_code == 201, created.text
        host_id = created.json()["id"]
        added = await self.hosts.post(f"/api/v1/hosts/{host_id}/adapters", json=adapter)
        assert added.status_code == 201, added.text

        async def mapped() -> bool:
            # the gateway's read model has the host with its adapter (two events)
            answer = await self.adapter.get(f"/api/internal/hosts/{host_id}")
            return answer.status_code == 200 and bool(answer.json()["adapters"])

        await eventually(mapped, timeout=DEADLINE)
        return org_id, host_id

    async def tickets_of(self, host_id: str) -> list[dict[str, Any]]:
        page = await self.tickets.get("/api/v1/tickets", params={"limit": 200})
        return [t for t in page.json()["items"] if (t.get("host") or {}).get("id") == host_id]

    async def one_ticket(self, host_id: str) -> dict[str, Any]:
        found: list[dict[str, Any]] = []

        async def opened() -> bool:
            found[:] = await self.tickets_of(host_id)
            return bool(found)

        await eventually(opened, timeout=DEADLINE)
        assert len(found) == 1, found
        detail = await self.tickets.get(f"/api/v1/tickets/{found[0]['id']}")
        return detail.json()

    async def ticket_when(self, ticket_id: str, condition) -> dict[str, Any]:
        latest: dict[str, Any] = {}

        async def reached() -> bool:
            latest.update((await self.tickets.get(f"/api/v1/tickets/{ticket_id}")).json())
            return condition(latest)

        await eventually(reached, timeout=DEADLINE)
        return latest
