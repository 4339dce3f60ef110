"""Handlers of the adapter gateway other than the webhook itself: webhook-source
administration, the consumers' effects, and the host status query."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID, uuid4

from msgspec import UNSET

from kohub_adapter.application.ports import Clock, HostMapSource, UnitOfWork
from kohub_adapter.application.tools import (
    AdapterRegistry,
    Capability,
    NoStatusSource,
    ObservedStatus,
    ToolUnavailable,
)
from kohub_adapter.domain.mapping import MappedHost
from kohub_adapter.domain.sources import WebhookSource
from kohub_contracts.alerts import (
    AlertProcessed,
    WebhookSourceCreateRequest,
    WebhookSourceUpdateRequest,
)
from kohub_contracts.enums import AdapterType


class SourceNotFound(Exception):
    pass


class HostNotMapped(Exception):
    """The host is unknown to the read model."""


class InvalidSource(ValueError):
    pass


class StaleSource(Exception):
    def __init__(self, current: int) -> None:
        super().__init__("The webhook source changed since it was read.")
        self.current = current


async def create_source(
    request: WebhookSourceCreateRequest,
    uow: UnitOfWork,
    clock: Clock,
    new_id: Callable[[], UUID] = uuid4,
) -> tuple[WebhookSource, str]:
    try:
        source, token = WebhookSource.register(
            source_id=new_id(),
            adapter_type=request.adapter_type,
            name=request.name,
            at=clock(),
            default_org_id=request.default_organization_id,
            hmac_secret=request.hmac_secret,
            priority_overrides=request.priority_overrides,
            rate_limit_per_minute=request.rate_limit_per_minute,
        )
    except ValueError as exc:
        raise InvalidSource(str(exc)) from exc
    async with uow:
        await uow.sources.add(source)
        await uow.commit()
    return source, token


async def update_source(
    source_id: UUID,
    request: WebhookSourceUpdateRequest,
    expected_version: int | None,
    uow: UnitOfWork,
    clock: Clock,
) -> WebhookSource:
    async with uow:
        source = await _load(uow, source_id, expected_version)
        if request.name is not UNSET:
            source.name = request.name.strip()
        if request.enabled is not UNSET:
            source.enabled = request.enabled
        if request.default_organization_id is not UNSET:
            source.default_org_id = request.default_organization_id
        if request.hmac_secret is not UNSET:
            if request.hmac_secret and source.adapter_type is not AdapterType.GRAFANA:
                raise InvalidSource("Only Grafana signs its webhooks with an HMAC secret.")
            source.hmac_secret = request.hmac_secret
        if request.priority_overrides is not UNSET:
            source.priority_overrides = {
                k.lower(): v for k, v in request.priority_overrides.items()
            }
        if request.rate_limit_per_minute is not UNSET:
            source.rate_limit_per_minute = request.rate_limit_per_minute
        source.updated_at = clock()
        await uow.sources.save(source)
        await uow.commit()
    return source


async def rotate_token(
    source_id: UUID, expected_version: int | None, uow: UnitOfWork, clock: Clock
) -> tuple[WebhookSource, str]:
    async with uow:
        source = await _load(uow, source_id, expected_version)
        token = source.rotate_token(clock())
        await uow.sources.save(source)
        await uow.commit()
    return source, token


async def _load(uow: UnitOfWork, source_id: UUID, expected_version: int | None) -> WebhookSource:
    source = await uow.sources.get(source_id, for_update=True)
    if source is None:
        raise SourceNotFound("No such webhook source.")
    if expected_version is not None and expected_version != source.version:
        raise StaleSource(source.version)
    return source


# -- consumers -----------------------------------------------------------------------------

MAPPING_CONSUMER = "adapter.host-mapping"
OUTCOME_CONSUMER = "adapter.alert-outcomes"


async def record_host(message_id: str, host: MappedHost, version: int, uow: UnitOfWork) -> bool:
    async with uow:
        if not await uow.first_delivery(MAPPING_CONSUMER, message_id):
            return False
        await uow.hosts.put_host(host, version)
        await uow.commit()
    return True


async def record_organization(
    message_id: str, org_id: UUID, name: str | None, uow: UnitOfWork
) -> bool:
    async with uow:
        if not await uow.first_delivery(MAPPING_CONSUMER, message_id):
            return False
        await uow.hosts.put_organization(org_id, name)
        await uow.commit()
    return True


async def record_outcome(message_id: str, outcome: AlertProcessed, uow: UnitOfWork) -> bool:
    async with uow:
        applied = await uow.outcomes.record(OUTCOME_CONSUMER, message_id, outcome)
        await uow.commit()
    return applied


# -- status query --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusAnswer:
    host_id: UUID
    status: ObservedStatus


async def query_host_status(
    host_id: UUID,
    *,
    hosts: HostMapSource,
    registry: AdapterRegistry,
    timeout: float,
) -> StatusAnswer:
    """Ask the first tool of the host that can answer (STATUS_QUERY), within `timeout`."""
    host = (await hosts.current()).get(host_id)
    if host is None:
        raise HostNotMapped("The adapter gateway knows no such host.")
    capable = {a.adapter_type: a for a in registry.with_capability(Capability.STATUS_QUERY)}
    for ref in host.adapters:
        adapter = capable.get(ref.type)
        if adapter is None or host.adapter(ref.type) is None:
            continue
        try:
            status = await asyncio.wait_for(adapter.host_status(host), timeout)
        except TimeoutError as exc:
            raise ToolUnavailable(f"{ref.type.value} did not answer within {timeout} s.") from exc
        return StatusAnswer(host_id, status)
    raise NoStatusSource("No adapter of this host can answer a status query.")
