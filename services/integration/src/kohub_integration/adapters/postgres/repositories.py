"""PostgreSQL adapters of the bridge's ports: ticket links and ticket_sync_events."""

from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.enums import SyncDirection, SyncEventStatus, SyncStatus
from kohub_contracts.kusthub import KustHubEventType
from kohub_integration.adapters.postgres.tables import ticket_links, ticket_sync_events
from kohub_integration.application.ports import SyncEvent
from kohub_integration.domain.links import TicketLink

OUTBOUND = SyncDirection.OUTBOUND.value


class SqlLinkRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session
        self.saved: dict[UUID, TicketLink] = {}

    async def lock(self, ticket_id: UUID) -> TicketLink | None:
        return await self._one(ticket_links.c.ticket_id == ticket_id)

    async def find(
        self,
        *,
        ticket_id: UUID | None = None,
        ticket_key: str | None = None,
        kusthub_ticket_id: str | None = None,
    ) -> TicketLink | None:
        for column, value in (
            (ticket_links.c.ticket_id, ticket_id),
            (ticket_links.c.ticket_key, ticket_key),
            (ticket_links.c.kusthub_ticket_id, kusthub_ticket_id),
        ):
            if value is not None and (link := await self._one(column == value)) is not None:
                return link
        return None

    async def save(self, link: TicketLink) -> None:
        await self.save_many([link])

    async def lock_many(self, ticket_ids: set[UUID]) -> dict[UUID, TicketLink]:
        if not ticket_ids:
            return {}
        rows = await self._session.execute(
            select(ticket_links)
            .where(ticket_links.c.ticket_id.in_(sorted(ticket_ids)))
            .order_by(ticket_links.c.ticket_id)
            .with_for_update()
        )
        return {row.ticket_id: link_of(row) for row in rows}

    async def save_many(self, links: list[TicketLink]) -> None:
        if not links:
            return
        await self._session.execute(_UPSERT, [_link_row(link) for link in links])
        self.saved.update((link.ticket_id, link) for link in links)

    async def _one(self, where: Any) -> TicketLink | None:
        row = (
            await self._session.execute(select(ticket_links).where(where).with_for_update())
        ).first()
        return link_of(row) if row else None


_LINK_COLUMNS = (
    "ticket_key", "org_id", "kusthub_ticket_id", "sync_status", "sync_seq", "sync_reason",
)  # fmt: skip
_insert_link = insert(ticket_links)
_UPSERT = _insert_link.on_conflict_do_update(
    index_elements=["ticket_id"],
    set_={
        **{c: getattr(_insert_link.excluded, c) for c in _LINK_COLUMNS},
        "updated_at": func.now(),
    },
)


def _link_row(link: TicketLink) -> dict[str, Any]:
    return {
        "ticket_id": link.ticket_id,
        "ticket_key": link.ticket_key,
        "org_id": link.org_id,
        "kusthub_ticket_id": link.kusthub_ticket_id,
        "sync_status": link.sync_status.value,
        "sync_seq": link.sync_seq,
        "sync_reason": link.sync_reason,
    }


def link_of(row: Any) -> TicketLink:
    return TicketLink(
        ticket_id=row.ticket_id,
        ticket_key=row.ticket_key,
        org_id=row.org_id,
        kusthub_ticket_id=row.kusthub_ticket_id,
        sync_status=SyncStatus(row.sync_status),
        sync_seq=row.sync_seq,
        sync_reason=row.sync_reason,
    )


class SqlSyncEventRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, event: SyncEvent) -> None:
        await self._session.execute(insert(ticket_sync_events).values(**row_of(event)))

    async def add_many(self, events: list[SyncEvent]) -> None:
        if events:
            await self._session.execute(
                insert(ticket_sync_events), [row_of(event) for event in events]
            )

    async def get(self, event_id: UUID) -> SyncEvent | None:
        return await self._one(ticket_sync_events.c.id == event_id)

    async def find_outbound(self, event_id: str) -> SyncEvent | None:
        return await self._one(
            (ticket_sync_events.c.direction == OUTBOUND)
            & (ticket_sync_events.c.event_id == event_id)
        )

    async def by_command(self, command_id: str) -> SyncEvent | None:
        return await self._one(ticket_sync_events.c.command_id == command_id, lock=True)

    async def settle(
        self,
        event_id: UUID,
        status: SyncEventStatus,
        *,
        error: str | None = None,
        ticket_id: UUID | None = None,
    ) -> None:
        await self._session.execute(
            update(ticket_sync_events)
            .where(ticket_sync_events.c.id == event_id)
            .values(
                status=status.value,
                error=error,
                processed_at=func.now(),
                ticket_id=func.coalesce(ticket_sync_events.c.ticket_id, ticket_id),
            )
        )

    async def acknowledge(self, ticket_id: UUID, in_reply_to: str | None) -> int:
        t = ticket_sync_events
        mine = (t.c.ticket_id == ticket_id) & (t.c.direction == OUTBOUND)
        if in_reply_to is not None:
            target = select(t.c.id).where(mine, t.c.event_id == in_reply_to)
        else:
            target = (
                select(t.c.id)
                .where(
                    mine,
                    t.c.event_type == KustHubEventType.INCIDENT_RESOLVED,
                    t.c.status == SyncEventStatus.SENT.value,
                )
                .order_by(t.c.seq.desc())
                .limit(1)
            )
        result = await self._session.execute(
            update(t)
            .where(t.c.id.in_(target))
            .values(status=SyncEventStatus.ACKNOWLEDGED.value, processed_at=func.now())
        )
        return result.rowcount

    async def _one(self, where: Any, *, lock: bool = False) -> SyncEvent | None:
        stmt = select(ticket_sync_events).where(where)
        row = (await self._session.execute(stmt.with_for_update() if lock else stmt)).first()
        return sync_event_of(row) if row else None


def row_of(event: SyncEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "ticket_id": event.ticket_id,
        "event_id": event.event_id,
        "event_type": event.event_type,
        "direction": event.direction.value,
        "payload": event.payload,
        "status": event.status.value,
        "command_id": event.command_id,
        "error": event.error,
        "retry_count": event.retry_count,
        "processed_at": event.processed_at,
    }


def sync_event_of(row: Any) -> SyncEvent:
    return SyncEvent(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        direction=SyncDirection(row.direction),
        payload=row.payload,
        status=SyncEventStatus(row.status),
        ticket_id=row.ticket_id,
        command_id=row.command_id,
        error=row.error,
        retry_count=row.retry_count,
        created_at=row.created_at,
        processed_at=row.processed_at,
    )
