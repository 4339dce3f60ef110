"""`GET /api/v1/hosts/{id}/terminal-url`: the host's terminal in Termix, from its termix
adapter (asked of the adapter gateway, TERMINAL). With `ticketId`, the opening is recorded on
that ticket (the ticket service's TERMINAL_ACCESS), so the recordings made from now on can
be collected onto it (terminal_links.py makes both calls)."""

from typing import Annotated, Any, ClassVar
from uuid import UUID

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import Parameter

from kohub_contracts.enums import Role
from kohub_contracts.terminal import TerminalOpenedRequest, TerminalUrlResponse
from kohub_host.bootstrap import HostService
from kohub_platform.auth import Principal, require_roles
from kohub_platform.errors import UpstreamProblem

TicketId = Annotated[UUID | None, Parameter(query="ticketId", required=False)]


class HostTerminalController(Controller):
    path = "/api/v1/hosts"
    tags: ClassVar[list[str]] = ["hosts"]

    @get(
        "/{host_id:uuid}/terminal-url",
        guards=[require_roles(Role.MSP_OPERATOR)],
        summary="The host's terminal (Termix) to embed; with ticketId, recorded on the ticket",
    )
    async def terminal_url(
        self, request: Request[Principal, Any, State], host_id: UUID, ticket_id: TicketId = None
    ) -> TerminalUrlResponse:
        """409 `no-terminal-adapter` when the host has no active termix adapter."""
        service: HostService = request.app.state.host_service
        await service.know_caller(request.user)
        host = await service.queries.detail(request.user, host_id)  # 404 when not theirs
        links = service.terminal
        if links is None:
            raise UpstreamProblem(503, "unavailable", "Terminal links are not configured.")
        authorization = request.headers.get("authorization")
        target = await links.target(host_id, authorization)
        opened_at = service.clock()
        if ticket_id is not None:
            opening = TerminalOpenedRequest(
                host_id=host_id, termix_host_id=target.termix_host_id, host_name=host.name
            )
            opened_at = (await links.record_opening(ticket_id, opening, authorization)).opened_at
        return TerminalUrlResponse(
            url=target.url,
            host_id=host_id,
            termix_host_id=target.termix_host_id,
            opened_at=opened_at,
            ticket_id=ticket_id,
        )
