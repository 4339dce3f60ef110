"""The host-mapping read model: hosts with their adapters, from `host.*` events, and the
in-memory `HostMap` built from it."""

import asyncio
import time
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kohub_adapter.adapters.postgres.tables import mapped_hosts, organizations
from kohub_adapter.domain.mapping import HostAdapterRef, HostMap, MappedHost
from kohub_contracts.enums import AdapterType, HostAdapterStatus, HostStatus

# How long another process may map alerts with a host list one change behind.
HOST_MAP_TTL_SECONDS = 2.0


def _adapters_json(host: MappedHost) -> list[dict[str, Any]]:
    return [
        {
            "adapterId": str(a.adapter_id),
            "type": a.type.value,
            "status": a.status.value,
            "config": a.config,
        }
        for a in host.adapters
    ]


def _adapters_of(raw: list[dict[str, Any]]) -> tuple[HostAdapterRef, ...]:
    return tuple(
        HostAdapterRef(
            UUID(a["adapterId"]),
            AdapterType(a["type"]),
            HostAdapterStatus(a["status"]),
            a.get("config") or {},
        )
        for a in raw
    )


class SqlHostReadModel:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def put_host(self, host: MappedHost, version: int) -> bool:
        values = {
            "org_id": host.org_id,
            "name": host.name,
            "status": host.status.value,
            "maintenance_until": host.maintenance_until,
            "adapters": _adapters_json(host),
            "version": version,
        }
        stmt = insert(mapped_hosts).values(host_id=host.host_id, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[mapped_hosts.c.host_id],
            set_=values,
            where=mapped_hosts.c.version < version,
        ).returning(mapped_hosts.c.host_id)
        applied = (await self._session.execute(stmt)).first() is not None
        if host.org_name is not None:
            # a name until organization.upserted says otherwise (events of two aggregates
            # carry no order between them, so a host event never overwrites a name)
            await self._session.execute(
                insert(organizations)
                .values(id=host.org_id, name=host.org_name)
                .on_conflict_do_nothing()
            )
        return applied

    async def put_organization(self, org_id: UUID, name: str | None) -> None:
        stmt = insert(organizations).values(id=org_id, name=name)
        await self._session.execute(
            stmt.on_conflict_do_update(index_elements=[organizations.c.id], set_={"name": name})
        )


class CachedHostMap:
    """The read model in memory, reloaded when this process changed it or after a short
    while (another process may have)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._map = HostMap()
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    def forget(self) -> None:
        self._loaded_at = float("-inf")

    async def current(self) -> HostMap:
        if time.monotonic() - self._loaded_at < HOST_MAP_TTL_SECONDS:
            return self._map
        async with self._lock:
            if time.monotonic() - self._loaded_at >= HOST_MAP_TTL_SECONDS:
                started = time.monotonic()
                self._map = HostMap.of(await self._load())
                self._loaded_at = started
        return self._map

    async def _load(self) -> list[MappedHost]:
        stmt = select(mapped_hosts, organizations.c.name.label("org_name")).join_from(
            mapped_hosts,
            organizations,
            organizations.c.id == mapped_hosts.c.org_id,
            isouter=True,
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [
            MappedHost(
                host_id=r["host_id"],
                org_id=r["org_id"],
                name=r["name"],
                status=HostStatus(r["status"]),
                adapters=_adapters_of(r["adapters"]),
                org_name=r["org_name"],
                maintenance_until=r["maintenance_until"],
            )
            for r in rows
        ]
