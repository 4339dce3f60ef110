"""The bridge's unit of work: links, sync events, the inbox, and at commit the outbox rows
(KustHub events, commands, and a sync report of every link whose status changed)."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import msgspec
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.common import Camel
from kohub_contracts.enums import SyncDirection, SyncEventStatus
from kohub_integration.adapters.messaging.mapping import (
    command_message,
    kusthub_message,
    sync_report_message,
)
from kohub_integration.adapters.postgres.repositories import (
    SqlLinkRepository,
    SqlSyncEventRepository,
)
from kohub_integration.adapters.postgres.tables import outbox, ticket_sync_events
from kohub_integration.application.ports import SyncEvent
from kohub_platform.db import SqlUnitOfWork
from kohub_platform.inbox import first_deliveries, first_delivery


class IntegrationUnitOfWork(SqlUnitOfWork):
    links: SqlLinkRepository
    sync_events: SqlSyncEventRepository

    def _bind(self, session: AsyncConnection) -> None:
        self.links = SqlLinkRepository(session)
        self.sync_events = SqlSyncEventRepository(session)
        self.outbound: list[SyncEvent] = []

    async def first_delivery(self, consumer: str, message_id: str) -> bool:
        return await first_delivery(self.session, consumer, message_id)

    async def first_deliveries(self, consumer: str, message_ids: list[str]) -> set[str]:
        return await first_deliveries(self.session, consumer, message_ids)

    def publish_to_kusthub(
        self,
        ticket_id: UUID | None,
        event_type: str,
        data: Camel,
        *,
        source: str = "kohub",
        event_id: str | None = None,
        timestamp: datetime | None = None,
        record: bool = True,
    ) -> SyncEvent:
        # one ticket's events leave in order; an event without a ticket is its own chain
        aggregate = str(ticket_id) if ticket_id else f"event:{event_id or data}"
        message, envelope = kusthub_message(
            event_type,
            data,
            aggregate_id=aggregate[:100],
            source=source,
            event_id=event_id,
            timestamp=timestamp,
        )
        self.outbox.add(message)
        event = SyncEvent(
            id=uuid4(),
            event_id=message.event_id,
            event_type=event_type,
            direction=SyncDirection.OUTBOUND,
            payload=msgspec.to_builtins(envelope),
            status=SyncEventStatus.PENDING,
            ticket_id=ticket_id,
        )
        if record:
            self.outbound.append(event)
        return event

    async def republish(self, event: SyncEvent) -> None:
        """The outbox row again (reset, or written anew once pruned); the relay marks the
        sync event SENT on the broker's confirm."""
        aggregate = str(event.ticket_id) if event.ticket_id else f"event:{event.event_id}"
        values = {
            "event_id": event.event_id,
            "event_type": event.event_type,
            "aggregate_id": aggregate[:100],
            "exchange": "kusthub.events",
            "routing_key": event.event_type,
            "body": msgspec.json.encode(event.payload),
        }
        await self.session.execute(
            insert(outbox)
            .values(**values)
            .on_conflict_do_update(
                index_elements=["event_id"],
                set_={"published_at": None, "next_attempt_at": func.now(), "attempts": 0},
            )
        )
        await self.session.execute(
            ticket_sync_events.update()
            .where(ticket_sync_events.c.id == event.id)
            .values(status=SyncEventStatus.PENDING.value, processed_at=None)
        )

    def send_command(self, command_type: str, data: Camel, aggregate_id: str) -> str:
        message = command_message(command_type, data, aggregate_id[:100])
        self.outbox.add(message)
        return message.event_id

    async def commit(self) -> None:
        await self.sync_events.add_many(self.outbound)
        self.outbound = []
        now = datetime.now(UTC)
        for link in self.links.saved.values():
            if link.reported:
                self.outbox.add(sync_report_message(link, now))
                link.reported = False
        await super().commit()
