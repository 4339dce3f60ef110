"""The relay's settled hook: keeps ticket_sync_events and the tickets' sync status in step
with what the broker confirmed, in the relay's own transaction.

A confirmed KustHub event is SENT. A failed publish counts a retry; past the budget the
event is FAILED (the outbox still retries it; a later confirm makes it SENT). A ticket's
status is reported only when it changes: PENDING while one of its events is being retried,
FAILED while one is past the budget, SYNCED once a publish of it is confirmed with none
in trouble (an event written a moment ago and not yet sent does not make it PENDING)."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, bindparam, case, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.enums import SyncDirection, SyncEventStatus, SyncStatus
from kohub_contracts.routing import KUSTHUB_EVENTS_EXCHANGE
from kohub_integration.adapters.messaging.mapping import sync_report_message
from kohub_integration.adapters.postgres.repositories import link_of
from kohub_integration.adapters.postgres.tables import ticket_links, ticket_sync_events
from kohub_integration.domain.links import status_after_delivery
from kohub_platform.outbox import OutboxBuffer
from kohub_platform.relay import ClaimedMessage, Failure

t = ticket_sync_events
OUTBOUND = SyncDirection.OUTBOUND.value
UNSENT = (SyncEventStatus.PENDING.value, SyncEventStatus.FAILED.value)


class SyncTracker:
    def __init__(self, retry_budget: int) -> None:
        self._budget = retry_budget

    async def __call__(
        self, conn: AsyncConnection, published: list[ClaimedMessage], failures: list[Failure]
    ) -> None:
        sent = [m.event_id for m in published if m.exchange == KUSTHUB_EVENTS_EXCHANGE]
        failed = [(m, e) for m, e in failures if m.exchange == KUSTHUB_EVENTS_EXCHANGE]
        if not sent and not failed:
            return
        touched: set[UUID] = set()
        retrying: set[UUID] = set()
        if sent:
            rows = await conn.execute(
                update(t)
                .where(t.c.direction == OUTBOUND, t.c.event_id.in_(sent), t.c.status.in_(UNSENT))
                .values(status=SyncEventStatus.SENT.value, processed_at=func.now(), error=None)
                .returning(t.c.ticket_id)
            )
            touched.update(r.ticket_id for r in rows if r.ticket_id)
        for message, error in failed:
            row = (await conn.execute(_count_retry(message.event_id, error, self._budget))).first()
            if row is not None and row.ticket_id:
                touched.add(row.ticket_id)
                retrying.add(row.ticket_id)
        if touched:
            await self._report(conn, sorted(touched), retrying)

    async def _report(
        self, conn: AsyncConnection, ticket_ids: Iterable[UUID], retrying: set[UUID]
    ) -> None:
        ids = list(ticket_ids)
        # Only a ticket whose reported status may change: one already SYNCED stays so when
        # more of its events are confirmed (the common case, so usually nothing to do).
        # Locked in ticket order, so two relays never wait on each other crosswise.
        links = (
            await conn.execute(
                select(ticket_links)
                .where(
                    ticket_links.c.ticket_id.in_(ids),
                    (ticket_links.c.sync_status != SyncStatus.SYNCED.value)
                    | ticket_links.c.ticket_id.in_(list(retrying)),
                )
                .order_by(ticket_links.c.ticket_id)
                .with_for_update()
            )
        ).all()
        if not links:
            return
        # Whether events are past their budget is asked only of tickets that had trouble.
        troubled = [
            row.ticket_id
            for row in links
            if row.sync_status in TROUBLED or row.ticket_id in retrying
        ]
        failed: dict[UUID, int] = {}
        if troubled:
            rows = await conn.execute(_FAILED, {"ids": troubled})
            failed = {r.ticket_id: r.failed for r in rows}
        buffer = OutboxBuffer()
        now = datetime.now(UTC)
        changed = []
        for row in links:
            link = link_of(row)
            status = status_after_delivery(
                failed=failed.get(link.ticket_id, 0), retrying=link.ticket_id in retrying
            )
            if link.report(status):
                changed.append({"id": link.ticket_id, "status": status.value, "seq": link.sync_seq})
                buffer.add(sync_report_message(link, now))
        if changed:
            await conn.execute(_REPORTED, changed)
        await buffer.flush(conn)


TROUBLED = (SyncStatus.PENDING.value, SyncStatus.FAILED.value)
# Literal statuses, and the IN spelled as in the partial index of unsent events, so the
# planner uses that index.
_FAILED = text(
    """
    SELECT ticket_id, count(*) AS failed FROM ticket_sync_events
    WHERE ticket_id = ANY(:ids) AND direction = 'OUTBOUND' AND status IN ('PENDING', 'FAILED')
      AND status = 'FAILED'
    GROUP BY ticket_id
    """
)
_REPORTED = (
    update(ticket_links)
    .where(ticket_links.c.ticket_id == bindparam("id"))
    .values(
        sync_status=bindparam("status"),
        sync_seq=bindparam("seq"),
        sync_reason=None,
        updated_at=func.now(),
    )
)


def _count_retry(event_id: str, error: BaseException, budget: int) -> Any:
    return (
        update(t)
        .where(and_(t.c.direction == OUTBOUND, t.c.event_id == event_id))
        .values(
            retry_count=t.c.retry_count + 1,
            error=f"{type(error).__name__}: {error}"[:2000],
            status=case(
                (t.c.retry_count + 1 >= budget, SyncEventStatus.FAILED.value),
                else_=t.c.status,
            ),
        )
        .returning(t.c.ticket_id)
    )
