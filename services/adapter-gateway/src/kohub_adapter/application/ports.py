"""The ports the adapter gateway's handlers need. Adapters implement them; tests fake them."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from kohub_adapter.domain.mapping import HostMap, MappedHost
from kohub_adapter.domain.normalize import NormalizedAlert
from kohub_adapter.domain.sources import WebhookSource
from kohub_contracts.alerts import AlertProcessed
from kohub_contracts.enums import AdapterEventStatus, AdapterType, ObservedHostStatus


class Clock(Protocol):
    def __call__(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """A webhook request as it arrived, secrets already removed from the headers."""

    adapter_type: AdapterType
    body: bytes
    content_type: str | None
    headers: dict[str, str]
    received_at: datetime


@dataclass(frozen=True, slots=True)
class StatusObservation:
    host: MappedHost
    status: ObservedHostStatus
    observed_at: datetime
    message: str | None = None


@dataclass(slots=True)
class IngestRecord:
    """Everything one webhook request leaves behind, committed together."""

    adapter_event_id: UUID
    request: ReceivedRequest
    source_id: UUID | None
    status: AdapterEventStatus
    event_type: str | None = None
    error: str | None = None
    published: list[tuple[UUID, NormalizedAlert]] = field(default_factory=list)
    """Alerts sent to the ticket service (`alert.received`)."""
    unrouted: list[tuple[UUID, NormalizedAlert]] = field(default_factory=list)
    """Alerts kept for the record only: no organization to open a ticket in."""
    observations: list[StatusObservation] = field(default_factory=list)


class IngestStore(Protocol):
    async def store(self, record: IngestRecord) -> None:
        """Commit the AdapterEvent, its alerts and their outbox messages; returns only once
        they are durable."""


class SourceDirectory(Protocol):
    """The webhook sources, kept in memory by the adapter (a request must not wait for the
    database to be told who it is)."""

    async def by_token(self, token: str) -> WebhookSource | None: ...

    async def signed_by(
        self, adapter_type: AdapterType, signature: str, timestamp: str, body: bytes, now: datetime
    ) -> WebhookSource | None: ...

    def forget(self) -> None:
        """Drop what is cached, after a change."""


class SourceRepository(Protocol):
    async def add(self, source: WebhookSource) -> None: ...

    async def get(self, source_id: UUID, *, for_update: bool = False) -> WebhookSource | None: ...

    async def save(self, source: WebhookSource) -> None:
        """Persist changes, bumping the version."""


class HostMapSource(Protocol):
    async def current(self) -> HostMap: ...

    def forget(self) -> None: ...


class HostReadModel(Protocol):
    async def put_host(self, host: MappedHost, version: int) -> bool:
        """Keep the newer state; an older version changes nothing."""

    async def put_organization(self, org_id: UUID, name: str | None) -> None: ...


class OutcomeStore(Protocol):
    async def record(self, consumer: str, message_id: str, outcome: AlertProcessed) -> bool:
        """Note the ticket service's answer on the alert and its AdapterEvent, once per
        `(consumer, message_id)`; False for a redelivery or an alert answered already."""


@dataclass(frozen=True, slots=True)
class CredentialInfo:
    """What may be shown of a stored Termix API key."""

    key_hint: str
    updated_at: datetime


class CredentialUnreadable(Exception):
    """No configured secret key decrypts the stored API key (the one that wrote it was
    retired from KOHUB_SECRET_KEYS)."""


class TerminalCredentialStore(Protocol):
    """Each operator's Termix API key, by the token's subject; encrypted at rest."""

    async def info(self, user_id: str) -> CredentialInfo | None: ...

    async def api_key(self, user_id: str) -> str | None:
        """The key in clear, None when none is stored; raises `CredentialUnreadable`."""

    async def put(self, user_id: str, api_key: str, info: CredentialInfo) -> None: ...

    async def delete(self, user_id: str) -> None: ...


class UnitOfWork(Protocol):
    sources: SourceRepository
    hosts: HostReadModel
    outcomes: OutcomeStore

    async def __aenter__(self) -> "UnitOfWork": ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def first_delivery(self, consumer: str, message_id: str) -> bool: ...

    async def commit(self) -> None: ...


JsonDict = dict[str, Any]
