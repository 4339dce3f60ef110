"""The internal API's publishing: send a stored event again, or publish a contract event
a service account hands in (validated against the contract first)."""

from uuid import UUID

import msgspec

from kohub_contracts.enums import SyncDirection, SyncEventStatus
from kohub_contracts.integration import ContractEventIn
from kohub_contracts.kusthub import (
    OUTBOUND_EVENT_TYPES,
    SOURCE_KOHUB,
    SOURCE_KUSTHUB,
    validate_event_data,
)
from kohub_integration.application.ports import SyncEvent, UnitOfWork


class SyncEventNotFound(Exception):
    def __init__(self) -> None:
        super().__init__("No such outbound sync event.")


class InvalidContractEvent(Exception):
    """The event is not one of the contract's, or its data does not fit it (422)."""


async def republish(sync_event_id: UUID, uow: UnitOfWork) -> SyncEvent:
    async with uow:
        event = await uow.sync_events.get(sync_event_id)
        if event is None or event.direction is not SyncDirection.OUTBOUND:
            raise SyncEventNotFound()
        await uow.republish(event)
        await uow.commit()
    event.status, event.processed_at = SyncEventStatus.PENDING, None
    return event


async def publish_contract_event(given: ContractEventIn, uow: UnitOfWork) -> SyncEvent:
    """kohub's own event types are recorded as outbound sync events; KustHub's (a request
    handed in over HTTP instead of the broker) are recorded by the inbound consumer when
    they come back from `kusthub.events`, like any other."""
    try:
        data = validate_event_data(given.event_type, given.data)
    except KeyError:
        raise InvalidContractEvent(
            f"{given.event_type!r} is not a KustHub contract event."
        ) from None
    except msgspec.ValidationError as exc:
        raise InvalidContractEvent(f"data does not fit {given.event_type}: {exc}") from None
    outbound = given.event_type in OUTBOUND_EVENT_TYPES
    ticket_id = _uuid(given.data.get("ticketId")) if outbound else None
    async with uow:
        if given.event_id and outbound:
            known = await uow.sync_events.find_outbound(given.event_id)
            if known is not None:  # the same event twice: once
                return known
        event = uow.publish_to_kusthub(
            ticket_id,
            given.event_type,
            data,
            source=SOURCE_KOHUB if outbound else (given.source or SOURCE_KUSTHUB),
            event_id=given.event_id,
            timestamp=given.timestamp,
            record=outbound,
        )
        await uow.commit()
    return event


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None
