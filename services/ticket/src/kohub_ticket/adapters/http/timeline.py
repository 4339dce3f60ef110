"""Ticket API: the timeline (activities, comments)."""

from typing import Any, ClassVar
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State

from kohub_contracts.tickets import (
    ActivityResponse,
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
