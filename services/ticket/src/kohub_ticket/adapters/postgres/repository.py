"""PostgreSQL adapters of the ticket ports."""

import zlib
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Integer, bindparam, func, insert, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.enums import SyncStatus, TicketPriority, TicketSource, TicketStatus
from kohub_contracts.events import TicketSyncChanged
from kohub_platform.users import upsert_user
from kohub_ticket.adapters.postgres.tables import (
    activities,
    hosts,
    organizations,
    resolutions,
    terminal_logs,
    tickets,
    users,
)
from kohub_ticket.application.ports import HostRecord, UserClaims, UserRecord
from kohub_ticket.domain.events import Resolved
from kohub_ticket.domain.model import Ticket
from kohub_ticket.domain.records import Resolution

# A recording this large compressed (hours of busy output) is not kept; its commands are.
MAX_STORED_CAST_BYTES = 8 * 1024 * 1024

_TICKET_STATE = (
    "title",
    "description",
    "priority",
    "status",
    "host_id",
    "assignee_id",
    "resolution_summary",
    "external_system",
    "external_ticket_id",
    "sync_status",
    "received_at",
    "updated_at",
)


# Built once: a statement constructed per call costs more CPU than the round trip.
# KH-<year>-<number of at least four digits>, from the year's sequence (see the migration)
_INSERT_TICKET = (
    insert(tickets)
    .values(key=func.next_ticket_key(bindparam("year", type_=Integer)))
    # the names its created event carries, in the same round trip
    .returning(
        tickets.c.key,
        # correlated to the inserted row (SQLAlchemy does not correlate inside RETURNING)
        literal_column("(SELECT name FROM organizations WHERE id = tickets.org_id)").label(
            "organization_name"
        ),
        literal_column(
            "(SELECT name FROM hosts WHERE id = tickets.host_id AND org_id = tickets.org_id)"
        ).label("host_name"),
        literal_column(
            "(SELECT status FROM hosts WHERE id = tickets.host_id AND org_id = tickets.org_id)"
        ).label("host_status"),
        literal_column(
            "(SELECT coalesce(name, email) FROM users WHERE id = tickets.reporter_id)"
        ).label("reporter_name"),
    )
)
_UPDATE_TICKET = (
    update(tickets)
    .where(tickets.c.id == bindparam("ticket_id"), tickets.c.version == bindparam("seen_version"))
    .values(version=tickets.c.version + 1)
)


class SqlTicketRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session
        self.seen: dict[UUID, Ticket] = {}
        self.names_at_insert: dict[UUID, dict[str, Any]] = {}

    async def add(self, ticket: Ticket) -> None:
        inserted = (
            await self._session.execute(
                _INSERT_TICKET,
                {
                    **_row(ticket),
                    "year": ticket.created_at.year,
                    "id": ticket.id,
                    "org_id": ticket.org_id,
                    "reporter_id": ticket.reporter_id,
                    "source": ticket.source.value,
                    "source_event_id": ticket.source_event_id,
                    "created_at": ticket.created_at,
                    "version": ticket.version,
                },
            )
        ).one()
        ticket.key = inserted.key
        self.names_at_insert[ticket.id] = inserted._asdict()
        await self._write_children(ticket)
        self.seen[ticket.id] = ticket

    async def get(self, ticket_id: UUID, *, for_update: bool = True) -> Ticket | None:
        stmt = select(tickets).where(tickets.c.id == ticket_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self._session.execute(stmt)).mappings().first()
        if row is None:
            return None
        res = (
            (
                await self._session.execute(
                    select(resolutions).where(resolutions.c.ticket_id == ticket_id)
                )
            )
            .mappings()
            .first()
        )
        ticket = _ticket(row, res)
        self.seen[ticket.id] = ticket
        return ticket

    async def save(self, ticket: Ticket) -> None:
        result = await self._session.execute(
            _UPDATE_TICKET, {**_row(ticket), "ticket_id": ticket.id, "seen_version": ticket.version}
        )
        if result.rowcount != 1:  # the row lock makes this unreachable unless misused
            raise RuntimeError(f"ticket {ticket.id} changed under a held lock")
        ticket.version += 1
        await self._write_children(ticket)
        self.seen[ticket.id] = ticket

    async def find_linked(self, external_system: str, external_ticket_id: str) -> Ticket | None:
        ticket_id = (
            await self._session.execute(
                select(tickets.c.id).where(
                    tickets.c.external_system == external_system,
                    tickets.c.external_ticket_id == external_ticket_id,
                )
            )
        ).scalar_one_or_none()
        return await self.get(ticket_id) if ticket_id else None

    async def set_sync_state(self, change: TicketSyncChanged) -> bool:
        result = await self._session.execute(
            update(tickets)
            .where(tickets.c.id == change.ticket_id, tickets.c.sync_seq < change.sequence)
            .values(
                sync_status=change.sync_status.value,
                sync_seq=change.sequence,
                external_system=func.coalesce(change.external_system, tickets.c.external_system),
                external_ticket_id=func.coalesce(
                    change.external_ticket_id, tickets.c.external_ticket_id
                ),
            )
        )
        return result.rowcount == 1

    async def _write_children(self, ticket: Ticket) -> None:
        if ticket.new_activities:
            await self._session.execute(
                insert(activities),
                [
                    {
                        "id": a.id,
                        "ticket_id": ticket.id,
                        "user_id": a.user_id,
                        "type": a.type.value,
                        "content": a.content,
                        "metadata": a.metadata,
                        "created_at": a.created_at,
                    }
                    for a in ticket.new_activities
                ],
            )
            ticket.new_activities.clear()
        for log in ticket.new_terminal_logs:
            await self._session.execute(
                insert(terminal_logs).values(
                    id=log.id,
                    ticket_id=ticket.id,
                    host_id=log.host_id,
                    user_id=log.user_id,
                    session_id=log.session_id,
                    command_log=log.command_log,
                    started_at=log.started_at,
                    ended_at=log.ended_at,
                    source=log.source,
                    commands=[{"offset": c.offset, "text": c.text} for c in log.commands],
                    command_count=len(log.commands) or _lines(log.command_log),
                    command_source=log.command_source,
                    redactions=log.redactions,
                    **packed_cast(log.cast),
                )
            )
        ticket.new_terminal_logs.clear()
        if ticket.resolution and any(isinstance(e, Resolved) for e in ticket.events):
            r = ticket.resolution
            values = {
                "resolver_id": r.resolver_id,
                "summary": r.summary,
                "action_taken": r.action_taken,
                "ai_suggestion_used": r.ai_suggestion_used,
                "resolved_at": r.resolved_at,
            }
            await self._session.execute(
                pg_insert(resolutions)
                .values(id=uuid4(), ticket_id=ticket.id, **values)
                .on_conflict_do_update(index_elements=["ticket_id"], set_=values)
            )


def _row(ticket: Ticket) -> dict[str, Any]:
    values = {name: getattr(ticket, name) for name in _TICKET_STATE}
    for name in ("priority", "status", "sync_status"):
        values[name] = values[name].value
    return values


def _ticket(row: Any, res: Any) -> Ticket:
    resolution = (
        Resolution(
            res["resolver_id"],
            res["summary"],
            res["action_taken"],
            res["ai_suggestion_used"],
            res["resolved_at"],
        )
        if res
        else None
    )
    return Ticket(
        id=row["id"],
        key=row["key"],
        org_id=row["org_id"],
        title=row["title"],
        description=row["description"],
        priority=TicketPriority(row["priority"]),
        source=TicketSource(row["source"]),
        status=TicketStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        host_id=row["host_id"],
        received_at=row["received_at"],
        reporter_id=row["reporter_id"],
        assignee_id=row["assignee_id"],
        source_event_id=row["source_event_id"],
        external_system=row["external_system"],
        external_ticket_id=row["external_ticket_id"],
        sync_status=SyncStatus(row["sync_status"]),
        resolution_summary=row["resolution_summary"],
        resolution=resolution,
        version=row["version"],
    )


class SqlUserDirectory:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def upsert(self, claims: UserClaims, at: datetime) -> UserRecord:
        if claims.org_id is not None:
            await self._session.execute(
                pg_insert(organizations).values(id=claims.org_id).on_conflict_do_nothing()
            )
        user_id = await upsert_user(
            self._session,
            users,
            keycloak_id=claims.keycloak_id,
            name=claims.name,
            email=claims.email,
            org_id=claims.org_id,
            roles=claims.roles,
            at=at,
        )
        return UserRecord(
            user_id, claims.keycloak_id, claims.name, claims.email, claims.org_id, claims.roles
        )

    async def get(self, user_id: UUID) -> UserRecord | None:
        row = (
            (await self._session.execute(select(users).where(users.c.id == user_id)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return UserRecord(
            row["id"],
            row["keycloak_id"],
            row["name"],
            row["email"],
            row["org_id"],
            frozenset(row["roles"]),
        )

    async def ensure(
        self, keycloak_id: str, name: str | None, email: str | None, org_id: UUID
    ) -> UUID:
        known = {"name": name, "email": email}
        stmt = (
            pg_insert(users)
            .values(id=uuid4(), keycloak_id=keycloak_id, org_id=org_id, **known)
            .on_conflict_do_update(
                index_elements=["keycloak_id"],
                set_={k: func.coalesce(v, users.c[k]) for k, v in known.items()},
            )
            .returning(users.c.id)
        )
        return (await self._session.execute(stmt)).scalar_one()

    async def names(self, user_ids: set[UUID]) -> dict[UUID, str | None]:
        if not user_ids:
            return {}
        rows = await self._session.execute(
            select(users.c.id, func.coalesce(users.c.name, users.c.email)).where(
                users.c.id.in_(user_ids)
            )
        )
        return {row[0]: row[1] for row in rows}


class SqlHostDirectory:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def get(self, host_id: UUID) -> HostRecord | None:
        row = (
            (await self._session.execute(select(hosts).where(hosts.c.id == host_id)))
            .mappings()
            .first()
        )
        return HostRecord(row["id"], row["org_id"], row["name"], row["status"]) if row else None

    async def organization_name(self, org_id: UUID) -> str | None:
        return (
            await self._session.execute(
                select(organizations.c.name).where(organizations.c.id == org_id)
            )
        ).scalar_one_or_none()

    async def put(self, host: HostRecord, version: int) -> None:
        values = {
            "org_id": host.org_id,
            "name": host.name,
            "status": host.status,
            "version": version,
            "updated_at": func.now(),
        }
        await self._session.execute(
            pg_insert(hosts)
            .values(id=host.id, **values)
            .on_conflict_do_update(
                index_elements=["id"], set_=values, where=hosts.c.version < version
            )
        )

    async def put_organization_name(self, org_id: UUID, name: str | None) -> None:
        stmt = pg_insert(organizations).values(id=org_id, name=name)
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={"name": stmt.excluded.name},
                where=organizations.c.name.is_(None),
            )
        )

    async def put_organization(self, org_id: UUID, name: str | None) -> None:
        values = {"name": name, "updated_at": func.now()}
        await self._session.execute(
            pg_insert(organizations)
            .values(id=org_id, **values)
            .on_conflict_do_update(index_elements=["id"], set_=values)
        )


def _lines(command_log: str) -> int:
    return sum(1 for line in command_log.splitlines() if line.strip())


def packed_cast(cast: str | None) -> dict[str, Any]:
    """The recording compressed for its column; over MAX_STORED_CAST_BYTES compressed, only
    its size is kept (the command log still is)."""
    if cast is None:
        return {"cast_zlib": None, "cast_bytes": None}
    raw = cast.encode()
    packed = zlib.compress(raw, 6)
    return {
        "cast_zlib": packed if len(packed) <= MAX_STORED_CAST_BYTES else None,
        "cast_bytes": len(raw),
    }
