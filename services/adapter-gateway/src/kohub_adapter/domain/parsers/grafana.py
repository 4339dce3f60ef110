"""Grafana alerting's webhook (`version: "1"`) read into `ParsedWebhook`.

The body is grafana/alerting's `receivers/webhook/v1` `webhookMessage`: `templates.ExtendedData`
(the Alertmanager `template.Data` with `ExtendedAlert`s) plus version "1", groupKey,
truncatedAlerts, orgId, title, state ("alerting"/"ok") and message. Each `ExtendedAlert` adds
silenceURL, dashboardURL, panelURL, values, valueString, imageURL (omitted when empty) and
orgId. Alerts are read like Alertmanager's (see `alertmanager.build_alert`), with event ids
`grafana-<fingerprint>-<startsAt>-<firing|resolved>`.

Grafana's legacy (pre-8) dashboard alert webhook (ruleId, evalMatches, …) is not this format.
"""

import msgspec

from kohub_adapter.domain.alerts import MalformedPayload, Notice, NoticeKind, ParsedWebhook
from kohub_adapter.domain.parsers.alertmanager import AlertmanagerAlert, build_alert, links_from
from kohub_adapter.domain.parsers.common import check_body, decode_json, text_or_none

EVENT_TYPE = "grafana.v1"
EVENT_ID_PREFIX = "grafana"

_EXPECTED = 'a Grafana alerting webhook (a JSON object with version "1" and an `alerts` list)'

_LEGACY_FIELDS = frozenset({"evalMatches", "ruleId", "ruleName", "ruleUrl"})


class _GrafanaAlert(AlertmanagerAlert):
    """`templates.ExtendedAlert` of grafana/alerting."""

    silence_url: str | None = msgspec.field(default=None, name="silenceURL")
    dashboard_url: str | None = msgspec.field(default=None, name="dashboardURL")
    panel_url: str | None = msgspec.field(default=None, name="panelURL")
    image_url: str | None = msgspec.field(default=None, name="imageURL")
    values: dict[str, float] | None = None
    value_string: str | None = msgspec.field(default=None, name="valueString")


class _GrafanaMessage(msgspec.Struct):
    alerts: list[_GrafanaAlert]
    version: str | None = None
    status: str | None = None
    state: str | None = None
    receiver: str | None = None
    group_key: str | None = msgspec.field(default=None, name="groupKey")
    truncated_alerts: int | None = msgspec.field(default=None, name="truncatedAlerts")
    external_url: str | None = msgspec.field(default=None, name="externalURL")


def parse_grafana(body: bytes) -> ParsedWebhook:
    """Read a Grafana alerting webhook body; raises `MalformedPayload` when it is not one."""
    data = check_body(body, _EXPECTED)
    _reject_legacy(data)
    message = decode_json(data, _GrafanaMessage, _EXPECTED)
    if message.truncated_alerts is not None and message.truncated_alerts < 0:
        raise MalformedPayload(
            f"truncatedAlerts must not be negative, got {message.truncated_alerts}."
        )
    external_url = text_or_none(message.external_url)
    tests = [a for a in message.alerts if _is_test(a)]
    alerts = tuple(
        build_alert(
            alert,
            index=index,
            event_id_prefix=EVENT_ID_PREFIX,
            links=links_from(
                ("generator", alert.generator_url),
                ("grafana", external_url),
                ("dashboard", alert.dashboard_url),
                ("panel", alert.panel_url),
                ("silence", alert.silence_url),
                ("image", alert.image_url),
            ),
            values=alert.values,
        )
        for index, alert in enumerate(message.alerts)
        if not _is_test(alert)
    )
    notices = tuple(
        Notice(NoticeKind.TEST, (a.annotations or {}).get("summary") or "Grafana test alert")
        for a in tests
    )
    return ParsedWebhook(
        event_type=EVENT_TYPE,
        alerts=alerts,
        notices=notices,
        truncated_alerts=message.truncated_alerts or 0,
        group_key=text_or_none(message.group_key),
    )


def _is_test(alert: _GrafanaAlert) -> bool:
    """Grafana's "Test" button sends alertname TestAlert from instance Grafana."""
    labels = alert.labels or {}
    return labels.get("alertname") == "TestAlert" and labels.get("instance") == "Grafana"


def _reject_legacy(data: bytes) -> None:
    """A clear message for Grafana's legacy dashboard-alert webhook, which has no `alerts`."""
    try:
        top = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
    except (msgspec.DecodeError, msgspec.ValidationError):
        return  # decode_json reports it
    if "alerts" not in top and _LEGACY_FIELDS & top.keys():
        raise MalformedPayload(
            "This is Grafana's legacy dashboard alert webhook (ruleId, evalMatches…); expected "
            f"{_EXPECTED}. Use a contact point of Grafana alerting (Grafana 8 or later)."
        )
