"""The dashboard's ticket figures in four aggregate queries, each on an index: counts by
status and the open ones by priority (the status index, index-only), the tickets opened in
the period (created_at) with their time to RECEIVED, and those resolved in the period (the
resolutions' resolved_at) with their time to resolve."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import and_, extract, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.enums import TicketPriority, TicketStatus
from kohub_contracts.tickets import TicketStats
from kohub_ticket.adapters.postgres.tables import resolutions, tickets

OPEN = [
    s.value
    for s in TicketStatus
    if s not in (TicketStatus.RESOLVED, TicketStatus.COMPLETED, TicketStatus.CLOSED)
]


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
    by_status = dict((await conn.execute(_grouped(tickets.c.status, mine))).tuples().all())
    open_by_priority = dict(
        (await conn.execute(_grouped(tickets.c.priority, [*mine, tickets.c.status.in_(OPEN)])))
        .tuples()
        .all()
    )
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


def _grouped(column: Any, where: list[Any]) -> Any:
    return select(column, func.count()).where(and_(True, *where)).group_by(column)


def _seconds(value: Any) -> float | None:
    return round(float(value), 1) if value is not None else None
