"""Ticket API: the state machine's moves (receive, transition, assign, resolve, complete,
reopen)."""

from typing import Any, ClassVar
from uuid import UUID

from litestar import Controller, Request, Response, post
from litestar.datastructures import State

from kohub_contracts.enums import TicketStatus
from kohub_contracts.tickets import (
    TicketAssignRequest,
    TicketDetailResponse,
    TicketResolveRequest,
    TicketTransitionRequest,
)
from kohub_platform.auth import Principal
from kohub_platform.errors import expected_version
from kohub_ticket.adapters.http.support import (
    CUSTOMERS,
    OPERATORS,
    OPERATORS_AND_CUSTOMERS,
    IfMatch,
    OptionalBody,
    caller,
    detail_response,
)
from kohub_ticket.application import handlers
from kohub_ticket.application.commands import (
    AssignTicket,
    ChangeStatus,
    ResolveTicket,
)


class TicketWorkflowController(Controller):
    path = "/api/v1/tickets"
    tags: ClassVar[list[str]] = ["tickets"]

    async def _move(
        self,
        request: Request[Principal, Any, State],
        ticket_id: UUID,
        target: TicketStatus,
        reason: str | None,
        if_match: str | None,
    ) -> Response[TicketDetailResponse]:
        service, actor = await caller(request)
        await handlers.change_status(
            ChangeStatus(actor, ticket_id, target, reason, expected_version(if_match)),
            service.uow(),
            service.clock,
        )
        return await detail_response(request, service, actor, ticket_id)

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
        service, actor = await caller(request)
        await handlers.assign_ticket(
            AssignTicket(
                actor, ticket_id, data.assignee_id, data.reason, expected_version(if_match)
            ),
            service.uow(),
            service.clock,
        )
        return await detail_response(request, service, actor, ticket_id)

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
        service, actor = await caller(request)
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
        return await detail_response(request, service, actor, ticket_id)
