"""The inbox: a consumer records `(consumer, message_id)` in the same transaction as its
effect, so a redelivered message changes nothing."""

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, func, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("message_id", String(100), primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Index("ix_inbox_received_at", "received_at"),
    )


INBOX = inbox_table(MetaData())


async def first_delivery(session: AsyncConnection, consumer: str, message_id: str) -> bool:
    """True the first time this consumer sees `message_id`; False for a redelivery."""
    stmt = (
        insert(INBOX)
        .values(consumer=consumer, message_id=message_id)
        .on_conflict_do_nothing()
        .returning(INBOX.c.message_id)
    )
    return (await session.execute(stmt)).first() is not None


async def first_deliveries(
    session: AsyncConnection, consumer: str, message_ids: list[str]
) -> set[str]:
    """The ids among `message_ids` this consumer sees for the first time (one statement)."""
    if not message_ids:
        return set()
    stmt = (
        insert(INBOX)
        .values([{"consumer": consumer, "message_id": m} for m in dict.fromkeys(message_ids)])
        .on_conflict_do_nothing()
        .returning(INBOX.c.message_id)
    )
    return set((await session.execute(stmt)).scalars())


INBOX_RETENTION_DAYS = 14
_PRUNE = text(
    "DELETE FROM inbox WHERE ctid IN (SELECT ctid FROM inbox WHERE received_at < "
    "now() - make_interval(days => :days) LIMIT 5000)"
)


async def prune_inbox(engine: AsyncEngine, days: int = INBOX_RETENTION_DAYS) -> int:
    """Forget message ids older than any redelivery can be (RabbitMQ redelivers within
    minutes; two weeks is far beyond that). Returns how many rows went."""
    removed = 0
    while True:
        async with engine.begin() as conn:
            count = (await conn.execute(_PRUNE, {"days": days})).rowcount
        removed += count
        if count < 5000:
            return removed
