"""The async SQLAlchemy engine and a unit of work that commits state and outbox rows together."""

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from kohub_platform.outbox import OutboxBuffer

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    """Table metadata with kohub's constraint names, so migrations name them the same way."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping: it costs three round trips per checkout; a connection the server
        # closed fails its statement, is dropped from the pool, and the caller retries.
        pool_pre_ping=False,
        pool_recycle=1800,
        echo=echo,
    )


Sessions = Callable[[], AsyncConnection]


def session_factory(engine: AsyncEngine) -> Sessions:
    """Database sessions as Core connections: kohub uses no ORM, and a connection runs a
    statement with less overhead than an ORM session (it begins a transaction by itself)."""
    return engine.connect


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The same database as a plain libpq URL, for asyncpg connections of our own (LISTEN)."""
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)


class SqlUnitOfWork:
    """One transaction: the handler's rows and the events it recorded commit or roll back together.

    Services subclass it to attach their repositories in `_bind(session)`.
    """

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self.session: AsyncConnection
        self.outbox = OutboxBuffer()

    def _bind(self, session: AsyncConnection) -> None:
        """Attach repositories to the session (overridden by services)."""

    async def __aenter__(self) -> Self:
        self.session = await self._sessions().start()
        self.outbox = OutboxBuffer()
        self._bind(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.outbox.flush(self.session)
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
