"""What the bridge consumes: the ticket service's events (in order, in batches, on a
consumer of their own), KustHub's requests, and the ticket service's answers to the bridge's
commands; plus the dead-letter keeper of those three queues."""

from typing import Any

from faststream.rabbit import RabbitBroker

from kohub_contracts.commands import TicketCommandOutcome, TicketCommandType
from kohub_contracts.envelope import Envelope
from kohub_contracts.events import TICKET_EVENT_TYPES
from kohub_contracts.kusthub import (
    INBOUND_EVENT_TYPES,
    CustomerRequestEvent,
)
from kohub_integration.adapters.messaging.dead_letters import keep_dead_letters
from kohub_integration.application import handlers
from kohub_integration.bootstrap import IntegrationService
from kohub_platform.consumers import subscribe_envelopes
from kohub_platform.messaging import (
    COMMAND_OUTCOMES_QUEUE,
    INTEGRATION_TICKET_EVENTS_QUEUE,
    KUSTHUB_INBOUND_QUEUE,
)
from kohub_platform.ordered import OrderedBatchConsumer

TICKET_EVENTS = {k: TICKET_EVENT_TYPES[k] for k in INTEGRATION_TICKET_EVENTS_QUEUE.routing_keys}
INTEGRATION_QUEUES = (
    INTEGRATION_TICKET_EVENTS_QUEUE,
    KUSTHUB_INBOUND_QUEUE,
    COMMAND_OUTCOMES_QUEUE,
)


def ticket_events_consumer(service: IntegrationService) -> OrderedBatchConsumer:
    """The ticket events, in order and many per transaction (kohub_platform.ordered)."""

    async def on_ticket_events(envelopes: list[Envelope[Any]]) -> None:
        batch = [(envelope.event_id, envelope.data) for envelope in envelopes]
        await handlers.forward_ticket_events(batch, service.uow(), service.locale)

    return OrderedBatchConsumer(
        service.settings.amqp_url, INTEGRATION_TICKET_EVENTS_QUEUE, TICKET_EVENTS, on_ticket_events
    )


def register_subscribers(broker: RabbitBroker, service: IntegrationService) -> None:
    async def on_kusthub(envelope: Envelope[Any]) -> bool:
        if isinstance(envelope.data, CustomerRequestEvent):
            return await handlers.accept_customer_request(envelope, service.uow())
        return await handlers.accept_ticket_completed(envelope, service.uow())

    async def on_outcome(envelope: Envelope[TicketCommandOutcome]) -> bool:
        return await handlers.record_command_outcome(
            envelope.event_id, envelope.data, service.uow()
        )

    subscribe_envelopes(broker, KUSTHUB_INBOUND_QUEUE, INBOUND_EVENT_TYPES, on_kusthub)
    subscribe_envelopes(
        broker,
        COMMAND_OUTCOMES_QUEUE,
        {TicketCommandType.OUTCOME: TicketCommandOutcome},
        on_outcome,
    )
    assert service.engine is not None
    keep_dead_letters(broker, service.engine, INTEGRATION_QUEUES)
