"""The ticket service's unit of work: repositories on one session, and at commit the
outbox messages of every event the touched tickets recorded."""

from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.alerts import AlertProcessed
from kohub_contracts.commands import TicketCommandOutcome
from kohub_platform.db import SqlUnitOfWork
from kohub_platform.inbox import first_delivery
from kohub_platform.outbox import OutboxMessage
from kohub_ticket.adapters.messaging.mapping import (
    Names,
    alert_outcome_message,
    command_outcome_message,
    outbox_messages,
    user_ids_of,
)
from kohub_ticket.adapters.postgres.alerts import SqlAlertSeriesRepository
from kohub_ticket.adapters.postgres.repository import (
    SqlHostDirectory,
    SqlTicketRepository,
    SqlUserDirectory,
)
from kohub_ticket.domain.model import Ticket

# One round trip for every name an event carries.
_NAMES = text(
    """
    SELECT (SELECT name FROM organizations WHERE id = :org_id) AS organization_name,
           (SELECT name FROM hosts WHERE id = :host_id) AS host_name,
           (SELECT status FROM hosts WHERE id = :host_id) AS host_status,
           (SELECT coalesce(json_object_agg(id, coalesce(name, email)), '{}')
              FROM users WHERE id = ANY(:user_ids)) AS users
    """
)


class TicketUnitOfWork(SqlUnitOfWork):
    tickets: SqlTicketRepository
    users: SqlUserDirectory
    hosts: SqlHostDirectory
    alerts: SqlAlertSeriesRepository

    def _bind(self, session: AsyncConnection) -> None:
        self.tickets = SqlTicketRepository(session)
        self.users = SqlUserDirectory(session)
        self.hosts = SqlHostDirectory(session)
        self.alerts = SqlAlertSeriesRepository(session)
        self.names: dict[UUID, Names] = {}
        self.command_answers: list[OutboxMessage] = []

    async def first_delivery(self, consumer: str, message_id: str) -> bool:
        return await first_delivery(self.session, consumer, message_id)

    def answer_alert(self, outcome: AlertProcessed) -> None:
        self.outbox.add(alert_outcome_message(outcome))

    def answer_command(self, outcome: TicketCommandOutcome) -> None:
        # after the ticket's own events (added at commit): a created ticket comes first
        self.command_answers.append(command_outcome_message(outcome))

    async def commit(self) -> None:
        for ticket in self.tickets.seen.values():
            if not ticket.events:
                continue
            names = self._names_known_at_insert(ticket)
            if names is None:
                names = await self._names(ticket)
            self.names[ticket.id] = names
            for message in outbox_messages(ticket, names):
                self.outbox.add(message)
            ticket.events.clear()
        for answer in self.command_answers:
            self.outbox.add(answer)
        self.command_answers.clear()
        await super().commit()

    def _names_known_at_insert(self, ticket: Ticket) -> Names | None:
        """A ticket just opened: its INSERT returned every name its event needs."""
        known = self.tickets.names_at_insert.get(ticket.id)
        if known is None or user_ids_of(ticket) - {ticket.reporter_id}:
            return None
        users = {ticket.reporter_id: known["reporter_name"]} if ticket.reporter_id else {}
        return Names(
            users=users,
            host_name=known["host_name"],
            host_status=known["host_status"],
            organization_name=known["organization_name"],
        )

    async def _names(self, ticket: Ticket) -> Names:
        row = (
            await self.session.execute(
                _NAMES,
                {
                    "org_id": ticket.org_id,
                    "host_id": ticket.host_id,
                    "user_ids": list(user_ids_of(ticket)),
                },
            )
        ).one()
        return Names(
            users={UUID(k): v for k, v in row.users.items()},
            host_name=row.host_name,
            host_status=row.host_status,
            organization_name=row.organization_name,
        )
