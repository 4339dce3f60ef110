"""Which service owns a path, the trace context a request carries on, and the dashboard's
assembly from its parts (on a fake of the owners)."""

import asyncio
import json
from typing import Any

import pytest

from kohub_gateway.adapters.http.upstream import child_traceparent
from kohub_gateway.application import dashboard
from kohub_gateway.application.dashboard import Fetched
from kohub_gateway.routing import owner_of
from kohub_platform.testing import eventually

TICKET = {
    "id": "9d3f3c1e-0000-4000-8000-000000000001", "key": "KH-2026-0001", "title": "t",
    "status": "NEW", "priority": "HIGH", "source": "MANUAL",
    "organizationId": "9d3f3c1e-0000-4000-8000-000000000002",
    "createdAt": "2026-01-30T10:15:00Z", "updatedAt": "2026-01-30T10:15:00Z",
    "host": None, "assignee": None,
}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "owner"),
    [
        ("/api/v1/tickets", "ticket"),
        ("/api/v1/tickets/x/resolve", "ticket"),
        ("/api/v1/hosts/x/status", "host"),
        ("/api/v1/organizations", "host"),
        ("/api/v1/webhooks/prometheus", "adapter"),
        ("/api/v1/alerts", "adapter"),
        ("/api/v1/unknown", None),
        ("/api/internal/hosts/x", None),
        ("/api/v1/me/terminal-credentials", "adapter"),
        ("/api/v1/tickets/../../internal/tickets/x/sync", None),
        ("/api/v1/tickets/%2e%2e/%2E%2E/internal/x", None),
        ("/api/v1/tickets/./x", None),
        ("/api/v1/tickets/x..y", "ticket"),
        ("/schema", None),
    ],
)
def test_owner_of(path: str, owner: str | None) -> None:
    assert owner_of(path) == owner


def test_collecting_terminal_logs_may_take_longer() -> None:
    from kohub_gateway.routing import LONG_CALL_SECONDS, read_timeout

    long_path = "/api/v1/tickets/x/terminal-logs"
    assert read_timeout("POST", long_path, 15.0) == LONG_CALL_SECONDS
    assert read_timeout("GET", long_path, 15.0) == 15.0
    assert read_timeout("POST", long_path + "/y", 15.0) == 15.0
    assert read_timeout("POST", "/api/v1/tickets", 15.0) == 15.0


def test_trace_context_is_continued_or_started() -> None:
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
    child = child_traceparent(parent)
    assert child.startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-") and child.endswith("-00")
    assert child.split("-")[2] != "00f067aa0ba902b7"
    for garbage in (None, "", "01-zz", "00-" + "0" * 32 + "-00f067aa0ba902b7-01"):
        fresh = child_traceparent(garbage)
        assert len(fresh.split("-")[1]) == 32 and fresh.split("-")[1] != "0" * 32


class FakeOwners:
    def __init__(self, answers: dict[str, Fetched]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str, dict[str, Any]]] = []

    async def get(self, owner: str, path: str, params: dict[str, Any]) -> Fetched:
        self.asked.append((owner, path, params))
        return self.answers[path]


async def test_recent_tickets_and_a_forbidden_part() -> None:
    page = {"items": [TICKET], "total": 1, "nextCursor": None, "limit": 10}
    owners = FakeOwners(
        {
            "/api/v1/tickets": Fetched(body=json.dumps(page).encode(), status=200),
            "/api/v1/alerts": Fetched(status=403),
        }
    )
    recent = await dashboard.recent_tickets(owners, 5)
    assert [t.key for t in recent.items] == ["KH-2026-0001"] and recent.missing == []
    assert owners.asked[0] == ("ticket", "/api/v1/tickets", {"limit": 5, "sort": "-createdAt"})
    alerts = await dashboard.recent_alerts(owners)
    assert alerts.items == []
    assert (alerts.missing[0].part, alerts.missing[0].reason) == (
        "alerts",
        "not available to your roles",
    )


async def test_an_unreadable_or_failing_part_is_named() -> None:
    owners = FakeOwners(
        {
            "/api/v1/tickets/stats": Fetched(body=b'{"byStatus": "nonsense"}', status=200),
            "/api/v1/hosts/stats": Fetched(failure="the host service did not answer in 3 s"),
        }
    )
    summary = await dashboard.summary(owners, tz="Asia/Seoul", days=7)
    assert summary.tickets is None and summary.hosts is None
    reasons = {m.part: m.reason for m in summary.missing}
    assert reasons["tickets"].startswith("unreadable answer")
    assert reasons["hosts"] == "the host service did not answer in 3 s"
    assert ("ticket", "/api/v1/tickets/stats", {"tz": "Asia/Seoul", "days": 7}) in owners.asked


def test_settings_from_the_environment(monkeypatch) -> None:
    from kohub_gateway.settings import GatewaySettings

    assert GatewaySettings.from_env().public_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("KOHUB_PUBLIC_URL", "https://ops.example.com/")
    monkeypatch.setenv("KOHUB_GATEWAY_TIMEOUT_SECONDS", "7")
    settings = GatewaySettings.from_env()
    assert (settings.public_url, settings.timeout_seconds) == ("https://ops.example.com", 7.0)
    assert settings.console_client_id == "kohub-console"


async def test_figures_are_kept_a_few_seconds_unless_a_part_is_missing() -> None:
    from kohub_contracts.dashboard import HostsStatus, MissingPart

    now = [100.0]
    cache = dashboard.FiguresCache(5.0, 30.0, clock=lambda: now[0])
    computed: list[int] = []

    async def whole() -> HostsStatus:
        computed.append(1)
        return HostsStatus(hosts=None, missing=[])

    async def degraded() -> HostsStatus:
        computed.append(2)
        return HostsStatus(hosts=None, missing=[MissingPart("hosts", "down")])

    first = await cache.get("a", whole)
    assert await cache.get("a", whole) is first
    await cache.get("b", degraded)
    await cache.get("b", degraded)
    assert computed == [1, 2, 2]


async def test_an_old_answer_is_served_while_the_next_is_computed() -> None:
    from kohub_contracts.dashboard import HostsStatus

    now = [100.0]
    cache = dashboard.FiguresCache(5.0, 30.0, clock=lambda: now[0])
    release, computed = asyncio.Event(), asyncio.Event()
    answers: list[HostsStatus] = []

    async def slow() -> HostsStatus:
        await release.wait()
        answers.append(HostsStatus(hosts=None, missing=[]))
        computed.set()
        return answers[-1]

    # the first callers wait together for one computation
    release.set()
    waiting = await asyncio.gather(*(cache.get("a", slow) for _ in range(5)))
    assert len(answers) == 1 and all(w is answers[0] for w in waiting)
    # stale: answered at once with the old figures while one refresh runs
    release.clear()
    now[0] += 6
    assert await cache.get("a", slow) is answers[0]
    assert await cache.get("a", slow) is answers[0]
    computed.clear()
    release.set()
    await computed.wait()

    async def refreshed() -> bool:  # the refresh stores its answer as it returns
        return await cache.get("a", slow) is answers[1]

    await eventually(refreshed, timeout=5, interval=0)
    # too old to serve: the caller waits for fresh figures
    now[0] += 31
    assert await cache.get("a", slow) is answers[2]
