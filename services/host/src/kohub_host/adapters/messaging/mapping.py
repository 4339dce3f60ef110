"""Host domain events → contract events on `kohub.events`, each with the host's full state."""

from kohub_contracts.common import Ref
from kohub_contracts.events import (
    SOURCE_HOST,
    AdapterState,
    HostChanged,
    HostEventType,
    HostState,
    HostStatusObserved,
    OrganizationUpserted,
)
from kohub_contracts.routing import KOHUB_EVENTS_EXCHANGE
from kohub_host.application.ports import Organization
from kohub_host.domain.events import (
    AdapterAdded,
    AdapterRemoved,
    AdapterUpdated,
    DomainEvent,
    HostEdited,
    HostRegistered,
    HostStatusChanged,
)
from kohub_host.domain.model import Host
from kohub_platform.asyncapi import EventDoc
from kohub_platform.outbox import OutboxMessage, envelope_message


def host_state(host: Host, organization_name: str | None) -> HostState:
    return HostState(
        host_id=host.id,
        organization=Ref(id=str(host.org_id), name=organization_name),
        name=host.name,
        description=host.description,
        connection_type=host.connection_type,
        tags=list(host.tags),
        status=host.status,
        adapters=[
            AdapterState(
                adapter_id=a.id,
                type=a.type,
                status=a.status,
                config=a.config,
                last_sync_at=a.last_sync_at,
            )
            for a in host.adapters
        ],
        created_at=host.created_at,
        updated_at=host.updated_at,
        version=host.version,
        maintenance_until=host.maintenance_until,
    )


def _contract(event: DomainEvent, state: HostState) -> tuple[str, HostChanged]:
    match event:
        case HostRegistered():
            return HostEventType.CREATED, HostChanged(host=state)
        case HostEdited(changed_fields=fields):
            return HostEventType.UPDATED, HostChanged(host=state, changed_fields=list(fields))
        case HostStatusChanged(previous=previous):
            return HostEventType.STATUS_CHANGED, HostChanged(host=state, previous_status=previous)
        case AdapterAdded(adapter_id=adapter_id):
            return HostEventType.ADAPTER_ADDED, HostChanged(host=state, adapter_id=adapter_id)
        case AdapterUpdated(adapter_id=adapter_id):
            return HostEventType.ADAPTER_UPDATED, HostChanged(host=state, adapter_id=adapter_id)
        case AdapterRemoved(adapter_id=adapter_id):
            return HostEventType.ADAPTER_REMOVED, HostChanged(host=state, adapter_id=adapter_id)
    raise TypeError(f"no contract for {type(event).__name__}")


def host_messages(host: Host, organization_name: str | None) -> list[OutboxMessage]:
    state = host_state(host, organization_name)
    messages = []
    for event in host.events:
        event_type, data = _contract(event, state)
        messages.append(
            envelope_message(
                event_type=event_type,
                data=data,
                aggregate_id=str(host.id),
                exchange=KOHUB_EVENTS_EXCHANGE,
                source=SOURCE_HOST,
                occurred_at=event.occurred_at,
            )
        )
    return messages


def organization_message(org: Organization) -> OutboxMessage:
    return envelope_message(
        event_type=HostEventType.ORGANIZATION_UPSERTED,
        data=OrganizationUpserted(organization_id=org.id, name=org.name, updated_at=org.updated_at),
        aggregate_id=f"organization:{org.id}",
        exchange=KOHUB_EVENTS_EXCHANGE,
        source=SOURCE_HOST,
        occurred_at=org.updated_at,
    )


EVENT_DOCS = [
    EventDoc(HostEventType.CREATED, KOHUB_EVENTS_EXCHANGE, HostChanged, "A host was registered."),
    EventDoc(
        HostEventType.UPDATED,
        KOHUB_EVENTS_EXCHANGE,
        HostChanged,
        "Name, description, connection, SSH target or tags changed (changedFields).",
    ),
    EventDoc(
        HostEventType.STATUS_CHANGED,
        KOHUB_EVENTS_EXCHANGE,
        HostChanged,
        "ACTIVE / INACTIVE / MAINTENANCE changed; alerts for hosts in MAINTENANCE open no ticket.",
    ),
    EventDoc(
        HostEventType.ADAPTER_ADDED,
        KOHUB_EVENTS_EXCHANGE,
        HostChanged,
        "A monitoring or terminal adapter was attached (adapterId).",
    ),
    EventDoc(
        HostEventType.ADAPTER_UPDATED,
        KOHUB_EVENTS_EXCHANGE,
        HostChanged,
        "An adapter's config or status changed.",
    ),
    EventDoc(
        HostEventType.ADAPTER_REMOVED,
        KOHUB_EVENTS_EXCHANGE,
        HostChanged,
        "An adapter was detached.",
    ),
    EventDoc(
        HostEventType.ORGANIZATION_UPSERTED,
        KOHUB_EVENTS_EXCHANGE,
        OrganizationUpserted,
        "An organization was created or renamed.",
    ),
    EventDoc(
        HostEventType.STATUS_OBSERVED,
        KOHUB_EVENTS_EXCHANGE,
        HostStatusObserved,
        "Consumed: a monitoring tool saw the host UP/DOWN/…; kept as currentStatus.",
        action="receive",
    ),
]
