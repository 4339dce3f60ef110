"""What the console reads about terminal work: a ticket's recorded sessions and the hosts
they were made on (the shapes are the ticket and host services' contracts)."""

import asyncio
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from kohub_contracts.enums import AdapterType, HostAdapterStatus
from kohub_contracts.hosts import HostResponse
from kohub_contracts.tickets import TerminalLogSummary, TicketDetailResponse
from kohub_gateway.console.web import ServiceProblem, View

TICKETS = "/api/v1/tickets"
HOSTS = "/api/v1/hosts"
MAX_HOSTS = 10  # hosts looked up for one ticket: its own and those of its recordings


@dataclass(frozen=True, slots=True)
class TerminalHost:
    id: UUID
    name: str
    terminal: bool
    """Has an active Termix adapter, or could not be asked (the terminal page explains)."""


@dataclass(frozen=True, slots=True)
class TerminalSection:
    logs: list[TerminalLogSummary]
    hosts: list[TerminalHost]

    def host_name(self, host_id: UUID | None) -> str | None:
        return next((h.name for h in self.hosts if h.id == host_id), None)

    @property
    def terminal_hosts(self) -> list[TerminalHost]:
        return [h for h in self.hosts if h.terminal]


def has_terminal(host: HostResponse) -> bool:
    return any(
        a.type is AdapterType.TERMIX and a.status is HostAdapterStatus.ACTIVE for a in host.adapters
    )


async def _host(view: View, host_id: UUID, name: str | None) -> TerminalHost | None:
    try:
        host = await view.get(f"{HOSTS}/{host_id}", HostResponse)
    except ServiceProblem as exc:
        if exc.status == 404:
            return None
        return TerminalHost(host_id, name or str(host_id), True)
    return TerminalHost(host.id, host.name, has_terminal(host))


async def terminal_section(view: View, ticket: TicketDetailResponse) -> TerminalSection:
    """The ticket's recordings (in its detail, with source and counts) and the hosts to open
    a terminal on: the ticket's host first, then those its recordings were made on."""
    logs = list(ticket.terminal_logs)
    names: dict[UUID, str | None] = {}
    if ticket.host is not None:
        names[ticket.host.id] = ticket.host.name
    for entry in logs:
        if entry.host_id is not None:
            names.setdefault(entry.host_id, None)
    wanted = list(names.items())[:MAX_HOSTS]
    found = await asyncio.gather(*(_host(view, hid, name) for hid, name in wanted))
    return TerminalSection(logs, [h for h in found if h is not None])


class BadTime(ValueError):
    pass


def local_time(value: str, zone: ZoneInfo) -> datetime | None:
    """A `datetime-local` field (`2026-01-30T10:15`), read in the console's time zone;
    None when empty."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadTime(value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed
