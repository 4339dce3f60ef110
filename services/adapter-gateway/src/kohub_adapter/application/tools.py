"""The `ToolAdapter` port of seed §2.3 and the registry the gateway looks adapters up in.

Each tool kohub talks to is one adapter: it names its kind and capabilities, and does what
those capabilities promise. Asking an adapter for a capability it does not declare is an
`UnsupportedCapability` (the API answers 409), never a silent no-op.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Protocol

from kohub_adapter.domain.alerts import ParsedWebhook
from kohub_adapter.domain.mapping import MappedHost
from kohub_contracts.enums import AdapterType, ObservedHostStatus


class ToolKind(str, Enum):
    MONITORING = "MONITORING"
    TERMINAL = "TERMINAL"
    AUTOMATION = "AUTOMATION"
    NOTIFICATION = "NOTIFICATION"


class Capability(str, Enum):
    WEBHOOK_RECEIVE = "WEBHOOK_RECEIVE"
    STATUS_QUERY = "STATUS_QUERY"
    ACTION_EXECUTE = "ACTION_EXECUTE"
    LOG_COLLECT = "LOG_COLLECT"
    BIDIRECTIONAL_SYNC = "BIDIRECTIONAL_SYNC"


class UnsupportedCapability(Exception):
    def __init__(self, adapter: AdapterType, capability: Capability) -> None:
        super().__init__(f"The {adapter.value} adapter cannot do {capability.value}.")
        self.adapter = adapter
        self.capability = capability


class NoStatusSource(Exception):
    """No adapter of the host can be asked how it is (none with STATUS_QUERY, or its
    configuration lacks what the query needs)."""


class ToolUnavailable(Exception):
    """The tool did not answer in time or answered with an error."""


@dataclass(frozen=True, slots=True)
class ObservedStatus:
    status: ObservedHostStatus
    checked_at: datetime
    adapter: AdapterType
    message: str | None = None


@dataclass(frozen=True, slots=True)
class ToolHealth:
    healthy: bool
    detail: str
    checked_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecentEvent:
    occurred_at: datetime
    state: str
    title: str
    fingerprint: str
    outcome: str | None = None
    ticket_id: str | None = None


@dataclass(frozen=True, slots=True)
class ActionResult:
    ok: bool
    detail: str
    output: dict[str, Any] = field(default_factory=dict)


class ToolAdapter(Protocol):
    name: str
    adapter_type: AdapterType
    kind: ToolKind
    capabilities: frozenset[Capability]

    def parse_webhook(self, body: bytes, content_type: str | None) -> ParsedWebhook:
        """Read a webhook body; raises `MalformedPayload`."""

    async def host_status(self, host: MappedHost) -> ObservedStatus:
        """Ask the tool how the host is now (STATUS_QUERY)."""

    async def recent_events(
        self, host: MappedHost, since: datetime, until: datetime
    ) -> list[RecentEvent]:
        """What the tool reported about the host over a period."""

    async def execute_action(
        self, host: MappedHost, action: str, parameters: Mapping[str, Any]
    ) -> ActionResult:
        """Run an action on the host through the tool (ACTION_EXECUTE)."""

    async def health(self) -> ToolHealth: ...


class AdapterRegistry:
    def __init__(self, adapters: Iterable[ToolAdapter]) -> None:
        self._adapters = {adapter.adapter_type: adapter for adapter in adapters}

    def get(self, adapter_type: AdapterType) -> ToolAdapter:
        try:
            return self._adapters[adapter_type]
        except KeyError:
            raise UnsupportedCapability(adapter_type, Capability.WEBHOOK_RECEIVE) from None

    def with_capability(self, capability: Capability) -> list[ToolAdapter]:
        return [a for a in self._adapters.values() if capability in a.capabilities]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._adapters.values())
