"""In-memory ports for unit tests of the handlers, used through the real bootstrap()."""

import copy
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from kohub_contracts.alerts import AlertProcessed
from kohub_contracts.commands import TicketCommandOutcome
from kohub_contracts.events import TicketSyncChanged
from kohub_platform.outbox import OutboxMessage
from kohub_ticket.adapters.messaging.mapping import (
    Names,
    alert_outcome_message,
    command_outcome_message,
    outbox_messages,
)
from kohub_ticket.application.ports import (
    AlertSeriesRepository,
    HostDirectory,
    HostRecord,
    TicketRepository,
    UnitOfWork,
    UserClaims,
    UserDirectory,
    UserRecord,
)
from kohub_ticket.domain.alerts import AlertSeries
from kohub_ticket.domain.model import Ticket


class FakeTicketRepository(TicketRepository):
    """Like the database: what a unit of work writes is staged, and becomes visible in
    `rows` and `activities` only when it commits."""

    def __init__(self) -> None:
        self.rows: dict[UUID, Ticket] = {}
        self.activities: dict[UUID, list] = {}
        self.seen: dict[UUID, Ticket] = {}
        self.staged: dict[UUID, tuple[Ticket, list]] = {}
        self._numbers: dict[int, int] = {}
        self.sync_seq: dict[UUID, int] = {}

    async def add(self, ticket: Ticket) -> None:
        year = ticket.created_at.year
        self._numbers[year] = self._numbers.get(year, 0) + 1
        ticket.key = f"KH-{year}-{self._numbers[year]:04d}"
        self._store(ticket)

    async def get(self, ticket_id: UUID, *, for_update: bool = True) -> Ticket | None:
        stored = self.rows.get(ticket_id)
        if stored is None:
            return None
        ticket = copy.deepcopy(stored)
        self.seen[ticket.id] = ticket
        return ticket

    async def save(self, ticket: Ticket) -> None:
        ticket.version += 1
        self._store(ticket)

    async def find_linked(self, external_system: str, external_ticket_id: str) -> Ticket | None:
        for ticket in self.rows.values():
            if (ticket.external_system, ticket.external_ticket_id) == (
                external_system,
                external_ticket_id,
            ):
                return await self.get(ticket.id)
        return None

    async def set_sync_state(self, change: TicketSyncChanged) -> bool:
        ticket = self.rows.get(change.ticket_id)
        if ticket is None or self.sync_seq.get(ticket.id, 0) >= change.sequence:
            return False
        self.sync_seq[ticket.id] = change.sequence
        ticket.sync_status = change.sync_status
        ticket.external_system = change.external_system or ticket.external_system
        ticket.external_ticket_id = change.external_ticket_id or ticket.external_ticket_id
        return True

    def _store(self, ticket: Ticket) -> None:
        _, activities = self.staged.get(ticket.id, (None, []))
        activities = [*activities, *ticket.new_activities]
        ticket.new_activities.clear()
        ticket.new_terminal_logs.clear()
        self.seen[ticket.id] = ticket
        snapshot = copy.deepcopy(ticket)
        snapshot.events.clear()
        self.staged[ticket.id] = (snapshot, activities)

    def apply_staged(self) -> None:
        for ticket_id, (snapshot, activities) in self.staged.items():
            self.rows[ticket_id] = snapshot
            self.activities.setdefault(ticket_id, []).extend(activities)
        self.staged.clear()


class FakeUserDirectory(UserDirectory):
    def __init__(self) -> None:
        self.users: dict[UUID, UserRecord] = {}

    async def upsert(self, claims: UserClaims, at: datetime) -> UserRecord:
        existing = next(
            (u for u in self.users.values() if u.keycloak_id == claims.keycloak_id), None
        )
        record = UserRecord(
            existing.id if existing else uuid4(),
            claims.keycloak_id,
            claims.name,
            claims.email,
            claims.org_id,
            claims.roles,
        )
        self.users[record.id] = record
        return record

    async def get(self, user_id: UUID) -> UserRecord | None:
        return self.users.get(user_id)

    async def ensure(
        self, keycloak_id: str, name: str | None, email: str | None, org_id: UUID
    ) -> UUID:
        for user in self.users.values():
            if user.keycloak_id == keycloak_id:
                return user.id
        record = UserRecord(uuid4(), keycloak_id, name, email, org_id, frozenset())
        self.users[record.id] = record
        return record.id


class FakeHostDirectory(HostDirectory):
    def __init__(self) -> None:
        self.hosts: dict[UUID, HostRecord] = {}
        self.organizations: dict[UUID, str | None] = {}

    async def get(self, host_id: UUID) -> HostRecord | None:
        return self.hosts.get(host_id)

    async def put_organization_name(self, org_id: UUID, name: str | None) -> None:
        self.organizations.setdefault(org_id, name)


class FakeAlertSeriesRepository(AlertSeriesRepository):
    """Series and inbox ids, kept like rows: a change lands at commit."""

    def __init__(self) -> None:
        self.series: dict[str, AlertSeries] = {}
        self.inbox: set[tuple[str, str]] = set()
        self.repeat_entries: dict[UUID, dict] = {}
        self.staged: dict[str, AlertSeries] = {}
        self.staged_inbox: set[tuple[str, str]] = set()

    async def lock(self, fingerprint: str) -> AlertSeries:
        return copy.deepcopy(self.series.get(fingerprint) or AlertSeries(fingerprint))

    async def save(self, series: AlertSeries) -> None:
        self.staged[series.fingerprint] = copy.deepcopy(series)

    async def write_repeat(self, series: AlertSeries, at: datetime) -> None:
        if series.repeat_activity_id is None:
            series.repeat_activity_id = uuid4()
        self.repeat_entries[series.repeat_activity_id] = {
            "ticketId": series.ticket_id,
            "count": series.repeat_count,
            "lastSeenAt": series.last_seen_at,
        }

    async def forget(self, consumer: str, message_id: str) -> None:
        self.staged_inbox.discard((consumer, message_id))

    def first(self, consumer: str, message_id: str) -> bool:
        if (consumer, message_id) in self.inbox | self.staged_inbox:
            return False
        self.staged_inbox.add((consumer, message_id))
        return True

    def apply_staged(self) -> None:
        self.series.update(self.staged)
        self.inbox |= self.staged_inbox
        self.discard_staged()

    def discard_staged(self) -> None:
        self.staged.clear()
        self.staged_inbox.clear()


class FakeUnitOfWork(UnitOfWork):
    """Shares its stores across instances, like one database; `published` is the outbox."""

    def __init__(
        self,
        tickets: FakeTicketRepository,
        users: FakeUserDirectory,
        hosts: FakeHostDirectory,
        published: list[OutboxMessage],
        alerts: FakeAlertSeriesRepository | None = None,
    ) -> None:
        self.tickets = tickets
        self.users = users
        self.hosts = hosts
        self.alerts = alerts or FakeAlertSeriesRepository()
        self.published = published
        self.answers: list[OutboxMessage] = []
        self.committed = False

    async def __aenter__(self) -> "FakeUnitOfWork":
        self.tickets.seen.clear()
        self.tickets.staged.clear()
        self.committed = False
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.tickets.seen.clear()
        self.tickets.staged.clear()  # not committed: rolled back
        self.alerts.discard_staged()
        self.answers.clear()

    async def first_delivery(self, consumer: str, message_id: str) -> bool:
        return self.alerts.first(consumer, message_id)

    def answer_alert(self, outcome: AlertProcessed) -> None:
        self.answers.append(alert_outcome_message(outcome))

    def answer_command(self, outcome: TicketCommandOutcome) -> None:
        self.answers.append(command_outcome_message(outcome))

    async def commit(self) -> None:
        for ticket in self.tickets.seen.values():
            names = Names(users={u.id: u.name for u in self.users.users.values()})
            self.published.extend(outbox_messages(ticket, names))
            ticket.events.clear()
        self.tickets.apply_staged()
        self.alerts.apply_staged()
        self.published.extend(self.answers)
        self.answers.clear()
        self.committed = True


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 30, 10, 15, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now
