"""Reads of the internal API: a ticket's sync state, sync events, dead letters."""

from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_contracts.common import Page
from kohub_contracts.enums import SyncDirection, SyncEventStatus, SyncStatus
from kohub_contracts.integration import DeadLetterItem, SyncEventItem, TicketSyncResponse
from kohub_contracts.kusthub import EXTERNAL_SYSTEM
from kohub_integration.adapters.postgres.tables import (
    dead_letters,
    ticket_links,
    ticket_sync_events,
)
from kohub_platform.pagination import decode_cursor, encode_cursor

t = ticket_sync_events
TICKET_EVENTS_SHOWN = 500


class IntegrationQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def ticket_sync(self, ticket_id: UUID) -> TicketSyncResponse | None:
        async with self._engine.connect() as conn:
            link = (
                await conn.execute(
                    select(ticket_links).where(ticket_links.c.ticket_id == ticket_id)
                )
            ).first()
            rows = (
                await conn.execute(
                    select(t)
                    .where(t.c.ticket_id == ticket_id)
                    .order_by(t.c.seq)
                    .limit(TICKET_EVENTS_SHOWN)
                )
            ).all()
        if link is None and not rows:
            return None
        return TicketSyncResponse(
            ticket_id=ticket_id,
            sync_status=SyncStatus(link.sync_status) if link else SyncStatus.NONE,
            events=[sync_event_item(r) for r in rows],
            ticket_key=link.ticket_key if link else None,
            external_system=EXTERNAL_SYSTEM if link else None,
            external_ticket_id=link.kusthub_ticket_id if link else None,
            sync_reason=link.sync_reason if link else None,
        )

    async def sync_events(
        self,
        *,
        status: SyncEventStatus | None,
        direction: SyncDirection | None,
        event_type: str | None,
        limit: int,
        cursor: str | None,
    ) -> Page[SyncEventItem]:
        where = [
            c
            for c in (
                t.c.status == status.value if status else None,
                t.c.direction == direction.value if direction else None,
                t.c.event_type == event_type if event_type else None,
            )
            if c is not None
        ]
        page_where = list(where)
        if cursor:
            (last,) = decode_cursor(cursor, "sync-events", (int,))
            page_where.append(t.c.seq < last)
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(t)
                    .where(and_(True, *page_where))
                    .order_by(t.c.seq.desc())
                    .limit(limit + 1)
                )
            ).all()
            total = (
                await conn.execute(select(func.count()).select_from(t).where(and_(True, *where)))
            ).scalar_one()
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(
            items=[sync_event_item(r) for r in rows],
            total=total,
            next_cursor=encode_cursor("sync-events", [rows[-1].seq]) if more else None,
            limit=limit,
        )

    async def dead_letters(
        self, *, queue: str | None, limit: int, cursor: str | None
    ) -> Page[DeadLetterItem]:
        where: list[Any] = [dead_letters.c.queue == queue] if queue else []
        page_where = list(where)
        if cursor:
            (last,) = decode_cursor(cursor, "dead-letters", (int,))
            page_where.append(dead_letters.c.id < last)
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(dead_letters)
                    .where(and_(True, *page_where))
                    .order_by(dead_letters.c.id.desc())
                    .limit(limit + 1)
                )
            ).all()
            total = (
                await conn.execute(
                    select(func.count()).select_from(dead_letters).where(and_(True, *where))
                )
            ).scalar_one()
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(
            items=[dead_letter_item(r) for r in rows],
            total=total,
            next_cursor=encode_cursor("dead-letters", [rows[-1].id]) if more else None,
            limit=limit,
        )

    async def dead_letter(self, letter_id: int) -> Any:
        async with self._engine.connect() as conn:
            return (
                await conn.execute(select(dead_letters).where(dead_letters.c.id == letter_id))
            ).first()


def sync_event_item(row: Any) -> SyncEventItem:
    return SyncEventItem(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        direction=SyncDirection(row.direction),
        status=SyncEventStatus(row.status),
        retry_count=row.retry_count,
        created_at=row.created_at,
        payload=row.payload,
        ticket_id=row.ticket_id,
        error=row.error,
        processed_at=row.processed_at,
    )


def dead_letter_item(row: Any) -> DeadLetterItem:
    return DeadLetterItem(
        id=row.id,
        queue=row.queue,
        reason=row.reason,
        received_at=row.received_at,
        body=bytes(row.body).decode("utf-8", errors="replace"),
        headers=row.headers,
        message_id=row.message_id,
        exchange=row.exchange,
        routing_key=row.routing_key,
        deliveries=row.deliveries,
        replayed_at=row.replayed_at,
    )
