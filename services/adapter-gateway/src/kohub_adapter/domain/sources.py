"""Webhook sources: who may send alerts, and how a request proves it.

The token is 256 random bits shown once; only its SHA-256 is stored. A slow password hash
buys nothing for a secret with that much entropy and would cost milliseconds on every
webhook. Comparisons are constant-time (`hmac.compare_digest`).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from kohub_contracts.enums import AdapterType, TicketPriority

TOKEN_PREFIX = "khw_"  # noqa: S105 (a prefix, not a secret)
TOKEN_HINT_LENGTH = len(TOKEN_PREFIX) + 6
GRAFANA_SIGNATURE_SKEW = timedelta(minutes=5)
WEBHOOK_ADAPTERS = frozenset({AdapterType.UPTIME_KUMA, AdapterType.PROMETHEUS, AdapterType.GRAFANA})


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(slots=True)
class WebhookSource:
    id: UUID
    adapter_type: AdapterType
    name: str
    token_hash: str
    token_hint: str
    created_at: datetime
    updated_at: datetime
    enabled: bool = True
    default_org_id: UUID | None = None
    hmac_secret: str | None = None
    """Plain only in memory; the repository stores it encrypted."""
    priority_overrides: dict[str, TicketPriority] = field(default_factory=dict)
    rate_limit_per_minute: int | None = None
    token_rotated_at: datetime | None = None
    version: int = 1

    @classmethod
    def register(
        cls,
        *,
        source_id: UUID,
        adapter_type: AdapterType,
        name: str,
        at: datetime,
        default_org_id: UUID | None = None,
        hmac_secret: str | None = None,
        priority_overrides: dict[str, TicketPriority] | None = None,
        rate_limit_per_minute: int | None = None,
    ) -> tuple["WebhookSource", str]:
        """A new source and its token (returned to the caller once)."""
        if adapter_type not in WEBHOOK_ADAPTERS:
            raise ValueError(f"{adapter_type.value} does not send webhooks.")
        if hmac_secret is not None and adapter_type is not AdapterType.GRAFANA:
            raise ValueError("Only Grafana signs its webhooks with an HMAC secret.")
        token = new_token()
        source = cls(
            id=source_id,
            adapter_type=adapter_type,
            name=name.strip(),
            token_hash=token_digest(token),
            token_hint=token[:TOKEN_HINT_LENGTH],
            created_at=at,
            updated_at=at,
            default_org_id=default_org_id,
            hmac_secret=hmac_secret,
            priority_overrides={k.lower(): v for k, v in (priority_overrides or {}).items()},
            rate_limit_per_minute=rate_limit_per_minute,
        )
        return source, token

    def rotate_token(self, at: datetime) -> str:
        token = new_token()
        self.token_hash = token_digest(token)
        self.token_hint = token[:TOKEN_HINT_LENGTH]
        self.token_rotated_at = at
        self.updated_at = at
        return token

    def accepts_token(self, token: str) -> bool:
        return self.enabled and hmac.compare_digest(token_digest(token), self.token_hash)

    def accepts_grafana_signature(
        self, signature: str, timestamp: str, body: bytes, now: datetime
    ) -> bool:
        """Grafana's `X-Grafana-Alerting-Signature`: hex HMAC-SHA256 of `timestamp:body`,
        the timestamp (Unix seconds, `X-Grafana-Alerting-Signature-Timestamp`) within ±5 min."""
        if not self.enabled or not self.hmac_secret or not signature.isascii():
            return False
        try:
            sent = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
        except (ValueError, OverflowError, OSError):
            return False
        if abs(now - sent) > GRAFANA_SIGNATURE_SKEW:
            return False
        expected = hmac.new(
            self.hmac_secret.encode(), timestamp.encode() + b":" + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(expected, signature.strip().lower())


def grafana_signature(secret: str, timestamp: str, body: bytes) -> str:
    """What Grafana sends, for tests and for people checking a contact point."""
    return hmac.new(secret.encode(), timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
