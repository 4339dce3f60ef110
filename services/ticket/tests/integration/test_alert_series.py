"""Alerts of one fingerprint handled concurrently on the real database: the series lock
makes them one ticket, and the repeats one timeline entry that keeps the count."""

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import select

from kohub_contracts.alerts import AlertReceived
from kohub_contracts.common import Ref
from kohub_contracts.enums import (
    ActivityType,
    AdapterType,
    AlertOutcome,
    AlertState,
    TicketPriority,
    TicketSource,
)
from kohub_ticket.adapters.postgres.tables import activities, outbox, tickets
from kohub_ticket.application.alerts import ingest_alert
from kohub_ticket.bootstrap import bootstrap
from kohub_ticket.domain.alerts import AlertPolicy

CONCURRENT = 20


def _alert(fingerprint: str, event: str, org: str) -> AlertReceived:
    at = datetime.now(UTC)
    return AlertReceived(
        alert_id=uuid4(),
        adapter_event_id=uuid4(),
        source_id=uuid4(),
        adapter=AdapterType.PROMETHEUS,
        ticket_source=TicketSource.PROMETHEUS,
        fingerprint=fingerprint,
        source_event_id=event,
        state=AlertState.FIRING,
        priority=TicketPriority.HIGH,
        title="[장애] db-01 - DiskFull",
        description="disk full",
        occurred_at=at,
        organization=Ref(org, None),
        starts_at=at,
    )


async def test_concurrent_alerts_of_one_fingerprint_open_one_ticket(ticket_settings) -> None:
    service = bootstrap(ticket_settings)
    assert service.engine is not None
    fingerprint, org = f"prometheus:{uuid4()}:{uuid4().hex[:16]}", str(uuid4())
    try:
        outcomes = await asyncio.gather(
            *(
                ingest_alert(
                    str(uuid4()),
                    _alert(fingerprint, f"event-{n % (CONCURRENT // 2)}", org),
                    service.uow(),
                    service.clock,
                    AlertPolicy(),
                )
                for n in range(CONCURRENT)
            )
        )
        assert outcomes.count(AlertOutcome.CREATED) == 1
        # half are the same source events again; the others repeat the open ticket
        assert outcomes.count(AlertOutcome.DUPLICATE) == CONCURRENT // 2
        assert outcomes.count(AlertOutcome.DEDUPLICATED) == CONCURRENT // 2 - 1
        async with service.engine.connect() as conn:
            ids = (
                (await conn.execute(select(tickets.c.id).where(tickets.c.org_id == org)))
                .scalars()
                .all()
            )
            assert len(ids) == 1
            entries = (
                (
                    await conn.execute(
                        select(activities.c.metadata).where(
                            activities.c.ticket_id == ids[0],
                            activities.c.type == ActivityType.ALERT.value,
                        )
                    )
                )
                .scalars()
                .all()
            )
            answers = (
                (
                    await conn.execute(
                        select(outbox.c.event_type).where(
                            outbox.c.aggregate_id == fingerprint[:100]
                        )
                    )
                )
                .scalars()
                .all()
            )
        kinds = sorted(m["kind"] for m in entries)
        assert kinds == ["fired", "repeated"]
        repeated = next(m for m in entries if m["kind"] == "repeated")
        assert repeated["count"] == CONCURRENT // 2 - 1
        assert answers.count("alert.processed") == CONCURRENT
    finally:
        await service.engine.dispose()
