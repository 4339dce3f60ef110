"""Prometheus Alertmanager's webhook (`version: "4"`) read into `ParsedWebhook`.

The body is `notify/webhook/webhook.go`'s `Message`: `template.Data` (receiver, status, alerts,
groupLabels, commonLabels, commonAnnotations, externalURL) plus version, groupKey and
truncatedAlerts. Every alert is read on its own, keyed by its fingerprint. Alertmanager sends a
firing alert's `endsAt` as Go's zero time (`0001-01-01T00:00:00Z`), read here as None.

Grafana's webhook has the same base; `grafana.py` reuses `AlertmanagerAlert` and `build_alert`.
"""

from typing import Annotated

import msgspec

from kohub_adapter.domain.alerts import HostHints, MalformedPayload, ParsedAlert, ParsedWebhook
from kohub_adapter.domain.parsers.common import (
    check_body,
    decode_json,
    event_timestamp,
    host_from_instance,
    parse_go_time,
    text_or_none,
)
from kohub_contracts.enums import AlertState

EVENT_TYPE = "alertmanager.v4"
EVENT_ID_PREFIX = "prometheus"

_EXPECTED = 'an Alertmanager webhook (a JSON object with version "4" and an `alerts` list)'

_STATES = {"firing": AlertState.FIRING, "resolved": AlertState.RESOLVED}

_HOST_LABELS = ("host", "hostname", "nodename")
"""Labels read for the host name, in order, when `instance` gives none."""

_SUMMARY_ANNOTATIONS = ("summary", "description", "message")


class AlertmanagerAlert(msgspec.Struct):
    """One entry of `alerts`: `template.Alert` of prometheus/alertmanager."""

    status: str
    fingerprint: str
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    starts_at: str | None = msgspec.field(default=None, name="startsAt")
    ends_at: str | None = msgspec.field(default=None, name="endsAt")
    generator_url: str | None = msgspec.field(default=None, name="generatorURL")


class _AlertmanagerMessage(msgspec.Struct):
    alerts: list[AlertmanagerAlert]
    version: str | None = None
    status: str | None = None
    receiver: str | None = None
    group_key: str | None = msgspec.field(default=None, name="groupKey")
    truncated_alerts: Annotated[int, msgspec.Meta(ge=0)] | None = msgspec.field(
        default=None, name="truncatedAlerts"
    )
    external_url: str | None = msgspec.field(default=None, name="externalURL")


def parse_alertmanager(body: bytes) -> ParsedWebhook:
    """Read an Alertmanager webhook body; raises `MalformedPayload` when it is not one."""
    data = check_body(body, _EXPECTED)
    message = decode_json(data, _AlertmanagerMessage, _EXPECTED)
    external_url = text_or_none(message.external_url)
    alerts = tuple(
        build_alert(
            alert,
            index=index,
            event_id_prefix=EVENT_ID_PREFIX,
            links=links_from(
                ("generator", alert.generator_url),
                ("alertmanager", external_url),
            ),
        )
        for index, alert in enumerate(message.alerts)
    )
    return ParsedWebhook(
        event_type=EVENT_TYPE,
        alerts=alerts,
        truncated_alerts=message.truncated_alerts or 0,
        group_key=text_or_none(message.group_key),
    )


def build_alert(
    alert: AlertmanagerAlert,
    *,
    index: int,
    event_id_prefix: str,
    links: dict[str, str],
    values: dict[str, float] | None = None,
) -> ParsedAlert:
    """One `ParsedAlert` from an Alertmanager-style alert (`alerts[index]` of the body).

    event_id: `<prefix>-<fingerprint>-<startsAt as yyyyMMddTHHmmss, UTC>-<firing|resolved>`.
    """
    where = f"alerts[{index}]"
    status = alert.status.strip().lower()
    state = _STATES.get(status)
    if state is None:
        raise MalformedPayload(
            f'{where}.status must be "firing" or "resolved", got {alert.status!r}.'
        )
    fingerprint = alert.fingerprint.strip()
    if not fingerprint:
        raise MalformedPayload(f"{where}.fingerprint is empty; every alert needs its fingerprint.")
    starts_at = parse_go_time(alert.starts_at, f"{where}.startsAt")
    if starts_at is None:
        raise MalformedPayload(f"{where}.startsAt is missing; every alert needs its start time.")
    ends_at = parse_go_time(alert.ends_at, f"{where}.endsAt")
    if state is AlertState.RESOLVED:
        if ends_at is None:
            raise MalformedPayload(
                f"{where} is resolved but has no endsAt; a resolved alert says when it ended."
            )
        occurred_at = ends_at
    else:
        occurred_at = starts_at

    labels = dict(alert.labels or {})
    annotations = dict(alert.annotations or {})
    name = text_or_none(labels.get("alertname")) or fingerprint
    summary = (
        next(
            (text for key in _SUMMARY_ANNOTATIONS if (text := text_or_none(annotations.get(key)))),
            None,
        )
        or name
    )
    severity = text_or_none(labels.get("severity"))
    return ParsedAlert(
        key=fingerprint,
        state=state,
        name=name,
        summary=summary,
        occurred_at=occurred_at,
        event_id=f"{event_id_prefix}-{fingerprint}-{event_timestamp(starts_at)}-{status}",
        severity=severity.lower() if severity else None,
        starts_at=starts_at,
        ends_at=ends_at,
        hints=HostHints(hostname=hostname_from_labels(labels), labels=dict(labels)),
        labels=labels,
        annotations=annotations,
        links=links,
        values=dict(values or {}),
    )


def hostname_from_labels(labels: dict[str, str]) -> str | None:
    """The alert's host: `instance` without its port, else `host`/`hostname`/`nodename`."""
    host = host_from_instance(labels.get("instance"))
    if host:
        return host
    for label in _HOST_LABELS:
        value = text_or_none(labels.get(label))
        if value:
            return value
    return None


def links_from(*pairs: tuple[str, str | None]) -> dict[str, str]:
    """`{key: url}` of the pairs whose URL is not empty."""
    return {key: url for key, value in pairs if (url := text_or_none(value))}
