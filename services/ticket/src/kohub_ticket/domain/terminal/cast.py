"""The asciicast v2 format: a JSON header line, then one `[time, code, data]` line per event
(https://docs.asciinema.org/manual/asciicast/v2/). Reading validates; writing is the
format asciinema itself writes."""

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii
from typing import Any

import msgspec

MAX_SIZE = 2000  # columns or rows of a terminal: more is no real terminal
EVENT_CODES = frozenset({"o", "i", "m", "r"})  # output, input (keystrokes), marker, resize


class InvalidCast(ValueError):
    """Not an asciicast v2 recording; the message says what is wrong and where."""


class Event(msgspec.Struct, array_like=True, frozen=True):
    """One `[time, code, data]` line (a Struct: the whole recording is decoded in C)."""

    time: float
    code: str
    data: str


@dataclass(frozen=True, slots=True)
class Cast:
    header: dict[str, Any]
    width: int
    height: int
    started_at: datetime | None
    events: list[Event]


def read_cast(text: str, *, max_events: int) -> Cast:
    numbered = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not numbered:
        raise InvalidCast("empty recording: no header line")
    if len(numbered) - 1 > max_events:
        raise InvalidCast(f"recording too big: more than {max_events} events")
    header_number, header_line = numbered[0]
    header = _header(header_number, header_line)
    lines = numbered[1:]
    width, height = header["width"], header["height"]
    return Cast(header, width, height, _started_at(header), _events(lines))


def _header(number: int, line: str) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except ValueError:
        raise InvalidCast(f"line {number}: the header is not JSON") from None
    if not isinstance(header, dict):
        raise InvalidCast(f"line {number}: the header is not a JSON object")
    if header.get("version") != 2:
        raise InvalidCast(
            f"line {number}: asciicast version {header.get('version')!r}, only version 2 is read"
        )
    for field in ("width", "height"):
        value = header.get(field)
        if type(value) is not int or not 0 < value <= MAX_SIZE:
            raise InvalidCast(
                f"line {number}: header {field} must be a whole number from 1 to {MAX_SIZE}"
            )
    return header


def _started_at(header: dict[str, Any]) -> datetime | None:
    timestamp = header.get("timestamp")
    if timestamp is None:
        return None
    if type(timestamp) not in (int, float):
        raise InvalidCast("header timestamp is not a number")
    try:
        return datetime.fromtimestamp(timestamp, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidCast("header timestamp is out of range") from None


def _events(lines: list[tuple[int, str]]) -> list[Event]:
    # The whole recording decoded at once (msgspec, into Events) is several times faster
    # than a json.loads per line; when it fails, the slow path finds the line to blame.
    try:
        events = _EVENTS.decode("[" + ",".join(line for _, line in lines) + "]")
    except msgspec.DecodeError:
        events = None
    if (
        events is not None
        and len(events) == len(lines)
        and all(e.code in EVENT_CODES and 0 <= e.time < math.inf for e in events)
    ):
        return events
    return [_event(number, line) for number, line in lines]


def _event(number: int, line: str) -> Event:
    try:
        value = json.loads(line)
    except ValueError:
        raise InvalidCast(f"line {number}: the event is not JSON") from None
    if not isinstance(value, list) or len(value) != 3:
        raise InvalidCast(f"line {number}: an event must be [time, code, data]")
    time, code, data = value
    if type(time) not in (int, float) or not math.isfinite(time) or time < 0:
        raise InvalidCast(f"line {number}: the event time must be a number of seconds >= 0")
    if not isinstance(code, str) or code not in EVENT_CODES:
        raise InvalidCast(f"line {number}: unknown event code {code!r}")
    if not isinstance(data, str):
        raise InvalidCast(f"line {number}: the event data must be a string")
    return Event(float(time), code, data)


_EVENTS = msgspec.json.Decoder(list[Event])


def write_cast(header: dict[str, Any], events: list[Event]) -> str:
    lines = [json.dumps(header)]
    lines += [f'[{e.time!r}, "{e.code}", {encode_basestring_ascii(e.data)}]' for e in events]
    return "\n".join(lines) + "\n"
