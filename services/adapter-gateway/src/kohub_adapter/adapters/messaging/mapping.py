"""Normalized alerts and status observations as contract events (kohub.events), and the
AsyncAPI entries of what the adapter gateway publishes and consumes."""

from uuid import UUID

from kohub_adapter.application.ports import StatusObservation
from kohub_adapter.domain.mapping import MappedHost
from kohub_adapter.domain.normalize import NormalizedAlert
from kohub_contracts.alerts import (
    SOURCE_ADAPTER,
    AlertEventType,
    AlertProcessed,
    AlertReceived,
)
from kohub_contracts.common import Ref
from kohub_contracts.events import (
    HOST_EVENT_TYPES,
    HostEventType,
    HostStatusObserved,
)
from kohub_contracts.routing import KOHUB_EVENTS_EXCHANGE
from kohub_platform.asyncapi import EventDoc
from kohub_platform.messaging import ALERT_OUTCOMES_QUEUE, HOST_MAPPING_QUEUE
from kohub_platform.outbox import OutboxMessage, envelope_message


def _host_ref(host: MappedHost | None) -> Ref | None:
    return Ref(str(host.host_id), host.name) if host is not None else None


def alert_received(
    alert_id: UUID, adapter_event_id: UUID, source_id: UUID, alert: NormalizedAlert
) -> AlertReceived:
    org_name = alert.host.org_name if alert.host is not None else None
    return AlertReceived(
        alert_id=alert_id,
        adapter_event_id=adapter_event_id,
        source_id=source_id,
        adapter=alert.adapter,
        ticket_source=alert.ticket_source,
        fingerprint=alert.fingerprint,
        source_event_id=alert.source_event_id,
        state=alert.state,
        priority=alert.priority,
        title=alert.title,
        description=alert.description,
        occurred_at=alert.occurred_at,
        organization=Ref(str(alert.org_id), org_name) if alert.org_id else None,
        host=_host_ref(alert.host),
        starts_at=alert.starts_at,
        links=alert.links,
        labels=alert.labels,
    )


def alert_message(data: AlertReceived) -> OutboxMessage:
    # one aggregate per fingerprint: the relay keeps a firing and its recovery in order
    return envelope_message(
        event_type=AlertEventType.RECEIVED,
        data=data,
        aggregate_id=data.fingerprint[:100],
        exchange=KOHUB_EVENTS_EXCHANGE,
        source=SOURCE_ADAPTER,
        occurred_at=data.occurred_at,
    )


def observation_message(observation: StatusObservation, adapter_type: str) -> OutboxMessage:
    host = observation.host
    adapter = next((a for a in host.adapters if a.type.value == adapter_type), None)
    return envelope_message(
        event_type=HostEventType.STATUS_OBSERVED,
        data=HostStatusObserved(
            host_id=host.host_id,
            status=observation.status,
            observed_at=observation.observed_at,
            adapter=adapter.type if adapter else None,
            adapter_id=adapter.adapter_id if adapter else None,
            message=observation.message,
        ),
        aggregate_id=f"host-status:{host.host_id}",
        exchange=KOHUB_EVENTS_EXCHANGE,
        source=SOURCE_ADAPTER,
        occurred_at=observation.observed_at,
    )


EVENT_DOCS = [
    EventDoc(
        AlertEventType.RECEIVED,
        KOHUB_EVENTS_EXCHANGE,
        AlertReceived,
        "One normalized monitoring alert (FIRING or RESOLVED) for the ticket service to "
        "deduplicate into a ticket. Ordered per fingerprint.",
    ),
    EventDoc(
        HostEventType.STATUS_OBSERVED,
        KOHUB_EVENTS_EXCHANGE,
        HostStatusObserved,
        "A heartbeat of a mapped host (UP, DOWN, PENDING, MAINTENANCE) for the host service.",
    ),
    EventDoc(
        AlertEventType.PROCESSED,
        KOHUB_EVENTS_EXCHANGE,
        AlertProcessed,
        "Consumed: the ticket service's outcome for one alert "
        f"(queue {ALERT_OUTCOMES_QUEUE.name}).",
        action="receive",
    ),
    *[
        EventDoc(
            key,
            KOHUB_EVENTS_EXCHANGE,
            HOST_EVENT_TYPES[key],
            f"Consumed: host and organization state for the host-mapping read model "
            f"(queue {HOST_MAPPING_QUEUE.name}).",
            action="receive",
        )
        for key in HOST_MAPPING_QUEUE.routing_keys
    ],
]
