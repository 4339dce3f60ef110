"""Turns the verified token into the application's Actor, keeping the user reference row
current (upserted from claims; cached so reads do not write)."""

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kohub_platform.auth import Principal
from kohub_ticket.adapters.postgres.repository import SqlUserDirectory
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.ports import UserClaims


class ActorResolver:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl: float = 300.0) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._cache: dict[tuple[Any, ...], tuple[float, Actor]] = {}

    async def __call__(self, principal: Principal) -> Actor:
        claims = UserClaims(
            keycloak_id=principal.subject,
            name=principal.display_name,
            email=principal.email,
            org_id=principal.org_uuid(),
            roles=principal.roles,
        )
        cache_key = (claims.keycloak_id, claims.name, claims.email, claims.org_id, claims.roles)
        hit = self._cache.get(cache_key)
        if hit and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        async with self._sessions() as session, session.begin():
            record = await SqlUserDirectory(session).upsert(claims, datetime.now(UTC))
        actor = Actor(record.id, principal.roles, claims.org_id, claims.name, principal.subject)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[cache_key] = (time.monotonic(), actor)
        return actor
