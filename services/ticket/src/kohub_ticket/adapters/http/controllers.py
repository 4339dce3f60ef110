"""Ticket API (`/api/v1/tickets`), the ticket itself: list, open, read, edit."""

from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.params import Parameter
from msgspec import UNSET

from kohub_contracts.common import Page
from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus
from kohub_contracts.tickets import (
    TicketCreateRequest,
    TicketDetailResponse,
    TicketListItem,
    TicketSort,
    TicketStats,
    TicketUpdateRequest,
)
from kohub_platform.auth import Principal
from kohub_platform.errors import etag, expected_version
from kohub_ticket.adapters.http.responses import new_ticket_detail
from kohub_ticket.adapters.http.support import (
    ANY_TICKET_READER,
    OPERATORS,
    OPERATORS_AND_CUSTOMERS,
    IfMatch,
    caller,
    detail_response,
)
from kohub_ticket.application import handlers
from kohub_ticket.application.commands import (
    CreateTicket,
    UpdateTicket,
)
from kohub_ticket.application.errors import InvalidRequest
from kohub_ticket.application.queries import TicketFilter


class TicketController(Controller):
    path = "/api/v1/tickets"
    tags: ClassVar[list[str]] = ["tickets"]

    @get("", guards=[ANY_TICKET_READER], summary="List tickets")
    async def list_tickets(
        self,
        request: Request[Principal, Any, State],
        status: Annotated[list[TicketStatus] | None, Parameter(query="status")] = None,
        priority: Annotated[list[TicketPriority] | None, Parameter(query="priority")] = None,
        source: Annotated[list[TicketSource] | None, Parameter(query="source")] = None,
        host_id: Annotated[UUID | None, Parameter(query="hostId")] = None,
        assignee_id: Annotated[UUID | None, Parameter(query="assigneeId")] = None,
        organization_id: Annotated[UUID | None, Parameter(query="organizationId")] = None,
        q: Annotated[str | None, Parameter(query="q", max_length=200)] = None,
        created_from: Annotated[datetime | None, Parameter(query="createdFrom")] = None,
        created_to: Annotated[datetime | None, Parameter(query="createdTo")] = None,
        sort: Annotated[TicketSort, Parameter(query="sort")] = TicketSort.CREATED_DESC,
        cursor: Annotated[str | None, Parameter(query="cursor", max_length=500)] = None,
        limit: Annotated[int, Parameter(query="limit", ge=1, le=200)] = 50,
    ) -> Page[TicketListItem]:
        """Customer roles see their own organization's tickets only."""
        service, actor = await caller(request)
        flt = TicketFilter(
            statuses=tuple(status or ()),
            priorities=tuple(priority or ()),
            sources=tuple(source or ()),
            host_id=host_id,
            assignee_id=assignee_id,
            organization_id=organization_id,
            text=q.strip() if q and q.strip() else None,
            created_from=created_from,
            created_to=created_to,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
        return await service.queries.search(actor, flt)

    @get("/stats", guards=[ANY_TICKET_READER], summary="The dashboard's ticket figures")
    async def ticket_stats(
        self,
        request: Request[Principal, Any, State],
        organization_id: Annotated[UUID | None, Parameter(query="organizationId")] = None,
        days: Annotated[int, Parameter(query="days", ge=1, le=366)] = 7,
        tz: Annotated[str, Parameter(query="tz", max_length=64)] = "UTC",
    ) -> TicketStats:
        """Counts by status, open tickets by priority, opened and resolved today and in the
        last `days`, MTTA and MTTR; "today" starts at midnight in `tz` (IANA name)."""
        service, actor = await caller(request)
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidRequest(f"Unknown time zone {tz!r}.") from None
        now = service.clock()
        midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        return await service.queries.stats(
            actor, organization_id, now=now, today_since=midnight, period_days=days
        )

    @post("", guards=[OPERATORS_AND_CUSTOMERS], summary="Open a ticket")
    async def create_ticket(
        self, request: Request[Principal, Any, State], data: TicketCreateRequest
    ) -> Response[TicketDetailResponse]:
        service, actor = await caller(request)
        uow = service.uow()
        ticket = await handlers.create_ticket(
            CreateTicket(
                actor=actor,
                title=data.title,
                description=data.description,
                priority=data.priority,
                source=data.source,
                organization_id=data.organization_id,
                host_id=data.host_id,
            ),
            uow,
            service.clock,
        )
        names = getattr(uow, "names", {}).get(ticket.id)
        if names is None:
            return await detail_response(request, service, actor, ticket.id, status_code=201)
        detail = new_ticket_detail(ticket, names, actor)
        return Response(
            detail,
            status_code=201,
            headers={"ETag": etag(detail.version), "Location": f"/api/v1/tickets/{detail.id}"},
        )

    @get("/{ticket_id:uuid}", guards=[ANY_TICKET_READER], summary="A ticket with its timeline")
    async def get_ticket(
        self, request: Request[Principal, Any, State], ticket_id: UUID
    ) -> Response[TicketDetailResponse]:
        service, actor = await caller(request)
        return await detail_response(request, service, actor, ticket_id)

    @put("/{ticket_id:uuid}", guards=[OPERATORS], summary="Edit title, description, priority, host")
    async def update_ticket(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        data: TicketUpdateRequest,
        if_match: IfMatch = None,
    ) -> Response[TicketDetailResponse]:
        service, actor = await caller(request)
        await handlers.update_ticket(
            UpdateTicket(
                actor=actor,
                ticket_id=ticket_id,
                expected_version=expected_version(if_match),
                title=_set(data.title),
                description=_set(data.description),
                priority=_set(data.priority),
                host_id=_set(data.host_id),
                clear_host=data.host_id is None,
            ),
            service.uow(),
            service.clock,
        )
        return await detail_response(request, service, actor, ticket_id)


def _set(value: Any) -> Any:
    """msgspec's UNSET (field absent) becomes None: 'leave as it is'."""
    return None if value is UNSET else value
