"""The host service's unit of work: at commit, outbox rows for every host and organization
change, with the full current state."""

from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_host.adapters.messaging.mapping import host_messages, organization_message
from kohub_host.adapters.postgres.repository import SqlHostRepository, SqlOrganizationRepository
from kohub_platform.db import SqlUnitOfWork
from kohub_platform.inbox import first_delivery


class HostUnitOfWork(SqlUnitOfWork):
    hosts: SqlHostRepository
    organizations: SqlOrganizationRepository

    def _bind(self, session: AsyncConnection) -> None:
        self.hosts = SqlHostRepository(session)
        self.organizations = SqlOrganizationRepository(session)

    async def first_delivery(self, consumer: str, message_id: str) -> bool:
        return await first_delivery(self.session, consumer, message_id)

    async def commit(self) -> None:
        for org in self.organizations.changed.values():
            self.outbox.add(organization_message(org))
        self.organizations.changed.clear()
        for host in self.hosts.seen.values():
            if host.events:
                name = await self.organizations.name_of(host.org_id)
                for message in host_messages(host, name):
                    self.outbox.add(message)
                host.events.clear()
        await super().commit()
