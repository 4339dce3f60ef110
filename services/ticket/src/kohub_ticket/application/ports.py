"""The ports the ticket handlers need. Adapters implement them; tests fake them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from kohub_contracts.alerts import AlertProcessed
from kohub_contracts.commands import TicketCommandOutcome
from kohub_contracts.events import TicketSyncChanged
from kohub_contracts.terminal import TerminalSessions
from kohub_ticket.domain.alerts import AlertSeries
from kohub_ticket.domain.model import Ticket


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: UUID
    keycloak_id: str
    name: str | None
    email: str | None
    org_id: UUID | None
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class UserClaims:
    """What a verified token says about its user."""

    keycloak_id: str
    name: str | None
    email: str | None
    org_id: UUID | None
    roles: frozenset[str]


class TicketRepository(Protocol):
    async def add(self, ticket: Ticket) -> None:
        """Store a new ticket and give it its key, `KH-<year of creation>-<number>`."""

    async def get(self, ticket_id: UUID, *, for_update: bool = True) -> Ticket | None: ...

    async def save(self, ticket: Ticket) -> None:
        """Persist the aggregate's changes, new activities, terminal logs and resolution,
        bumping the version."""

    async def find_linked(self, external_system: str, external_ticket_id: str) -> Ticket | None:
        """The ticket linked to another system's ticket, if one is."""

    async def set_sync_state(self, change: TicketSyncChanged) -> bool:
        """Keep the sync status and link of a newer report (higher sequence); not a change
        of the ticket itself (no version, no event). False when nothing changed."""


class UserDirectory(Protocol):
    async def upsert(self, claims: UserClaims, at: datetime) -> UserRecord: ...

    async def get(self, user_id: UUID) -> UserRecord | None: ...

    async def ensure(
        self, keycloak_id: str, name: str | None, email: str | None, org_id: UUID
    ) -> UUID:
        """The user row of a person another system names; its roles are left as they are
        (only their own token tells those)."""


@dataclass(frozen=True, slots=True)
class HostRecord:
    """What the ticket service knows of a host (a read model fed by the host service)."""

    id: UUID
    org_id: UUID
    name: str
    status: str


class HostDirectory(Protocol):
    async def get(self, host_id: UUID) -> HostRecord | None: ...

    async def put(self, host: HostRecord, version: int) -> None:
        """Keep the host service's newer state (an older version changes nothing)."""

    async def put_organization(self, org_id: UUID, name: str | None) -> None: ...

    async def put_organization_name(self, org_id: UUID, name: str | None) -> None:
        """Know an organization another system names, without overriding a known name."""


class AlertSeriesRepository(Protocol):
    async def lock(self, fingerprint: str) -> AlertSeries:
        """The fingerprint's series (created empty the first time), locked until commit."""

    async def save(self, series: AlertSeries) -> None: ...

    async def write_repeat(self, series: AlertSeries, at: datetime) -> None:
        """Keep the one timeline entry of the series' repeats current."""

    async def forget(self, consumer: str, message_id: str) -> None:
        """Undo a `first_delivery` of this transaction (the id may be handled again)."""


class UnitOfWork(Protocol):
    tickets: TicketRepository
    users: UserDirectory
    hosts: HostDirectory
    alerts: AlertSeriesRepository

    async def __aenter__(self) -> "UnitOfWork": ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def first_delivery(self, consumer: str, message_id: str) -> bool: ...

    def answer_alert(self, outcome: AlertProcessed) -> None:
        """Tell the adapter gateway what became of an alert (`alert.processed`, at commit)."""

    def answer_command(self, outcome: TicketCommandOutcome) -> None:
        """Tell the bridge what became of its command (`ticket.command.outcome`, at commit)."""

    async def commit(self) -> None:
        """Commit the rows and the outbox messages of every ticket event recorded."""


class TerminalRecordings(Protocol):
    async def sessions(
        self, host_id: UUID, since: datetime, until: datetime, authorization: str | None
    ) -> TerminalSessions:
        """The caller's recordings of the host overlapping [since, until] (Termix, through
        the adapter gateway); raises `UpstreamProblem` with the reason it cannot."""


class Clock(Protocol):
    def __call__(self) -> datetime: ...
