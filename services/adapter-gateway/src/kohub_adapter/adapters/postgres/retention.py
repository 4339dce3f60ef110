"""Received webhooks are kept for inspection for `KOHUB_ADAPTER_RETENTION_DAYS` (30), then
deleted with their alerts in small batches (an hourly job), so the raw bodies do not grow
without end. Alerts still waiting for the ticket service's answer are kept."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

BATCH = 5_000
_PRUNE = text(
    """
    WITH old AS (
        SELECT id FROM adapter_events
        WHERE received_at < now() - make_interval(days => :days) AND pending_alerts = 0
        LIMIT :batch
    ), gone_alerts AS (
        DELETE FROM alerts WHERE adapter_event_id IN (SELECT id FROM old)
    )
    DELETE FROM adapter_events WHERE id IN (SELECT id FROM old)
    """
)


async def prune_received(engine: AsyncEngine, days: int) -> int:
    """Delete what is older than `days`; returns how many AdapterEvents went."""
    removed = 0
    while True:
        async with engine.begin() as conn:
            count = (await conn.execute(_PRUNE, {"days": days, "batch": BATCH})).rowcount
        removed += count
        if count < BATCH:
            return removed
