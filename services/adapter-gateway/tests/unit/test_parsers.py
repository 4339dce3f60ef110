"""The webhook parsers against real payload shapes (tests/fixtures) and malformed bodies.

Every fixture test compares the whole `ParsedWebhook`, so each field is asserted: state, key,
event_id, occurred_at, severity, name, summary, hints, links, values, truncated_alerts, notices.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kohub_adapter.domain.alerts import (
    HostHints,
    MalformedPayload,
    Notice,
    NoticeKind,
    ParsedAlert,
    ParsedWebhook,
)
from kohub_adapter.domain.parsers.alertmanager import parse_alertmanager
from kohub_adapter.domain.parsers.common import (
    event_timestamp,
    host_from_instance,
    host_from_url,
    parse_go_time,
    parse_timestamp,
)
from kohub_adapter.domain.parsers.grafana import parse_grafana
from kohub_adapter.domain.parsers.uptime_kuma import parse_uptime_kuma
from kohub_contracts.enums import AlertState, ObservedHostStatus

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

FORM_CONTENT_TYPE = (
    "multipart/form-data; boundary=--------------------------476418409613212953262375"
)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def assert_utc(parsed: ParsedWebhook) -> None:
    for alert in parsed.alerts:
        for moment in (alert.occurred_at, alert.starts_at, alert.ends_at):
            assert moment is None or moment.utcoffset() is not None
            assert moment is None or moment.tzinfo is UTC
    for notice in parsed.notices:
        assert notice.occurred_at is None or notice.occurred_at.tzinfo is UTC


# --- Uptime Kuma --------------------------------------------------------------------------
# Formats verified against louislam/uptime-kuma:
#   server/notification-providers/webhook.js  body {heartbeat, monitor, msg}; "form-data" puts
#                                             JSON.stringify(body) in the multipart field `data`
#   server/model/heartbeat.js                 toJSON: monitorID, status, time, msg, ping,
#                                             important, duration (2.x: + retries, response)
#   server/model/monitor.js sendNotification  msg "[name] [🔴 Down|✅ Up] <beat msg>", beat msg
#                                             "N/A" when empty, + timezone, timezoneOffset,
#                                             localDateTime (2.x: + lastDownTime on UP)
#   server/model/monitor.js toJSON(…, false)  1.23.x field set (uptime_kuma_1_23_down.json,
#                                             uptime_kuma_maintenance.json, form body) and the
#                                             2.x field set (uptime_kuma_2_up.json, _pending.json)
#   checkCertExpiryNotifications              "[name][url] <certType> certificate <CN> will
#                                             expire in <n> days" (older: "will be expired in")
#   server/model/domain_expiry.js (2.x)       "Domain name <domain> will expire in <n> days"
#   server/server.js testNotification         msg "<notification name> Testing"
#   src/util.ts                               DOWN=0, UP=1, PENDING=2, MAINTENANCE=3


def test_uptime_kuma_1_23_down_json() -> None:
    parsed = parse_uptime_kuma(fixture("uptime_kuma_1_23_down.json"), "application/json")

    hints = HostHints(
        monitor_id="1",
        monitor_name="Customer portal",
        hostname="portal.acme.example",
        labels={"host": "web01.acme.internal", "production": ""},
    )
    assert parsed == ParsedWebhook(
        event_type="heartbeat",
        alerts=(
            ParsedAlert(
                key="1",
                state=AlertState.FIRING,
                name="Customer portal",
                summary="Request failed with status code 503",
                occurred_at=utc(2026, 1, 30, 10, 15, 0, 123000),
                event_id="uptime-kuma-1-20260130T101500",
                severity=None,
                starts_at=utc(2026, 1, 30, 10, 15, 0, 123000),
                ends_at=None,
                observed_status=ObservedHostStatus.DOWN,
                hints=hints,
                labels={"monitorType": "http"},
                annotations={},
                links={"monitor": "https://portal.acme.example/login"},
                values={},
            ),
        ),
        notices=(),
        truncated_alerts=0,
        group_key=None,
    )
    assert_utc(parsed)


def test_uptime_kuma_2_up_of_a_port_monitor() -> None:
    parsed = parse_uptime_kuma(fixture("uptime_kuma_2_up.json"), "application/json; charset=utf-8")

    assert parsed == ParsedWebhook(
        event_type="heartbeat",
        alerts=(
            ParsedAlert(
                key="12",
                state=AlertState.RESOLVED,
                name="Postgres db01",
                # Uptime Kuma replaces an empty heartbeat msg with "N/A".
                summary="N/A",
                occurred_at=utc(2026, 2, 3, 7, 42, 18, 504000),
                event_id="uptime-kuma-12-20260203T074218",
                severity=None,
                starts_at=utc(2026, 2, 3, 7, 33, 18, 417000),  # heartbeat.lastDownTime
                ends_at=utc(2026, 2, 3, 7, 42, 18, 504000),
                observed_status=ObservedHostStatus.UP,
                hints=HostHints(
                    monitor_id="12",
                    monitor_name="Postgres db01",
                    hostname="db01.acme.internal",
                    labels={"customer": "acme-gmbh"},
                ),
                labels={"monitorType": "port"},
                # A port monitor's url is the "https://" default: no link.
                links={},
            ),
        ),
    )
    assert_utc(parsed)


def test_uptime_kuma_multipart_form_data_down() -> None:
    parsed = parse_uptime_kuma(fixture("uptime_kuma_form_down.txt"), FORM_CONTENT_TYPE)

    summary = "200 - OK, but keyword is not in [<!DOCTYPE html><html><head><title>Down for mai...]"
    assert parsed == ParsedWebhook(
        event_type="heartbeat",
        alerts=(
            ParsedAlert(
                key="7",
                state=AlertState.FIRING,
                name="Shop checkout",
                summary=summary,
                # heartbeat.time without milliseconds, as older versions send it.
                occurred_at=utc(2026, 1, 30, 10, 20, 5),
                event_id="uptime-kuma-7-20260130T102005",
                starts_at=utc(2026, 1, 30, 10, 20, 5),
                observed_status=ObservedHostStatus.DOWN,
                hints=HostHints(
                    monitor_id="7", monitor_name="Shop checkout", hostname="shop.acme.example"
                ),
                labels={"monitorType": "keyword"},
                links={"monitor": "https://shop.acme.example/checkout"},
            ),
        ),
    )


def test_uptime_kuma_multipart_with_lf_line_endings_and_quoted_boundary() -> None:
    body = fixture("uptime_kuma_form_down.txt").replace(b"\r\n", b"\n")
    content_type = (
        'multipart/form-data; boundary="--------------------------476418409613212953262375"'
    )

    parsed = parse_uptime_kuma(body, content_type)

    assert parsed.alerts[0].key == "7"
    assert parsed.alerts[0].event_id == "uptime-kuma-7-20260130T102005"


def test_uptime_kuma_pending_is_a_notice() -> None:
    parsed = parse_uptime_kuma(fixture("uptime_kuma_pending.json"), "application/json")

    assert parsed == ParsedWebhook(
        event_type="heartbeat",
        alerts=(),
        notices=(
            Notice(
                kind=NoticeKind.PENDING,
                message="ping: 10.20.0.1: Request timeout",
                hints=HostHints(monitor_id="5", monitor_name="Core switch", hostname="10.20.0.1"),
                observed_status=ObservedHostStatus.PENDING,
                occurred_at=utc(2026, 2, 3, 9, 1, 44, 31000),
                days_remaining=None,
            ),
        ),
    )
    assert_utc(parsed)


def test_uptime_kuma_maintenance_is_a_notice() -> None:
    parsed = parse_uptime_kuma(fixture("uptime_kuma_maintenance.json"), "application/json")

    assert parsed == ParsedWebhook(
        event_type="heartbeat",
        notices=(
            Notice(
                kind=NoticeKind.MAINTENANCE,
                message="Monitor under maintenance",
                hints=HostHints(
                    monitor_id="3", monitor_name="Intranet", hostname="intranet.acme.internal"
                ),
                observed_status=ObservedHostStatus.MAINTENANCE,
                occurred_at=utc(2026, 1, 31, 22, 0, 0, 6000),
            ),
        ),
    )


def test_uptime_kuma_test_notification() -> None:
    parsed = parse_uptime_kuma(fixture("uptime_kuma_test_notification.json"), None)

    assert parsed == ParsedWebhook(
        event_type="notice",
        notices=(Notice(kind=NoticeKind.TEST, message="My Webhook Alert (1) Testing"),),
    )


def test_uptime_kuma_certificate_expiry() -> None:
    parsed = parse_uptime_kuma(fixture("uptime_kuma_cert_expiry.json"), "application/json")

    assert parsed == ParsedWebhook(
        event_type="notice",
        notices=(
            Notice(
                kind=NoticeKind.CERTIFICATE,
                message=(
                    "[Customer portal][https://portal.acme.example/login] server certificate "
                    "portal.acme.example will expire in 7 days"
                ),
                hints=HostHints(
                    monitor_name="Customer portal",
                    hostname="portal.acme.example",
                    labels={"monitorUrl": "https://portal.acme.example/login"},
                ),
                days_remaining=7,
            ),
        ),
    )


def test_uptime_kuma_certificate_expiry_old_wording() -> None:
    msg = "[Intranet][http://intranet.acme.internal:8080/] intermediate CA certificate Acme CA will be expired in 21 days"
    body = json.dumps({"heartbeat": None, "monitor": None, "msg": msg}).encode()

    (notice,) = parse_uptime_kuma(body, "application/json").notices

    assert notice.kind is NoticeKind.CERTIFICATE
    assert notice.days_remaining == 21
    assert notice.hints.monitor_name == "Intranet"
    assert notice.hints.hostname == "intranet.acme.internal"


def test_uptime_kuma_domain_expiry() -> None:
    parsed = parse_uptime_kuma(fixture("uptime_kuma_domain_expiry.json"), "application/json")

    assert parsed == ParsedWebhook(
        event_type="notice",
        notices=(
            Notice(
                kind=NoticeKind.CERTIFICATE,
                message="Domain name acme.example will expire in 14 days",
                hints=HostHints(hostname="acme.example"),
                days_remaining=14,
            ),
        ),
    )


def test_uptime_kuma_other_message_without_heartbeat() -> None:
    body = b'{"heartbeat": null, "monitor": null, "msg": "Something else happened"}'

    parsed = parse_uptime_kuma(body, "application/json")

    assert parsed == ParsedWebhook(
        event_type="notice",
        notices=(Notice(kind=NoticeKind.OTHER, message="Something else happened"),),
    )


def test_uptime_kuma_lenient_reading() -> None:
    """ISO time with T/Z, monitor id only on the heartbeat, name from msg, unknown fields."""
    body = json.dumps(
        {
            "heartbeat": {
                "monitorID": 42,
                "status": 0,
                "time": "2026-01-30T10:15:00Z",
                "msg": "",
                "someFutureField": {"nested": [1, 2]},
            },
            "monitor": None,
            "msg": "[Mail relay] [🔴 Down] connect ECONNREFUSED",
            "extra": True,
        }
    ).encode()

    (alert,) = parse_uptime_kuma(body, None).alerts

    assert alert.key == "42"
    assert alert.name == "Mail relay"
    assert alert.summary == "[Mail relay] [🔴 Down] connect ECONNREFUSED"
    assert alert.occurred_at == utc(2026, 1, 30, 10, 15)
    assert alert.event_id == "uptime-kuma-42-20260130T101500"
    assert alert.starts_at is None  # not marked important: could be a resent reminder
    assert alert.hints == HostHints(monitor_id="42", monitor_name="Mail relay")
    assert alert.links == {}


def test_uptime_kuma_ping_monitor_uses_hostname_not_stale_url() -> None:
    body = json.dumps(
        {
            "heartbeat": {"monitorID": 9, "status": 0, "time": "2026-01-30 10:15:00.000"},
            "monitor": {
                "id": 9,
                "name": "Gateway",
                "type": "ping",
                "url": "https://old.acme.example/",
                "hostname": "gw.acme.internal",
            },
            "msg": "[Gateway] [🔴 Down] timeout",
        }
    ).encode()

    (alert,) = parse_uptime_kuma(body, "application/json").alerts

    assert alert.hints.hostname == "gw.acme.internal"
    assert alert.links == {}


@pytest.mark.parametrize(
    ("body", "content_type", "message_part"),
    [
        (b"", "application/json", "empty"),
        (b"   \n", None, "empty"),
        (b"\xff\xfe{}", "application/json", "UTF-8"),
        (b"this is not json", "application/json", "not valid JSON"),
        (b'{"heartbeat": ', "application/json", "not valid JSON"),
        (b"[1, 2, 3]", "application/json", "Expected `object`, got `array`"),
        (b'"just a string"', None, "Expected `object`"),
        (b"{}", "application/json", "neither a heartbeat nor a msg"),
        (b'{"heartbeat": null, "monitor": null, "msg": ""}', None, "neither a heartbeat nor a msg"),
        (
            b'{"heartbeat": {"status": 0}, "monitor": {"id": 1}, "msg": "x"}',
            None,
            "missing required field `time`",
        ),
        (
            b'{"heartbeat": {"status": 7, "time": "2026-01-30 10:15:00"}, "monitor": {"id": 1}}',
            None,
            "heartbeat.status must be 0 (DOWN), 1 (UP), 2 (PENDING) or 3 (MAINTENANCE), got 7",
        ),
        (
            b'{"heartbeat": {"status": "down", "time": "2026-01-30 10:15:00"}, "monitor": {"id": 1}}',
            None,
            "Expected `int`, got `str` - at `$.heartbeat.status`",
        ),
        (
            b'{"heartbeat": {"status": 0, "time": "yesterday"}, "monitor": {"id": 1}}',
            None,
            "heartbeat.time is not a timestamp",
        ),
        (
            b'{"heartbeat": {"status": 0, "time": "2026-02-30 10:15:00"}, "monitor": {"id": 1}}',
            None,
            "heartbeat.time is not a valid timestamp",
        ),
        (
            b'{"heartbeat": {"status": 0, "time": "2026-01-30 10:15:00"}, "monitor": {"name": "x"}}',
            None,
            "names no monitor",
        ),
        (
            b"Monitor Customer portal is DOWN",
            "application/x-www-form-urlencoded",
            "custom webhook body is not supported",
        ),
        (
            b'{"text": "rendered by a custom template"}',
            "application/x-www-form-urlencoded",
            "custom webhook body is not supported",
        ),
    ],
)
def test_uptime_kuma_malformed(body: bytes, content_type: str | None, message_part: str) -> None:
    with pytest.raises(MalformedPayload) as caught:
        parse_uptime_kuma(body, content_type)
    assert message_part in str(caught.value)


def test_uptime_kuma_multipart_without_data_field() -> None:
    boundary = "--------------------------111111111111111111111111"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="payload"\r\n\r\n'
        '{"msg": "x"}\r\n'
        f"--{boundary}--\r\n"
    ).encode()

    with pytest.raises(MalformedPayload, match="no field `data`"):
        parse_uptime_kuma(body, f"multipart/form-data; boundary={boundary}")


def test_uptime_kuma_multipart_without_boundary() -> None:
    with pytest.raises(MalformedPayload, match="no boundary parameter"):
        parse_uptime_kuma(fixture("uptime_kuma_form_down.txt"), "multipart/form-data")


def test_uptime_kuma_multipart_with_another_boundary() -> None:
    with pytest.raises(MalformedPayload, match="does not contain its boundary"):
        parse_uptime_kuma(
            fixture("uptime_kuma_form_down.txt"), "multipart/form-data; boundary=xyz123"
        )


def test_uptime_kuma_multipart_data_field_not_json() -> None:
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n'
        f"not json\r\n--{boundary}--\r\n"
    ).encode()

    with pytest.raises(MalformedPayload, match="not valid JSON"):
        parse_uptime_kuma(body, f"multipart/form-data; boundary={boundary}")


# --- Prometheus Alertmanager ---------------------------------------------------------------
# Formats verified against prometheus/alertmanager:
#   notify/webhook/webhook.go   Message{*template.Data, Version "4", GroupKey, TruncatedAlerts}
#   template/template.go        Data{receiver, status, alerts, groupLabels, commonLabels,
#                               commonAnnotations, externalURL}; Alert{status, labels,
#                               annotations, startsAt, endsAt, generatorURL, fingerprint}
#   dispatch/dispatch.go        firing alerts are sent with endsAt = Go zero time
#                               (issue prometheus/alertmanager#3351)
# Timestamps are Go RFC3339Nano (up to 9 fractional digits, trailing zeros trimmed, any offset).

AM_GENERATOR = (
    "http://prometheus.acme.internal:9090/graph?g0.expr=up%7Bjob%3D%22node%22%7D+%3D%3D+0&g0.tab=1"
)
AM_URL = "http://alertmanager.acme.internal:9093"


def test_alertmanager_firing_two_and_one_resolved() -> None:
    parsed = parse_alertmanager(fixture("alertmanager_firing_two.json"))

    web01_labels = {
        "alertname": "NodeDown",
        "instance": "web01.acme.internal:9100",
        "job": "node",
        "severity": "Critical",
        "team": "ops",
    }
    ipv6_labels = {
        "alertname": "NodeDown",
        "instance": "[2001:db8::15]:9100",
        "job": "node",
        "severity": "critical",
    }
    db01_labels = {
        "alertname": "NodeDown",
        "instance": "db01.acme.internal:9100",
        "job": "node",
        "severity": "critical",
    }
    links = {"generator": AM_GENERATOR, "alertmanager": AM_URL}
    assert parsed == ParsedWebhook(
        event_type="alertmanager.v4",
        alerts=(
            ParsedAlert(
                key="4d6f1c2b8a9e0f37",
                state=AlertState.FIRING,
                name="NodeDown",
                summary="web01.acme.internal:9100 is down",
                occurred_at=utc(2026, 1, 30, 10, 15, 3, 123456),
                event_id="prometheus-4d6f1c2b8a9e0f37-20260130T101503-firing",
                severity="critical",
                starts_at=utc(2026, 1, 30, 10, 15, 3, 123456),
                ends_at=None,
                observed_status=None,
                hints=HostHints(hostname="web01.acme.internal", labels=web01_labels),
                labels=web01_labels,
                annotations={
                    "description": (
                        "Node exporter on web01.acme.internal:9100 has not answered for 2 minutes."
                    ),
                    "runbook_url": "https://runbooks.acme.example/NodeDown",
                    "summary": "web01.acme.internal:9100 is down",
                },
                links=links,
                values={},
            ),
            ParsedAlert(
                key="9a1c0e5d7b3f2468",
                state=AlertState.FIRING,
                name="NodeDown",
                # No summary annotation: the description.
                summary="Node exporter on [2001:db8::15]:9100 has not answered for 2 minutes.",
                occurred_at=utc(2026, 1, 30, 10, 15, 33, 500000),
                event_id="prometheus-9a1c0e5d7b3f2468-20260130T101533-firing",
                severity="critical",
                starts_at=utc(2026, 1, 30, 10, 15, 33, 500000),
                hints=HostHints(hostname="2001:db8::15", labels=ipv6_labels),
                labels=ipv6_labels,
                annotations={
                    "description": (
                        "Node exporter on [2001:db8::15]:9100 has not answered for 2 minutes."
                    ),
                },
                links=links,
            ),
            ParsedAlert(
                key="0b7e5a3c9d1f6e82",
                state=AlertState.RESOLVED,
                name="NodeDown",
                summary="db01.acme.internal:9100 is down",
                occurred_at=utc(2026, 1, 30, 10, 16, 3, 987654),  # endsAt
                event_id="prometheus-0b7e5a3c9d1f6e82-20260130T095848-resolved",
                severity="critical",
                starts_at=utc(2026, 1, 30, 9, 58, 48, 123),
                ends_at=utc(2026, 1, 30, 10, 16, 3, 987654),
                hints=HostHints(hostname="db01.acme.internal", labels=db01_labels),
                labels=db01_labels,
                annotations={"summary": "db01.acme.internal:9100 is down"},
                links=links,
            ),
        ),
        notices=(),
        truncated_alerts=2,
        group_key='{}/{severity=~"critical|warning"}:{alertname="NodeDown"}',
    )
    assert_utc(parsed)


def test_alertmanager_resolved_with_utc_offset() -> None:
    parsed = parse_alertmanager(fixture("alertmanager_resolved.json"))

    labels = {
        "alertname": "HostHighCpuLoad",
        "instance": "app02.acme.internal:9100",
        "job": "node",
        "nodename": "app02",
        "severity": "warning",
    }
    generator = (
        "http://prometheus.acme.internal:9090/graph?g0.expr=sum+by+%28instance%29+%28avg+by+"
        "%28mode%2C+instance%29+%28rate%28node_cpu_seconds_total%7Bmode%21%3D%22idle%22%7D%5B2m"
        "%5D%29%29%29+%3E+0.8&g0.tab=1"
    )
    assert parsed == ParsedWebhook(
        event_type="alertmanager.v4",
        alerts=(
            ParsedAlert(
                key="e2c4a6b8d0f13579",
                state=AlertState.RESOLVED,
                name="HostHighCpuLoad",
                summary="Host high CPU load (instance app02.acme.internal:9100)",
                # 11:27:18.470512809+01:00, nanoseconds truncated to microseconds, in UTC.
                occurred_at=utc(2026, 1, 30, 10, 27, 18, 470512),
                event_id="prometheus-e2c4a6b8d0f13579-20260130T100218-resolved",
                severity="warning",
                starts_at=utc(2026, 1, 30, 10, 2, 18, 470512),
                ends_at=utc(2026, 1, 30, 10, 27, 18, 470512),
                hints=HostHints(hostname="app02.acme.internal", labels=labels),
                labels=labels,
                annotations={
                    "description": (
                        "CPU load is > 80%\n  VALUE = 93.4\n"
                        "  LABELS = map[instance:app02.acme.internal:9100]"
                    ),
                    "summary": "Host high CPU load (instance app02.acme.internal:9100)",
                },
                links={"generator": generator, "alertmanager": AM_URL},
            ),
        ),
        truncated_alerts=0,
        group_key='{}:{alertname="HostHighCpuLoad"}',
    )
    assert_utc(parsed)


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("alertmanager_real_firing.json", AlertState.FIRING),
        ("alertmanager_real_resolved.json", AlertState.RESOLVED),
    ],
)
def test_alertmanager_payloads_captured_from_a_real_alertmanager(
    name: str, state: AlertState
) -> None:
    """Captured from Alertmanager 0.25 by tests/e2e/test_monitoring_harness.py."""
    raw = json.loads((FIXTURES / name).read_bytes())

    parsed = parse_alertmanager((FIXTURES / name).read_bytes())

    assert [a.key for a in parsed.alerts] == [a["fingerprint"] for a in raw["alerts"]]
    assert all(a.state is state for a in parsed.alerts)
    assert all((a.ends_at is None) is (state is AlertState.FIRING) for a in parsed.alerts)
    assert all(a.severity == "critical" and a.hints.hostname == "127.0.0.1" for a in parsed.alerts)
    assert parsed.group_key == raw["groupKey"]


def test_alertmanager_minimal_alert_and_host_labels() -> None:
    body = json.dumps(
        {
            "version": "4",
            "alerts": [
                {
                    "status": "firing",
                    "labels": {"host": "nas01"},
                    "annotations": {},
                    "startsAt": "2026-01-30T10:15:00Z",
                    "fingerprint": "00000000000000ff",
                    "aFieldFromTheFuture": 1,
                }
            ],
        }
    ).encode()

    parsed = parse_alertmanager(body)

    (alert,) = parsed.alerts
    assert alert.name == "00000000000000ff"  # no alertname: the fingerprint
    assert alert.summary == "00000000000000ff"
    assert alert.severity is None
    assert alert.hints.hostname == "nas01"
    assert alert.links == {}
    assert alert.ends_at is None
    assert parsed.truncated_alerts == 0
    assert parsed.group_key is None


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        (b"", "empty"),
        (b"\xc3\x28", "UTF-8"),
        (b"<html>502 Bad Gateway</html>", "not valid JSON"),
        (b"[]", "Expected `object`, got `array`"),
        (b'{"version": "4", "status": "firing"}', "missing required field `alerts`"),
        (b'{"alerts": {"status": "firing"}}', "Expected `array`, got `object`"),
        (
            b'{"alerts": [{"status": "firing", "startsAt": "2026-01-30T10:15:00Z"}]}',
            "`fingerprint`",
        ),
        (
            b'{"alerts": [{"status": "pending", "fingerprint": "ab", "startsAt": "2026-01-30T10:15:00Z"}]}',
            'alerts[0].status must be "firing" or "resolved", got \'pending\'',
        ),
        (
            b'{"alerts": [{"status": "firing", "fingerprint": " ", "startsAt": "2026-01-30T10:15:00Z"}]}',
            "alerts[0].fingerprint is empty",
        ),
        (
            b'{"alerts": [{"status": "firing", "fingerprint": "ab", "startsAt": "0001-01-01T00:00:00Z"}]}',
            "alerts[0].startsAt is missing",
        ),
        (
            b'{"alerts": [{"status": "resolved", "fingerprint": "ab", "startsAt": "2026-01-30T10:15:00Z", "endsAt": "0001-01-01T00:00:00Z"}]}',
            "alerts[0] is resolved but has no endsAt",
        ),
        (
            b'{"alerts": [{"status": "firing", "fingerprint": "ab", "startsAt": "30/01/2026 10:15"}]}',
            "alerts[0].startsAt is not a timestamp",
        ),
        (
            b'{"alerts": [{"status": "firing", "fingerprint": "ab", "startsAt": "2026-01-30T10:15:00Z", "labels": {"cpu": 3}}]}',
            "Expected `str`, got `int`",
        ),
        (b'{"alerts": [], "truncatedAlerts": -1}', "Expected `int` >= 0"),
    ],
)
def test_alertmanager_malformed(body: bytes, message_part: str) -> None:
    with pytest.raises(MalformedPayload) as caught:
        parse_alertmanager(body)
    assert message_part in str(caught.value)


def test_alertmanager_error_names_the_format() -> None:
    with pytest.raises(MalformedPayload, match="Alertmanager webhook"):
        parse_alertmanager(b'{"foo": "bar"}')


# --- Grafana alerting ----------------------------------------------------------------------
# Formats verified against grafana/alerting:
#   receivers/webhook/v1/webhook.go  webhookMessage{*templates.ExtendedData, Version "1",
#                                    GroupKey, TruncatedAlerts, OrgID, Title, State
#                                    ("alerting"/"ok"), Message}
#   templates/template_data.go       ExtendedAlert{status, labels, annotations, startsAt,
#                                    endsAt, generatorURL, fingerprint, silenceURL,
#                                    dashboardURL, panelURL, values, valueString,
#                                    imageURL (omitempty), orgId (omitempty)}
#   receivers/webhook/v1/webhook_test.go  example bodies (values null when the rule has none)

GRAFANA = "https://grafana.acme.example"
GRAFANA_LABELS = {
    "alertname": "High CPU",
    "grafana_folder": "Infrastructure",
    "instance": "web01.acme.internal:9100",
    "severity": "warning",
}
GRAFANA_ANNOTATIONS = {
    "description": "CPU usage on web01.acme.internal:9100 is above 90%.",
    "summary": "High CPU on web01",
}
GRAFANA_SILENCE = (
    f"{GRAFANA}/alerting/silence/new?alertmanager=grafana"
    "&matcher=__alert_rule_uid__%3Dddf2lvyf3zsaoc&matcher=instance%3Dweb01.acme.internal%3A9100"
    "&matcher=severity%3Dwarning&orgId=1"
)
GRAFANA_GROUP_KEY = (
    '{}/{__grafana_autogenerated__="true"}/{__grafana_receiver__="kohub"}'
    ':{alertname="High CPU", grafana_folder="Infrastructure"}'
)


def grafana_links(to_ms: int, *, image: bool) -> dict[str, str]:
    dashboard = f"{GRAFANA}/d/rYdddlPWk?from=1769764490000&orgId=1&to={to_ms}"
    links = {
        "generator": f"{GRAFANA}/alerting/grafana/ddf2lvyf3zsaoc/view?orgId=1",
        "grafana": f"{GRAFANA}/",
        "dashboard": dashboard,
        "panel": f"{dashboard}&viewPanel=3",
        "silence": GRAFANA_SILENCE,
    }
    if image:
        links["image"] = f"{GRAFANA}/public/img/attachments/7Jx3BTa1sYz0.png"
    return links


def test_grafana_firing() -> None:
    parsed = parse_grafana(fixture("grafana_firing.json"))

    assert parsed == ParsedWebhook(
        event_type="grafana.v1",
        alerts=(
            ParsedAlert(
                key="a3b1c2d4e5f60718",
                state=AlertState.FIRING,
                name="High CPU",
                summary="High CPU on web01",
                occurred_at=utc(2026, 1, 30, 10, 14, 50),
                event_id="grafana-a3b1c2d4e5f60718-20260130T101450-firing",
                severity="warning",
                starts_at=utc(2026, 1, 30, 10, 14, 50),
                ends_at=None,
                observed_status=None,
                hints=HostHints(hostname="web01.acme.internal", labels=GRAFANA_LABELS),
                labels=GRAFANA_LABELS,
                annotations=GRAFANA_ANNOTATIONS,
                links=grafana_links(1769768100000, image=True),
                values={"A": 97.31, "C": 1.0},
            ),
        ),
        notices=(),
        truncated_alerts=0,
        group_key=GRAFANA_GROUP_KEY,
    )
    assert all(isinstance(v, float) for v in parsed.alerts[0].values.values())
    assert_utc(parsed)


def test_grafana_resolved() -> None:
    parsed = parse_grafana(fixture("grafana_resolved.json"))

    assert parsed == ParsedWebhook(
        event_type="grafana.v1",
        alerts=(
            ParsedAlert(
                key="a3b1c2d4e5f60718",
                state=AlertState.RESOLVED,
                name="High CPU",
                summary="High CPU on web01",
                occurred_at=utc(2026, 1, 30, 10, 40, 50),
                event_id="grafana-a3b1c2d4e5f60718-20260130T101450-resolved",
                severity="warning",
                starts_at=utc(2026, 1, 30, 10, 14, 50),
                ends_at=utc(2026, 1, 30, 10, 40, 50),
                hints=HostHints(hostname="web01.acme.internal", labels=GRAFANA_LABELS),
                labels=GRAFANA_LABELS,
                annotations=GRAFANA_ANNOTATIONS,
                links=grafana_links(1769769650000, image=False),
                values={"A": 41.2, "C": 0.0},
            ),
        ),
        truncated_alerts=0,
        group_key=GRAFANA_GROUP_KEY,
    )


def test_grafana_values_null_and_truncated() -> None:
    body = json.dumps(
        {
            "receiver": "my_receiver",
            "status": "firing",
            "alerts": [
                {
                    "status": "firing",
                    "labels": {"alertname": "alert1", "lbl1": "val1"},
                    "annotations": {"ann1": "annv1"},
                    "startsAt": "2026-01-30T10:14:50.000000001Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://localhost/test?orgId=1",
                    "fingerprint": "fac0861a85de433a",
                    "silenceURL": "",
                    "dashboardURL": "",
                    "panelURL": "",
                    "values": None,
                    "valueString": "",
                }
            ],
            "groupLabels": {"alertname": ""},
            "commonLabels": {"alertname": "alert1", "lbl1": "val1"},
            "commonAnnotations": {"ann1": "annv1"},
            "externalURL": "http://localhost",
            "version": "1",
            "groupKey": "alertname",
            "truncatedAlerts": 1,
            "orgId": 1,
            "title": "Alerts firing: 1",
            "state": "alerting",
            "message": "Custom message",
        }
    ).encode()

    parsed = parse_grafana(body)

    (alert,) = parsed.alerts
    assert alert.values == {}
    assert alert.links == {
        "generator": "http://localhost/test?orgId=1",
        "grafana": "http://localhost",
    }
    assert alert.summary == "alert1"
    assert alert.event_id == "grafana-fac0861a85de433a-20260130T101450-firing"
    assert parsed.truncated_alerts == 1
    assert parsed.group_key == "alertname"


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        (b"", "empty"),
        (b"\x80", "UTF-8"),
        (b"{not json", "not valid JSON"),
        (b'{"state": "alerting", "title": "x"}', "missing required field `alerts`"),
        (
            b'{"alerts": [{"status": "alerting", "fingerprint": "ab", "startsAt": "2026-01-30T10:14:50Z"}]}',
            'alerts[0].status must be "firing" or "resolved", got \'alerting\'',
        ),
        (
            b'{"alerts": [{"status": "firing", "fingerprint": "ab", "startsAt": "2026-01-30T10:14:50Z", "values": {"A": "high"}}]}',
            "Expected `float`, got `str`",
        ),
        (b'{"alerts": [], "truncatedAlerts": -3}', "truncatedAlerts must not be negative"),
        (
            b'{"dashboardId": 1, "evalMatches": [], "ruleId": 3, "ruleName": "CPU", '
            b'"state": "alerting", "title": "[Alerting] CPU"}',
            "legacy dashboard alert webhook",
        ),
    ],
)
def test_grafana_malformed(body: bytes, message_part: str) -> None:
    with pytest.raises(MalformedPayload) as caught:
        parse_grafana(body)
    assert message_part in str(caught.value)


# --- shared pieces -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-30 10:15:00.123", utc(2026, 1, 30, 10, 15, 0, 123000)),
        ("2026-01-30 10:15:00", utc(2026, 1, 30, 10, 15, 0)),
        ("2026-01-30T10:15:00Z", utc(2026, 1, 30, 10, 15, 0)),
        ("2026-01-30T10:15:00.123456789Z", utc(2026, 1, 30, 10, 15, 0, 123456)),
        ("2026-01-30T10:15:00.5Z", utc(2026, 1, 30, 10, 15, 0, 500000)),
        ("2026-01-30T11:15:00.1+01:00", utc(2026, 1, 30, 10, 15, 0, 100000)),
        ("2026-01-30T04:45:00-0530", utc(2026, 1, 30, 10, 15, 0)),
        ("2026-01-30t10:15:00z", utc(2026, 1, 30, 10, 15, 0)),
    ],
)
def test_parse_timestamp(value: str, expected: datetime) -> None:
    parsed = parse_timestamp(value, "t")
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_parse_timestamp_out_of_range_is_malformed() -> None:
    with pytest.raises(MalformedPayload, match="endsAt is not a valid timestamp"):
        parse_timestamp("0001-01-01T00:00:00+01:00", "endsAt")


def test_parse_go_time_zero_and_missing_are_none() -> None:
    assert parse_go_time("0001-01-01T00:00:00Z", "endsAt") is None
    assert parse_go_time("0001-01-01T00:00:00+01:00", "endsAt") is None
    assert parse_go_time("", "endsAt") is None
    assert parse_go_time(None, "endsAt") is None


def test_event_timestamp_is_utc() -> None:
    assert event_timestamp(parse_timestamp("2026-01-30T23:59:59.999+01:00", "t")) == (
        "20260130T225959"
    )


@pytest.mark.parametrize(
    ("instance", "expected"),
    [
        ("web01.acme.internal:9100", "web01.acme.internal"),
        ("10.0.0.5:9100", "10.0.0.5"),
        ("[::1]:9100", "::1"),
        ("[2001:db8::15]:9100", "2001:db8::15"),
        ("2001:db8::15", "2001:db8::15"),
        ("nas01", "nas01"),
        ("https://portal.acme.example/login", "portal.acme.example"),
        ("portal.acme.example:443/health", "portal.acme.example"),
        ("", None),
        ("[]:9100", None),
        (":9100", None),
    ],
)
def test_host_from_instance(instance: str, expected: str | None) -> None:
    assert host_from_instance(instance) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://portal.acme.example/login", "portal.acme.example"),
        ("http://[2001:db8::1]:8080/", "2001:db8::1"),
        ("HTTPS://Portal.Acme.Example", "portal.acme.example"),
        ("portal.acme.example:8443/x", "portal.acme.example"),
        ("https://", None),
        ("http://", None),
        ("", None),
        (None, None),
        ("http://[broken/", None),
    ],
)
def test_host_from_url(url: str | None, expected: str | None) -> None:
    assert host_from_url(url) == expected
