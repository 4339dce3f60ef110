"""What happened to a ticket, as the aggregate records it (not the wire contract)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from kohub_contracts.enums import TicketStatus


@dataclass(frozen=True, slots=True)
class DomainEvent:
    ticket_id: UUID
    actor_id: UUID | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class TicketOpened(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class TicketEdited(DomainEvent):
    changed_fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StatusChanged(DomainEvent):
    from_status: TicketStatus
    to_status: TicketStatus
    reason: str | None


@dataclass(frozen=True, slots=True)
class Assigned(DomainEvent):
    assignee_id: UUID
    previous_assignee_id: UUID | None


@dataclass(frozen=True, slots=True)
class Commented(DomainEvent):
    comment_id: UUID
    content: str


@dataclass(frozen=True, slots=True)
class Resolved(DomainEvent):
    from_status: TicketStatus
    summary: str
    action_taken: str | None
    ai_suggestion_used: dict[str, Any] | None
