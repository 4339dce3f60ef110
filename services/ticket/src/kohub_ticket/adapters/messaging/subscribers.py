"""What the ticket service consumes: host and organization events, kept as references so
ticket lists, details and events carry names without calling the host service."""

from uuid import UUID

from faststream.rabbit import RabbitBroker

from kohub_contracts.envelope import Envelope
from kohub_contracts.events import (
    HOST_EVENT_TYPES,
    HostChanged,
    HostEventType,
    OrganizationUpserted,
)
from kohub_platform.consumers import subscribe_envelopes
from kohub_platform.messaging import KOHUB_EVENTS, ConsumerQueue
from kohub_ticket.application import handlers
from kohub_ticket.application.ports import HostRecord

REFERENCE_EVENTS = {k: v for k, v in HOST_EVENT_TYPES.items() if k != HostEventType.STATUS_OBSERVED}
REFERENCES_QUEUE = ConsumerQueue("ticket.host-references", KOHUB_EVENTS, tuple(REFERENCE_EVENTS))
QUEUES = [REFERENCES_QUEUE]


def register_subscribers(broker: RabbitBroker, service) -> None:  # type: ignore[no-untyped-def]
    async def on_reference(envelope: Envelope[HostChanged | OrganizationUpserted]) -> None:
        data = envelope.data
        if isinstance(data, OrganizationUpserted):
            await handlers.record_organization_reference(
                envelope.event_id, data.organization_id, data.name, service.uow()
            )
            return
        host = data.host
        await handlers.record_host_reference(
            envelope.event_id,
            HostRecord(host.host_id, UUID(host.organization.id), host.name, host.status.value),
            host.version,
            service.uow(),
        )
        if host.organization.name is not None:
            await handlers.record_organization_reference(
                f"{envelope.event_id}:organization",
                UUID(host.organization.id),
                host.organization.name,
                service.uow(),
            )

    subscribe_envelopes(broker, REFERENCES_QUEUE, REFERENCE_EVENTS, on_reference)
