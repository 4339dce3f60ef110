"""The dashboard's ticket figures on the real database: counts by status and priority,
opened and resolved today and in the period, MTTA and MTTR; customers get theirs only."""

import uuid

from .test_api import auth


async def test_stats_count_and_time_an_organizations_tickets(client, oidc) -> None:
    org = str(uuid.uuid4())
    op = oidc.headers(["msp-operator"], name="김운영")

    async def opened(priority: str) -> str:
        body = {"title": "디스크 부족", "priority": priority, "organizationId": org}
        r = await client.post("/api/v1/tickets", json=body, headers=op)
        assert r.status_code == 201, r.text
        return r.json()

    first = await opened("CRITICAL")
    me = first["reporter"]["id"]
    second, third = await opened("HIGH"), await opened("LOW")
    for ticket in (first, second):
        assert (
            await client.post(f"/api/v1/tickets/{ticket['id']}/receive", headers=op)
        ).status_code == 200
    tid = first["id"]
    await client.post(f"/api/v1/tickets/{tid}/assign", json={"assigneeId": me}, headers=op)
    await client.post(
        f"/api/v1/tickets/{tid}/transition", json={"toStatus": "IN_PROGRESS"}, headers=op
    )
    r = await client.post(f"/api/v1/tickets/{tid}/resolve", json={"summary": "정리"}, headers=op)
    assert r.status_code == 200, r.text

    r = await client.get(
        "/api/v1/tickets/stats",
        params={"organizationId": org, "tz": "Asia/Seoul"},
        headers=auth(oidc, "msp-operator"),
    )
    assert r.status_code == 200, r.text
    stats = r.json()
    assert stats["byStatus"]["RESOLVED"] == 1 and stats["byStatus"]["RECEIVED"] == 1
    assert stats["byStatus"]["NEW"] == 1 and stats["byStatus"]["CLOSED"] == 0
    assert stats["openByPriority"] == {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 0, "LOW": 1}
    assert (stats["openedInPeriod"], stats["resolvedInPeriod"], stats["periodDays"]) == (3, 1, 7)
    assert stats["openedToday"] in (0, 3)  # 0 only if Seoul's midnight fell during the test
    assert stats["mttaSeconds"] is not None and stats["mttaSeconds"] >= 0
    assert stats["mttrSeconds"] is not None and stats["mttrSeconds"] >= 0
    assert third["status"] == "NEW"

    # a customer of another organization sees its own figures, not these
    theirs = await client.get(
        "/api/v1/tickets/stats",
        params={"organizationId": org},
        headers=oidc.headers(["customer"], str(uuid.uuid4())),
    )
    assert theirs.status_code == 200 and theirs.json()["openedInPeriod"] == 0
    bad = await client.get(
        "/api/v1/tickets/stats", params={"tz": "Mars/Olympus"}, headers=auth(oidc, "msp-operator")
    )
    assert bad.status_code == 422
