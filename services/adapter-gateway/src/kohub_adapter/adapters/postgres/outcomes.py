"""The ticket service's answers, written back onto alerts and their AdapterEvents.

One statement per answer (the inbox entry, the alert, its AdapterEvent): the gateway takes
an answer for every alert it sends, as fast as webhooks arrive.
"""

from sqlalchemy import ARRAY, Text, bindparam, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.alerts import AlertProcessed
from kohub_contracts.enums import AlertOutcome

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

# The outer UPDATE does not see the CTE's change to this alert, hence :touched for it.
_RECORD = text(
    """
    WITH first AS (
        INSERT INTO inbox (consumer, message_id) VALUES (:consumer, :message_id)
        ON CONFLICT DO NOTHING RETURNING 1
    ), answered AS (
        UPDATE alerts
        SET outcome = :outcome, ticket_id = :ticket_id, ticket_key = :ticket_key,
            processed_at = :processed_at
        WHERE id = :alert_id AND outcome IS NULL AND EXISTS (SELECT 1 FROM first)
        RETURNING adapter_event_id
    )
    UPDATE adapter_events AS e
    SET pending_alerts = greatest(e.pending_alerts - 1, 0),
        created_ticket_id = coalesce(e.created_ticket_id, :created_ticket_id),
        status = CASE
            WHEN e.pending_alerts > 1 THEN e.status
            WHEN :touched OR EXISTS (
                SELECT 1 FROM alerts AS a
                WHERE a.adapter_event_id = e.id AND a.outcome = ANY(:ticket_outcomes)
            ) THEN 'PROCESSED'
            ELSE 'IGNORED'
        END,
        processed_at = CASE WHEN e.pending_alerts > 1 THEN e.processed_at ELSE :processed_at END
    FROM answered
    WHERE e.id = answered.adapter_event_id
    RETURNING e.id
    """
).bindparams(
    bindparam("ticket_id", type_=UUID(as_uuid=True)),
    bindparam("created_ticket_id", type_=UUID(as_uuid=True)),
    bindparam("alert_id", type_=UUID(as_uuid=True)),
    bindparam("ticket_outcomes", value=sorted(o.value for o in TICKET_OUTCOMES), type_=ARRAY(Text)),
)


class SqlOutcomeStore:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def record(self, consumer: str, message_id: str, outcome: AlertProcessed) -> bool:
        result = await self._session.execute(
            _RECORD,
            {
                "consumer": consumer,
                "message_id": message_id,
                "outcome": outcome.outcome.value,
                "ticket_id": outcome.ticket_id,
                "ticket_key": outcome.ticket_key,
                "processed_at": outcome.processed_at,
                "alert_id": outcome.alert_id,
                "created_ticket_id": (
                    outcome.ticket_id if outcome.outcome is AlertOutcome.CREATED else None
                ),
                "touched": outcome.outcome in TICKET_OUTCOMES,
            },
        )
        return result.first() is not None
