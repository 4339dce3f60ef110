"""One async function per command of the host service."""

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID, uuid4

from kohub_host.application.commands import (
    AddAdapter,
    ChangeHostStatus,
    EditHost,
    ObserveHostStatus,
    RegisterHost,
    RemoveAdapter,
    SaveOrganization,
    UpdateAdapter,
)
from kohub_host.application.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    StaleVersion,
)
from kohub_host.application.ports import Clock, Organization, UnitOfWork
from kohub_host.domain.errors import InvalidHost
from kohub_host.domain.model import Host, HostAdapter, ObservedStatus

T = TypeVar("T")
STATUS_CONSUMER = "host.status-observed"


async def save_organization(cmd: SaveOrganization, uow: UnitOfWork, clock: Clock) -> Organization:
    """Create (msp-admin), rename, or — with no name — make sure a token's org exists."""
    now = clock()
    async with uow:
        org = await uow.organizations.get(cmd.org_id) if cmd.org_id else None
        if org is None:
            org = Organization(cmd.org_id or uuid4(), cmd.name, now, now, changed=True)
        elif cmd.name is not None and cmd.name != org.name:
            org.name, org.updated_at, org.changed = cmd.name, now, True
        if org.changed:
            await uow.organizations.put(org)
            await uow.commit()
    return org


async def register_host(cmd: RegisterHost, uow: UnitOfWork, clock: Clock) -> Host:
    async with uow:
        if await uow.organizations.get(cmd.org_id) is None:
            raise InvalidRequest("organizationId", "No such organization.")
        host = _domain(
            lambda: Host.register(
                org_id=cmd.org_id,
                name=cmd.name,
                description=cmd.description,
                connection_type=cmd.connection_type,
                ssh_config=cmd.ssh_config,
                tags=cmd.tags,
                at=clock(),
            )
        )
        await _ensure_unique_name(uow, host, None)
        await uow.hosts.add(host)
        await uow.commit()
    return host


async def edit_host(cmd: EditHost, uow: UnitOfWork, clock: Clock) -> Host:
    async with uow:
        host = await _load(uow, cmd.host_id, cmd.expected_version)
        changed = _domain(lambda: host.edit(at=clock(), **cmd.changes))
        if "name" in changed:
            await _ensure_unique_name(uow, host, host.id)
        if changed:
            await uow.hosts.save(host)
            await uow.commit()
    return host


async def change_host_status(cmd: ChangeHostStatus, uow: UnitOfWork, clock: Clock) -> Host:
    async with uow:
        host = await _load(uow, cmd.host_id, cmd.expected_version)
        if _domain(
            lambda: host.set_status(cmd.status, at=clock(), maintenance_until=cmd.maintenance_until)
        ):
            await uow.hosts.save(host)
            await uow.commit()
    return host


async def add_adapter(cmd: AddAdapter, uow: UnitOfWork, clock: Clock) -> HostAdapter:
    async with uow:
        host = await _load(uow, cmd.host_id, None)
        adapter = _domain(lambda: host.add_adapter(cmd.type, cmd.config, cmd.status, clock()))
        await _ensure_mapping_free(uow, host, adapter)
        await uow.hosts.save(host)
        await uow.commit()
    return adapter


async def update_adapter(cmd: UpdateAdapter, uow: UnitOfWork, clock: Clock) -> HostAdapter:
    async with uow:
        host = await _load(uow, cmd.host_id, None)
        try:
            adapter = _domain(
                lambda: host.update_adapter(
                    cmd.adapter_id, at=clock(), config=cmd.config, status=cmd.status
                )
            )
        except LookupError:
            raise NotFound("adapter") from None
        await _ensure_mapping_free(uow, host, adapter)
        await uow.hosts.save(host)
        await uow.commit()
    return adapter


async def remove_adapter(cmd: RemoveAdapter, uow: UnitOfWork, clock: Clock) -> None:
    async with uow:
        host = await _load(uow, cmd.host_id, None)
        try:
            host.remove_adapter(cmd.adapter_id, at=clock())
        except LookupError:
            raise NotFound("adapter") from None
        await uow.hosts.save(host)
        await uow.commit()


async def observe_host_status(cmd: ObserveHostStatus, uow: UnitOfWork) -> bool:
    """Apply a `host.status.observed` message once; False for a message seen before."""
    async with uow:
        if not await uow.first_delivery(STATUS_CONSUMER, cmd.message_id):
            return False
        host = await uow.hosts.get(cmd.host_id)
        newer = host is not None and host.observe(
            ObservedStatus(cmd.status, cmd.observed_at, cmd.adapter, cmd.message)
        )
        if host is not None and newer:
            await uow.hosts.save_observation(host)
        await uow.commit()  # the inbox row, even for an unknown host: it will not recur
    return True


async def end_due_maintenance(
    uow_factory: Callable[[], UnitOfWork], clock: Clock, limit: int = 100
) -> int:
    """Hosts whose maintenance window ended go back to ACTIVE, one transaction each."""
    async with uow_factory() as uow:
        due = await uow.hosts.due_for_activation(clock(), limit)
    ended = 0
    for host_id in due:
        async with uow_factory() as uow:
            host = await uow.hosts.get(host_id)
            if host is not None and host.end_maintenance_if_due(clock()):
                await uow.hosts.save(host)
                await uow.commit()
                ended += 1
    return ended


async def _load(uow: UnitOfWork, host_id: UUID, expected_version: int | None) -> Host:
    host = await uow.hosts.get(host_id)
    if host is None:
        raise NotFound()
    if expected_version is not None and expected_version != host.version:
        raise StaleVersion(host.version)
    return host


async def _ensure_unique_name(uow: UnitOfWork, host: Host, other_than: UUID | None) -> None:
    if await uow.hosts.name_taken(host.org_id, host.name, other_than):
        raise Conflict(f"The organization already has a host named {host.name!r}.")


async def _ensure_mapping_free(uow: UnitOfWork, host: Host, adapter: HostAdapter) -> None:
    owner = await uow.hosts.adapter_owner(adapter.mapping_key or "")
    if owner is not None and owner != host.id:
        raise Conflict("That monitor is already mapped to another host.")


def _domain(change: Callable[[], T]) -> T:
    try:
        return change()
    except InvalidHost as exc:
        raise InvalidRequest(exc.field, str(exc)) from exc
