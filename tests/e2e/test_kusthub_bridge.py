"""The KustHub bridge through the running suite, against a KustHub stand-in that speaks
only the contract (tests/e2e/kusthub.py):

- seed scenario 1: a monitoring webhook opens a ticket, KustHub hears `incident.created`
  with every seed field, the operator resolves it, KustHub hears `incident.resolved` with
  the downtime and answers `ticket.completed`, and the ticket is COMPLETED;
- seed scenario 2: a customer request in KustHub opens a linked ticket, and KustHub hears
  the ticket's progress and result;
- an outage: the broker is taken away from the bridge while tickets change; when it is
  back every event reaches KustHub, none lost, each eventId once, in order per ticket.

Every payload is validated against its JSON Schema from the contracts."""

import json
import uuid
from datetime import datetime
from typing import Any

import httpx
import jsonschema
from kusthub import KustHubSimulator
from suite import DEADLINE, FIXTURES, Suite

from kohub_contracts.durations import iso_duration
from kohub_contracts.schemas import schema_of
from kohub_platform.testing import eventually

SEED_CREATED = {
    "ticketId", "externalTicketId", "title", "description", "priority", "source", "host",
    "organization", "affectedServices", "estimatedImpact",
}  # fmt: skip
SEED_RESOLUTION = {"summary", "actionTaken", "resolvedBy", "resolvedAt", "downtime"}


def valid(envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope as KustHub got it, checked against the contract's JSON Schema."""
    wire = {k: v for k, v in envelope.items() if not k.startswith("_")}
    jsonschema.validate(wire, schema_of(f"KustHub[{wire['eventType']}]"))
    assert wire["source"] == "kohub" and envelope["_messageId"] == wire["eventId"]
    return wire


async def heard(kusthub: KustHubSimulator, ticket_id: str, count: int) -> list[dict[str, Any]]:
    async def enough():
        found = kusthub.about(ticket_id)
        return found if len(found) >= count else None

    return await eventually(enough, timeout=DEADLINE)


class Operator:
    """An msp-operator walking tickets through the ticket service's API."""

    def __init__(self, ticket_service, oidc, org_id: str, name: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=ticket_service.url,
            timeout=15,
            headers=oidc.headers(["msp-operator"], name=name),
        )
        self.org_id = org_id
        self.user_id = ""

    async def __aenter__(self) -> "Operator":
        # a manual ticket (KustHub never hears of those) tells the operator's user id
        probe = await self.http.post(
            "/api/v1/tickets", json={"title": "probe", "organizationId": self.org_id}
        )
        assert probe.status_code == 201, probe.text
        self.user_id = probe.json()["reporter"]["id"]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def step(self, ticket_id: str, action: str, body: dict[str, Any] | None = None) -> None:
        r = await self.http.post(f"/api/v1/tickets/{ticket_id}/{action}", json=body)
        assert r.status_code == 200, (action, r.text)

    async def work_on(self, ticket_id: str) -> None:
        await self.step(ticket_id, "receive")
        await self.step(ticket_id, "assign", {"assigneeId": self.user_id})
        await self.step(ticket_id, "transition", {"toStatus": "IN_PROGRESS"})

    async def resolve(self, ticket_id: str) -> None:
        await self.step(
            ticket_id,
            "resolve",
            {"summary": "nginx 재시작으로 정상화", "actionTaken": "nginx 프로세스 재시작"},
        )


async def test_scenario_1_an_incident_reaches_kusthub_and_the_customer_completes_it(
    host_service, ticket_service, adapter_service, integration_service, oidc, amqp_url
) -> None:
    suite = Suite(host_service, ticket_service, adapter_service, oidc)
    async with KustHubSimulator(amqp_url) as kusthub:
        source_id, token = await suite.source("uptime-kuma", "Uptime Kuma 연계")
        org_id, host_id = await suite.host(
            "web-prod-11",
            {"type": "uptime-kuma", "config": {"sourceId": source_id, "monitorId": "11"}},
        )
        down = json.loads((FIXTURES / "uptime_kuma_1_23_down.json").read_bytes())
        down["heartbeat"] |= {"monitorID": 11, "msg": "Connection refused"}
        down["monitor"] |= {"id": 11, "name": "web-prod-11"}
        sent = await suite.adapter.post(
            "/api/v1/webhooks/uptime-kuma", json=down, headers={"Authorization": f"Bearer {token}"}
        )
        assert sent.status_code == 202, sent.text
        ticket = await suite.one_ticket(host_id)

        (created,) = [valid(e) for e in await heard(kusthub, ticket["id"], 1)]
        assert created["eventType"] == "incident.created"
        data = created["data"]
        assert set(data) >= SEED_CREATED
        assert (data["ticketId"], data["externalTicketId"]) == (ticket["id"], ticket["key"])
        assert data["title"] == "[장애] web-prod-11 - Connection refused"
        assert (data["priority"], data["source"]) == ("CRITICAL", "UPTIME_KUMA")
        assert data["host"] == {"id": host_id, "name": "web-prod-11"}
        assert data["organization"] == {"id": org_id, "name": "web-prod-11 고객사"}
        assert data["estimatedImpact"] == "서비스 접속 불가"

        async with Operator(ticket_service, oidc, org_id, "이담당") as operator:
            await operator.work_on(ticket["id"])
            await operator.resolve(ticket["id"])
        events = [valid(e) for e in await heard(kusthub, ticket["id"], 5)]
        assert [e["eventType"] for e in events] == [
            "incident.created", "incident.updated", "incident.updated", "incident.updated",
            "incident.resolved",
        ]  # fmt: skip
        assert [e["data"]["status"] for e in events[1:4]] == ["RECEIVED", "ASSIGNED", "IN_PROGRESS"]
        resolved = events[-1]
        resolution = resolved["data"]["resolution"]
        assert set(resolution) == SEED_RESOLUTION
        assert resolution["resolvedBy"] == "이담당"
        assert resolution["summary"] == "nginx 재시작으로 정상화"
        detail = await suite.ticket_when(ticket["id"], lambda t: t["status"] == "RESOLVED")
        downtime = datetime.fromisoformat(
            detail["resolution"]["resolvedAt"]
        ) - datetime.fromisoformat(detail["createdAt"])
        assert resolution["downtime"] == iso_duration(downtime)

        await kusthub.complete(
            kusthub_ticket_id=f"kusthub-notice-{uuid.uuid4().hex[:6]}",
            kohub_key=ticket["key"],
            in_reply_to=resolved["eventId"],
            completed_by={"id": str(uuid.uuid4()), "name": "홍길동"},
        )
        done = await suite.ticket_when(
            ticket["id"], lambda t: t["status"] == "COMPLETED" and t["syncStatus"] == "SYNCED"
        )
        assert done["externalSystem"] == "kusthub"
        sync = await _sync(integration_service, oidc, ticket["id"])
        by_type = {e["eventType"]: e for e in sync["events"]}
        assert by_type["incident.resolved"]["status"] == "ACKNOWLEDGED"
        assert by_type["ticket.completed"]["status"] == "ACKNOWLEDGED"
        assert by_type["incident.created"]["status"] == "SENT"
    await suite.close()


async def test_scenario_2_a_customer_request_becomes_a_linked_ticket_and_kusthub_gets_the_result(
    host_service, ticket_service, integration_service, oidc, amqp_url
) -> None:
    admin = oidc.headers(["msp-admin"])
    async with httpx.AsyncClient(base_url=host_service.url, headers=admin, timeout=15) as hosts:
        org = (await hosts.post("/api/v1/organizations", json={"name": "A사"})).json()
    requester = {"id": str(uuid.uuid4()), "name": "홍길동", "email": "hong@example.com"}
    async with KustHubSimulator(amqp_url) as kusthub:
        event_id, kusthub_id = await kusthub.request(
            organization={"id": org["id"], "name": "A사"},
            requester=requester,
            subject="서버 점검 요청",
            description="web-prod-01 서버 디스크 정리 요청",
        )
        ignored_id, _ = await kusthub.request(
            organization={"id": org["id"], "name": "A사"},
            requester=requester,
            subject="비밀번호 초기화",
            description="담당자가 직접 처리",
            requires_operations=False,
        )
        inbound = await _inbound(integration_service, oidc, event_id, "ACKNOWLEDGED")
        ticket_id = inbound["ticketId"]
        async with httpx.AsyncClient(
            base_url=ticket_service.url, headers=admin, timeout=15
        ) as tickets:

            async def linked():
                t = (await tickets.get(f"/api/v1/tickets/{ticket_id}")).json()
                return t if t.get("syncStatus") == "SYNCED" else None

            ticket = await eventually(linked, timeout=DEADLINE)
        assert (ticket["source"], ticket["status"]) == ("CUSTOMER_REQUEST", "NEW")
        assert (ticket["externalSystem"], ticket["externalTicketId"]) == ("kusthub", kusthub_id)
        assert (ticket["title"], ticket["priority"]) == ("서버 점검 요청", "MEDIUM")
        assert ticket["organization"] == {"id": org["id"], "name": "A사"}
        assert ticket["reporter"]["name"] == "홍길동"

        async with Operator(ticket_service, oidc, org["id"], "김운영") as operator:
            await operator.work_on(ticket_id)
            await operator.resolve(ticket_id)
        events = [valid(e) for e in await heard(kusthub, ticket_id, 4)]
        assert [e["eventType"] for e in events] == [
            "incident.updated", "incident.updated", "incident.updated", "incident.resolved",
        ]  # fmt: skip
        assert all(e["data"]["kusthubTicketId"] == kusthub_id for e in events)
        assert events[-1]["data"]["resolution"]["summary"] == "nginx 재시작으로 정상화"

        ignored = await _inbound(integration_service, oidc, ignored_id, "IGNORED")
        assert ignored["ticketId"] is None


async def test_a_broker_outage_loses_nothing_and_keeps_each_tickets_order(
    host_service, ticket_service, adapter_service, integration_service, integration_broker,
    oidc, amqp_url,
) -> None:  # fmt: skip
    suite = Suite(host_service, ticket_service, adapter_service, oidc)
    admin = oidc.headers(["msp-admin"])
    org = (await suite.hosts.post("/api/v1/organizations", json={"name": "B사"})).json()
    _, token = await suite.source("uptime-kuma", "outage", defaultOrganizationId=org["id"])
    async with KustHubSimulator(amqp_url) as kusthub:
        ticket_ids = []
        for n in range(6):
            down = json.loads((FIXTURES / "uptime_kuma_1_23_down.json").read_bytes())
            monitor = 900 + n
            down["heartbeat"] |= {"monitorID": monitor, "msg": "Connection refused"}
            down["monitor"] |= {"id": monitor, "name": f"outage-{n}-{uuid.uuid4().hex[:4]}"}
            r = await suite.adapter.post(
                "/api/v1/webhooks/uptime-kuma",
                json=down,
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 202, r.text
            ticket_ids.append(await _ticket_titled(suite, down["monitor"]["name"]))
        for ticket_id in ticket_ids:
            await heard(kusthub, ticket_id, 1)

        async with Operator(ticket_service, oidc, org["id"], "박운영") as operator:
            changes = [(t, "receive", None) for t in ticket_ids] + [
                (t, "assign", {"assigneeId": operator.user_id}) for t in ticket_ids
            ] + [(t, "transition", {"toStatus": "IN_PROGRESS"}) for t in ticket_ids]  # fmt: skip
            for n, (ticket_id, action, body) in enumerate(changes):
                if n == len(changes) // 3:
                    integration_broker.cut()  # mid-stream: some consumed, some not yet
                await operator.step(ticket_id, action, body)
            # the bridge has noticed the broker is gone before it comes back
            await eventually(_not_ready(integration_service), timeout=DEADLINE)
            integration_broker.restore()
            for ticket_id in ticket_ids:
                await operator.resolve(ticket_id)

        expected = ["incident.created"] + ["incident.updated"] * 3 + ["incident.resolved"]
        for ticket_id in ticket_ids:
            events = [valid(e) for e in await heard(kusthub, ticket_id, len(expected))]
            assert [e["eventType"] for e in events] == expected, ticket_id
            assert [e["data"]["status"] for e in events[1:4]] == [
                "RECEIVED",
                "ASSIGNED",
                "IN_PROGRESS",
            ]
        mine = [d for d in kusthub.deliveries if d["data"]["ticketId"] in set(ticket_ids)]
        assert len({d["eventId"] for d in mine}) == len(ticket_ids) * len(expected)
        # a redelivery after a lost confirm repeats an eventId; never a second event
        repeated = len(mine) - len({d["eventId"] for d in mine})
        print(f"outage: {len(mine)} deliveries, {repeated} repeated eventIds")

        async with httpx.AsyncClient(
            base_url=ticket_service.url, headers=admin, timeout=15
        ) as http:

            async def all_synced():
                states = [
                    (await http.get(f"/api/v1/tickets/{t}")).json()["syncStatus"]
                    for t in ticket_ids
                ]
                return set(states) == {"SYNCED"}

            await eventually(all_synced, timeout=DEADLINE)
    await suite.close()


def _not_ready(service):
    async def check() -> bool:
        async with httpx.AsyncClient(base_url=service.url, timeout=5) as http:
            return (await http.get("/ready")).status_code == 503

    return check


async def _ticket_titled(suite: Suite, monitor: str) -> str:
    async def opened():
        page = await suite.tickets.get("/api/v1/tickets", params={"q": monitor, "limit": 5})
        items = page.json()["items"]
        return items[0]["id"] if items else None

    return await eventually(opened, timeout=DEADLINE)


async def _sync(integration_service, oidc, ticket_id: str) -> dict[str, Any]:
    headers = oidc.headers(["kohub-integration"])
    async with httpx.AsyncClient(base_url=integration_service.url, headers=headers) as http:
        r = await http.get(f"/api/internal/tickets/{ticket_id}/sync")
        assert r.status_code == 200, r.text
        return r.json()


async def _inbound(integration_service, oidc, event_id: str, status: str) -> dict[str, Any]:
    headers = oidc.headers(["kohub-integration"])
    async with httpx.AsyncClient(base_url=integration_service.url, headers=headers) as http:

        async def settled():
            page = await http.get(
                "/api/internal/sync-events", params={"direction": "INBOUND", "limit": 200}
            )
            found = [e for e in page.json()["items"] if e["eventId"] == event_id]
            return found[0] if found and found[0]["status"] == status else None

        return await eventually(settled, timeout=DEADLINE)
