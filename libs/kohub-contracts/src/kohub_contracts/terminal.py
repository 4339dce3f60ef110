"""Terminal work (seed §2.3, Termix): the terminal URL of a host, an operator's Termix key,
and the recorded sessions the adapter gateway fetches for the ticket service."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from kohub_contracts.common import Camel

TermixApiKey = Annotated[str, Meta(min_length=8, max_length=512, pattern=r"^\S+$")]


class TerminalUrlResponse(Camel):
    """`GET /api/v1/hosts/{id}/terminal-url`: what the console puts in its iframe."""

    url: str
    host_id: UUID
    termix_host_id: str
    opened_at: datetime
    ticket_id: UUID | None = None
    """Set when the opening was recorded on that ticket (a TERMINAL_ACCESS activity)."""


class TerminalTarget(Camel):
    """The adapter gateway's answer for a host: its Termix terminal (internal API)."""

    url: str
    host_id: UUID
    termix_host_id: str
    base_url: str


class TerminalOpenedRequest(Camel, forbid_unknown_fields=True):
    """`POST /api/v1/tickets/{id}/terminal-access` (the host service, for the operator who
    asked for a terminal URL with this ticket): a TERMINAL_ACCESS entry on the timeline."""

    host_id: UUID
    termix_host_id: Annotated[str, Meta(min_length=1, max_length=100)]
    host_name: Annotated[str, Meta(max_length=200)] | None = None


class TerminalOpened(Camel):
    activity_id: UUID
    opened_at: datetime


class TerminalCredentialsRequest(Camel, forbid_unknown_fields=True):
    """`PUT /api/v1/me/terminal-credentials`: the operator's own Termix API key."""

    api_key: TermixApiKey


class TerminalCredentialsResponse(Camel):
    """Whether a key is on file; the key itself is never returned."""

    configured: bool
    key_hint: str | None = None
    """The key's first characters and last four, e.g. `tmx_…9f2c`."""
    updated_at: datetime | None = None


class TerminalSessionQuery(Camel, forbid_unknown_fields=True):
    """Internal: which of the calling operator's recordings of a host to fetch."""

    since: datetime
    until: datetime


class TerminalSession(Camel):
    """One recorded session (Termix `session_logs` entry) with its asciicast v2 content."""

    session_id: str
    termix_host_id: str
    started_at: datetime
    ended_at: datetime | None
    content: str
    """The raw recording (`application/x-asciicast`), as Termix served it."""
    format: str = "asciicast"


class TerminalSessions(Camel):
    host_id: UUID
    termix_host_id: str
    sessions: list[TerminalSession]


class TerminalLogCollectRequest(Camel, forbid_unknown_fields=True):
    """`POST /api/v1/tickets/{id}/terminal-logs` (JSON): collect the operator's Termix
    recordings of a host. The window defaults to the operator's last TERMINAL_ACCESS on
    the ticket for that host until now."""

    host_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


class TerminalCommand(Camel):
    offset: float
    """Seconds from the start of the recording."""
    text: str


class TerminalLogCollected(Camel):
    """What one collection or upload stored (sessions already on the ticket are skipped)."""

    stored: list[UUID]
    skipped: list[str]
    """Session ids already attached to the ticket."""
    unreadable: list[str] = msgspec.field(default_factory=list)
    """Sessions whose recording is no asciicast v2 (with why), left out."""
    in_progress: list[str] = msgspec.field(default_factory=list)
    """Sessions not ended yet, left out: collect again once they have ended."""


__all__ = [
    "UUID",
    "TerminalCommand",
    "TerminalCredentialsRequest",
    "TerminalCredentialsResponse",
    "TerminalLogCollectRequest",
    "TerminalLogCollected",
    "TerminalSession",
    "TerminalSessionQuery",
    "TerminalSessions",
    "TerminalTarget",
    "TerminalUrlResponse",
]
