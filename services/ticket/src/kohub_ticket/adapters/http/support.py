"""What the ticket controllers share: role guards, the caller, the reader's language."""

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response
from litestar.datastructures import State
from litestar.params import Parameter

from kohub_contracts.enums import Role
from kohub_contracts.tickets import TicketDetailResponse, TicketReasonRequest
from kohub_platform.auth import Principal, require_roles
from kohub_platform.errors import etag
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.texts import pick_locale
from kohub_ticket.bootstrap import TicketService

OPERATORS = require_roles(Role.MSP_OPERATOR)
OPERATORS_AND_CUSTOMERS = require_roles(Role.MSP_OPERATOR, Role.CUSTOMER)
ANY_TICKET_READER = require_roles(Role.MSP_OPERATOR, Role.CUSTOMER_ADMIN, Role.CUSTOMER)
CUSTOMERS = require_roles(Role.CUSTOMER)
IfMatch = Annotated[str | None, Parameter(header="If-Match", required=False)]
OptionalBody = TicketReasonRequest | None


async def caller(request: Request[Principal, Any, State]) -> tuple[TicketService, Actor]:
    service: TicketService = request.app.state.ticket_service
    return service, await service.resolve_actor(request.user)


def reader_locale(request: Request[Any, Any, State]) -> str:
    service: TicketService = request.app.state.ticket_service
    return pick_locale(request.headers.get("accept-language"), service.locale)


async def detail_response(
    request: Request[Principal, Any, State],
    service: TicketService,
    actor: Actor,
    ticket_id: UUID,
    status_code: int = 200,
) -> Response[TicketDetailResponse]:
    detail = await service.queries.detail(actor, ticket_id, reader_locale(request))
    headers = {"ETag": etag(detail.version)}
    if status_code == 201:
        headers["Location"] = f"/api/v1/tickets/{detail.id}"
    return Response(detail, status_code=status_code, headers=headers)
