"""Pieces the webhook parsers share: reading the body as JSON, timestamps, event ids, host names.

Pure functions only: no I/O, no clock.
"""

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import urlsplit

import msgspec

from kohub_adapter.domain.alerts import MalformedPayload

T = TypeVar("T")

_UTF8_BOM = b"\xef\xbb\xbf"

_TIMESTAMP = re.compile(
    r"""
    (?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
    [Tt\ ]
    (?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})
    (?:[.,](?P<fraction>\d{1,9}))?
    \s*
    (?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?
    """,
    re.VERBOSE,
)

_GO_ZERO_DATE = "0001-01-01"
"""Go's zero `time.Time` marshals as `0001-01-01T00:00:00Z`: Alertmanager's "no end yet"."""


def check_body(body: bytes, expected: str) -> bytes:
    """The body without a UTF-8 byte order mark, once it is known to be non-empty UTF-8.

    `expected` names what the tool sends, for the error message.
    """
    if not isinstance(body, bytes | bytearray | memoryview):
        raise MalformedPayload(f"The body must be bytes; expected {expected}.")
    data = bytes(body)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data.strip():
        raise MalformedPayload(f"The body is empty; expected {expected}.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MalformedPayload(
            f"The body is not valid UTF-8 (bad byte at offset {err.start}); expected {expected}."
        ) from None
    return data


def decode_json(data: bytes, type_: type[T], expected: str) -> T:
    """Decode `data` as JSON of `type_`, turning msgspec's errors into `MalformedPayload`."""
    try:
        return msgspec.json.decode(data, type=type_)
    except msgspec.ValidationError as err:
        raise MalformedPayload(f"The body is not {expected}: {err}.") from None
    except msgspec.DecodeError as err:
        raise MalformedPayload(
            f"The body is not valid JSON ({err}); expected {expected}."
        ) from None


def parse_timestamp(value: str, what: str) -> datetime:
    """An aware UTC datetime from an RFC 3339 / ISO 8601 / SQL-style timestamp.

    Accepts `2026-01-30T10:15:00.123456789Z` (Go's RFC3339Nano, up to 9 fractional digits,
    truncated to microseconds), offsets such as `+01:00`, and Uptime Kuma's zone-less
    `2026-01-30 10:15:00.123`, which is UTC. `what` names the field for the error message.
    """
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        raise MalformedPayload(
            f"{what} is not a timestamp: {value!r} (expected e.g. 2026-01-30T10:15:00Z)."
        )
    fraction = (match["fraction"] or "").ljust(6, "0")[:6]
    try:
        parsed = datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"]),
            int(fraction),
            tzinfo=_zone(match["zone"]),
        )
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as err:
        raise MalformedPayload(f"{what} is not a valid timestamp: {value!r} ({err}).") from None


def parse_go_time(value: str | None, what: str) -> datetime | None:
    """Like `parse_timestamp`, with None for a missing value or Go's zero time."""
    if value is None or not value.strip() or value.strip().startswith(_GO_ZERO_DATE):
        return None
    return parse_timestamp(value, what)


def _zone(zone: str | None) -> timezone:
    if zone is None or zone in ("Z", "z"):
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4] or "0")
    if hours > 23 or minutes > 59:
        raise ValueError(f"bad UTC offset {zone}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def event_timestamp(moment: datetime) -> str:
    """`yyyyMMddTHHmmss` in UTC, the time part of the source event ids."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S")


def host_from_url(url: str | None) -> str | None:
    """The host of a URL (lower case, IPv6 without brackets); None when there is none.

    Tolerates a missing scheme (`example.com:8080/health`).
    """
    if url is None:
        return None
    text = url.strip()
    if not text or text.lower() in ("http://", "https://"):
        return None
    try:
        parts = urlsplit(text if "://" in text else "//" + text)
        host = parts.hostname
    except ValueError:
        return None
    return host or None


def host_from_instance(instance: str | None) -> str | None:
    """The host of a Prometheus `instance` label: `host:9100`, `[::1]:9100`, `::1`, a URL."""
    if instance is None:
        return None
    text = instance.strip()
    if not text:
        return None
    if "://" in text:
        return host_from_url(text)
    text = text.split("/", 1)[0]
    if text.startswith("["):
        end = text.find("]")
        if end <= 1:
            return None
        return text[1:end]
    if text.count(":") == 1:
        host = text.split(":", 1)[0]
        return host or None
    # No port, or a bare IPv6 address (several colons and no brackets).
    return text or None


def text_or_none(value: Any) -> str | None:
    """The value as stripped text, or None when it is missing or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None
