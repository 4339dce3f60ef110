"""The read side: what a ticket list can be filtered and sorted by, and the query port."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from kohub_contracts.common import Page
from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus
from kohub_contracts.tickets import (
    ActivityResponse,
    Assignee,
    ResolutionContext,
    TerminalLogDetail,
    TerminalLogResponse,
    TicketDetailResponse,
    TicketListItem,
    TicketSort,
    TicketStats,
)
from kohub_ticket.application.actors import Actor


@dataclass(frozen=True, slots=True)
class TicketFilter:
    statuses: tuple[TicketStatus, ...] = ()
    priorities: tuple[TicketPriority, ...] = ()
    sources: tuple[TicketSource, ...] = ()
    host_id: UUID | None = None
    assignee_id: UUID | None = None
    organization_id: UUID | None = None
    text: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sort: TicketSort = TicketSort.CREATED_DESC
    cursor: str | None = None
    limit: int = 50


class TicketQueries(Protocol):
    async def search(self, actor: Actor, flt: TicketFilter) -> Page[TicketListItem]: ...

    async def detail(self, actor: Actor, ticket_id: UUID, locale: str) -> TicketDetailResponse:
        """Raise TicketNotFound when the ticket does not exist or is not the caller's to see."""

    async def activities(
        self, actor: Actor, ticket_id: UUID, locale: str
    ) -> list[ActivityResponse]: ...

    async def terminal_logs(self, actor: Actor, ticket_id: UUID) -> list[TerminalLogResponse]: ...

    async def stats(
        self,
        actor: Actor,
        organization_id: UUID | None,
        *,
        now: datetime,
        today_since: datetime,
        period_days: int,
    ) -> TicketStats:
        """Customer roles get their organization's figures whatever they ask for."""


class TerminalQueries(Protocol):
    async def logs(self, actor: Actor, ticket_id: UUID) -> list[TerminalLogResponse]: ...

    async def log(self, actor: Actor, ticket_id: UUID, log_id: UUID) -> TerminalLogDetail: ...

    async def ticket_scope(self, actor: Actor, ticket_id: UUID) -> tuple[UUID, UUID | None]:
        """The ticket's organization and host; raises TicketNotFound when the caller may not
        see the ticket."""

    async def host_org(self, host_id: UUID) -> UUID | None:
        """The organization of a host known from host events (None: not known)."""

    async def window_start(
        self, ticket_id: UUID, user_id: UUID | None, host_id: UUID
    ) -> datetime | None: ...

    async def attached_sessions(self, ticket_id: UUID) -> set[str]: ...

    async def resolution_context(self, actor: Actor, ticket_id: UUID) -> ResolutionContext: ...

    async def assignees(self, actor: Actor) -> list[Assignee]: ...
