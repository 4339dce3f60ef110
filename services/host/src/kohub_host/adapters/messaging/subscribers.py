"""What the host service consumes: `host.status.observed`, once per message."""

from faststream.rabbit import RabbitBroker

from kohub_contracts.envelope import Envelope
from kohub_contracts.events import HostEventType, HostStatusObserved
from kohub_host.application import handlers
from kohub_host.application.commands import ObserveHostStatus
from kohub_host.bootstrap import HostService
from kohub_platform.consumers import subscribe_envelopes
from kohub_platform.messaging import HOST_STATUS_QUEUE


def register_subscribers(broker: RabbitBroker, service: HostService) -> None:
    async def on_status(envelope: Envelope[HostStatusObserved]) -> bool:
        data = envelope.data
        return await handlers.observe_host_status(
            ObserveHostStatus(
                envelope.event_id,
                data.host_id,
                data.status,
                data.observed_at,
                data.adapter,
                data.message,
            ),
            service.uow(),
        )

    subscribe_envelopes(
        broker, HOST_STATUS_QUEUE, {HostEventType.STATUS_OBSERVED: HostStatusObserved}, on_status
    )
