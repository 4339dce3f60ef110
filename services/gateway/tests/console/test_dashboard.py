"""The dashboard: figures, bars, recent lists, the 30 s refresh, and the parts missing."""

from uuid import uuid4

from kohub_contracts.alerts import AlertListItem
from kohub_contracts.common import Ref
from kohub_contracts.dashboard import DashboardSummary, MissingPart, RecentAlerts
from kohub_contracts.enums import AdapterType, AlertOutcome, AlertState, TicketPriority
from tests.console.conftest import (
    CUSTOMER,
    HOST_STATS,
    NOW,
    dashboard,
    ok,
    problem,
    ticket_stats,
)


def test_figures_bars_and_recent_lists(client, backend) -> None:
    dashboard(backend)
    alert = AlertListItem(
        id=uuid4(), adapter_event_id=uuid4(), source_id=uuid4(), adapter=AdapterType.UPTIME_KUMA,
        fingerprint="f", state=AlertState.FIRING, priority=TicketPriority.CRITICAL,
        title="web-prod-01 down", occurred_at=NOW, received_at=NOW,
        host=Ref(id="h1", name="web-prod-01"), outcome=AlertOutcome.CREATED,
        ticket_id=uuid4(), ticket_key="KH-2026-0007",
    )  # fmt: skip
    backend.on("GET", "/api/v1/dashboard/recent-alerts", ok(RecentAlerts([alert], [])))

    page = client.get("/")

    assert page.status_code == 200
    html = page.text
    assert '<html lang="ko">' in html
    assert '<span class="card-value" id="open-total">7</span>' in html  # 2 + 1 + 0 + 4
    assert "긴급 2건" in html
    assert (
        '<span id="opened-today">5</span>' in html and '<span id="resolved-today">1</span>' in html
    )
    assert '<span id="opened-period">17</span>' in html
    assert '<span class="card-value" id="mtta">1분 30초</span>' in html  # 90 s
    assert '<span class="card-value" id="mttr">1시간 5분</span>' in html  # 3,900 s
    assert '<span class="card-value ok" id="hosts-up">9</span>' in html
    assert '<span class="card-value" id="hosts-down">2</span>' in html
    # bars: LOW (4) is the longest of the open-by-priority chart, CRITICAL half of it
    assert 'class="bar priority-low w-100"' in html and 'class="bar priority-critical w-50"' in html
    assert "status=NEW&amp;status=RECEIVED" in html  # the open tickets link to the list
    assert "KH-2026-0042" in html and "디스크 사용량 90% 초과" in html
    assert "web-prod-01 down" in html and "KH-2026-0007" in html and "티켓 생성" in html
    # it refreshes itself
    assert 'hx-get="/partials/dashboard" hx-trigger="every 30s" hx-swap="outerHTML"' in html
    assert "missing-parts" not in html
    summary = backend.made("GET", "/api/v1/dashboard/summary")[0]
    assert summary.params == {"tz": "Asia/Seoul", "days": 7}
    assert summary.headers["Accept-Language"] == "ko"


def test_the_panel_alone_for_htmx(client, backend) -> None:
    dashboard(backend)
    panel = client.get("/partials/dashboard", headers={"HX-Request": "true"})
    assert panel.status_code == 200
    assert panel.text.lstrip().startswith('<section id="dashboard-panel"')
    assert "<html" not in panel.text
    assert 'id="open-total">7<' in panel.text


def test_a_missing_part_is_named_and_the_rest_shown(client, backend) -> None:
    summary = DashboardSummary(
        tickets=ticket_stats(),
        hosts=None,
        missing=[MissingPart("hosts", "the host service is not reachable", None)],
        generated_at=NOW,
    )
    dashboard(backend, summary)
    backend.on("GET", "/api/v1/dashboard/recent-alerts", problem(502, "The gateway is down."))

    html = client.get("/").text

    assert 'id="missing-parts"' in html
    assert '<li data-part="hosts">호스트 수치: 담당 서비스에 연결할 수 없습니다</li>' in html
    assert '<li data-part="alerts">' in html
    assert 'id="open-total">7<' in html  # the tickets part is still there
    assert 'id="hosts-up"' not in html
    assert html.count("지금은 이 정보를 가져올 수 없습니다.") == 2  # hosts and alerts


def test_a_part_not_for_the_role_is_left_out_silently(client, backend) -> None:
    backend.current = CUSTOMER
    summary = DashboardSummary(
        tickets=ticket_stats(),
        hosts=None,
        missing=[MissingPart("hosts", "not available to your roles", 403)],
        generated_at=NOW,
    )
    dashboard(backend, summary)
    html = client.get("/").text
    assert "missing-parts" not in html
    assert "모니터링 상태별 호스트" not in html
    assert 'id="open-total">7<' in html
    assert 'href="/hosts"' not in html  # a customer has no host pages
    assert "새 요청" in html  # …but makes requests


def test_english_durations_and_words(client, backend) -> None:
    dashboard(backend, DashboardSummary(ticket_stats(mttr_seconds=200_000.0), HOST_STATS, [], NOW))
    client.cookies.set("kohub_lang", "en")
    html = client.get("/").text
    assert '<html lang="en">' in html
    assert "Open tickets" in html and "Recent tickets" in html
    assert 'id="mtta">1 min 30 s<' in html
    assert 'id="mttr">2 d 7 h<' in html
    assert backend.made("GET", "/api/v1/dashboard/summary")[0].headers["Accept-Language"] == "en"
