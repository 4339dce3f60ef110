"""The internal API (service accounts: realm role `kohub-integration`, which msp-admin holds
too): a ticket's sync state, sync events, publishing, dead letters and their replay."""

from typing import Annotated, Any, ClassVar
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import Parameter

from kohub_contracts.common import Page
from kohub_contracts.enums import Role, SyncDirection, SyncEventStatus
from kohub_contracts.integration import (
    DeadLetterItem,
    PublishAccepted,
    PublishRequest,
    SyncEventItem,
    TicketSyncResponse,
)
from kohub_contracts.kusthub import OUTBOUND_EVENT_TYPES
from kohub_integration.adapters.messaging.dead_letters import mark_replayed
from kohub_integration.adapters.postgres.queries import dead_letter_item
from kohub_integration.application import publishing
from kohub_integration.bootstrap import IntegrationService
from kohub_platform.auth import Principal, require_roles
from kohub_platform.errors import NotFound, ProblemError

SERVICE_ACCOUNTS = require_roles(Role.INTEGRATION)
Req = Request[Principal, Any, State]
Limit = Annotated[int, Parameter(query="limit", ge=1, le=200)]
Cursor = Annotated[str | None, Parameter(query="cursor", max_length=500)]


class InvalidPublishRequest(ProblemError):
    status, type_name = 422, "validation"


class BrokerUnavailable(ProblemError):
    status, type_name = 503, "unavailable"


def integration_service(request: Request[Any, Any, State]) -> IntegrationService:
    service: IntegrationService = request.app.state.integration_service
    return service


class InternalController(Controller):
    path = "/api/internal"
    tags: ClassVar[list[str]] = ["internal (KustHub)"]
    guards: ClassVar[list[object]] = [SERVICE_ACCOUNTS]  # type: ignore[misc]

    @get("/tickets/{ticket_id:uuid}/sync", summary="A ticket's KustHub sync status and events")
    async def ticket_sync(self, request: Req, ticket_id: UUID) -> TicketSyncResponse:
        found = await integration_service(request).queries.ticket_sync(ticket_id)
        if found is None:
            raise NotFound("No KustHub sync is known for this ticket.")
        return found

    @get("/sync-events", summary="Sync events, newest first, filtered")
    async def sync_events(
        self,
        request: Req,
        status: SyncEventStatus | None = None,
        direction: SyncDirection | None = None,
        event_type: Annotated[str | None, Parameter(query="eventType", max_length=50)] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[SyncEventItem]:
        return await integration_service(request).queries.sync_events(
            status=status, direction=direction, event_type=event_type, limit=limit, cursor=cursor
        )

    @post(
        "/events/publish",
        status_code=202,
        summary="Publish again a stored event (syncEventId), or a given contract event",
    )
    async def publish(self, request: Req, data: PublishRequest) -> PublishAccepted:
        service = integration_service(request)
        if (data.sync_event_id is None) == (data.event is None):
            raise InvalidPublishRequest("Give exactly one of syncEventId and event.")
        try:
            if data.sync_event_id is not None:
                event = await publishing.republish(data.sync_event_id, service.uow())
            else:
                assert data.event is not None
                event = await publishing.publish_contract_event(data.event, service.uow())
        except publishing.SyncEventNotFound as exc:
            raise NotFound(str(exc)) from None
        except publishing.InvalidContractEvent as exc:
            raise InvalidPublishRequest(str(exc)) from None
        return PublishAccepted(
            event_id=event.event_id,
            event_type=event.event_type,
            status=event.status,
            # KustHub-side types are recorded by the inbound consumer when they come back
            sync_event_id=event.id if event.event_type in OUTBOUND_EVENT_TYPES else None,
        )

    @get("/dead-letters", summary="Messages the integration's queues gave up on, with why")
    async def dead_letters(
        self,
        request: Req,
        queue: Annotated[str | None, Parameter(query="queue", max_length=200)] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[DeadLetterItem]:
        return await integration_service(request).queries.dead_letters(
            queue=queue, limit=limit, cursor=cursor
        )

    @post(
        "/dead-letters/{letter_id:int}/replay",
        status_code=202,
        summary="Publish a dead letter again to where it first went",
    )
    async def replay(self, request: Req, letter_id: int) -> Response[DeadLetterItem]:
        service = integration_service(request)
        letter = await service.queries.dead_letter(letter_id)
        if letter is None:
            raise NotFound("No such dead letter.")
        if not letter.exchange or service.broker is None:
            raise InvalidPublishRequest("This dead letter does not say where it came from.")
        try:
            await service.broker.publish(
                bytes(letter.body),
                exchange=letter.exchange,
                routing_key=letter.routing_key or "",
                message_id=letter.message_id,
                content_type="application/json",
                persist=True,
            )
        except Exception as exc:
            raise BrokerUnavailable(f"The broker did not take the message: {exc}") from None
        assert service.engine is not None
        await mark_replayed(service.engine, letter_id)
        replayed = await service.queries.dead_letter(letter_id)
        return Response(dead_letter_item(replayed), status_code=202)
