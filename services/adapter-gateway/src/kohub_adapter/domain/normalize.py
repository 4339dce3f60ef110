"""From a tool's alert to kohub's: fingerprint, priority, the seed's title in the configured
language, host and organization."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from uuid import UUID

from kohub_adapter.domain.alerts import Notice, ParsedAlert
from kohub_adapter.domain.mapping import MappedHost
from kohub_adapter.domain.sources import WebhookSource
from kohub_contracts.enums import AdapterType, AlertState, TicketPriority, TicketSource

Locale = Literal["ko", "en"]
TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 8_000
TICKET_SOURCES = {
    AdapterType.UPTIME_KUMA: TicketSource.UPTIME_KUMA,
    AdapterType.PROMETHEUS: TicketSource.PROMETHEUS,
    AdapterType.GRAFANA: TicketSource.GRAFANA,
}
SEVERITY_PRIORITIES = {
    "critical": TicketPriority.CRITICAL,
    "warning": TicketPriority.HIGH,
    "high": TicketPriority.HIGH,
    "info": TicketPriority.LOW,
    "low": TicketPriority.LOW,
}
# Uptime Kuma has no severity: a DOWN monitor is an outage, overridable per source by "down".
UPTIME_KUMA_DOWN = "down"
PREFIXES = {
    "ko": {AlertState.FIRING: "장애", AlertState.RESOLVED: "복구", "certificate": "인증서"},
    "en": {
        AlertState.FIRING: "Outage",
        AlertState.RESOLVED: "Recovered",
        "certificate": "Certificate",
    },
}
LABELS = {
    "ko": {
        "tool": "감시 도구",
        "alert": "경보",
        "message": "내용",
        "since": "시작",
        "host": "호스트",
        "labels": "레이블",
        "links": "링크",
        "days": "만료까지 {days}일",
    },
    "en": {
        "tool": "Monitoring tool",
        "alert": "Alert",
        "message": "Message",
        "since": "Since",
        "host": "Host",
        "labels": "Labels",
        "links": "Links",
        "days": "{days} days until expiry",
    },
}


@dataclass(frozen=True, slots=True)
class NormalizedAlert:
    fingerprint: str
    source_event_id: str
    state: AlertState
    priority: TicketPriority
    title: str
    description: str
    occurred_at: datetime
    adapter: AdapterType
    ticket_source: TicketSource
    host: MappedHost | None
    org_id: UUID | None
    starts_at: datetime | None = None
    links: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def _plain(text: str) -> str:
    """PostgreSQL text cannot hold NUL; a tool's message may carry one."""
    return text.replace("\x00", "")


def _plain_map(values: dict[str, str]) -> dict[str, str]:
    return {_plain(k): _plain(v) for k, v in values.items()}


def fingerprint_of(adapter: AdapterType, source_id: UUID, key: str) -> str:
    return f"{adapter.value}:{source_id}:{key}"


def priority_of(alert: ParsedAlert, source: WebhookSource) -> TicketPriority:
    overrides = source.priority_overrides
    if source.adapter_type is AdapterType.UPTIME_KUMA:
        return overrides.get(UPTIME_KUMA_DOWN, TicketPriority.CRITICAL)
    severity = (alert.severity or "").lower()
    if severity in overrides:
        return overrides[severity]
    return SEVERITY_PRIORITIES.get(severity, TicketPriority.MEDIUM)


def normalize(
    alert: ParsedAlert, source: WebhookSource, host: MappedHost | None, locale: Locale
) -> NormalizedAlert:
    subject = host.name if host is not None else alert.name
    detail = alert.summary if subject == alert.name else f"{alert.name}: {alert.summary}"
    return NormalizedAlert(
        fingerprint=fingerprint_of(source.adapter_type, source.id, alert.key),
        source_event_id=alert.event_id,
        state=alert.state,
        priority=priority_of(alert, source),
        title=_plain(_title(PREFIXES[locale][alert.state], subject, detail)),
        description=_plain(_description(alert, source, host, locale)),
        occurred_at=alert.occurred_at,
        adapter=source.adapter_type,
        ticket_source=TICKET_SOURCES[source.adapter_type],
        host=host,
        org_id=host.org_id if host is not None else source.default_org_id,
        starts_at=alert.starts_at,
        links=_plain_map(alert.links),
        labels=_plain_map(alert.labels),
    )


def certificate_alert(
    notice: Notice, source: WebhookSource, host: MappedHost, locale: Locale, at: datetime
) -> NormalizedAlert:
    """A certificate or domain expiry notice on a mapped host: a LOW ticket, one per host and
    day (the tool repeats the notice daily)."""
    occurred = notice.occurred_at or at
    words = LABELS[locale]
    days = words["days"].format(days=notice.days_remaining) if notice.days_remaining else ""
    return NormalizedAlert(
        fingerprint=fingerprint_of(source.adapter_type, source.id, f"certificate:{host.host_id}"),
        source_event_id=f"uptime-kuma-cert-{host.host_id}-{occurred:%Y%m%d}",
        state=AlertState.FIRING,
        priority=TicketPriority.LOW,
        title=_plain(_title(PREFIXES[locale]["certificate"], host.name, days or notice.message)),
        description=_plain(notice.message),
        occurred_at=occurred,
        adapter=source.adapter_type,
        ticket_source=TICKET_SOURCES[source.adapter_type],
        host=host,
        org_id=host.org_id,
    )


def _title(prefix: str, subject: str, detail: str) -> str:
    title = (
        f"[{prefix}] {subject} - {' '.join(detail.split())}" if detail else f"[{prefix}] {subject}"
    )
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"


def _description(
    alert: ParsedAlert, source: WebhookSource, host: MappedHost | None, locale: Locale
) -> str:
    words = LABELS[locale]
    lines = [
        f"{words['tool']}: {source.name} ({source.adapter_type.value})",
        f"{words['alert']}: {alert.name}",
        f"{words['message']}: {alert.summary}",
    ]
    if alert.starts_at is not None:
        lines.append(f"{words['since']}: {alert.starts_at.isoformat()}")
    if host is not None:
        lines.append(f"{words['host']}: {host.name}")
    if alert.labels:
        labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
        lines.append(f"{words['labels']}: {labels}")
    if alert.links:
        lines.append(f"{words['links']}:")
        lines.extend(f"- {name}: {url}" for name, url in alert.links.items())
    text = "\n".join(lines)
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"
