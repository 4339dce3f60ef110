"""Host reads straight from PostgreSQL into the HTTP contracts.

Visibility: MSP staff see every organization; `customer-admin` reads its own
organization's hosts; other customer roles see no hosts (404)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_contracts.common import Page
from kohub_contracts.enums import AdapterType, HostStatus, ObservedHostStatus, Role
from kohub_contracts.hosts import (
    AdapterResponse,
    CurrentStatus,
    HostListItem,
    HostResponse,
    HostStats,
    OrganizationResponse,
    SshConfig,
)
from kohub_host.adapters.postgres.tables import host_adapters, hosts, organizations
from kohub_host.application.errors import InvalidRequest, NotFound
from kohub_host.application.queries import HostFilter
from kohub_platform.auth import Principal
from kohub_platform.pagination import InvalidCursor, decode_cursor, encode_cursor, like_pattern

_SORT = {
    "name": ((hosts.c.name, hosts.c.id), (str, UUID)),
    "updatedAt": ((hosts.c.updated_at, hosts.c.id), (datetime.fromisoformat, UUID)),
}


def host_scope(caller: Principal) -> UUID | bool | None:
    """None: every organization; a UUID: that one; False: nothing."""
    if caller.is_operator:
        return None
    if Role.CUSTOMER_ADMIN.value in caller.roles and caller.org_uuid() is not None:
        return caller.org_uuid()
    return False


def _scoped(stmt: Select[Any], caller: Principal) -> Select[Any]:
    scope = host_scope(caller)
    if scope is False:
        return stmt.where(False)  # type: ignore[arg-type]
    return stmt.where(hosts.c.org_id == scope) if scope is not None else stmt


def _filtered(stmt: Select[Any], caller: Principal, flt: HostFilter) -> Select[Any]:
    conditions = []
    if flt.organization_id is not None:
        conditions.append(hosts.c.org_id == flt.organization_id)
    if flt.statuses:
        conditions.append(hosts.c.status.in_([s.value for s in flt.statuses]))
    if flt.connection_types:
        conditions.append(hosts.c.connection_type.in_([c.value for c in flt.connection_types]))
    if flt.tags:
        conditions.append(hosts.c.tags.contains(list(flt.tags)))
    if flt.text:
        pattern = like_pattern(flt.text)
        conditions.append(or_(hosts.c.name.ilike(pattern), hosts.c.description.ilike(pattern)))
    stmt = _scoped(stmt, caller)
    return stmt.where(and_(*conditions)) if conditions else stmt


def _current(row: Any) -> CurrentStatus:
    return CurrentStatus(
        status=ObservedHostStatus(row["observed_status"]),
        checked_at=row["observed_at"],
        adapter=AdapterType(row["observed_adapter"]) if row["observed_adapter"] else None,
        message=row["observed_message"],
    )


def _adapter(row: Any) -> AdapterResponse:
    return AdapterResponse(
        id=row["id"],
        type=row["type"],
        status=row["status"],
        config=row["config"],
        last_sync_at=row["last_sync_at"],
    )


class SqlHostQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def search(self, caller: Principal, flt: HostFilter) -> Page[HostListItem]:
        field = flt.sort.value.lstrip("-")
        descending = flt.sort.value.startswith("-")
        columns, converters = _SORT[field]
        adapter_types = (
            select(func.coalesce(func.array_agg(func.distinct(host_adapters.c.type)), []))
            .where(host_adapters.c.host_id == hosts.c.id)
            .scalar_subquery()
        )
        stmt = _filtered(
            select(
                hosts, organizations.c.name.label("org_name"), adapter_types.label("adapter_types")
            ).select_from(hosts.join(organizations, organizations.c.id == hosts.c.org_id)),
            caller,
            flt,
        )
        count = _filtered(select(func.count()).select_from(hosts), caller, flt)
        if flt.cursor:
            try:
                after = decode_cursor(flt.cursor, flt.sort.value, converters)
            except InvalidCursor as exc:
                raise InvalidRequest("cursor", "The cursor is not valid for this list.") from exc
            keyset = tuple_(*columns)
            stmt = stmt.where(keyset < tuple_(*after) if descending else keyset > tuple_(*after))
        stmt = stmt.order_by(*(c.desc() if descending else c.asc() for c in columns))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt.limit(flt.limit + 1))).mappings().all()
            total = (await conn.execute(count)).scalar_one()
        page = rows[: flt.limit]
        next_cursor = (
            encode_cursor(flt.sort.value, [page[-1][c.name] for c in columns])
            if len(rows) > flt.limit
            else None
        )
        items = [
            HostListItem(
                id=r["id"],
                name=r["name"],
                connection_type=r["connection_type"],
                tags=list(r["tags"]),
                status=r["status"],
                organization_id=r["org_id"],
                organization_name=r["org_name"],
                current_status=_current(r),
                adapter_types=sorted(r["adapter_types"] or []),
                updated_at=r["updated_at"],
            )
            for r in page
        ]
        return Page(items=items, total=total, next_cursor=next_cursor, limit=flt.limit)

    async def stats(self, caller: Principal) -> HostStats:
        stmt = _scoped(
            select(hosts.c.status, hosts.c.observed_status, func.count()).group_by(
                hosts.c.status, hosts.c.observed_status
            ),
            caller,
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        by_status = dict.fromkeys((s.value for s in HostStatus), 0)
        observed = dict.fromkeys((s.value for s in ObservedHostStatus), 0)
        for status, seen, count in rows:
            by_status[status] += count
            if status != HostStatus.INACTIVE.value:
                observed[seen] += count
        return HostStats(
            total=sum(by_status.values()), by_status=by_status, by_current_status=observed
        )

    async def detail(self, caller: Principal, host_id: UUID) -> HostResponse:
        async with self._engine.connect() as conn:
            row = await self._row(conn, caller, host_id)
            adapters = await self._adapters(conn, host_id)
        return HostResponse(
            id=row["id"],
            name=row["name"],
            description=row["description"],
            connection_type=row["connection_type"],
            # customer-admin reads status, not how MSP staff reach the host or watch it
            ssh_config=SshConfig(**row["ssh_config"])
            if row["ssh_config"] and caller.is_operator
            else None,
            tags=list(row["tags"]),
            status=row["status"],
            organization_id=row["org_id"],
            organization_name=row["org_name"],
            adapters=adapters if caller.is_operator else [],
            current_status=_current(row),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            maintenance_until=row["maintenance_until"],
            version=row["version"],
        )

    async def adapters(self, caller: Principal, host_id: UUID) -> list[AdapterResponse]:
        async with self._engine.connect() as conn:
            await self._row(conn, caller, host_id)
            return await self._adapters(conn, host_id)

    async def status(self, caller: Principal, host_id: UUID) -> CurrentStatus:
        async with self._engine.connect() as conn:
            return _current(await self._row(conn, caller, host_id))

    async def organizations(self, caller: Principal) -> list[OrganizationResponse]:
        stmt = self._organizations_stmt()
        if not caller.is_operator:
            stmt = stmt.where(organizations.c.id == caller.org_uuid())
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt.order_by(organizations.c.name))).mappings().all()
        return [OrganizationResponse(**r) for r in rows]

    async def organization(self, caller: Principal, org_id: UUID) -> OrganizationResponse:
        if not caller.is_operator and caller.org_uuid() != org_id:
            raise NotFound("organization")
        stmt = self._organizations_stmt().where(organizations.c.id == org_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(stmt)).mappings().first()
        if row is None:
            raise NotFound("organization")
        return OrganizationResponse(**row)

    @staticmethod
    def _organizations_stmt() -> Select[Any]:
        host_count = (
            select(func.count()).where(hosts.c.org_id == organizations.c.id).scalar_subquery()
        )
        return select(
            organizations.c.id,
            organizations.c.name,
            organizations.c.created_at,
            organizations.c.updated_at,
            host_count.label("host_count"),
        )

    async def _row(self, conn: Any, caller: Principal, host_id: UUID) -> Any:
        stmt = _scoped(
            select(hosts, organizations.c.name.label("org_name"))
            .select_from(hosts.join(organizations, organizations.c.id == hosts.c.org_id))
            .where(hosts.c.id == host_id),
            caller,
        )
        row = (await conn.execute(stmt)).mappings().first()
        if row is None:
            raise NotFound()
        return row

    async def _adapters(self, conn: Any, host_id: UUID) -> list[AdapterResponse]:
        rows = (
            (
                await conn.execute(
                    select(host_adapters)
                    .where(host_adapters.c.host_id == host_id)
                    .order_by(host_adapters.c.created_at, host_adapters.c.id)
                )
            )
            .mappings()
            .all()
        )
        return [_adapter(r) for r in rows]
