"""Ticket API (`/api/v1/tickets`): decode, authorize, call a handler, encode."""

from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.params import Parameter
from msgspec import UNSET

from kohub_contracts.common import Page
from kohub_contracts.enums import Role, TicketPriority, TicketSource, TicketStatus
from kohub_contracts.tickets import (
    ActivityResponse,
    TerminalLogCreateRequest,
    TerminalLogResponse,
    TicketAssignRequest,
    TicketCommentRequest,
    TicketCreateRequest,
    TicketDetailResponse,
    TicketListItem,
    TicketReasonRequest,
    TicketResolveRequest,
    TicketSort,
    TicketTransitionRequest,
    TicketUpdateRequest,
)
from kohub_platform.auth import Principal, require_roles
from kohub_platform.errors import etag, expected_version
from kohub_ticket.adapters.http.responses import new_ticket_detail
from kohub_ticket.application import handlers
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.commands import (
    AddComment,
    AssignTicket,
    AttachTerminalLog,
    ChangeStatus,
    CreateTicket,
    ResolveTicket,
    UpdateTicket,
)
from kohub_ticket.application.queries import TicketFilter
from kohub_ticket.application.texts import pick_locale
from kohub_ticket.bootstrap import TicketService

OPERATORS = require_roles(Role.MSP_OPERATOR)
OPERATORS_AND_CUSTOMERS = require_roles(Role.MSP_OPERATOR, Role.CUSTOMER)
ANY_TICKET_READER = require_roles(Role.MSP_OPERATOR, Role.CUSTOMER_ADMIN, Role.CUSTOMER)
CUSTOMERS = require_roles(Role.CUSTOMER)
IfMatch = Annotated[str | None, Parameter(header="If-Match", required=False)]
OptionalBody = TicketReasonRequest | None


async def _actor(request: Request[Principal, Any, State]) -> tuple[TicketService, Actor]:
    service: TicketService = request.app.state.ticket_service
    return service, await service.resolve_actor(request.user)


def _locale(request: Request[Any, Any, State]) -> str:
    service: TicketService = request.app.state.ticket_service
    return pick_locale(request.headers.get("accept-language"), service.locale)


async def _detail(
    request: Request[Principal, Any, State],
    service: TicketService,
    actor: Actor,
    ticket_id: UUID,
    status_code: int = 200,
) -> Response[TicketDetailResponse]:
    detail = await service.queries.detail(actor, ticket_id, _locale(request))
    headers = {"ETag": etag(detail.version)}
    if status_code == 201:
        headers["Location"] = f"/api/v1/tickets/{detail.id}"
    return Response(detail, status_code=status_code, headers=headers)


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
        service, actor = await _actor(request)
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

    @post("", guards=[OPERATORS_AND_CUSTOMERS], summary="Open a ticket")
    async def create_ticket(
        self, request: Request[Principal, Any, State], data: TicketCreateRequest
    ) -> Response[TicketDetailResponse]:
        service, actor = await _actor(request)
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
            return await _detail(request, service, actor, ticket.id, status_code=201)
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
        service, actor = await _actor(request)
        return await _detail(request, service, actor, ticket_id)

    @put("/{ticket_id:uuid}", guards=[OPERATORS], summary="Edit title, description, priority, host")
    async def update_ticket(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        data: TicketUpdateRequest,
        if_match: IfMatch = None,
    ) -> Response[TicketDetailResponse]:
        service, actor = await _actor(request)
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
        return await _detail(request, service, actor, ticket_id)

    async def _move(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        target: TicketStatus,
        reason: str | None,
        if_match: str | None,
    ) -> Response[TicketDetailResponse]:
        service, actor = await _actor(request)
        await handlers.change_status(
            ChangeStatus(actor, ticket_id, target, reason, expected_version(if_match)),
            service.uow(),
            service.clock,
        )
        return await _detail(request, service, actor, ticket_id)

    @post(
        "/{ticket_id:uuid}/receive",
        guards=[OPERATORS],
        status_code=200,
        summary="NEW/REOPENED → RECEIVED",
    )
    async def receive(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        data: OptionalBody = None,
        if_match: IfMatch = None,
    ) -> Response[TicketDetailResponse]:
        reason = data.reason if data else None
        return await self._move(request, ticket_id, TicketStatus.RECEIVED, reason, if_match)

    @post(
        "/{ticket_id:uuid}/transition",
        guards=[OPERATORS],
        status_code=200,
        summary="Any move the matrix allows",
    )
    async def transition(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        data: TicketTransitionRequest,
        if_match: IfMatch = None,
    ) -> Response[TicketDetailResponse]:
        return await self._move(request, ticket_id, data.to_status, data.reason, if_match)

    @post(
        "/{ticket_id:uuid}/complete",
        guards=[CUSTOMERS],
        status_code=200,
        summary="Customer confirms: RESOLVED → COMPLETED",
    )
    async def complete(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        data: OptionalBody = None,
        if_match: IfMatch = None,
    ) -> Response[TicketDetailResponse]:
        reason = data.reason if data else None
        return await self._move(request, ticket_id, TicketStatus.COMPLETED, reason, if_match)

    @post(
        "/{ticket_id:uuid}/reopen",
        guards=[OPERATORS_AND_CUSTOMERS],
        status_code=200,
        summary="RESOLVED/COMPLETED → REOPENED",
    )
    async def reopen(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        data: OptionalBody = None,
        if_match: IfMatch = None,
    ) -> Response[TicketDetailResponse]:
        reason = data.reason if data else None
        return await self._move(request, ticket_id, TicketStatus.REOPENED, reason, if_match)

    @post(
        "/{ticket_id:uuid}/assign",
        guards=[OPERATORS],
        status_code=200,
        summary="Assign (RECEIVED → ASSIGNED) or hand over",
    )
    async def assign(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        data: TicketAssignRequest,
        if_match: IfMatch = None,
    ) -> Response[TicketDetailResponse]:
        service, actor = await _actor(request)
        await handlers.assign_ticket(
            AssignTicket(
                actor, ticket_id, data.assignee_id, data.reason, expected_version(if_match)
            ),
            service.uow(),
            service.clock,
        )
        return await _detail(request, service, actor, ticket_id)

    @post(
        "/{ticket_id:uuid}/resolve",
        guards=[OPERATORS],
        status_code=200,
        summary="Resolve with a resolution",
    )
    async def resolve(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        data: TicketResolveRequest,
        if_match: IfMatch = None,
    ) -> Response[TicketDetailResponse]:
        service, actor = await _actor(request)
        await handlers.resolve_ticket(
            ResolveTicket(
                actor,
                ticket_id,
                data.summary,
                data.action_taken,
                data.ai_suggestion_used,
                expected_version(if_match),
            ),
            service.uow(),
            service.clock,
        )
        return await _detail(request, service, actor, ticket_id)

    @get("/{ticket_id:uuid}/activities", guards=[OPERATORS], summary="The ticket's timeline")
    async def list_activities(
        self, request: Request[Principal, Any, State], ticket_id: UUID
    ) -> list[ActivityResponse]:
        service, actor = await _actor(request)
        return await service.queries.activities(actor, ticket_id, _locale(request))

    @post("/{ticket_id:uuid}/comments", guards=[OPERATORS_AND_CUSTOMERS], summary="Comment")
    async def comment(
        self, request: Request[Principal, Any, State], ticket_id: UUID, data: TicketCommentRequest
    ) -> Response[ActivityResponse]:
        service, actor = await _actor(request)
        comment_id = await handlers.add_comment(
            AddComment(actor, ticket_id, data.content), service.uow(), service.clock
        )
        timeline = await service.queries.activities(actor, ticket_id, _locale(request))
        return Response(next(a for a in timeline if a.id == comment_id), status_code=201)

    @get(
        "/{ticket_id:uuid}/terminal-logs",
        guards=[OPERATORS],
        summary="Terminal sessions, with logs",
    )
    async def list_terminal_logs(
        self, request: Request[Principal, Any, State], ticket_id: UUID
    ) -> list[TerminalLogResponse]:
        service, actor = await _actor(request)
        return await service.queries.terminal_logs(actor, ticket_id)

    @post(
        "/{ticket_id:uuid}/terminal-logs",
        guards=[OPERATORS],
        summary="Store a terminal session log",
    )
    async def add_terminal_log(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        data: TerminalLogCreateRequest,
    ) -> Response[TerminalLogResponse]:
        service, actor = await _actor(request)
        log_id = await handlers.attach_terminal_log(
            AttachTerminalLog(
                actor,
                ticket_id,
                data.session_id,
                data.command_log,
                data.started_at,
                data.ended_at,
                data.host_id,
            ),
            service.uow(),
            service.clock,
        )
        logs = await service.queries.terminal_logs(actor, ticket_id)
        return Response(next(log for log in logs if log.id == log_id), status_code=201)


def _set(value: Any) -> Any:
    """msgspec's UNSET (field absent) becomes None: 'leave as it is'."""
    return None if value is UNSET else value
