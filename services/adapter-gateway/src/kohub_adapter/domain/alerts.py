"""What a monitoring tool's webhook says, read by its parser before kohub's normalization:
tool-level alerts (one per monitor or Alertmanager fingerprint) and notices that are recorded
but never open an outage ticket."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from kohub_contracts.enums import AlertState, ObservedHostStatus


class MalformedPayload(ValueError):
    """The body cannot be read as this tool's webhook; the message says why, for people."""


# What kohub keeps of a tool's ids (they become fingerprints and ticket source event ids).
KEY_LIMIT = 100
EVENT_ID_LIMIT = 200


class NoticeKind(str, Enum):
    TEST = "TEST"
    """A test notification from the tool's settings screen."""
    CERTIFICATE = "CERTIFICATE"
    """A TLS certificate or domain expiry notice."""
    PENDING = "PENDING"
    """Uptime Kuma's PENDING heartbeat: retrying, not down yet."""
    MAINTENANCE = "MAINTENANCE"
    """Uptime Kuma's MAINTENANCE heartbeat."""
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class HostHints:
    """What may identify the host the alert is about, for the host-mapping read model."""

    monitor_id: str | None = None
    monitor_name: str | None = None
    hostname: str | None = None
    """A host name or address found in the payload (monitor URL host, `instance` without the
    port, a `host`/`hostname` label)."""
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParsedAlert:
    key: str
    """The tool's own stable id: Uptime Kuma monitor id, Alertmanager/Grafana fingerprint."""
    state: AlertState
    name: str
    """Monitor name or `alertname`: the title's subject."""
    summary: str
    """The message: Uptime Kuma's `heartbeat.msg`, the summary/description annotation."""
    occurred_at: datetime
    """When the tool saw this state (heartbeat time; startsAt for firing, endsAt resolved)."""
    event_id: str
    """The source event id of seed §2.3, e.g. `uptime-kuma-1-20260130T101500`."""
    severity: str | None = None
    """The raw severity (label `severity`), lower case; None when the tool has none."""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    observed_status: ObservedHostStatus | None = None
    """The host status this says, for `host.status.observed` (heartbeats only)."""
    hints: HostHints = field(default_factory=HostHints)
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    message: str
    hints: HostHints = field(default_factory=HostHints)
    observed_status: ObservedHostStatus | None = None
    occurred_at: datetime | None = None
    days_remaining: int | None = None
    """Certificate/domain notices: days until expiry, when the message says."""


def check_ids(alerts: "tuple[ParsedAlert, ...]") -> None:
    """A tool's id longer than kohub keeps is refused (stored FAILED), never cut: two ids
    that differ only past the limit would merge into one alert."""
    for alert in alerts:
        if len(alert.key) > KEY_LIMIT or len(alert.event_id) > EVENT_ID_LIMIT:
            raise MalformedPayload(
                f"The alert id {alert.key[:40]!r}… is longer than {KEY_LIMIT} characters."
            )
        if "\x00" in alert.key or "\x00" in alert.event_id:
            raise MalformedPayload("An alert id contains a NUL character.")


@dataclass(frozen=True, slots=True)
class ParsedWebhook:
    event_type: str
    """What the request was, for the AdapterEvent: `heartbeat`, `notice`, `alertmanager.v4`…"""
    alerts: tuple[ParsedAlert, ...] = ()
    notices: tuple[Notice, ...] = ()
    truncated_alerts: int = 0
    group_key: str | None = None
