"""What the ticket service consumes: host and organization events, kept as references so
ticket lists, details and events carry names without calling the host service; and
monitoring alerts, deduplicated into tickets."""

from uuid import UUID

from faststream.rabbit import RabbitBroker

from kohub_contracts.alerts import AlertEventType, AlertReceived
from kohub_contracts.envelope import Envelope
from kohub_contracts.events import (
    HOST_EVENT_TYPES,
    HostChanged,
    OrganizationUpserted,
)
from kohub_platform.consumers import subscribe_envelopes
from kohub_platform.messaging import ALERTS_QUEUE, HOST_REFERENCES_QUEUE
from kohub_ticket.application import handlers
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

    subscribe_envelopes(broker, HOST_REFERENCES_QUEUE, REFERENCE_EVENTS, on_reference)
    subscribe_envelopes(broker, ALERTS_QUEUE, {AlertEventType.RECEIVED: AlertReceived}, on_alert)
