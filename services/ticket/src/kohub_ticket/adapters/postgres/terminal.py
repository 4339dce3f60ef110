"""The read side of terminal work: a ticket's session logs, one log with its recording, when
an operator opened a host's terminal from a ticket, the commands as resolution knowledge,
and the operators a ticket can be assigned to."""

import zlib
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_contracts.enums import ActivityType, Role
from kohub_contracts.terminal import TerminalCommand
from kohub_contracts.tickets import (
    Assignee,
    ContextCommand,
    ResolutionContext,
    ResolutionResponse,
    TerminalLogDetail,
    TerminalLogResponse,
    UserRef,
)
from kohub_ticket.adapters.postgres.tables import (
    activities,
    hosts,
    resolutions,
    terminal_logs,
    tickets,
    users,
)
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.errors import TicketNotFound

STAFF_ROLES = [Role.MSP_OPERATOR.value, Role.MSP_ADMIN.value]


class SqlTerminalQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def logs(self, actor: Actor, ticket_id: UUID) -> list[TerminalLogResponse]:
        async with self._engine.connect() as conn:
            await ensure_visible(conn, actor, ticket_id)
            rows = await terminal_log_rows(conn, ticket_id, with_log=True)
        return [TerminalLogResponse(**log_fields(r), command_log=r["command_log"]) for r in rows]

    async def log(self, actor: Actor, ticket_id: UUID, log_id: UUID) -> TerminalLogDetail:
        columns = [
            *_summary_columns(),
            terminal_logs.c.command_log,
            terminal_logs.c.commands,
            terminal_logs.c.command_source,
            terminal_logs.c.cast_zlib,
        ]
        stmt = (
            select(*columns)
            .select_from(terminal_logs.outerjoin(users, users.c.id == terminal_logs.c.user_id))
            .where(terminal_logs.c.ticket_id == ticket_id, terminal_logs.c.id == log_id)
        )
        async with self._engine.connect() as conn:
            await ensure_visible(conn, actor, ticket_id)
            row = (await conn.execute(stmt)).mappings().first()
        if row is None:
            raise TicketNotFound()
        packed = row["cast_zlib"]
        return TerminalLogDetail(
            **log_fields(row),
            command_log=row["command_log"],
            commands=[TerminalCommand(offset=c["offset"], text=c["text"]) for c in row["commands"]],
            command_source=row["command_source"],
            cast=zlib.decompress(packed).decode() if packed is not None else None,
        )

    async def ticket_scope(self, actor: Actor, ticket_id: UUID) -> tuple[UUID, UUID | None]:
        stmt = select(tickets.c.org_id, tickets.c.host_id).where(tickets.c.id == ticket_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None or not actor.can_see(row.org_id):
            raise TicketNotFound()
        return row.org_id, row.host_id

    async def host_org(self, host_id: UUID) -> UUID | None:
        stmt = select(hosts.c.org_id).where(hosts.c.id == host_id)
        async with self._engine.connect() as conn:
            return (await conn.execute(stmt)).scalar_one_or_none()  # type: ignore[no-any-return]

    async def window_start(
        self, ticket_id: UUID, user_id: UUID | None, host_id: UUID
    ) -> datetime | None:
        """The operator's first opening of the host's terminal from this ticket since they
        last collected its sessions here (reloading the terminal page opens it again: the
        sessions since the first opening are wanted); the last opening when none is newer."""
        collected = (
            select(func.max(terminal_logs.c.created_at))
            .where(
                terminal_logs.c.ticket_id == ticket_id,
                terminal_logs.c.user_id == user_id,
                terminal_logs.c.host_id == host_id,
                terminal_logs.c.source == "TERMIX",
            )
            .scalar_subquery()
        )
        openings = select(activities.c.created_at).where(
            activities.c.ticket_id == ticket_id,
            activities.c.type == ActivityType.TERMINAL_ACCESS.value,
            activities.c.metadata["opened"].as_boolean().is_(True),
            activities.c.metadata["hostId"].as_string() == str(host_id),
            activities.c.user_id == user_id,
        )
        since_collected = openings.where(
            or_(collected.is_(None), activities.c.created_at > collected)
        ).order_by(activities.c.seq)
        async with self._engine.connect() as conn:
            first = (await conn.execute(since_collected.limit(1))).scalar_one_or_none()
            if first is not None:
                return first  # type: ignore[no-any-return]
            latest = openings.order_by(activities.c.seq.desc()).limit(1)
            return (await conn.execute(latest)).scalar_one_or_none()  # type: ignore[no-any-return]

    async def attached_sessions(self, ticket_id: UUID) -> set[str]:
        stmt = select(terminal_logs.c.session_id).where(terminal_logs.c.ticket_id == ticket_id)
        async with self._engine.connect() as conn:
            return set((await conn.execute(stmt)).scalars())

    async def resolution_context(self, actor: Actor, ticket_id: UUID) -> ResolutionContext:
        resolver = users.alias("resolver")
        ticket_stmt = (
            select(
                *(tickets.c[n] for n in ("id", "key", "title", "host_id", "org_id")),
                *resolution_columns(resolver),
            )
            .select_from(
                tickets.outerjoin(resolutions, resolutions.c.ticket_id == tickets.c.id).outerjoin(
                    resolver, resolver.c.id == resolutions.c.resolver_id
                )
            )
            .where(tickets.c.id == ticket_id)
        )
        logs_stmt = (
            select(
                terminal_logs.c.session_id,
                terminal_logs.c.host_id,
                terminal_logs.c.started_at,
                terminal_logs.c.commands,
            )
            .where(terminal_logs.c.ticket_id == ticket_id)
            .order_by(terminal_logs.c.started_at)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(ticket_stmt)).mappings().first()
            if row is None or not actor.can_see(row["org_id"]):
                raise TicketNotFound()
            logs = (await conn.execute(logs_stmt)).mappings().all()
        commands = [
            ContextCommand(
                session_id=log["session_id"],
                host_id=log["host_id"],
                at=log["started_at"] + timedelta(seconds=float(c["offset"])),
                text=c["text"],
            )
            for log in logs
            for c in log["commands"]
        ]
        return ResolutionContext(
            ticket_id=row["id"],
            key=row["key"],
            title=row["title"],
            host_id=row["host_id"],
            resolution=resolution_from(row),
            commands=commands,
        )

    async def assignees(self, actor: Actor) -> list[Assignee]:
        stmt = (
            select(users.c.id, users.c.name, users.c.email)
            .where(users.c.roles.overlap(STAFF_ROLES), users.c.status == "ACTIVE")
            .order_by(users.c.name, users.c.id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [
            Assignee(id=r["id"], name=r["name"], email=r["email"], me=r["id"] == actor.user_id)
            for r in rows
        ]


async def ensure_visible(conn: Any, actor: Actor, ticket_id: UUID) -> None:
    org_id = (
        await conn.execute(select(tickets.c.org_id).where(tickets.c.id == ticket_id))
    ).scalar_one_or_none()
    if org_id is None or not actor.can_see(org_id):
        raise TicketNotFound()


async def terminal_log_rows(conn: Any, ticket_id: UUID, *, with_log: bool) -> Any:
    columns = _summary_columns() + ([terminal_logs.c.command_log] if with_log else [])
    stmt = (
        select(*columns)
        .select_from(terminal_logs.outerjoin(users, users.c.id == terminal_logs.c.user_id))
        .where(terminal_logs.c.ticket_id == ticket_id)
        .order_by(terminal_logs.c.started_at)
    )
    return (await conn.execute(stmt)).mappings().all()


def _summary_columns() -> list[Any]:
    return [
        terminal_logs.c.id,
        terminal_logs.c.session_id,
        terminal_logs.c.started_at,
        terminal_logs.c.ended_at,
        terminal_logs.c.host_id,
        terminal_logs.c.user_id,
        users.c.name.label("user_name"),
        terminal_logs.c.source,
        terminal_logs.c.command_count,
        terminal_logs.c.redactions,
        and_(terminal_logs.c.cast_zlib.is_not(None)).label("cast_available"),
    ]


def log_fields(r: Any) -> dict[str, Any]:
    return {
        "id": r["id"],
        "session_id": r["session_id"],
        "started_at": r["started_at"],
        "ended_at": r["ended_at"],
        "host_id": r["host_id"],
        "user": user_ref(r["user_id"], r["user_name"]),
        "source": r["source"],
        "command_count": r["command_count"],
        "redactions": r["redactions"],
        "cast_available": r["cast_available"],
    }


def resolution_columns(resolver: Any) -> list[Any]:
    """The resolution's columns as `resolution_from` reads them (`resolver`: users, aliased)."""
    return [
        resolutions.c.summary.label("res_summary"),
        resolutions.c.action_taken.label("res_action"),
        resolutions.c.ai_suggestion_used.label("res_ai"),
        resolutions.c.resolver_id.label("res_by"),
        resolver.c.name.label("res_by_name"),
        resolutions.c.resolved_at.label("res_at"),
    ]


def resolution_from(row: Any) -> ResolutionResponse | None:
    if row["res_summary"] is None:
        return None
    return ResolutionResponse(
        summary=row["res_summary"],
        action_taken=row["res_action"],
        ai_suggestion_used=row["res_ai"],
        resolved_by=user_ref(row["res_by"], row["res_by_name"]),
        resolved_at=row["res_at"],
    )


def user_ref(user_id: UUID | None, name: str | None) -> UserRef | None:
    return UserRef(id=user_id, name=name) if user_id else None
