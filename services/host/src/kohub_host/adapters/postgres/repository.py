"""PostgreSQL adapters of the host ports."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.enums import (
    AdapterType,
    ConnectionType,
    HostAdapterStatus,
    HostStatus,
    ObservedHostStatus,
)
from kohub_host.adapters.postgres.tables import host_adapters, hosts, organizations
from kohub_host.application.ports import Organization
from kohub_host.domain.model import Host, HostAdapter, ObservedStatus


class SqlHostRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session
        self.seen: dict[UUID, Host] = {}

    async def add(self, host: Host) -> None:
        await self._session.execute(
            insert(hosts).values(
                id=host.id,
                org_id=host.org_id,
                created_at=host.created_at,
                version=host.version,
                **_row(host),
            )
        )
        await self._write_adapters(host)
        self.seen[host.id] = host

    async def get(self, host_id: UUID) -> Host | None:
        row = (
            (
                await self._session.execute(
                    select(hosts).where(hosts.c.id == host_id).with_for_update()
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        adapter_rows = (
            (
                await self._session.execute(
                    select(host_adapters)
                    .where(host_adapters.c.host_id == host_id)
                    .order_by(host_adapters.c.created_at, host_adapters.c.id)
                )
            )
            .mappings()
            .all()
        )
        host = _host(row, adapter_rows)
        self.seen[host.id] = host
        return host

    async def save(self, host: Host) -> None:
        await self._session.execute(
            update(hosts)
            .where(hosts.c.id == host.id)
            .values(**_row(host), version=hosts.c.version + 1)
        )
        host.version += 1
        await self._write_adapters(host)
        self.seen[host.id] = host

    async def save_observation(self, host: Host) -> None:
        """Only the observed status: a heartbeat is no edit (no new version, no event)."""
        observed = host.observed
        await self._session.execute(
            update(hosts)
            .where(hosts.c.id == host.id)
            .values(
                observed_status=observed.status.value,
                observed_at=observed.checked_at,
                observed_adapter=observed.adapter.value if observed.adapter else None,
                observed_message=observed.message,
            )
        )

    async def name_taken(self, org_id: UUID, name: str, other_than: UUID | None) -> bool:
        stmt = select(hosts.c.id).where(
            hosts.c.org_id == org_id, func.lower(hosts.c.name) == name.lower()
        )
        if other_than is not None:
            stmt = stmt.where(hosts.c.id != other_than)
        return (await self._session.execute(stmt.limit(1))).first() is not None

    async def adapter_owner(self, mapping_key: str) -> UUID | None:
        return (
            await self._session.execute(
                select(host_adapters.c.host_id).where(host_adapters.c.mapping_key == mapping_key)
            )
        ).scalar_one_or_none()

    async def due_for_activation(self, at: datetime, limit: int) -> list[UUID]:
        rows = await self._session.execute(
            select(hosts.c.id)
            .where(
                hosts.c.status == HostStatus.MAINTENANCE.value,
                hosts.c.maintenance_until.is_not(None),
                hosts.c.maintenance_until <= at,
            )
            .limit(limit)
        )
        return list(rows.scalars())

    async def _write_adapters(self, host: Host) -> None:
        # Replace the set: ids are kept, and the unique mapping key guards races.
        await self._session.execute(delete(host_adapters).where(host_adapters.c.host_id == host.id))
        if host.adapters:
            await self._session.execute(
                insert(host_adapters),
                [
                    {
                        "id": a.id,
                        "host_id": host.id,
                        "type": a.type.value,
                        "config": a.config,
                        "status": a.status.value,
                        "mapping_key": a.mapping_key,
                        "last_sync_at": a.last_sync_at,
                    }
                    for a in host.adapters
                ],
            )


def _row(host: Host) -> dict[str, Any]:
    return {
        "name": host.name,
        "description": host.description,
        "connection_type": host.connection_type.value,
        "ssh_config": host.ssh_config,
        "tags": host.tags,
        "status": host.status.value,
        "maintenance_until": host.maintenance_until,
        "updated_at": host.updated_at,
    }


def _host(row: Any, adapter_rows: Any) -> Host:
    return Host(
        id=row["id"],
        org_id=row["org_id"],
        name=row["name"],
        description=row["description"],
        connection_type=ConnectionType(row["connection_type"]),
        ssh_config=row["ssh_config"],
        tags=list(row["tags"]),
        status=HostStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        maintenance_until=row["maintenance_until"],
        adapters=[
            HostAdapter(
                a["id"],
                AdapterType(a["type"]),
                a["config"],
                HostAdapterStatus(a["status"]),
                a["last_sync_at"],
            )
            for a in adapter_rows
        ],
        observed=ObservedStatus(
            ObservedHostStatus(row["observed_status"]),
            row["observed_at"],
            AdapterType(row["observed_adapter"]) if row["observed_adapter"] else None,
            row["observed_message"],
        ),
        version=row["version"],
    )


class SqlOrganizationRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session
        self.changed: dict[UUID, Organization] = {}

    async def get(self, org_id: UUID) -> Organization | None:
        row = (
            (await self._session.execute(select(organizations).where(organizations.c.id == org_id)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return Organization(row["id"], row["name"], row["created_at"], row["updated_at"])

    async def put(self, org: Organization) -> None:
        values = {"name": org.name, "updated_at": org.updated_at}
        await self._session.execute(
            pg_insert(organizations)
            .values(id=org.id, created_at=org.created_at, **values)
            .on_conflict_do_update(index_elements=["id"], set_=values)
        )
        self.changed[org.id] = org

    async def name_of(self, org_id: UUID) -> str | None:
        return (
            await self._session.execute(
                select(organizations.c.name).where(organizations.c.id == org_id)
            )
        ).scalar_one_or_none()
