"""Turns the verified token into the application's Actor, keeping the user reference row
current (upserted from claims; cached so reads do not write)."""

from datetime import UTC, datetime

from kohub_contracts.enums import Role
from kohub_platform.auth import Principal
from kohub_platform.db import Sessions
from kohub_platform.users import PrincipalCache
from kohub_ticket.adapters.postgres.repository import SqlUserDirectory
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.ports import UserClaims


def actor_resolver(sessions: Sessions) -> PrincipalCache[Actor]:
    async def resolve(principal: Principal) -> Actor:
        claims = UserClaims(
            keycloak_id=principal.subject,
            name=principal.display_name,
            email=principal.email,
            org_id=principal.org_uuid(),
            roles=principal.roles,
        )
        async with sessions() as session, session.begin():
            record = await SqlUserDirectory(session).upsert(claims, datetime.now(UTC))
        # The system role is for the service's own bus consumers; a token cannot claim it.
        roles = principal.roles - {Role.INTEGRATION.value}
        return Actor(record.id, roles, claims.org_id, claims.name, principal.subject)

    return PrincipalCache(resolve)
