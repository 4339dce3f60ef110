"""What the ticket service consumes: host and organization events, kept as references so
ticket lists, details and events carry names without calling the host service; monitoring
alerts, deduplicated into tickets; and the KustHub bridge's commands and sync reports."""

from uuid import UUID

from faststream.rabbit import RabbitBroker

from kohub_contracts.alerts import AlertEventType, AlertReceived
from kohub_contracts.commands import (
    TICKET_COMMAND_TYPES,
    CompleteTicketCommand,
    CreateTicketCommand,
)
from kohub_contracts.envelope import Envelope
from kohub_contracts.events import (
    HOST_EVENT_TYPES,
    HostChanged,
    IntegrationEventType,
    OrganizationUpserted,
    TicketSyncChanged,
)
from kohub_platform.consumers import subscribe_envelopes
from kohub_platform.messaging import (
    ALERTS_QUEUE,
    HOST_REFERENCES_QUEUE,
    TICKET_COMMANDS_QUEUE,
    TICKET_SYNC_QUEUE,
)
from kohub_ticket.application import bridge, handlers
from kohub_ticket.application.alerts import ingest_alert
from kohub_ticket.application.ports import HostRecord
from kohub_ticket.bootstrap import TicketService

REFERENCE_EVENTS = {k: HOST_EVENT_TYPES[k] for k in HOST_REFERENCES_QUEUE.routing_keys}


def register_subscribers(broker: RabbitBroker, service: TicketService) -> None:
    async def on_reference(envelope: Envelope[HostChanged | OrganizationUpserted]) -> bool:
        data = envelope.data
        if isinstance(data, OrganizationUpserted):
            return await handlers.record_organization_reference(
                envelope.event_id, data.organization_id, data.name, service.uow()
            )
        host = data.host
        # organization names come from organization.upserted only: host events of another
        # aggregate carry no order against a rename
        return await handlers.record_host_reference(
            envelope.event_id,
            HostRecord(host.host_id, UUID(host.organization.id), host.name, host.status.value),
            host.version,
            service.uow(),
        )

    async def on_alert(envelope: Envelope[AlertReceived]) -> bool:
        outcome = await ingest_alert(
            envelope.event_id,
            envelope.data,
            service.uow(),
            service.clock,
            service.alert_policy,
            service.locale,  # type: ignore[arg-type]
        )
        return outcome is not None

    async def on_command(envelope: Envelope[CreateTicketCommand | CompleteTicketCommand]) -> bool:
        command = envelope.data
        if isinstance(command, CreateTicketCommand):
            outcome = await bridge.create_linked_ticket(
                envelope.event_id, command, service.uow(), service.clock
            )
        else:
            outcome = await bridge.complete_ticket(
                envelope.event_id, command, service.uow(), service.clock
            )
        return outcome is not None

    async def on_sync_state(envelope: Envelope[TicketSyncChanged]) -> bool:
        return await bridge.record_sync_state(envelope.data, service.uow())

    subscribe_envelopes(broker, HOST_REFERENCES_QUEUE, REFERENCE_EVENTS, on_reference)
    subscribe_envelopes(broker, TICKET_COMMANDS_QUEUE, TICKET_COMMAND_TYPES, on_command)
    subscribe_envelopes(
        broker,
        TICKET_SYNC_QUEUE,
        {IntegrationEventType.SYNC_CHANGED: TicketSyncChanged},
        on_sync_state,
    )
    subscribe_envelopes(broker, ALERTS_QUEUE, {AlertEventType.RECEIVED: AlertReceived}, on_alert)
