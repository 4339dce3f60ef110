"""Uptime Kuma's webhook notification read into `ParsedWebhook`.

`server/notification-providers/webhook.js` posts `{heartbeat, monitor, msg}`: as JSON
("application/json" body), or as multipart/form-data with that JSON in the field `data`
("form-data" body). Its "custom" body is a user template and is not read here.

- `heartbeat` is `Heartbeat.toJSON()` (monitorID, status, time, msg, ping, important, duration;
  2.x adds retries and response) plus `timezone`, `timezoneOffset`, `localDateTime` and, on UP
  in 2.x, `lastDownTime`. `time` is `YYYY-MM-DD HH:mm:ss.SSS` in UTC without a zone.
- `monitor` is `Monitor.toJSON(…, includeSensitiveData=false)`: id, name, url, hostname, port,
  type, tags, ….
- Status (`src/util.ts`): DOWN=0 → a FIRING alert, UP=1 → a RESOLVED alert, PENDING=2 and
  MAINTENANCE=3 → notices.
- Test notifications (`"<notification name> Testing"`), certificate expiry
  (`"[<name>][<url>] <certType> certificate <CN> will expire in <n> days"`; before 1.23
  "will be expired in") and domain expiry (`"Domain name <domain> will expire in <n> days"`,
  2.x) come with `heartbeat` and `monitor` null: notices too.
"""

import re
from datetime import datetime
from typing import Any

import msgspec

from kohub_adapter.domain.alerts import (
    HostHints,
    MalformedPayload,
    Notice,
    NoticeKind,
    ParsedAlert,
    ParsedWebhook,
)
from kohub_adapter.domain.parsers.common import (
    check_body,
    decode_json,
    event_timestamp,
    host_from_url,
    parse_timestamp,
    text_or_none,
)
from kohub_adapter.domain.parsers.multipart import form_data_field, parse_media_type
from kohub_contracts.enums import AlertState, ObservedHostStatus

EVENT_TYPE_HEARTBEAT = "heartbeat"
EVENT_TYPE_NOTICE = "notice"
EVENT_ID_PREFIX = "uptime-kuma"

DOWN, UP, PENDING, MAINTENANCE = 0, 1, 2, 3

_EXPECTED = "an Uptime Kuma webhook (a JSON object with `heartbeat`, `monitor` and `msg`)"
_CUSTOM_BODY_HINT = (
    "Uptime Kuma's custom webhook body is not supported: set the webhook's request body to "
    '"application/json" or "multipart/form-data"'
)

_STATUS_NAMES = {DOWN: "DOWN", UP: "UP", PENDING: "PENDING", MAINTENANCE: "MAINTENANCE"}

_CERTIFICATE = re.compile(
    r"\[(?P<name>.*?)\]\[(?P<url>.*)\] (?P<detail>.*\bcertificate\b.*"
    r" will (?:be expired|expire) in (?P<days>-?\d+) days?)",
    re.DOTALL,
)
_DOMAIN = re.compile(
    r"Domain name (?P<domain>\S+) will (?:be expired|expire) in (?P<days>-?\d+) days?",
    re.DOTALL,
)
_MSG_MONITOR_NAME = re.compile(r"\[(?P<name>.*?)\] \[")
"""`[<monitor name>] [✅ Up] …`: the name in the top-level msg of a heartbeat notification."""

_HOSTNAME_TYPES = frozenset({"ping", "port", "dns", "gamedig", "steam"})
"""Monitor types whose address is `hostname`, as in `NotificationProvider.extractAddress`."""
_NO_ADDRESS_TYPES = frozenset({"push", "group"})
_PLACEHOLDER_URLS = frozenset({"", "http://", "https://"})
"""`monitor.url` values that are Uptime Kuma's defaults, not a monitored URL."""


class _Heartbeat(msgspec.Struct):
    status: int
    time: str
    monitor_id: int | str | None = msgspec.field(default=None, name="monitorID")
    msg: str | None = None
    important: bool | int | None = None
    last_down_time: str | None = msgspec.field(default=None, name="lastDownTime")


class _Monitor(msgspec.Struct):
    id: int | str | None = None
    name: str | None = None
    url: str | None = None
    hostname: str | None = None
    type: str | None = None
    subtype: str | None = None
    tags: Any = None


class _Payload(msgspec.Struct):
    heartbeat: _Heartbeat | None = None
    monitor: _Monitor | None = None
    msg: str | None = None


def parse_uptime_kuma(body: bytes, content_type: str | None) -> ParsedWebhook:
    """Read an Uptime Kuma webhook body sent with `content_type` (JSON when None).

    Raises `MalformedPayload` when the body is not one.
    """
    data = check_body(body, _EXPECTED)
    media_type, params = parse_media_type(content_type)
    if media_type == "multipart/form-data":
        payload = decode_json(form_data_field(data, params), _Payload, _EXPECTED)
    elif media_type in ("", "application/json") or media_type.endswith("+json"):
        payload = decode_json(data, _Payload, _EXPECTED)
    else:
        try:
            payload = msgspec.json.decode(data, type=_Payload)
        except (msgspec.DecodeError, msgspec.ValidationError):
            raise MalformedPayload(
                f"The body ({media_type}) is not {_EXPECTED}. {_CUSTOM_BODY_HINT}."
            ) from None
    return _read(payload)


def _read(payload: _Payload) -> ParsedWebhook:
    heartbeat, monitor, msg = payload.heartbeat, payload.monitor, payload.msg
    if heartbeat is None:
        if text_or_none(msg) is None:
            raise MalformedPayload(
                f"The body has neither a heartbeat nor a msg; expected {_EXPECTED}. "
                f"{_CUSTOM_BODY_HINT}."
            )
        return ParsedWebhook(
            event_type=EVENT_TYPE_NOTICE, notices=(_message_notice(msg or "", monitor),)
        )

    if heartbeat.status not in _STATUS_NAMES:
        raise MalformedPayload(
            "heartbeat.status must be 0 (DOWN), 1 (UP), 2 (PENDING) or 3 (MAINTENANCE), "
            f"got {heartbeat.status}."
        )
    monitor_id = _monitor_id(monitor, heartbeat)
    occurred_at = parse_timestamp(heartbeat.time, "heartbeat.time")
    name = _monitor_name(monitor, msg) or f"Monitor {monitor_id}"
    summary = text_or_none(heartbeat.msg) or text_or_none(msg) or name
    address_url, hostname = _address(monitor)
    hints = HostHints(
        monitor_id=monitor_id,
        monitor_name=name,
        hostname=hostname,
        labels=_tags(monitor.tags if monitor else None),
    )
    observed = ObservedHostStatus(_STATUS_NAMES[heartbeat.status])

    if heartbeat.status in (PENDING, MAINTENANCE):
        kind = NoticeKind.PENDING if heartbeat.status == PENDING else NoticeKind.MAINTENANCE
        notice = Notice(
            kind=kind,
            message=summary,
            hints=hints,
            observed_status=observed,
            occurred_at=occurred_at,
        )
        return ParsedWebhook(event_type=EVENT_TYPE_HEARTBEAT, notices=(notice,))

    if heartbeat.status == DOWN:
        state = AlertState.FIRING
        # Only the heartbeat of the change is `important`; resent DOWN reminders are not.
        starts_at = occurred_at if heartbeat.important else None
        ends_at = None
    else:
        state = AlertState.RESOLVED
        starts_at = _optional_time(heartbeat.last_down_time)
        ends_at = occurred_at
    monitor_type = text_or_none(monitor.type) if monitor else None
    alert = ParsedAlert(
        key=monitor_id,
        state=state,
        name=name,
        summary=summary,
        occurred_at=occurred_at,
        event_id=f"{EVENT_ID_PREFIX}-{monitor_id}-{event_timestamp(occurred_at)}",
        severity=None,
        starts_at=starts_at,
        ends_at=ends_at,
        observed_status=observed,
        hints=hints,
        labels={"monitorType": monitor_type} if monitor_type else {},
        links={"monitor": address_url} if address_url else {},
    )
    return ParsedWebhook(event_type=EVENT_TYPE_HEARTBEAT, alerts=(alert,))


def _message_notice(msg: str, monitor: _Monitor | None) -> Notice:
    """A notice from a notification that has no heartbeat: test, certificate, domain, other."""
    message = msg.strip()
    if (match := _CERTIFICATE.fullmatch(message)) is not None:
        url = match["url"].strip()
        labels = {"monitorUrl": url} if url and url not in _PLACEHOLDER_URLS else {}
        return Notice(
            kind=NoticeKind.CERTIFICATE,
            message=message,
            hints=HostHints(
                monitor_name=text_or_none(match["name"]),
                hostname=host_from_url(url),
                labels=labels,
            ),
            days_remaining=int(match["days"]),
        )
    if (match := _DOMAIN.fullmatch(message)) is not None:
        return Notice(
            kind=NoticeKind.CERTIFICATE,
            message=message,
            hints=HostHints(hostname=match["domain"].rstrip(".")),
            days_remaining=int(match["days"]),
        )
    if message.endswith("Testing"):
        return Notice(kind=NoticeKind.TEST, message=message)
    hints = HostHints()
    if monitor is not None:
        _, hostname = _address(monitor)
        hints = HostHints(
            monitor_id=_id_text(monitor.id),
            monitor_name=text_or_none(monitor.name),
            hostname=hostname,
            labels=_tags(monitor.tags),
        )
    return Notice(kind=NoticeKind.OTHER, message=message, hints=hints)


def _monitor_id(monitor: _Monitor | None, heartbeat: _Heartbeat) -> str:
    monitor_id = _id_text(monitor.id if monitor else None) or _id_text(heartbeat.monitor_id)
    if monitor_id is None:
        raise MalformedPayload(
            "The heartbeat names no monitor: expected monitor.id or heartbeat.monitorID."
        )
    return monitor_id


def _id_text(value: int | str | None) -> str | None:
    return text_or_none(value)


def _monitor_name(monitor: _Monitor | None, msg: str | None) -> str | None:
    name = text_or_none(monitor.name) if monitor else None
    if name:
        return name
    if msg and (match := _MSG_MONITOR_NAME.match(msg)) is not None:
        return text_or_none(match["name"])
    return None


def _address(monitor: _Monitor | None) -> tuple[str | None, str | None]:
    """(the monitored URL, the host name) following the notifier's `extractAddress`."""
    if monitor is None:
        return None, None
    monitor_type = (monitor.type or "").strip().lower()
    url = (monitor.url or "").strip()
    url = None if url.lower() in _PLACEHOLDER_URLS else url
    hostname = text_or_none(monitor.hostname)
    if monitor_type in _NO_ADDRESS_TYPES:
        return None, None
    uses_hostname = monitor_type in _HOSTNAME_TYPES or (
        monitor_type == "globalping" and (monitor.subtype or "").strip().lower() == "ping"
    )
    if uses_hostname:
        return None, hostname or host_from_url(url)
    return url, host_from_url(url) or hostname


def _tags(tags: Any) -> dict[str, str]:
    """Monitor tags `[{name, value, …}]` as `{name: value}` (value "" when the tag has none)."""
    if not isinstance(tags, list):
        return {}
    result: dict[str, str] = {}
    for tag in tags:
        if not isinstance(tag, dict):
            continue
        name = text_or_none(tag.get("name"))
        if name:
            value = tag.get("value")
            result[name] = "" if value is None else str(value)
    return result


def _optional_time(value: str | None) -> datetime | None:
    """An optional timestamp; a field Uptime Kuma only adds sometimes never fails the body."""
    if value is None:
        return None
    try:
        return parse_timestamp(value, "heartbeat.lastDownTime")
    except MalformedPayload:
        return None
