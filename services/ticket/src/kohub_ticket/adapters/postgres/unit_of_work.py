"""The ticket service's unit of work: repositories on one session, and at commit the
outbox messages of every event the touched tickets recorded."""

from kohub_platform.db import SqlUnitOfWork
from kohub_platform.inbox import first_delivery
from kohub_ticket.adapters.messaging.mapping import Names, outbox_messages, user_ids_of
from kohub_ticket.adapters.postgres.repository import (
    SqlHostDirectory,
    SqlTicketRepository,
    SqlUserDirectory,
)


class TicketUnitOfWork(SqlUnitOfWork):
    tickets: SqlTicketRepository
    users: SqlUserDirectory
    hosts: SqlHostDirectory

    def _bind(self, session) -> None:  # type: ignore[no-untyped-def]
        self.tickets = SqlTicketRepository(session)
        self.users = SqlUserDirectory(session)
        self.hosts = SqlHostDirectory(session)

    async def first_delivery(self, consumer: str, message_id: str) -> bool:
        return await first_delivery(self.session, consumer, message_id)

    async def commit(self) -> None:
        for ticket in self.tickets.seen.values():
            if not ticket.events:
                continue
            host = await self.hosts.get(ticket.host_id) if ticket.host_id else None
            names = Names(
                users=await self.users.names(user_ids_of(ticket)),
                host_name=host.name if host else None,
                organization_name=await self.hosts.organization_name(ticket.org_id),
            )
            for message in outbox_messages(ticket, names):
                self.outbox.add(message)
            ticket.events.clear()
        await super().commit()
