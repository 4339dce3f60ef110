"""Users as reference rows: every service keeps the users it has seen, upserted from the
claims of their verified tokens (Keycloak stays the master)."""

import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, MetaData, String, Table, func
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_platform.auth import Principal

T = TypeVar("T")


def users_table(metadata: MetaData) -> Table:
    return Table(
        "users",
        metadata,
        Column("id", PgUUID(as_uuid=True), primary_key=True),
        Column("keycloak_id", String(100), nullable=False, unique=True),
        Column("org_id", PgUUID(as_uuid=True)),
        Column("email", String(320)),
        Column("name", String(200)),
        Column("roles", ARRAY(String(100)), nullable=False, server_default="{}"),
        Column("status", String(20), nullable=False, server_default="ACTIVE"),
        Column("last_login_at", DateTime(timezone=True)),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def upsert_user(
    session: AsyncConnection,
    table: Table,
    *,
    keycloak_id: str,
    name: str | None,
    email: str | None,
    org_id: UUID | None,
    roles: frozenset[str],
    at: datetime,
) -> UUID:
    values = {
        "name": name,
        "email": email,
        "org_id": org_id,
        "roles": sorted(roles),
        "last_login_at": at,
    }
    stmt = (
        insert(table)
        .values(id=uuid4(), keycloak_id=keycloak_id, **values)
        .on_conflict_do_update(index_elements=["keycloak_id"], set_=values)
        .returning(table.c.id)
    )
    return (await session.execute(stmt)).scalar_one()


class PrincipalCache(Generic[T]):
    """Remembers what a principal resolved to, so reads do not write the user row each time;
    a change in the token's claims resolves again."""

    def __init__(self, resolve: Callable[[Principal], Awaitable[T]], ttl: float = 300.0) -> None:
        self._resolve = resolve
        self._ttl = ttl
        self._entries: dict[tuple[object, ...], tuple[float, T]] = {}

    async def __call__(self, principal: Principal) -> T:
        key = (
            principal.subject,
            principal.display_name,
            principal.email,
            principal.org_id,
            principal.roles,
        )
        hit = self._entries.get(key)
        if hit and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        value = await self._resolve(principal)
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[key] = (time.monotonic(), value)
        return value
