"""What a ticket accumulates: timeline entries, its resolution, terminal session logs."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from kohub_contracts.enums import ActivityType
from kohub_ticket.domain.terminal import Command


@dataclass(slots=True)
class Activity:
    id: UUID
    type: ActivityType
    user_id: UUID | None
    created_at: datetime
    metadata: dict[str, Any]
    content: str = ""
    """Free text (a comment); for other types the application renders it from metadata."""


@dataclass(slots=True)
class Resolution:
    resolver_id: UUID | None
    summary: str
    action_taken: str | None
    ai_suggestion_used: dict[str, Any] | None
    resolved_at: datetime


@dataclass(slots=True)
class TerminalLog:
    id: UUID
    session_id: str
    user_id: UUID | None
    host_id: UUID | None
    command_log: str
    started_at: datetime
    ended_at: datetime | None
    source: str = "MANUAL"
    """TERMIX (collected), UPLOAD (a .cast file) or MANUAL (a command log given as text)."""
    commands: tuple[Command, ...] = ()
    command_source: str | None = None
    """"input" (replayed keystrokes) or "output" (prompt lines) for recordings."""
    redactions: int = 0
    cast: str | None = None
    """The recording with its secrets redacted (asciicast v2), when there is one."""
