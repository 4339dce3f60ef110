"""The inbox: a consumer records `(consumer, message_id)` in the same transaction as its
effect, so a redelivered message changes nothing."""

from sqlalchemy import Column, DateTime, MetaData, String, Table, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("message_id", String(100), primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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
