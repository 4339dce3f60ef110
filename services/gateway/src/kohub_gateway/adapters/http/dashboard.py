"""The dashboard API (`/api/v1/dashboard/*`): msp-operator, and customer roles for their
organization (each service scopes what it answers by the caller's token)."""

from typing import Annotated, Any, ClassVar

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import Parameter

from kohub_contracts.dashboard import (
    DashboardSummary,
    HostsStatus,
    RecentAlerts,
    RecentTickets,
    TicketsStatus,
)
from kohub_contracts.enums import Role
from kohub_gateway.adapters.http.proxy import gateway_service
from kohub_gateway.adapters.http.upstream import HttpOwners, forwarded_headers
from kohub_gateway.application import dashboard
from kohub_platform.auth import Principal, require_roles

READERS = require_roles(Role.MSP_OPERATOR, Role.CUSTOMER_ADMIN, Role.CUSTOMER)
Tz = Annotated[str, Parameter(query="tz", max_length=64)]
Days = Annotated[int, Parameter(query="days", ge=1, le=366)]
Limit = Annotated[int, Parameter(query="limit", ge=1, le=50)]


def scope(request: Request[Principal, Any, State], *params: Any) -> tuple[Any, ...]:
    """Who sees the same figures: every MSP operator alike, a customer per organization."""
    user = request.user
    who = "msp" if user.is_operator else (user.org_id, tuple(sorted(user.roles)))
    return (request.url.path, who, *params)


def owners(request: Request[Any, Any, State]) -> HttpOwners:
    service = gateway_service(request)
    return HttpOwners(
        service.http,
        service.urls,
        forwarded_headers(request.scope),
        service.gateway.dashboard_timeout_seconds,
    )


class DashboardController(Controller):
    path = "/api/v1/dashboard"
    tags: ClassVar[list[str]] = ["dashboard"]
    guards: ClassVar[list[object]] = [READERS]  # type: ignore[misc]

    @get("/summary", summary="Tickets and hosts at a glance, with MTTA and MTTR")
    async def summary(
        self, request: Request[Any, Any, State], tz: Tz = "UTC", days: Days = 7
    ) -> DashboardSummary:
        figures = gateway_service(request).figures
        return await figures.get(
            scope(request, tz, days), lambda: dashboard.summary(owners(request), tz=tz, days=days)
        )

    @get("/tickets-status", summary="Tickets by status and open tickets by priority")
    async def tickets_status(
        self, request: Request[Any, Any, State], tz: Tz = "UTC", days: Days = 7
    ) -> TicketsStatus:
        figures = gateway_service(request).figures
        return await figures.get(
            scope(request, tz, days),
            lambda: dashboard.tickets_status(owners(request), tz=tz, days=days),
        )

    @get("/hosts-status", summary="Hosts by lifecycle and observed status")
    async def hosts_status(self, request: Request[Any, Any, State]) -> HostsStatus:
        figures = gateway_service(request).figures
        return await figures.get(scope(request), lambda: dashboard.hosts_status(owners(request)))

    @get("/recent-alerts", summary="The latest monitoring alerts and what became of them")
    async def recent_alerts(
        self, request: Request[Any, Any, State], limit: Limit = 10
    ) -> RecentAlerts:
        return await dashboard.recent_alerts(owners(request), limit)

    @get("/recent-tickets", summary="The latest tickets")
    async def recent_tickets(
        self, request: Request[Any, Any, State], limit: Limit = 10
    ) -> RecentTickets:
        return await dashboard.recent_tickets(owners(request), limit)
