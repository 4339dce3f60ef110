"""A broker that does not confirm: the ticket's KustHub events stay PENDING and count their
retries (FAILED past the budget, reported PENDING then FAILED), and when it is back every
one goes out once, in order, SENT, and the ticket is reported SYNCED."""

from datetime import UTC, datetime

import msgspec
from sqlalchemy import select

from kohub_contracts.common import Ref
from kohub_contracts.enums import TicketStatus
from kohub_contracts.events import TicketCreated, TicketStatusChanged
from kohub_integration.adapters.postgres.sync_tracking import SyncTracker
from kohub_integration.adapters.postgres.tables import outbox, ticket_links, ticket_sync_events
from kohub_integration.application.handlers import forward_ticket_events
from kohub_integration.bootstrap import bootstrap
from kohub_integration.settings import BridgeSettings
from kohub_platform.relay import ClaimedMessage, OutboxRelay
from kohub_platform.settings import ServiceSettings
from kohub_platform.testing import migrate

from .conftest import SERVICE_DIR, snapshot


class Broker:
    """Refuses every publish while down; records what it confirmed."""

    def __init__(self) -> None:
        self.down = True
        self.confirmed: list[ClaimedMessage] = []

    async def publish(self, message: ClaimedMessage) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        self.confirmed.append(message)

    async def close(self) -> None:
        return None


async def test_an_outage_keeps_events_pending_and_each_goes_out_once(
    database_factory, amqp_url, oidc
) -> None:
    url = await database_factory("integration_outage")
    migrate(SERVICE_DIR, url)
    settings = ServiceSettings(
        service="integration", database_url=url, amqp_url=amqp_url, oidc=oidc.settings
    )
    service = bootstrap(settings, bridge=BridgeSettings(retry_budget=3))
    assert service.engine is not None
    broker = Broker()
    relay = OutboxRelay(service.engine, broker, on_settled=SyncTracker(retry_budget=3))
    ticket = snapshot()
    moves = [TicketStatus.RECEIVED, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS]
    try:
        events: list = [("m0", TicketCreated(ticket=ticket))]
        for n, (src, dst) in enumerate(zip([TicketStatus.NEW, *moves], moves, strict=False)):
            changed = TicketStatusChanged(
                ticket=msgspec.structs.replace(ticket, status=dst, version=n + 2),
                from_status=src,
                to_status=dst,
                actor=Ref("op", "김운영"),
            )
            events.append((f"m{n + 1}", changed))
        await forward_ticket_events(events, service.uow())

        async def rows():
            async with service.engine.connect() as conn:
                events = (
                    await conn.execute(
                        select(ticket_sync_events).order_by(ticket_sync_events.c.seq)
                    )
                ).all()
                link = (await conn.execute(select(ticket_links))).one()
                reports = (
                    (
                        await conn.execute(
                            select(outbox.c.body).where(
                                outbox.c.event_type == "integration.sync_changed"
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
            return events, link, [msgspec.json.decode(b)["data"] for b in reports]

        for _ in range(3):  # three failed attempts of the ticket's first event (and reports)
            await _make_due(service.engine)
            published, failed = await relay.relay_once()
            assert published == 0 and failed >= 1
        events, link, reports = await rows()
        head = events[0]
        assert (head.event_type, head.status, head.retry_count) == ("incident.created", "FAILED", 3)
        assert "broker unreachable" in head.error
        assert all(e.status == "PENDING" and e.retry_count == 0 for e in events[1:])
        assert [r["syncStatus"] for r in reports] == ["PENDING", "FAILED"]
        assert (link.sync_status, link.sync_seq) == ("FAILED", 2)

        broker.down = False
        await _make_due(service.engine)
        published, failed = await relay.relay_once()
        assert (published, failed) == (6, 0)  # the ticket's 4 events and the 2 reports
        events, link, reports = await rows()
        kusthub = [m for m in broker.confirmed if m.exchange == "kusthub.events"]
        assert [m.event_type for m in kusthub] == [
            "incident.created", "incident.updated", "incident.updated", "incident.updated",
        ]  # fmt: skip
        assert len({m.event_id for m in kusthub}) == 4
        assert [e.status for e in events] == ["SENT"] * 4
        assert link.sync_status == "SYNCED"
        assert reports[-1]["syncStatus"] == "SYNCED" and reports[-1]["sequence"] == 3
        assert await relay.relay_once() == (1, 0)  # the SYNCED report
        assert await relay.relay_once() == (0, 0)  # nothing twice
        assert len([m for m in broker.confirmed if m.exchange == "kusthub.events"]) == 4
    finally:
        await relay.stop()
        await service.engine.dispose()


async def _make_due(engine) -> None:
    """Skip the backoff: the test drives the relay's cycles itself."""
    async with engine.begin() as conn:
        await conn.execute(outbox.update().values(next_attempt_at=datetime.now(UTC)))
