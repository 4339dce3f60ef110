"""Ticket DTOs of seed §3.2, with the exact camelCase field names, plus list and page shapes."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from kohub_contracts.common import Camel, Ref
from kohub_contracts.enums import (
    ActivityType,
    HostStatus,
    SyncStatus,
    TicketPriority,
    TicketSource,
    TicketStatus,
)
from kohub_contracts.terminal import TerminalCommand

Title = Annotated[str, Meta(min_length=1, max_length=200)]
LongText = Annotated[str, Meta(max_length=20_000)]
Reason = Annotated[str, Meta(max_length=2_000)]
CommentText = Annotated[str, Meta(min_length=1, max_length=20_000)]
CommandLog = Annotated[str, Meta(max_length=5_000_000)]
ExternalId = Annotated[str, Meta(min_length=1, max_length=100)]
SessionId = Annotated[str, Meta(min_length=1, max_length=200)]


class TicketCreateRequest(Camel, forbid_unknown_fields=True):
    title: Title
    description: LongText = ""
    host_id: UUID | None = None
    priority: TicketPriority = TicketPriority.MEDIUM
    source: TicketSource = TicketSource.MANUAL
    organization_id: UUID | None = None
    """Required for MSP staff; a customer's tickets always belong to the customer's organization."""


class TicketUpdateRequest(Camel, forbid_unknown_fields=True):
    title: Title | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    priority: TicketPriority | UnsetType = UNSET
    host_id: UUID | UnsetType | None = UNSET


class TicketTransitionRequest(Camel, forbid_unknown_fields=True):
    to_status: TicketStatus
    reason: Reason | None = None


class TicketResolveRequest(Camel, forbid_unknown_fields=True):
    summary: Annotated[str, Meta(min_length=1, max_length=20_000)]
    action_taken: LongText | None = None
    ai_suggestion_used: dict[str, Any] | None = None


class TicketAssignRequest(Camel, forbid_unknown_fields=True):
    assignee_id: UUID
    reason: Reason | None = None


class TicketReasonRequest(Camel, forbid_unknown_fields=True):
    """Body of receive, complete and reopen: an optional note for the timeline."""

    reason: Reason | None = None


class TicketCommentRequest(Camel, forbid_unknown_fields=True):
    content: CommentText


class TerminalLogCreateRequest(Camel, forbid_unknown_fields=True):
    session_id: SessionId
    command_log: CommandLog
    started_at: datetime
    ended_at: datetime | None = None
    host_id: UUID | None = None


class HostRef(Camel):
    id: UUID
    name: str | None = None
    status: HostStatus | None = None


class UserRef(Camel):
    id: UUID
    name: str | None = None


class ResolutionResponse(Camel):
    summary: str
    action_taken: str | None
    ai_suggestion_used: dict[str, Any] | None
    resolved_by: UserRef | None
    resolved_at: datetime


class ActivityResponse(Camel):
    id: UUID
    type: ActivityType
    content: str
    user: UserRef | None
    created_at: datetime
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)


class TerminalLogSummary(Camel):
    id: UUID
    session_id: str
    started_at: datetime
    ended_at: datetime | None
    host_id: UUID | None = None
    user: UserRef | None = None
    source: str = "MANUAL"
    """TERMIX (collected from Termix), UPLOAD (a .cast file) or MANUAL (text)."""
    command_count: int = 0
    redactions: int = 0
    """Secrets replaced by [REDACTED] in the command log and the recording."""
    cast_available: bool = False
    """Whether the (redacted) recording is kept and can be replayed."""


class TerminalLogResponse(TerminalLogSummary):
    command_log: str = ""


class TerminalLogDetail(TerminalLogResponse):
    """`GET /api/v1/tickets/{id}/terminal-logs/{logId}`: the commands with their times and
    the recording to replay (asciicast v2, secrets redacted; null when not kept)."""

    commands: list[TerminalCommand] = msgspec.field(default_factory=list)
    command_source: str | None = None
    """"input" (replayed keystrokes) or "output" (read off the prompt lines)."""
    cast: str | None = None


class Assignee(Camel):
    """An MSP operator or admin a ticket can be assigned to (`GET /api/v1/tickets/assignees`)."""

    id: UUID
    name: str | None
    email: str | None
    me: bool = False


class ContextCommand(Camel):
    session_id: str
    host_id: UUID | None
    at: datetime
    """When the command was run (session start + its offset)."""
    text: str


class ResolutionContext(Camel):
    """What was done about a ticket, as knowledge (`GET /api/v1/tickets/{id}/resolution-context`):
    the resolution and the commands run in the terminal sessions attached to it."""

    ticket_id: UUID
    key: str
    title: str
    host_id: UUID | None
    resolution: "ResolutionResponse | None"
    commands: list[ContextCommand]


class TicketDetailResponse(Camel):
    id: UUID
    key: str
    title: str
    description: str
    source: TicketSource
    source_event_id: str | None
    status: TicketStatus
    priority: TicketPriority
    host: HostRef | None
    reporter: UserRef | None
    assignee: UserRef | None
    resolution: ResolutionResponse | None
    activities: list[ActivityResponse]
    terminal_logs: list[TerminalLogSummary]
    created_at: datetime
    updated_at: datetime
    organization: Ref
    external_system: str | None = None
    external_ticket_id: str | None = None
    sync_status: SyncStatus = SyncStatus.NONE
    allowed_transitions: list[TicketStatus] = msgspec.field(default_factory=list)
    version: int = 1


class TicketStats(Camel):
    """The dashboard's ticket figures; customer roles get their organization's."""

    by_status: dict[str, int]
    """Every status, zeros included."""
    open_by_priority: dict[str, int]
    """Tickets not yet RESOLVED, COMPLETED or CLOSED, by priority."""
    opened_today: int
    resolved_today: int
    opened_in_period: int
    resolved_in_period: int
    period_days: int
    since: datetime
    today_since: datetime
    """Midnight of today in the asked time zone."""
    mtta_seconds: float | None
    """Mean time to acknowledge: opened → first RECEIVED, of the tickets opened in the period."""
    mttr_seconds: float | None
    """Mean time to resolve: opened → RESOLVED, of the tickets resolved in the period."""


class TicketListItem(Camel):
    id: UUID
    key: str
    title: str
    status: TicketStatus
    priority: TicketPriority
    source: TicketSource
    organization_id: UUID
    host: HostRef | None
    assignee: UserRef | None
    created_at: datetime
    updated_at: datetime


class TicketSort(str, Enum):
    """Sort orders of the ticket list; a leading `-` sorts descending (most urgent first)."""

    CREATED_DESC = "-createdAt"
    CREATED_ASC = "createdAt"
    UPDATED_DESC = "-updatedAt"
    UPDATED_ASC = "updatedAt"
    PRIORITY_DESC = "-priority"
    PRIORITY_ASC = "priority"
