"""Host pages: the list, a host with adapters and status, the live status fragment; operators
and customer-admin (read only) see them, customers do not."""

from uuid import uuid4

from kohub_contracts.common import Page
from kohub_contracts.enums import (
    AdapterType,
    ConnectionType,
    HostAdapterStatus,
    HostStatus,
    ObservedHostStatus,
)
from kohub_contracts.hosts import (
    AdapterResponse,
    CurrentStatus,
    HostListItem,
    HostResponse,
    SshConfig,
)
from tests.console.conftest import CUSTOMER, CUSTOMER_ADMIN, NOW, ORG, list_item, ok, problem

HOST_ID = uuid4()
HOST = HostResponse(
    id=HOST_ID, name="web-prod-01", description="front web", connection_type=ConnectionType.SSH,
    ssh_config=SshConfig(host="10.0.0.5", port=22, username="ops"), tags=["web", "prod"],
    status=HostStatus.ACTIVE, organization_id=ORG, organization_name="Acme",
    adapters=[AdapterResponse(id=uuid4(), type=AdapterType.UPTIME_KUMA, status=HostAdapterStatus.ACTIVE,
                              config={"monitorName": "web-prod-01", "matchers": {"job": "web"}})],
    current_status=CurrentStatus(status=ObservedHostStatus.DOWN, checked_at=NOW,
                                 adapter=AdapterType.UPTIME_KUMA, message="Connection refused"),
    created_at=NOW, updated_at=NOW,
)  # fmt: skip
ITEM = HostListItem(
    id=HOST_ID, name="web-prod-01", connection_type=ConnectionType.SSH, tags=["web"],
    status=HostStatus.ACTIVE, organization_id=ORG, organization_name="Acme",
    current_status=CurrentStatus(status=ObservedHostStatus.UP, checked_at=NOW),
    adapter_types=[AdapterType.UPTIME_KUMA], updated_at=NOW,
)  # fmt: skip


def test_host_list_with_filters_and_pages(client, backend) -> None:
    backend.on("GET", "/api/v1/hosts", ok(Page(items=[ITEM], total=3, next_cursor="H2")))
    html = client.get("/hosts?q=web&status=ACTIVE&status_bogus=1").text
    call = backend.made("GET", "/api/v1/hosts")[0]
    assert call.param("q") == ["web"] and call.param("status") == ["ACTIVE"]
    assert f'<a href="/hosts/{HOST_ID}">web-prod-01</a>' in html
    assert "정상" in html and "uptime-kuma" in html and "Acme" in html
    assert 'href="/hosts?q=web&amp;status=ACTIVE&amp;cursor=H2"' in html
    backend.on("GET", "/api/v1/hosts", ok(Page(items=[], total=0)))
    assert "등록된 호스트가 없습니다." in client.get("/hosts").text


def test_host_detail_for_an_operator(client, backend) -> None:
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(HOST))
    backend.on(
        "GET", "/api/v1/tickets", ok(Page(items=[list_item("KH-2026-0009", "web down")], total=1))
    )
    html = client.get(f"/hosts/{HOST_ID}").text
    assert "<h1>web-prod-01</h1>" in html
    assert "ops@10.0.0.5:22" in html and "Connection refused" in html
    assert "monitorName" in html and "{&#34;job&#34;: &#34;web&#34;}" in html
    assert "KH-2026-0009" in html
    assert f'hx-get="/hosts/{HOST_ID}/live" hx-trigger="load"' in html
    tickets = backend.made("GET", "/api/v1/tickets")[0]
    assert tickets.param("hostId") == [str(HOST_ID)]
    assert "NEW" in tickets.param("status") and "RESOLVED" not in tickets.param("status")
    assert backend.made("GET", f"/api/v1/hosts/{HOST_ID}/status") == []  # asked afterwards


def test_live_status_fragment_and_fallback(client, backend) -> None:
    backend.on(
        "GET",
        f"/api/v1/hosts/{HOST_ID}/status",
        ok(
            CurrentStatus(
                status=ObservedHostStatus.UP, checked_at=NOW, adapter=AdapterType.PROMETHEUS
            )
        ),
    )
    fragment = client.get(f"/hosts/{HOST_ID}/live", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="live-status"')
    assert "정상" in fragment and "prometheus" in fragment

    backend.on("GET", f"/api/v1/hosts/{HOST_ID}/status", problem(502, "tool down"))
    fragment = client.get(f"/hosts/{HOST_ID}/live", headers={"HX-Request": "true"}).text
    assert "도구에서 지금 상태를 알 수 없습니다" in fragment

    # without htmx, the page asks at once
    answer = client.get(f"/hosts/{HOST_ID}/live", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/hosts/{HOST_ID}?live=1"


def test_customer_admin_reads_and_a_customer_is_kept_out(client, backend) -> None:
    backend.current = CUSTOMER_ADMIN
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(HOST))
    backend.on("GET", "/api/v1/tickets", ok(Page(items=[], total=0)))
    html = client.get(f"/hosts/{HOST_ID}").text
    assert "web-prod-01" in html and "미해결 티켓이 없습니다." in html
    assert "/live" not in html  # the live status is an operator's question
    assert client.get(f"/hosts/{HOST_ID}/live").status_code == 403

    backend.current = CUSTOMER
    answer = client.get("/hosts")
    assert answer.status_code == 403 and "권한이 없습니다" in answer.text
    assert backend.made("GET", "/api/v1/hosts") == []
