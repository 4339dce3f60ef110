"""The dashboard page (`/`) and its panel (`/partials/dashboard`), which htmx fetches again
every 30 seconds. Figures come from the gateway's dashboard API; a part that did not come
back is named, the rest is shown."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get

from kohub_contracts.dashboard import DashboardSummary, MissingPart, RecentAlerts, RecentTickets
from kohub_contracts.enums import ObservedHostStatus, TicketPriority, TicketStatus
from kohub_gateway.console.web import ServiceProblem, View, is_htmx, open_view, see_other

T = TypeVar("T")
RECENT = 8
PERIOD_DAYS = 7
REFRESH_SECONDS = 30
OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.RECEIVED,
    TicketStatus.ASSIGNED,
    TicketStatus.IN_PROGRESS,
    TicketStatus.PENDING,
    TicketStatus.REOPENED,
)
HIDDEN_FROM_ROLE = (401, 403)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int
    width: int
    """Percent of the largest bar, in steps of 5 (a CSS class, no inline style)."""
    tone: str
    href: str | None = None


def bars(rows: list[tuple[str, int, str, str | None]]) -> list[Bar]:
    top = max((count for _, count, _, _ in rows), default=0)
    out = []
    for label, count, tone, href in rows:
        width = 0 if top == 0 else round(count * 100 / top / 5) * 5
        if count and width == 0:
            width = 5  # something is there: show a sliver
        out.append(Bar(label, count, width, tone, href))
    return out


def tickets_href(statuses: tuple[str, ...] = (), priorities: tuple[str, ...] = ()) -> str:
    query = [("status", s) for s in statuses] + [("priority", p) for p in priorities]
    return "/tickets" + (f"?{urlencode(query)}" if query else "")


OPEN = tuple(s.value for s in OPEN_STATUSES)


@dataclass
class Missing:
    part: str
    reason_key: str
    reason: str | None
    status: int | None


def missing_reason(part: MissingPart) -> Missing:
    reason = part.reason
    if "did not answer" in reason:
        key = "missing_timeout"
    elif "not reachable" in reason:
        key = "missing_unreachable"
    elif part.status is not None and part.status != 200:
        key = "missing_status"
    else:
        key = "missing_other"
    return Missing(part.part, key, reason, part.status)


async def _fetch(view: View, path: str, shape: type[T], params: dict[str, Any]) -> T | Missing:
    try:
        return await view.get(path, shape, params)
    except ServiceProblem as exc:
        key = "missing_unreachable" if exc.down else "missing_status"
        return Missing(path.rsplit("/", 1)[-1], key, exc.detail, exc.status)


async def panel_context(view: View) -> dict[str, Any]:
    t = view.t
    summary, alerts, recent = await asyncio.gather(
        _fetch(
            view,
            "/api/v1/dashboard/summary",
            DashboardSummary,
            {"tz": view.console.timezone.key, "days": PERIOD_DAYS},
        ),
        _fetch(view, "/api/v1/dashboard/recent-alerts", RecentAlerts, {"limit": RECENT}),
        _fetch(view, "/api/v1/dashboard/recent-tickets", RecentTickets, {"limit": RECENT}),
    )
    missing: dict[str, Missing] = {}
    hidden: set[str] = set()
    for answer, parts in (
        (summary, ("tickets", "hosts")),
        (alerts, ("alerts",)),
        (recent, ("recent",)),
    ):
        if isinstance(answer, Missing):
            for part in parts:
                missing.setdefault(part, Missing(part, answer.reason_key, answer.reason, None))
            continue
        for gone in answer.missing:
            name = "recent" if isinstance(answer, RecentTickets) else gone.part
            if gone.status in HIDDEN_FROM_ROLE:
                hidden.add(name)  # not for this role: leave the section out, say nothing
            else:
                missing.setdefault(name, missing_reason(gone))

    tickets = summary.tickets if isinstance(summary, DashboardSummary) else None
    hosts = summary.hosts if isinstance(summary, DashboardSummary) else None
    context: dict[str, Any] = {
        "tickets": tickets,
        "hosts": hosts,
        "alerts": None if isinstance(alerts, Missing) else alerts.items,
        "recent": None if isinstance(recent, Missing) else recent.items,
        "missing": list(missing.values()),
        "hidden": hidden,
        "generated_at": summary.generated_at
        if isinstance(summary, DashboardSummary)
        else datetime.now(UTC),
        "refresh_seconds": REFRESH_SECONDS,
        "period_days": PERIOD_DAYS,
        "open_href": tickets_href(OPEN),
    }
    if tickets is not None:
        priorities = [p.value for p in TicketPriority]
        context["open_total"] = sum(tickets.open_by_priority.get(p, 0) for p in priorities)
        context["open_critical"] = tickets.open_by_priority.get(TicketPriority.CRITICAL.value, 0)
        context["priority_bars"] = bars(
            [
                (
                    t.priority(p),
                    tickets.open_by_priority.get(p, 0),
                    f"priority-{p.lower()}",
                    tickets_href(OPEN, (p,)),
                )
                for p in priorities
            ]
        )
        context["status_bars"] = bars(
            [
                (
                    t.status(s.value),
                    tickets.by_status.get(s.value, 0),
                    f"status-{s.value.lower()}",
                    tickets_href((s.value,)),
                )
                for s in TicketStatus
            ]
        )
    if hosts is not None:
        current = hosts.by_current_status
        context["hosts_up"] = current.get(ObservedHostStatus.UP.value, 0)
        context["hosts_down"] = current.get(ObservedHostStatus.DOWN.value, 0)
        context["host_bars"] = bars(
            [
                (t.observed(s.value), current.get(s.value, 0), f"observed-{s.value.lower()}", None)
                for s in ObservedHostStatus
            ]
        )
    return context


class DashboardPages(Controller):
    path = "/"
    include_in_schema = False
    tags: ClassVar[list[str]] = ["console"]

    @get("/", name="console:dashboard")
    async def dashboard(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        view = await open_view(request)
        return view.html("dashboard.html", section="dashboard", **await panel_context(view))

    @get("/partials/dashboard", name="console:dashboard-panel")
    async def panel(self, request: Request[Any, Any, Any]) -> Response[Any]:
        if not is_htmx(request):  # a browser asking for the fragment gets the whole page
            return see_other("/")
        view = await open_view(request)
        return view.html("_dashboard_panel.html", here="/", **await panel_context(view))
