"""The ports the bridge's handlers need. Adapters implement them; tests fake them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from kohub_contracts.common import Camel
from kohub_contracts.enums import SyncDirection, SyncEventStatus
from kohub_integration.domain.links import TicketLink


@dataclass
class SyncEvent:
    """A ticket_sync_events row (seed §4.4)."""

    id: UUID
    event_id: str
    event_type: str
    direction: SyncDirection
    payload: dict[str, Any]
    status: SyncEventStatus
    ticket_id: UUID | None = None
    command_id: str | None = None
    error: str | None = None
    retry_count: int = 0
    created_at: datetime | None = None
    processed_at: datetime | None = None


class LinkRepository(Protocol):
    async def lock(self, ticket_id: UUID) -> TicketLink | None:
        """The ticket's link, locked until commit."""

    async def find(
        self,
        *,
        ticket_id: UUID | None = None,
        ticket_key: str | None = None,
        kusthub_ticket_id: str | None = None,
    ) -> TicketLink | None:
        """The first link matching one of the given ids (in that order), locked."""

    async def save(self, link: TicketLink) -> None: ...

    async def lock_many(self, ticket_ids: set[UUID]) -> dict[UUID, TicketLink]:
        """The links that exist among `ticket_ids`, locked (in ticket order) until commit."""

    async def save_many(self, links: list[TicketLink]) -> None: ...


class SyncEventRepository(Protocol):
    async def add(self, event: SyncEvent) -> None: ...

    async def get(self, event_id: UUID) -> SyncEvent | None: ...

    async def find_outbound(self, event_id: str) -> SyncEvent | None: ...

    async def by_command(self, command_id: str) -> SyncEvent | None:
        """The inbound event a command was sent for, locked until commit."""

    async def settle(
        self,
        event_id: UUID,
        status: SyncEventStatus,
        *,
        error: str | None = None,
        ticket_id: UUID | None = None,
    ) -> None: ...

    async def acknowledge(self, ticket_id: UUID, in_reply_to: str | None) -> int:
        """KustHub answered: the named outbound event of the ticket (by default its last
        sent `incident.resolved`) is ACKNOWLEDGED. Returns how many rows changed."""


class UnitOfWork(Protocol):
    links: LinkRepository
    sync_events: SyncEventRepository

    async def __aenter__(self) -> "UnitOfWork": ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def first_delivery(self, consumer: str, message_id: str) -> bool: ...

    async def first_deliveries(self, consumer: str, message_ids: list[str]) -> set[str]:
        """The ids among `message_ids` this consumer sees for the first time."""

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
        """An outbox row on `kusthub.events` (routing key = event type) and, with `record`,
        its outbound ticket_sync_events row (PENDING), added at commit."""

    async def republish(self, event: SyncEvent) -> None:
        """Send a stored outbound event again, with its eventId (KustHub deduplicates)."""

    def send_command(self, command_type: str, data: Camel, aggregate_id: str) -> str:
        """A command to the ticket service on `kohub.events`; returns its id (eventId)."""

    async def commit(self) -> None:
        """Commit the rows, the outbox, and a sync report of every link that changed."""


class Clock(Protocol):
    def __call__(self) -> datetime: ...
