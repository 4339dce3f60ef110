"""Ticket API: the timeline (activities, comments) and terminal session logs."""

from typing import Any, ClassVar
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State

from kohub_contracts.tickets import (
    ActivityResponse,
    TerminalLogCreateRequest,
    TerminalLogResponse,
    TicketCommentRequest,
)
from kohub_platform.auth import Principal
from kohub_ticket.adapters.http.support import (
    OPERATORS,
    OPERATORS_AND_CUSTOMERS,
    caller,
    reader_locale,
)
from kohub_ticket.application import handlers
from kohub_ticket.application.commands import (
    AddComment,
    AttachTerminalLog,
)


class TicketTimelineController(Controller):
    path = "/api/v1/tickets"
    tags: ClassVar[list[str]] = ["tickets"]

    @get("/{ticket_id:uuid}/activities", guards=[OPERATORS], summary="The ticket's timeline")
    async def list_activities(
        self, request: Request[Principal, Any, State], ticket_id: UUID
    ) -> list[ActivityResponse]:
        service, actor = await caller(request)
        return await service.queries.activities(actor, ticket_id, reader_locale(request))

    @post("/{ticket_id:uuid}/comments", guards=[OPERATORS_AND_CUSTOMERS], summary="Comment")
    async def comment(
        self, request: Request[Principal, Any, State], ticket_id: UUID, data: TicketCommentRequest
    ) -> Response[ActivityResponse]:
        service, actor = await caller(request)
        comment_id = await handlers.add_comment(
            AddComment(actor, ticket_id, data.content), service.uow(), service.clock
        )
        timeline = await service.queries.activities(actor, ticket_id, reader_locale(request))
        return Response(next(a for a in timeline if a.id == comment_id), status_code=201)

    @get(
        "/{ticket_id:uuid}/terminal-logs",
        guards=[OPERATORS],
        summary="Terminal sessions, with logs",
    )
    async def list_terminal_logs(
        self, request: Request[Principal, Any, State], ticket_id: UUID
    ) -> list[TerminalLogResponse]:
        service, actor = await caller(request)
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
        service, actor = await caller(request)
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
