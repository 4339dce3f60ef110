"""The adapter gateway's unit of work (sources, the host read model, outcomes)."""

from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_adapter.adapters.postgres.outcomes import SqlOutcomeStore
from kohub_adapter.adapters.postgres.read_model import SqlHostReadModel
from kohub_adapter.adapters.postgres.sources import SqlSourceRepository
from kohub_platform.db import Sessions, SqlUnitOfWork
from kohub_platform.inbox import first_delivery
from kohub_platform.secrets import SecretBox


class AdapterUnitOfWork(SqlUnitOfWork):
    sources: SqlSourceRepository
    hosts: SqlHostReadModel
    outcomes: SqlOutcomeStore

    def __init__(self, sessions: Sessions, box: SecretBox) -> None:
        super().__init__(sessions)
        self._box = box

    def _bind(self, session: AsyncConnection) -> None:
        self.sources = SqlSourceRepository(session, self._box)
        self.hosts = SqlHostReadModel(session)
        self.outcomes = SqlOutcomeStore(session)

    async def first_delivery(self, consumer: str, message_id: str) -> bool:
        return await first_delivery(self.session, consumer, message_id)
