"""What the adapter gateway consumes: host state for the host-mapping read model, and the
ticket service's outcome of each alert."""

from uuid import UUID

from faststream.rabbit import RabbitBroker

from kohub_adapter.application import handlers
from kohub_adapter.bootstrap import AdapterService
from kohub_adapter.domain.mapping import HostAdapterRef, MappedHost
from kohub_contracts.alerts import AlertEventType, AlertProcessed
from kohub_contracts.envelope import Envelope
from kohub_contracts.events import HOST_EVENT_TYPES, HostChanged, OrganizationUpserted
from kohub_platform.consumers import subscribe_envelopes
from kohub_platform.messaging import ALERT_OUTCOMES_QUEUE, HOST_MAPPING_QUEUE

MAPPING_EVENTS = {k: HOST_EVENT_TYPES[k] for k in HOST_MAPPING_QUEUE.routing_keys}


def mapped_host(data: HostChanged) -> MappedHost:
    host = data.host
    return MappedHost(
        host_id=host.host_id,
        org_id=UUID(host.organization.id),
        name=host.name,
        status=host.status,
        adapters=tuple(
            HostAdapterRef(a.adapter_id, a.type, a.status, a.config) for a in host.adapters
        ),
        org_name=host.organization.name,
        maintenance_until=host.maintenance_until,
    )


def register_subscribers(broker: RabbitBroker, service: AdapterService) -> None:
    async def on_host(envelope: Envelope[HostChanged | OrganizationUpserted]) -> bool:
        data = envelope.data
        if isinstance(data, OrganizationUpserted):
            applied = await handlers.record_organization(
                envelope.event_id, data.organization_id, data.name, service.uow()
            )
        else:
            applied = await handlers.record_host(
                envelope.event_id, mapped_host(data), data.host.version, service.uow()
            )
        service.host_map.forget()
        return applied

    async def on_outcome(envelope: Envelope[AlertProcessed]) -> bool:
        return await handlers.record_outcome(envelope.event_id, envelope.data, service.uow())

    subscribe_envelopes(broker, HOST_MAPPING_QUEUE, MAPPING_EVENTS, on_host)
    subscribe_envelopes(
        broker, ALERT_OUTCOMES_QUEUE, {AlertEventType.PROCESSED: AlertProcessed}, on_outcome
    )
