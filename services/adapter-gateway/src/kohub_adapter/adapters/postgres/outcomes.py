"""The ticket service's answers, written back onto alerts and their AdapterEvents."""

from sqlalchemy import case, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_adapter.adapters.postgres.tables import adapter_events, alerts
from kohub_contracts.alerts import AlertProcessed
from kohub_contracts.enums import AdapterEventStatus, AlertOutcome

# Outcomes that touched a ticket: their AdapterEvent is PROCESSED; otherwise IGNORED.
TICKET_OUTCOMES = frozenset(
    {
        AlertOutcome.CREATED,
        AlertOutcome.DEDUPLICATED,
        AlertOutcome.REOPENED,
        AlertOutcome.RECOVERED,
        AlertOutcome.CLOSED,
    }
)


class SqlOutcomeStore:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def record(self, outcome: AlertProcessed) -> bool:
        answered = await self._session.execute(
            update(alerts)
            .where(alerts.c.id == outcome.alert_id, alerts.c.outcome.is_(None))
            .values(
                outcome=outcome.outcome.value,
                ticket_id=outcome.ticket_id,
                ticket_key=outcome.ticket_key,
                processed_at=outcome.processed_at,
            )
            .returning(alerts.c.id)
        )
        if answered.first() is None:
            return False
        e = adapter_events
        touched_ticket = exists(
            select(alerts.c.id).where(
                alerts.c.adapter_event_id == e.c.id,
                alerts.c.outcome.in_([o.value for o in TICKET_OUTCOMES]),
            )
        )
        done = e.c.pending_alerts <= 1
        created = outcome.ticket_id if outcome.outcome is AlertOutcome.CREATED else None
        await self._session.execute(
            update(e)
            .where(e.c.id == outcome.adapter_event_id)
            .values(
                pending_alerts=func.greatest(e.c.pending_alerts - 1, 0),
                created_ticket_id=func.coalesce(
                    e.c.created_ticket_id, literal(created, e.c.id.type)
                ),
                status=case(
                    (done & touched_ticket, AdapterEventStatus.PROCESSED.value),
                    (done, AdapterEventStatus.IGNORED.value),
                    else_=e.c.status,
                ),
                processed_at=case((done, outcome.processed_at), else_=e.c.processed_at),
            )
        )
        return True
