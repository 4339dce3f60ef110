"""Per-source rate limiting (off unless a source sets `rateLimitPerMinute`).

A token bucket per source and process: `rateLimitPerMinute` tokens refilled evenly, so a
burst of up to a minute's worth passes and a steady flood is cut to the limit. Several
worker processes each allow the limit; set it generously.
"""

import math
import time
from dataclasses import dataclass
from uuid import UUID


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self) -> None:
        self._buckets: dict[UUID, _Bucket] = {}

    def retry_after(self, source_id: UUID, per_minute: int | None) -> int | None:
        """None when the request may pass; otherwise seconds until one token is back."""
        if per_minute is None:
            return None
        now = time.monotonic()
        rate = per_minute / 60.0
        bucket = self._buckets.get(source_id)
        if bucket is None:
            bucket = self._buckets[source_id] = _Bucket(float(per_minute), now)
        bucket.tokens = min(float(per_minute), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / rate))
