"""The dashboard: each part asked of its owning service at once, with the caller's token
(so a customer gets their organization's figures), each within its own time limit. A part
that does not come back is named in `missing` with why; the dashboard never fails whole."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import msgspec
import structlog

from kohub_contracts.alerts import AlertListItem
from kohub_contracts.common import Page
from kohub_contracts.dashboard import (
    DashboardSummary,
    HostsStatus,
    MissingPart,
    RecentAlerts,
    RecentTickets,
    TicketsStatus,
)
from kohub_contracts.hosts import HostStats
from kohub_contracts.tickets import TicketListItem, TicketStats

log = structlog.get_logger("kohub.dashboard")

T = TypeVar("T")
RECENT = 10


@dataclass(frozen=True, slots=True)
class Fetched:
    """What an owner answered: a body on 200, else the status or the failure."""

    body: bytes | None = None
    status: int | None = None
    failure: str | None = None


class Owners(Protocol):
    async def get(self, owner: str, path: str, params: dict[str, Any]) -> Fetched:
        """GET `path` of `owner` with the caller's credentials, within the part's limit."""


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    owner: str
    path: str
    shape: Any


TICKETS = Part("tickets", "ticket", "/api/v1/tickets/stats", TicketStats)
HOSTS = Part("hosts", "host", "/api/v1/hosts/stats", HostStats)
ALERTS = Part("alerts", "adapter", "/api/v1/alerts", Page[AlertListItem])
LATEST_TICKETS = Part("tickets", "ticket", "/api/v1/tickets", Page[TicketListItem])


async def summary(owners: Owners, *, tz: str, days: int) -> DashboardSummary:
    missing: list[MissingPart] = []
    tickets, hosts = await asyncio.gather(
        _part(owners, TICKETS, {"tz": tz, "days": days}, missing),
        _part(owners, HOSTS, {}, missing),
    )
    return DashboardSummary(
        tickets=tickets, hosts=hosts, missing=missing, generated_at=datetime.now(UTC)
    )


async def tickets_status(owners: Owners, *, tz: str, days: int) -> TicketsStatus:
    missing: list[MissingPart] = []
    stats = await _part(owners, TICKETS, {"tz": tz, "days": days}, missing)
    return TicketsStatus(tickets=stats, missing=missing)


async def hosts_status(owners: Owners) -> HostsStatus:
    missing: list[MissingPart] = []
    return HostsStatus(hosts=await _part(owners, HOSTS, {}, missing), missing=missing)


async def recent_alerts(owners: Owners, limit: int = RECENT) -> RecentAlerts:
    missing: list[MissingPart] = []
    page = await _part(owners, ALERTS, {"limit": limit}, missing)
    return RecentAlerts(items=page.items if page else [], missing=missing)


async def recent_tickets(owners: Owners, limit: int = RECENT) -> RecentTickets:
    missing: list[MissingPart] = []
    page = await _part(owners, LATEST_TICKETS, {"limit": limit, "sort": "-createdAt"}, missing)
    return RecentTickets(items=page.items if page else [], missing=missing)


async def _part(
    owners: Owners, part: Part, params: dict[str, Any], missing: list[MissingPart]
) -> Any:
    fetched = await owners.get(part.owner, part.path, params)
    if fetched.body is not None:
        try:
            return msgspec.json.decode(fetched.body, type=part.shape)
        except msgspec.DecodeError as exc:
            missing.append(MissingPart(part.name, f"unreadable answer: {exc}", 200))
            return None
    missing.append(MissingPart(part.name, _reason(fetched), fetched.status))
    return None


def _reason(fetched: Fetched) -> str:
    if fetched.failure:
        return fetched.failure
    if fetched.status in (401, 403):
        return "not available to your roles"
    return f"its service answered {fetched.status}"


class FiguresCache:
    """Whole answers kept a few seconds per scope (the caller's roles and organization, the
    parameters): every operator's console refreshing its dashboard asks the services once
    per interval, not once per screen. One computation per scope runs at a time; once an
    answer is older than `seconds` (but younger than `stale_seconds`) it is still served
    while the next one is computed, so no caller waits for the services' slow aggregate
    queries except the first. A degraded answer (a part missing) is not kept."""

    def __init__(
        self,
        seconds: float = 5.0,
        stale_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds, self._stale_seconds, self._clock = seconds, stale_seconds, clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._computing: dict[Hashable, asyncio.Future[Any]] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        now = self._clock()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self._seconds:
            return hit[1]  # type: ignore[no-any-return]
        computing = self._computing.get(key)
        if computing is None:
            computing = asyncio.ensure_future(self._compute(key, compute))
            self._computing[key] = computing
            computing.add_done_callback(_retrieved)
        if hit is not None and now - hit[0] < self._stale_seconds:
            return hit[1]  # type: ignore[no-any-return]
        # a caller that goes away does not cancel the answer the others wait for
        return await asyncio.shield(computing)  # type: ignore[no-any-return]

    async def _compute(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        try:
            started = self._clock()
            value = await compute()
            if not getattr(value, "missing", None):
                if len(self._entries) > 10_000:
                    self._entries.clear()
                self._entries[key] = (started, value)
            return value
        finally:
            self._computing.pop(key, None)


def _retrieved(future: "asyncio.Future[Any]") -> None:
    """A refresh nobody awaited that failed is logged, not left to asyncio's warning."""
    if not future.cancelled() and (exc := future.exception()) is not None:
        log.warning("dashboard figures not refreshed", error=type(exc).__name__)
