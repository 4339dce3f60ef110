"""The monitoring tools behind the `ToolAdapter` port: Uptime Kuma, Prometheus
Alertmanager (with Prometheus for status queries) and Grafana alerting.

Their recent events come from what kohub received from them (the `alerts` table), so the
answer is the same whether or not the tool keeps history.
"""

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import httpx

from kohub_adapter.application.tools import (
    ActionResult,
    Capability,
    NoStatusSource,
    ObservedStatus,
    RecentEvent,
    ToolHealth,
    ToolKind,
    ToolUnavailable,
    UnsupportedCapability,
)
from kohub_adapter.domain.alerts import ParsedWebhook
from kohub_adapter.domain.mapping import MappedHost
from kohub_adapter.domain.parsers.alertmanager import parse_alertmanager
from kohub_adapter.domain.parsers.grafana import parse_grafana
from kohub_adapter.domain.parsers.uptime_kuma import parse_uptime_kuma
from kohub_contracts.enums import AdapterType, ObservedHostStatus

AlertHistory = Callable[[AdapterType, MappedHost, datetime, datetime], Awaitable[list[RecentEvent]]]
Now = Callable[[], datetime]


class WebhookMonitor:
    """A monitoring tool that tells kohub through webhooks (subclasses read them)."""

    adapter_type: AdapterType
    name: str
    kind = ToolKind.MONITORING
    capabilities = frozenset({Capability.WEBHOOK_RECEIVE})

    def __init__(self, history: AlertHistory, now: Now) -> None:
        self._history = history
        self._now = now

    async def host_status(self, host: MappedHost) -> ObservedStatus:
        raise UnsupportedCapability(self.adapter_type, Capability.STATUS_QUERY)

    async def recent_events(
        self, host: MappedHost, since: datetime, until: datetime
    ) -> list[RecentEvent]:
        return await self._history(self.adapter_type, host, since, until)

    async def execute_action(
        self, host: MappedHost, action: str, parameters: Mapping[str, Any]
    ) -> ActionResult:
        raise UnsupportedCapability(self.adapter_type, Capability.ACTION_EXECUTE)

    async def health(self) -> ToolHealth:
        # A webhook tool is healthy from kohub's side when kohub can receive: it is up.
        return ToolHealth(True, "receiving webhooks", self._now())


class UptimeKumaAdapter(WebhookMonitor):
    adapter_type = AdapterType.UPTIME_KUMA
    name = "Uptime Kuma"

    def parse_webhook(self, body: bytes, content_type: str | None) -> ParsedWebhook:
        return parse_uptime_kuma(body, content_type)


class GrafanaAdapter(WebhookMonitor):
    adapter_type = AdapterType.GRAFANA
    name = "Grafana alerting"

    def parse_webhook(self, body: bytes, content_type: str | None) -> ParsedWebhook:
        return parse_grafana(body)


class PrometheusAdapter(WebhookMonitor):
    """Alertmanager's webhooks in; Prometheus's HTTP API for `up{…}` of a host."""

    adapter_type = AdapterType.PROMETHEUS
    name = "Prometheus Alertmanager"
    capabilities = frozenset({Capability.WEBHOOK_RECEIVE, Capability.STATUS_QUERY})

    def __init__(
        self,
        history: AlertHistory,
        now: Now,
        client: httpx.AsyncClient,
        default_url: str | None,
    ) -> None:
        super().__init__(history, now)
        self._client = client
        self._default_url = default_url

    def parse_webhook(self, body: bytes, content_type: str | None) -> ParsedWebhook:
        return parse_alertmanager(body)

    async def host_status(self, host: MappedHost) -> ObservedStatus:
        adapter = host.adapter(AdapterType.PROMETHEUS)
        matchers = adapter.matchers() if adapter else {}
        url = (adapter.config.get("url") if adapter else None) or self._default_url
        if not matchers or not url:
            raise NoStatusSource(
                "The host's prometheus adapter needs matchers and a Prometheus URL "
                "(adapter config 'url' or KOHUB_PROMETHEUS_URL)."
            )
        selector = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(matchers.items()))
        query = f"up{{{selector}}}"
        try:
            response = await self._client.get(
                urljoin(url.rstrip("/") + "/", "api/v1/query"), params={"query": query}
            )
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ToolUnavailable(f"Prometheus did not answer {query}: {exc}") from exc
        results = body.get("data", {}).get("result", [])
        values = [float(r["value"][1]) for r in results if "value" in r]
        if not values:
            status, message = ObservedHostStatus.UNKNOWN, f"{query}: no series"
        elif any(v >= 1 for v in values):
            status, message = ObservedHostStatus.UP, f"{query} = 1"
        else:
            status, message = ObservedHostStatus.DOWN, f"{query} = 0"
        return ObservedStatus(status, self._now(), AdapterType.PROMETHEUS, message)

    async def health(self) -> ToolHealth:
        if not self._default_url:
            return ToolHealth(True, "receiving webhooks; no default Prometheus set", self._now())
        try:
            response = await self._client.get(self._default_url.rstrip("/") + "/-/healthy")
            healthy = response.status_code == 200
            detail = f"Prometheus answered {response.status_code}"
        except httpx.HTTPError as exc:
            healthy, detail = False, f"Prometheus unreachable: {type(exc).__name__}"
        return ToolHealth(healthy, detail, self._now(), {"url": self._default_url})


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
