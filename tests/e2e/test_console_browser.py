"""The web console in a real browser (Debian's Chromium, headless, driven by Playwright):
users log in through the identity provider (tools/idp), the operator works a ticket from
RECEIVED to RESOLVED through the console's forms, a customer of acme sees only acme, the
language switch and the CSRF guard, and terminal work (a host's Termix terminal opened from
the ticket, a real recording uploaded, its commands listed and replayed). Every page visited is screenshotted under
`.run/screenshots/`."""

import importlib.util
import json
import re
import uuid
from pathlib import Path

import httpx
from playwright.async_api import BrowserContext, Page, async_playwright, expect

from kohub_platform.termix_standin import TermixData, TermixHost, running_termix
from kohub_platform.testing import eventually

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / ".run" / "screenshots"
REALM = json.loads((ROOT / "tools" / "idp" / "realm-data.json").read_text())
ORGS = {org["key"]: org for org in REALM["organizations"]}
USERS = {user["username"]: user for user in REALM["users"]}
TIMEOUT_MS = 15_000
DEMO_CAST = ROOT / "scripts" / "demo" / "nginx-restart.cast"  # a real asciinema recording

_spec = importlib.util.spec_from_file_location("idp_token", ROOT / "scripts" / "idp_token.py")
assert _spec and _spec.loader
idp_token = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(idp_token)


def token_of(issuer: str, username: str) -> str:
    """An access token of the demo user, by the console's login flow (scripts/idp_token.py)."""
    with httpx.Client(timeout=10) as http:
        endpoints = http.get(f"{issuer}/.well-known/openid-configuration").json()
        return idp_token.user_token(http, USERS[username], endpoints)


class Shots:
    def __init__(self) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.paths: list[Path] = []

    async def take(self, page: Page, name: str) -> None:
        path = SHOTS / f"{len(self.paths) + 1:02d}-{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        self.paths.append(path)


async def log_in(context: BrowserContext, gateway: str, username: str, shots: Shots) -> Page:
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(f"{gateway}/login")
    await expect(page.locator("#kc-form-login")).to_be_visible()
    await shots.take(page, f"login-{username}")
    await page.fill("#username", username)
    await page.fill("#password", USERS[username]["password"])
    await page.click("#kc-login")
    await page.wait_for_url(f"{gateway}/")
    await expect(page.locator("#dashboard-panel")).to_be_visible()
    await expect(page.locator(".account .who")).to_contain_text(USERS[username]["name"])
    await shots.take(page, f"dashboard-{username}")
    return page


def number(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


async def terminal_work(
    page: Page, api: httpx.AsyncClient, gateway: str, ticket_url: str, admin, adapter, shots
) -> None:
    data = TermixData(hosts=[TermixHost(1, "db-prod-01")])
    with running_termix(data) as termix:
        created = await api.post(
            "/api/v1/hosts",
            json={
                "name": f"term-{uuid.uuid4().hex[:6]}",
                "connectionType": "HTTPS",
                "organizationId": ORGS["acme"]["id"],
            },
            headers=admin,
        )
        assert created.status_code == 201, created.text
        host_id = created.json()["id"]
        tool = {"type": "termix", "config": {"baseUrl": termix.url, "hostId": "1"}}
        added = await api.post(f"/api/v1/hosts/{host_id}/adapters", json=tool, headers=admin)
        assert added.status_code == 201, added.text

        async def mapped() -> bool:  # the adapter gateway learns hosts from host events
            r = await adapter.get(f"/api/internal/hosts/{host_id}", headers=admin)
            return r.status_code == 200 and bool(r.json()["adapters"])

        await eventually(mapped, timeout=30)
        tid = ticket_url.rsplit("/", 1)[1]
        await page.goto(f"{gateway}/hosts/{host_id}/terminal?ticketId={tid}")
        frame = page.frame_locator("iframe.terminal-frame")
        await expect(frame.locator("body")).to_contain_text("db-prod-01")
        await shots.take(page, "terminal-opened")

        await page.goto(ticket_url)
        await page.set_input_files("#upload-file", str(DEMO_CAST))
        await page.click("#upload-form button[type=submit]")
        await page.wait_for_url(re.compile(r"notice="))
        rows = page.locator("#terminal-log-table tbody tr")
        await expect(rows).to_have_count(1)
        await shots.take(page, "ticket-terminal-logs")
        await rows.first.locator("a").first.click()
        await page.wait_for_url(re.compile(r"/terminal-logs/[0-9a-f-]{36}"))
        commands = await page.locator("#command-table code.command").all_inner_texts()
        assert commands[:3] == ["cd", "uptime", "df -h / | tail -1"], commands
        assert any("Bearer [REDACTED]" in c for c in commands), commands
        await expect(page.locator("#player .ap-wrapper")).to_be_visible()
        await expect(page.locator("body")).not_to_contain_text("demo-Passw0rd")
        await shots.take(page, "terminal-log-replay")
        await page.goto(ticket_url)


async def test_the_console_in_a_real_browser(idp, sso_gateway_service, sso_adapter_service) -> None:
    gateway = sso_gateway_service.url
    admin = {"Authorization": f"Bearer {token_of(idp.issuer, 'admin')}"}
    operator = {"Authorization": f"Bearer {token_of(idp.issuer, 'operator1')}"}
    shots = Shots()
    run = uuid.uuid4().hex[:6]

    async with (
        httpx.AsyncClient(base_url=gateway, timeout=15) as api,
        httpx.AsyncClient(base_url=sso_adapter_service.url, timeout=15) as adapter,
    ):
        # the realm's organizations, with Keycloak's ids
        for org in ORGS.values():
            r = await api.post(
                "/api/v1/organizations", json={"id": org["id"], "name": org["name"]}, headers=admin
            )
            assert r.status_code in (201, 409), r.text

        async def globex_ticket() -> dict | None:
            r = await api.post(
                "/api/v1/tickets",
                json={
                    "title": f"globex secret {run}",
                    "priority": "HIGH",
                    "organizationId": ORGS["globex"]["id"],
                },
                headers=operator,
            )
            return r.json() if r.status_code == 201 else None

        globex = await eventually(globex_ticket, timeout=20, interval=0.3)

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
            try:
                # 1. operator1 logs in; the dashboard's figures are the API's
                op_context = await browser.new_context(locale="ko-KR")
                page = await log_in(op_context, gateway, "operator1", shots)
                summary = await api.get(
                    "/api/v1/dashboard/summary",
                    params={"tz": "Asia/Seoul", "days": 7},
                    headers=operator,
                )
                assert summary.status_code == 200, summary.text
                figures = summary.json()["tickets"]
                assert sum(figures["openByPriority"].values()) >= 1
                assert number(await page.locator("#open-total").inner_text()) == sum(
                    figures["openByPriority"].values()
                )
                status_counts = await page.locator(
                    "figure[aria-labelledby=chart-status] .bar-count"
                ).all_inner_texts()
                statuses = [
                    "NEW",
                    "RECEIVED",
                    "ASSIGNED",
                    "IN_PROGRESS",
                    "PENDING",
                    "RESOLVED",
                    "COMPLETED",
                    "CLOSED",
                    "REOPENED",
                ]
                assert [number(c) for c in status_counts] == [
                    figures["byStatus"].get(s, 0) for s in statuses
                ]

                # 2. a ticket for acme through the new-ticket form, worked to RESOLVED
                await page.goto(f"{gateway}/tickets/new")
                await shots.take(page, "ticket-new-operator")
                title = f"브라우저 점검 {run}"
                await page.select_option("#organizationId", ORGS["acme"]["id"])
                await page.fill("#title", title)
                await page.fill("#description", "디스크 사용량 경보 확인")
                await page.select_option("#priority", "HIGH")
                await page.click("form[action='/tickets/new'] button[type=submit]")
                await page.wait_for_url(re.compile(r"/tickets/[0-9a-f-]{36}\?notice=created"))
                await expect(page.locator("#notice")).to_be_visible()
                await expect(page.locator("h1")).to_contain_text(title)
                ticket_url = page.url.split("?")[0]
                await shots.take(page, "ticket-created")

                async def status() -> str:
                    tid = ticket_url.rsplit("/", 1)[1]
                    r = await api.get(f"/api/v1/tickets/{tid}", headers=operator)
                    return r.json()["status"]

                if await status() == "NEW":
                    await page.click("#move-form button[value=RECEIVED]")
                    await page.wait_for_url(re.compile(r"notice="))
                    await shots.take(page, "ticket-received")
                assert await status() == "RECEIVED"

                await expect(page.locator("#assign-form")).to_be_visible()
                await page.click("#assign-form button[type=submit]")  # to me (preselected)
                await page.wait_for_url(re.compile(r"notice=assigned"))
                await expect(page.locator("dd#assignee")).to_contain_text(
                    USERS["operator1"]["name"]
                )
                assert await status() == "ASSIGNED"
                await shots.take(page, "ticket-assigned")

                await page.click("#move-form button[value=IN_PROGRESS]")
                await page.wait_for_url(re.compile(r"notice="))
                assert await status() == "IN_PROGRESS"
                await shots.take(page, "ticket-in-progress")

                await page.fill("#summary", "로그 정리로 디스크 확보")
                await page.fill("#action-taken", "오래된 로그 압축 및 삭제")
                await page.click("#resolve-form button[type=submit]")
                await page.wait_for_url(re.compile(r"notice=resolved"))
                assert await status() == "RESOLVED"
                await expect(page.locator(".resolution")).to_contain_text("로그 정리로 디스크 확보")
                events = page.locator("#timeline .timeline li")
                timeline = await events.all_inner_texts()
                for step in ("신규 → 접수", "접수 → 배정", "배정 → 처리 중", "처리 중 → 해결"):
                    assert any(step in entry for entry in timeline), (step, timeline)
                await shots.take(page, "ticket-resolved")

                # 6. terminal work: the host's Termix terminal opened from the ticket, a real
                # recording uploaded onto it, its commands read and replayed
                await terminal_work(page, api, gateway, ticket_url, admin, adapter, shots)

                # 5. a form post without the CSRF token is refused
                refused = await page.request.post(f"{gateway}/logout", form={})
                assert refused.status == 403, refused.status

                # 4. the language switch
                await page.click("a.lang-switch")
                await page.wait_for_url(ticket_url)
                await expect(page.locator("html")).to_have_attribute("lang", "en")
                await expect(page.locator("#timeline-title")).to_have_text("Timeline")
                await expect(page.locator("a.lang-switch")).to_have_text("한국어")
                await shots.take(page, "ticket-resolved-en")
                await op_context.close()

                # 3. acme-user: only acme, a request of their own, no globex ticket by URL
                acme_context = await browser.new_context(locale="ko-KR")
                page = await log_in(acme_context, gateway, "acme-user", shots)
                await page.goto(f"{gateway}/tickets")
                rows = page.locator("table tbody tr")
                await expect(rows.first).to_be_visible()
                listed = await rows.all_inner_texts()
                assert any(title in row for row in listed), listed
                assert not any(f"globex secret {run}" in row for row in listed), listed
                await shots.take(page, "tickets-acme-user")

                await page.goto(f"{gateway}/tickets/new")
                assert await page.locator("#organizationId").count() == 0
                await shots.take(page, "request-new-acme-user")
                request_title = f"VPN 접속 요청 {run}"
                await page.fill("#title", request_title)
                await page.fill("#description", "신규 직원 VPN 계정이 필요합니다.")
                await page.click("form[action='/tickets/new'] button[type=submit]")
                await page.wait_for_url(re.compile(r"/tickets/[0-9a-f-]{36}\?notice=created"))
                await expect(page.locator("h1")).to_contain_text(request_title)
                await shots.take(page, "request-created-acme-user")
                mine = await api.get(
                    f"/api/v1/tickets/{page.url.split('?')[0].rsplit('/', 1)[1]}",
                    headers=operator,
                )
                assert mine.json()["organization"]["id"] == ORGS["acme"]["id"], mine.text

                response = await page.goto(f"{gateway}/tickets/{globex['id']}")
                assert response is not None and response.status == 404
                await expect(page.locator("#error-title")).to_have_text("찾을 수 없습니다")
                await expect(page.locator("body")).not_to_contain_text(f"globex secret {run}")
                await shots.take(page, "globex-ticket-not-found-acme-user")
                await acme_context.close()
            finally:
                await browser.close()

    for path in shots.paths:
        assert path.stat().st_size > 0
    print("screenshots:", *(str(p.relative_to(ROOT)) for p in shots.paths), sep="\n  ")
