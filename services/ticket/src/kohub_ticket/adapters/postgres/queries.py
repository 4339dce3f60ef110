"""Ticket reads straight from PostgreSQL into the HTTP contracts (no aggregate needed)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased

from kohub_contracts.common import Page, Ref
from kohub_contracts.enums import ActivityType, HostStatus, TicketStatus
from kohub_contracts.tickets import (
    ActivityResponse,
    HostRef,
    TerminalLogSummary,
    TicketDetailResponse,
    TicketListItem,
    TicketSort,
    TicketStats,
)
from kohub_platform.pagination import InvalidCursor, decode_cursor, encode_cursor, like_pattern
from kohub_ticket.adapters.postgres.stats import ticket_stats
from kohub_ticket.adapters.postgres.tables import (
    activities,
    hosts,
    organizations,
    resolutions,
    tickets,
    users,
)
from kohub_ticket.adapters.postgres.terminal import (
    ensure_visible,
    log_fields,
    resolution_columns,
    resolution_from,
    terminal_log_rows,
    user_ref,
)
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.errors import InvalidRequest, TicketNotFound
from kohub_ticket.application.queries import TicketFilter
from kohub_ticket.application.texts import describe
from kohub_ticket.domain.states import allowed_targets

# a host only shows on a ticket of its own organization
_HOST_OF_TICKET = and_(hosts.c.id == tickets.c.host_id, hosts.c.org_id == tickets.c.org_id)
_SORT_COLUMNS: dict[str, tuple[Any, ...]] = {
    "createdAt": (tickets.c.created_at, tickets.c.id),
    "updatedAt": (tickets.c.updated_at, tickets.c.id),
    "priority": (tickets.c.priority_rank, tickets.c.created_at, tickets.c.id),
}
assignee_users = aliased(users)
CUSTOMER_VISIBLE_ACTIVITIES = frozenset({ActivityType.STATUS_CHANGE, ActivityType.COMMENT})


def _converter(column: Any) -> Any:
    if column is tickets.c.id:
        return UUID
    if column is tickets.c.priority_rank:
        return int
    return datetime.fromisoformat


def _decode_cursor(cursor: str, sort: TicketSort) -> list[Any]:
    columns = _SORT_COLUMNS[sort.value.lstrip("-")]
    try:
        return decode_cursor(cursor, sort.value, [_converter(c) for c in columns])
    except InvalidCursor as exc:
        raise InvalidRequest("The cursor is not valid for this list.") from exc


def _filtered(stmt: Select[Any], actor: Actor, flt: TicketFilter) -> Select[Any]:
    conditions = []
    visible = None if (actor.is_operator or actor.is_system) else actor.org_id
    if visible is not None:
        conditions.append(tickets.c.org_id == visible)
    if flt.organization_id is not None:
        conditions.append(tickets.c.org_id == flt.organization_id)
    if flt.statuses:
        conditions.append(tickets.c.status.in_([s.value for s in flt.statuses]))
    if flt.priorities:
        conditions.append(tickets.c.priority.in_([p.value for p in flt.priorities]))
    if flt.sources:
        conditions.append(tickets.c.source.in_([s.value for s in flt.sources]))
    if flt.host_id is not None:
        conditions.append(tickets.c.host_id == flt.host_id)
    if flt.assignee_id is not None:
        conditions.append(tickets.c.assignee_id == flt.assignee_id)
    if flt.text:
        pattern = like_pattern(flt.text)
        conditions.append(or_(tickets.c.title.ilike(pattern), tickets.c.description.ilike(pattern)))
    if flt.created_from is not None:
        conditions.append(tickets.c.created_at >= flt.created_from)
    if flt.created_to is not None:
        conditions.append(tickets.c.created_at < flt.created_to)
    return stmt.where(and_(*conditions)) if conditions else stmt


class SqlTicketQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def search(self, actor: Actor, flt: TicketFilter) -> Page[TicketListItem]:
        if not (actor.is_operator or actor.is_system) and actor.org_id is None:
            return Page(items=[], total=0, limit=flt.limit)
        field = flt.sort.value.lstrip("-")
        descending = flt.sort.value.startswith("-")
        columns = _SORT_COLUMNS[field]
        stmt = _filtered(
            select(
                tickets.c.id,
                tickets.c.key,
                tickets.c.title,
                tickets.c.status,
                tickets.c.priority,
                tickets.c.source,
                tickets.c.org_id,
                tickets.c.host_id,
                hosts.c.name.label("host_name"),
                hosts.c.status.label("host_status"),
                tickets.c.assignee_id,
                assignee_users.c.name.label("assignee_name"),
                tickets.c.created_at,
                tickets.c.updated_at,
                tickets.c.priority_rank,
            ).select_from(
                tickets.outerjoin(hosts, _HOST_OF_TICKET).outerjoin(
                    assignee_users, assignee_users.c.id == tickets.c.assignee_id
                )
            ),
            actor,
            flt,
        )
        count_stmt = _filtered(select(func.count()).select_from(tickets), actor, flt)
        if flt.cursor:
            after = _decode_cursor(flt.cursor, flt.sort)
            keyset = tuple_(*columns)
            stmt = stmt.where(keyset < tuple_(*after) if descending else keyset > tuple_(*after))
        order = [c.desc() if descending else c.asc() for c in columns]
        stmt = stmt.order_by(*order).limit(flt.limit + 1)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
            total = (await conn.execute(count_stmt)).scalar_one()
        page_rows = rows[: flt.limit]
        next_cursor = None
        if len(rows) > flt.limit:
            last = page_rows[-1]
            values = [last[c.name] for c in columns]
            next_cursor = encode_cursor(flt.sort.value, values)
        return Page(
            items=[_list_item(r) for r in page_rows],
            total=total,
            next_cursor=next_cursor,
            limit=flt.limit,
        )

    async def detail(self, actor: Actor, ticket_id: UUID, locale: str) -> TicketDetailResponse:
        reporter = aliased(users)
        resolver = aliased(users)
        stmt = (
            select(
                tickets,
                hosts.c.name.label("host_name"),
                hosts.c.status.label("host_status"),
                organizations.c.name.label("org_name"),
                reporter.c.name.label("reporter_name"),
                assignee_users.c.name.label("assignee_name"),
                *resolution_columns(resolver),
            )
            .select_from(
                tickets.outerjoin(hosts, _HOST_OF_TICKET)
                .outerjoin(organizations, organizations.c.id == tickets.c.org_id)
                .outerjoin(reporter, reporter.c.id == tickets.c.reporter_id)
                .outerjoin(assignee_users, assignee_users.c.id == tickets.c.assignee_id)
                .outerjoin(resolutions, resolutions.c.ticket_id == tickets.c.id)
                .outerjoin(resolver, resolver.c.id == resolutions.c.resolver_id)
            )
            .where(tickets.c.id == ticket_id)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(stmt)).mappings().first()
            if row is None or not actor.can_see(row["org_id"]):
                raise TicketNotFound()
            staff = actor.is_operator or actor.is_system
            timeline = await self._activities(conn, ticket_id, locale)
            if not staff:  # customers follow the status and the conversation, not the work
                timeline = [a for a in timeline if a.type in CUSTOMER_VISIBLE_ACTIVITIES]
            logs = await terminal_log_rows(conn, ticket_id, with_log=False) if staff else []
        status = TicketStatus(row["status"])
        return TicketDetailResponse(
            id=row["id"],
            key=row["key"],
            title=row["title"],
            description=row["description"],
            source=row["source"],
            source_event_id=row["source_event_id"],
            status=status,
            priority=row["priority"],
            host=_host(row),
            reporter=user_ref(row["reporter_id"], row["reporter_name"]),
            assignee=user_ref(row["assignee_id"], row["assignee_name"]),
            resolution=resolution_from(row),
            activities=timeline,
            terminal_logs=[TerminalLogSummary(**log_fields(r)) for r in logs],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            organization=Ref(id=str(row["org_id"]), name=row["org_name"]),
            external_system=row["external_system"],
            external_ticket_id=row["external_ticket_id"],
            sync_status=row["sync_status"],
            allowed_transitions=[t for t in allowed_targets(status) if actor.may_move_to(t)],
            version=row["version"],
        )

    async def activities(
        self, actor: Actor, ticket_id: UUID, locale: str
    ) -> list[ActivityResponse]:
        async with self._engine.connect() as conn:
            await ensure_visible(conn, actor, ticket_id)
            return await self._activities(conn, ticket_id, locale)

    async def stats(
        self,
        actor: Actor,
        organization_id: UUID | None,
        *,
        now: datetime,
        today_since: datetime,
        period_days: int,
    ) -> TicketStats:
        org_id = organization_id if (actor.is_operator or actor.is_system) else actor.org_id
        if org_id is None and not (actor.is_operator or actor.is_system):
            raise TicketNotFound()
        async with self._engine.connect() as conn:
            return await ticket_stats(
                conn, org_id, now=now, today_since=today_since, period_days=period_days
            )

    async def _activities(self, conn: Any, ticket_id: UUID, locale: str) -> list[ActivityResponse]:
        rows = (
            (
                await conn.execute(
                    select(activities, users.c.name.label("user_name"))
                    .select_from(activities.outerjoin(users, users.c.id == activities.c.user_id))
                    .where(activities.c.ticket_id == ticket_id)
                    .order_by(activities.c.seq)
                )
            )
            .mappings()
            .all()
        )
        mentioned = {
            UUID(v)
            for r in rows
            for k, v in r["metadata"].items()
            if k in ("assigneeId", "previousAssigneeId") and v
        }
        names: dict[str, str | None] = {}
        if mentioned:
            found = await conn.execute(
                select(users.c.id, users.c.name).where(users.c.id.in_(mentioned))
            )
            names = {str(i): n for i, n in found}
        return [
            ActivityResponse(
                id=r["id"],
                type=ActivityType(r["type"]),
                content=describe(
                    ActivityType(r["type"]), r["content"], r["metadata"], names, locale
                ),
                user=user_ref(r["user_id"], r["user_name"]),
                created_at=r["created_at"],
                metadata=r["metadata"],
            )
            for r in rows
        ]


def _host(row: Any) -> HostRef | None:
    if row["host_id"] is None:
        return None
    status = HostStatus(row["host_status"]) if row["host_status"] else None
    return HostRef(id=row["host_id"], name=row["host_name"], status=status)


def _list_item(r: Any) -> TicketListItem:
    return TicketListItem(
        id=r["id"],
        key=r["key"],
        title=r["title"],
        status=r["status"],
        priority=r["priority"],
        source=r["source"],
        organization_id=r["org_id"],
        host=_host(r),
        assignee=user_ref(r["assignee_id"], r["assignee_name"]),
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )
