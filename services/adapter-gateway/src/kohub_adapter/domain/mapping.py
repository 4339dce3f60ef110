"""Which host an alert is about: the host-mapping read model (built from `host.*` events)
matched against what the payload says.

A host's adapter config (validated by the host service) names what identifies it in the tool:
- `uptime-kuma`: `{"sourceId": "<webhook source id>", "monitorId": "12"}` (monitor ids are
  per Uptime Kuma instance, so the source is part of the key);
- `prometheus` / `grafana`: `{"matchers": {"instance": "10.0.0.5:9100"}}` (every label must
  equal), optionally `sourceId` to listen to one source only; `prometheus` may also name the
  server for status queries: `{"url": "http://prometheus:9090"}`.
Without a matching adapter, a host whose name equals the monitor name or the payload's host
name is taken, preferring the source's default organization when names repeat.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from kohub_adapter.domain.alerts import HostHints
from kohub_contracts.enums import AdapterType, HostAdapterStatus, HostStatus

# Grafana alerts usually come from Prometheus data, with the same labels.
LABEL_ADAPTERS = {
    AdapterType.PROMETHEUS: (AdapterType.PROMETHEUS,),
    AdapterType.GRAFANA: (AdapterType.GRAFANA, AdapterType.PROMETHEUS),
}


@dataclass(frozen=True, slots=True)
class HostAdapterRef:
    adapter_id: UUID
    type: AdapterType
    status: HostAdapterStatus
    config: dict[str, Any]

    def listens_to(self, source_id: UUID) -> bool:
        wanted = self.config.get("sourceId")
        return self.status is HostAdapterStatus.ACTIVE and (
            wanted is None or str(wanted) == str(source_id)
        )

    def matchers(self) -> dict[str, str]:
        matchers = self.config.get("matchers")
        if isinstance(matchers, dict):
            return {str(k): str(v) for k, v in matchers.items()}
        return {}


@dataclass(frozen=True, slots=True)
class MappedHost:
    host_id: UUID
    org_id: UUID
    name: str
    status: HostStatus
    adapters: tuple[HostAdapterRef, ...] = ()
    org_name: str | None = None
    maintenance_until: datetime | None = None

    def adapter(self, kind: AdapterType) -> HostAdapterRef | None:
        return next(
            (a for a in self.adapters if a.type is kind and a.status is HostAdapterStatus.ACTIVE),
            None,
        )


@dataclass(slots=True)
class HostMap:
    """An in-memory index of the read model, rebuilt when it changes."""

    hosts: dict[UUID, MappedHost] = field(default_factory=dict)
    _by_monitor_id: dict[str, list[tuple[MappedHost, HostAdapterRef]]] = field(default_factory=dict)
    _by_name: dict[str, list[MappedHost]] = field(default_factory=dict)
    _label_adapters: list[tuple[MappedHost, HostAdapterRef]] = field(default_factory=list)

    @classmethod
    def of(cls, hosts: Iterable[MappedHost]) -> "HostMap":
        index = cls()
        for host in hosts:
            if host.status is HostStatus.INACTIVE:
                continue
            index.hosts[host.host_id] = host
            index._by_name.setdefault(host.name.casefold(), []).append(host)
            for adapter in host.adapters:
                if adapter.type is AdapterType.UPTIME_KUMA:
                    if "monitorId" in adapter.config:
                        key = str(adapter.config["monitorId"])
                        index._by_monitor_id.setdefault(key, []).append((host, adapter))
                elif adapter.matchers():
                    index._label_adapters.append((host, adapter))
        return index

    def find(
        self,
        adapter_type: AdapterType,
        hints: HostHints,
        source_id: UUID,
        default_org_id: UUID | None = None,
    ) -> MappedHost | None:
        candidates: list[MappedHost] = []
        if adapter_type is AdapterType.UPTIME_KUMA:
            if hints.monitor_id:
                candidates = [
                    host
                    for host, adapter in self._by_monitor_id.get(hints.monitor_id, ())
                    if adapter.listens_to(source_id)
                ]
        else:
            kinds = LABEL_ADAPTERS.get(adapter_type, (adapter_type,))
            candidates = [
                host
                for host, adapter in self._label_adapters
                if adapter.type in kinds
                and adapter.listens_to(source_id)
                and all(hints.labels.get(k) == v for k, v in adapter.matchers().items())
            ]
        if not candidates:
            for name in (hints.monitor_name, hints.hostname):
                if name and not candidates:
                    candidates = list(self._by_name.get(name.casefold(), ()))
        return _pick(candidates, default_org_id)

    def get(self, host_id: UUID) -> MappedHost | None:
        return self.hosts.get(host_id)


def _pick(candidates: list[MappedHost], default_org_id: UUID | None) -> MappedHost | None:
    unique = list({h.host_id: h for h in candidates}.values())
    if len(unique) == 1:
        return unique[0]
    preferred = [h for h in unique if h.org_id == default_org_id]
    return preferred[0] if len(preferred) == 1 else None
