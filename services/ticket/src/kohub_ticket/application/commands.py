"""Commands the ticket handlers accept: what the caller asked, already decoded."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus
from kohub_ticket.application.actors import Actor
from kohub_ticket.domain.terminal import Command


@dataclass(frozen=True, slots=True)
class CreateTicket:
    actor: Actor
    title: str
    description: str
    priority: TicketPriority
    source: TicketSource
    organization_id: UUID | None = None
    host_id: UUID | None = None
    source_event_id: str | None = None
    external_system: str | None = None
    external_ticket_id: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateTicket:
    actor: Actor
    ticket_id: UUID
    expected_version: int | None
    title: str | None = None
    description: str | None = None
    priority: TicketPriority | None = None
    host_id: UUID | None = None
    clear_host: bool = False


@dataclass(frozen=True, slots=True)
class ChangeStatus:
    actor: Actor
    ticket_id: UUID
    to_status: TicketStatus
    reason: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class AssignTicket:
    actor: Actor
    ticket_id: UUID
    assignee_id: UUID
    reason: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class ResolveTicket:
    actor: Actor
    ticket_id: UUID
    summary: str
    action_taken: str | None
    ai_suggestion_used: dict[str, Any] | None
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class AddComment:
    actor: Actor
    ticket_id: UUID
    content: str


@dataclass(frozen=True, slots=True)
class AttachTerminalLog:
    actor: Actor
    ticket_id: UUID
    session_id: str
    command_log: str
    started_at: datetime
    ended_at: datetime | None
    host_id: UUID | None = None
    source: str = "MANUAL"
    commands: tuple[Command, ...] = ()
    command_source: str | None = None
    redactions: int = 0
    cast: str | None = None


@dataclass(frozen=True, slots=True)
class RecordTerminalOpened:
    actor: Actor
    ticket_id: UUID
    host_id: UUID
    host_name: str | None
    termix_host_id: str
