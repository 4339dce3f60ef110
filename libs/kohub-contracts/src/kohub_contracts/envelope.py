"""The event envelope of seed §4.2: `{eventId, eventType, timestamp, source, data}`."""

from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

from kohub_contracts.common import Camel

D = TypeVar("D")


class Envelope(Camel, Generic[D]):
    event_id: str
    event_type: str
    timestamp: datetime
    source: str
    data: D


RawEnvelope = Envelope[dict[str, Any]]
"""An envelope whose data is read later, once the event type is known."""


def encode(value: Any) -> bytes:
    return msgspec.json.encode(value)


def decode_envelope(body: bytes, data_type: type[D]) -> Envelope[D]:
    return msgspec.json.decode(body, type=Envelope[data_type])  # type: ignore[valid-type]
