"""The dashboard's ticket figures in three aggregate queries: counts by status and priority
in one pass, the tickets opened in the period (on the created_at index) with their time to
RECEIVED, and those resolved in the period (on the resolutions' resolved_at index) with
their time to resolve."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import and_, extract, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.enums import TicketPriority, TicketStatus
from kohub_contracts.tickets import TicketStats
from kohub_ticket.adapters.postgres.tables import resolutions, tickets

OPEN = {
    s.value
    for s in TicketStatus
    if s not in (TicketStatus.RESOLVED, TicketStatus.COMPLETED, TicketStatus.CLOSED)
}


async def ticket_stats(
    conn: AsyncConnection,
    org_id: UUID | None,
    *,
    now: datetime,
    today_since: datetime,
    period_days: int,
) -> TicketStats:
    since = now - timedelta(days=period_days)
    mine: list[Any] = [tickets.c.org_id == org_id] if org_id is not None else []
    # one pass over the organization's tickets gives both the status and priority counts
    counts = (
        await conn.execute(
            select(tickets.c.status, tickets.c.priority, func.count())
            .where(and_(True, *mine))
            .group_by(tickets.c.status, tickets.c.priority)
        )
    ).all()
    by_status: dict[str, int] = {}
    open_by_priority: dict[str, int] = {}
    for status, priority, count in counts:
        by_status[status] = by_status.get(status, 0) + count
        if status in OPEN:
            open_by_priority[priority] = open_by_priority.get(priority, 0) + count
    opened = (
        await conn.execute(
            select(
                func.count().filter(tickets.c.created_at >= today_since),
                func.count(),
                func.avg(extract("epoch", tickets.c.received_at - tickets.c.created_at)),
            ).where(and_(tickets.c.created_at >= since, *mine))
        )
    ).one()
    resolved = (
        await conn.execute(
            select(
                func.count().filter(resolutions.c.resolved_at >= today_since),
                func.count(),
                func.avg(extract("epoch", resolutions.c.resolved_at - tickets.c.created_at)),
            )
            .select_from(resolutions.join(tickets, tickets.c.id == resolutions.c.ticket_id))
            .where(and_(resolutions.c.resolved_at >= since, *mine))
        )
    ).one()
    return TicketStats(
        by_status={s.value: by_status.get(s.value, 0) for s in TicketStatus},
        open_by_priority={p.value: open_by_priority.get(p.value, 0) for p in TicketPriority},
        opened_today=opened[0],
        resolved_today=resolved[0],
        opened_in_period=opened[1],
        resolved_in_period=resolved[1],
        period_days=period_days,
        since=since,
        today_since=today_since,
        mtta_seconds=_seconds(opened[2]),
        mttr_seconds=_seconds(resolved[2]),
    )


def _seconds(value: Any) -> float | None:
    return round(float(value), 1) if value is not None else None
