"""The console in the gateway's own app shell (`create_service_app`, Bearer auth and problem
handlers included) with a fake backend: a session chosen by the test and a `call` that
answers from a table and records what the pages asked."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kohub_contracts.common import Page, Ref
from kohub_contracts.dashboard import DashboardSummary, RecentAlerts, RecentTickets
from kohub_contracts.enums import (
    ActivityType,
    TicketPriority,
    TicketSource,
    TicketStatus,
)
from kohub_contracts.hosts import HostStats
from kohub_contracts.tickets import (
    ActivityResponse,
    TicketDetailResponse,
    TicketListItem,
    TicketStats,
    UserRef,
)
from kohub_gateway.adapters.http.sessions import ConsoleSession, CsrfRefused
from kohub_gateway.console import console_routes
from kohub_platform.errors import problem_handler
from kohub_platform.web import create_service_app

CSRF = "csrf-token-of-the-session"
ORG = UUID("9d3f3c1e-0000-4000-8000-00000000a001")
OTHER_ORG = UUID("9d3f3c1e-0000-4000-8000-00000000a002")
TICKET_ID = UUID("9d3f3c1e-0000-4000-8000-000000000001")
OPERATOR_ID = UUID("9d3f3c1e-0000-4000-8000-0000000000f1")
NOW = datetime(2026, 1, 30, 1, 15, tzinfo=UTC)  # 10:15 in Seoul


def session_of(*roles: str, name: str = "김운영", org: UUID | None = None) -> ConsoleSession:
    return ConsoleSession(
        session_id="hash",
        subject="subject-1",
        username="operator1",
        name=name,
        email=None,
        roles=frozenset(roles),
        org_id=org,
        access_token="access-token",
        csrf_token=CSRF,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )


OPERATOR = session_of("msp-operator")
CUSTOMER = session_of("customer", name="Acme Kim", org=ORG)
CUSTOMER_ADMIN = session_of("customer-admin", name="Acme Boss", org=ORG)


@dataclass
class Call:
    method: str
    path: str
    params: Any
    json: Any
    headers: dict[str, str]
    files: Any = None

    def param(self, name: str) -> list[Any]:
        items = self.params.items() if isinstance(self.params, dict) else self.params or []
        return [v for k, v in items if k == name]


Answer = httpx.Response | Callable[[Call], httpx.Response]


@dataclass
class FakeBackend:
    current: ConsoleSession | None = field(default_factory=lambda: OPERATOR)
    routes: dict[tuple[str, str], Answer] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def on(self, method: str, path: str, answer: Answer) -> None:
        self.routes[(method, path)] = answer

    async def session(self, request: Any) -> ConsoleSession | None:
        return self.current

    async def call(
        self,
        request: Any,
        session: ConsoleSession,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        files: Any = None,
    ) -> httpx.Response:
        assert session is self.current
        call = Call(method, path, params, json, dict(headers or {}), files)
        self.calls.append(call)
        answer = self.routes.get((method, path))
        if answer is None:
            return problem(404, f"no fake answer for {method} {path}")
        return answer(call) if callable(answer) else answer

    def made(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if (c.method, c.path) == (method, path)]


def ok(body: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=msgspec.json.encode(body),
        headers={"content-type": "application/json", **headers},
    )


def problem(status: int, detail: str, kind: str = "x") -> httpx.Response:
    """A problem+json answer; `kind` is its type's last part (`no-terminal-adapter`)."""
    body = {"type": f"urn:kohub:problem:{kind}", "title": "x", "status": status, "detail": detail}
    return httpx.Response(
        status,
        content=msgspec.json.encode(body),
        headers={"content-type": "application/problem+json"},
    )


def make_app(backend: FakeBackend) -> Litestar:
    """The console as create_app will hold it: in the platform's app, with its Bearer auth
    (the console's routes are excluded) and its problem+json handlers (overridden)."""

    class NoTokens:
        async def verify(self, token: str) -> Any:
            raise AssertionError("the console must not ask for a Bearer token")

    return create_service_app(
        service="gateway",
        version="test",
        route_handlers=[console_routes(backend, timezone="Asia/Seoul")],
        token_verifier=NoTokens(),  # type: ignore[arg-type]
        ready_checks={},
        exception_handlers={CsrfRefused: problem_handler(403, "csrf")},
    )


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def client(backend: FakeBackend) -> Iterator[TestClient[Litestar]]:
    with TestClient(make_app(backend)) as test_client:
        yield test_client


# --- the API's shapes ----------------------------------------------------------------------


def user(name: str, uid: UUID | None = None) -> UserRef:
    return UserRef(id=uid or uuid4(), name=name)


def activity(
    type_: ActivityType, content: str, by: UserRef | None, **metadata: Any
) -> ActivityResponse:
    return ActivityResponse(
        id=uuid4(), type=type_, content=content, user=by, created_at=NOW, metadata=metadata
    )


def ticket_detail(**changes: Any) -> TicketDetailResponse:
    values: dict[str, Any] = {
        "id": TICKET_ID,
        "key": "KH-2026-0001",
        "title": "[장애] web-prod-01 - Connection refused",
        "description": "web-prod-01 does not answer on :443",
        "source": TicketSource.UPTIME_KUMA,
        "source_event_id": "uptime-kuma-1-20260130T101500",
        "status": TicketStatus.NEW,
        "priority": TicketPriority.CRITICAL,
        "host": None,
        "reporter": None,
        "assignee": None,
        "resolution": None,
        "activities": [],
        "terminal_logs": [],
        "created_at": NOW,
        "updated_at": NOW,
        "organization": Ref(id=str(ORG), name="Acme"),
        "allowed_transitions": [TicketStatus.RECEIVED, TicketStatus.CLOSED],
        "version": 3,
    }
    values.update(changes)
    return TicketDetailResponse(**values)


def list_item(key: str, title: str, **changes: Any) -> TicketListItem:
    values: dict[str, Any] = {
        "id": uuid4(),
        "key": key,
        "title": title,
        "status": TicketStatus.NEW,
        "priority": TicketPriority.HIGH,
        "source": TicketSource.MANUAL,
        "organization_id": ORG,
        "host": None,
        "assignee": None,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(changes)
    return TicketListItem(**values)


def page(items: list[Any], next_cursor: str | None = None, total: int | None = None) -> Page[Any]:
    return Page(items=items, total=len(items) if total is None else total, next_cursor=next_cursor)


def ticket_stats(**changes: Any) -> TicketStats:
    values: dict[str, Any] = {
        "by_status": {s.value: 0 for s in TicketStatus} | {"NEW": 3, "RESOLVED": 2},
        "open_by_priority": {"CRITICAL": 2, "HIGH": 1, "MEDIUM": 0, "LOW": 4},
        "opened_today": 5,
        "resolved_today": 1,
        "opened_in_period": 17,
        "resolved_in_period": 9,
        "period_days": 7,
        "since": NOW,
        "today_since": NOW,
        "mtta_seconds": 90.0,
        "mttr_seconds": 3900.0,
    }
    values.update(changes)
    return TicketStats(**values)


HOST_STATS = HostStats(
    total=12,
    by_status={"ACTIVE": 10, "INACTIVE": 1, "MAINTENANCE": 1},
    by_current_status={"UP": 9, "DOWN": 2, "PENDING": 0, "MAINTENANCE": 0, "UNKNOWN": 0},
)


def dashboard(backend: FakeBackend, summary: DashboardSummary | None = None) -> None:
    backend.on(
        "GET",
        "/api/v1/dashboard/summary",
        ok(summary or DashboardSummary(ticket_stats(), HOST_STATS, [], NOW)),
    )
    backend.on("GET", "/api/v1/dashboard/recent-alerts", ok(RecentAlerts([], [])))
    backend.on(
        "GET",
        "/api/v1/dashboard/recent-tickets",
        ok(RecentTickets([list_item("KH-2026-0042", "디스크 사용량 90% 초과")], [])),
    )
