"""In-memory ports for unit tests of the bridge's handlers."""

import copy
from datetime import datetime
from uuid import UUID, uuid4

import msgspec

from kohub_contracts.common import Camel
from kohub_contracts.enums import SyncDirection, SyncEventStatus
from kohub_contracts.envelope import Envelope
from kohub_integration.application.ports import SyncEvent
from kohub_integration.domain.links import TicketLink


class FakeLinks:
    def __init__(self) -> None:
        self.rows: dict[UUID, TicketLink] = {}
        self.staged: dict[UUID, TicketLink] = {}

    async def lock(self, ticket_id: UUID) -> TicketLink | None:
        found = self.staged.get(ticket_id) or self.rows.get(ticket_id)
        return copy.deepcopy(found) if found else None

    async def find(self, *, ticket_id=None, ticket_key=None, kusthub_ticket_id=None):
        for attr, value in (
            ("ticket_id", ticket_id),
            ("ticket_key", ticket_key),
            ("kusthub_ticket_id", kusthub_ticket_id),
        ):
            for link in self.rows.values():
                if value is not None and getattr(link, attr) == value:
                    return copy.deepcopy(link)
        return None

    async def save(self, link: TicketLink) -> None:
        self.staged[link.ticket_id] = link

    async def lock_many(self, ticket_ids: set[UUID]) -> dict[UUID, TicketLink]:
        found = {t: await self.lock(t) for t in ticket_ids}
        return {t: link for t, link in found.items() if link is not None}

    async def save_many(self, links: list[TicketLink]) -> None:
        for link in links:
            await self.save(link)


class FakeSyncEvents:
    def __init__(self) -> None:
        self.rows: dict[UUID, SyncEvent] = {}
        self.staged: list[SyncEvent] = []

    async def add(self, event: SyncEvent) -> None:
        self.staged.append(event)

    async def get(self, event_id: UUID) -> SyncEvent | None:
        return self.rows.get(event_id)

    async def find_outbound(self, event_id: str) -> SyncEvent | None:
        return next(
            (
                e
                for e in self.rows.values()
                if e.event_id == event_id and e.direction is SyncDirection.OUTBOUND
            ),
            None,
        )

    async def by_command(self, command_id: str) -> SyncEvent | None:
        return next((e for e in self.rows.values() if e.command_id == command_id), None)

    async def settle(self, event_id, status, *, error=None, ticket_id=None) -> None:
        event = self.rows[event_id]
        event.status, event.error = status, error
        event.ticket_id = event.ticket_id or ticket_id

    async def acknowledge(self, ticket_id: UUID, in_reply_to: str | None) -> int:
        mine = [
            e
            for e in self.rows.values()
            if e.ticket_id == ticket_id
            and e.direction is SyncDirection.OUTBOUND
            and (
                e.event_id == in_reply_to
                if in_reply_to
                else e.event_type == "incident.resolved" and e.status is SyncEventStatus.SENT
            )
        ]
        for e in mine[-1:]:
            e.status = SyncEventStatus.ACKNOWLEDGED
        return len(mine[-1:])


class FakeUnitOfWork:
    """Shares its stores across instances, like one database; `outbox` holds what went out
    (event type, aggregate, envelope)."""

    def __init__(self, links: FakeLinks, events: FakeSyncEvents, world: "FakeWorld") -> None:
        self.links, self.sync_events, self.world = links, events, world
        self.pending: list[tuple[str, str, dict]] = []
        self.inbox: set[tuple[str, str]] = set()

    async def __aenter__(self) -> "FakeUnitOfWork":
        self.pending, self.inbox = [], set()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.links.staged.clear()
        self.sync_events.staged.clear()

    async def first_delivery(self, consumer: str, message_id: str) -> bool:
        key = (consumer, message_id)
        if key in self.world.inbox or key in self.inbox:
            return False
        self.inbox.add(key)
        return True

    async def first_deliveries(self, consumer: str, message_ids: list[str]) -> set[str]:
        return {m for m in message_ids if await self.first_delivery(consumer, m)}

    def publish_to_kusthub(
        self,
        ticket_id,
        event_type,
        data: Camel,
        *,
        source="kohub",
        event_id=None,
        timestamp=None,
        record=True,
    ) -> SyncEvent:
        envelope = Envelope(
            event_id or str(uuid4()), event_type, timestamp or datetime.now(), source, data
        )
        payload = msgspec.to_builtins(envelope)
        self.pending.append((event_type, str(ticket_id), payload))
        event = SyncEvent(
            uuid4(),
            envelope.event_id,
            event_type,
            SyncDirection.OUTBOUND,
            payload,
            SyncEventStatus.PENDING,
            ticket_id=ticket_id,
        )
        if record:
            self.sync_events.staged.append(event)
        return event

    async def republish(self, event: SyncEvent) -> None:
        self.pending.append((event.event_type, str(event.ticket_id), event.payload))

    def send_command(self, command_type: str, data: Camel, aggregate_id: str) -> str:
        command_id = str(uuid4())
        self.pending.append((command_type, aggregate_id, msgspec.to_builtins(data)))
        return command_id

    async def commit(self) -> None:
        for link in self.links.staged.values():
            if link.reported:
                self.pending.append(("integration.sync_changed", str(link.ticket_id), {
                    "syncStatus": link.sync_status.value, "sequence": link.sync_seq,
                }))  # fmt: skip
                link.reported = False
            self.links.rows[link.ticket_id] = link
        for event in self.sync_events.staged:
            self.sync_events.rows[event.id] = event
        self.links.staged.clear()
        self.sync_events.staged.clear()
        self.world.inbox |= self.inbox
        self.world.outbox.extend(self.pending)
        self.pending = []


class FakeWorld:
    def __init__(self) -> None:
        self.links = FakeLinks()
        self.events = FakeSyncEvents()
        self.inbox: set[tuple[str, str]] = set()
        self.outbox: list[tuple[str, str, dict]] = []

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.links, self.events, self)

    @property
    def sent(self) -> list[str]:
        return [event_type for event_type, _, _ in self.outbox]
