"""Webhook sources in PostgreSQL (HMAC secrets encrypted), and the in-memory directory a
webhook request authenticates against."""

import asyncio
import time
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kohub_adapter.adapters.postgres.tables import webhook_sources as t
from kohub_adapter.domain.sources import WebhookSource, token_digest
from kohub_contracts.enums import AdapterType, TicketPriority
from kohub_platform.secrets import SecretBox

# How long another process may keep using a source that was just disabled or rotated.
DIRECTORY_TTL_SECONDS = 5.0
# An unknown token reloads the directory at most this often (a new source works at once).
MISS_RELOAD_SECONDS = 1.0


def _row_values(source: WebhookSource, box: SecretBox) -> dict[str, Any]:
    return {
        "adapter_type": source.adapter_type.value,
        "name": source.name,
        "token_hash": source.token_hash,
        "token_hint": source.token_hint,
        "hmac_secret": box.seal(source.hmac_secret) if source.hmac_secret else None,
        "enabled": source.enabled,
        "default_org_id": source.default_org_id,
        "priority_overrides": {k: v.value for k, v in source.priority_overrides.items()},
        "rate_limit_per_minute": source.rate_limit_per_minute,
        "token_rotated_at": source.token_rotated_at,
        "updated_at": source.updated_at,
    }


def source_from_row(row: RowMapping, box: SecretBox) -> WebhookSource:
    return WebhookSource(
        id=row["id"],
        adapter_type=AdapterType(row["adapter_type"]),
        name=row["name"],
        token_hash=row["token_hash"],
        token_hint=row["token_hint"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        enabled=row["enabled"],
        default_org_id=row["default_org_id"],
        hmac_secret=box.open(row["hmac_secret"]) if row["hmac_secret"] else None,
        priority_overrides={
            k: TicketPriority(v) for k, v in (row["priority_overrides"] or {}).items()
        },
        rate_limit_per_minute=row["rate_limit_per_minute"],
        token_rotated_at=row["token_rotated_at"],
        version=row["version"],
    )


class SqlSourceRepository:
    def __init__(self, session: AsyncConnection, box: SecretBox) -> None:
        self._session = session
        self._box = box

    async def add(self, source: WebhookSource) -> None:
        await self._session.execute(
            insert(t).values(
                id=source.id,
                created_at=source.created_at,
                version=source.version,
                **_row_values(source, self._box),
            )
        )

    async def get(self, source_id: UUID, *, for_update: bool = False) -> WebhookSource | None:
        stmt = select(t).where(t.c.id == source_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self._session.execute(stmt)).mappings().first()
        return source_from_row(row, self._box) if row else None

    async def save(self, source: WebhookSource) -> None:
        source.version += 1
        await self._session.execute(
            update(t)
            .where(t.c.id == source.id)
            .values(version=source.version, **_row_values(source, self._box))
        )


class CachedSourceDirectory:
    """Every source in memory, reloaded after `DIRECTORY_TTL_SECONDS`: a webhook costs no
    database round trip to authenticate."""

    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self._engine = engine
        self._box = box
        self._by_hash: dict[str, WebhookSource] = {}
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def by_token(self, token: str) -> WebhookSource | None:
        digest = token_digest(token)
        sources = await self._sources(DIRECTORY_TTL_SECONDS)
        if digest not in sources:
            sources = await self._sources(MISS_RELOAD_SECONDS)
        source = sources.get(digest)
        return source if source is not None and source.accepts_token(token) else None

    async def signed_by(
        self, adapter_type: AdapterType, signature: str, timestamp: str, body: bytes, now: datetime
    ) -> WebhookSource | None:
        for source in (await self._sources(DIRECTORY_TTL_SECONDS)).values():
            if source.adapter_type is adapter_type and source.accepts_grafana_signature(
                signature, timestamp, body, now
            ):
                return source
        return None

    def forget(self) -> None:
        self._loaded_at = float("-inf")

    async def _sources(self, max_age: float) -> dict[str, WebhookSource]:
        if time.monotonic() - self._loaded_at < max_age:
            return self._by_hash
        async with self._lock:
            if time.monotonic() - self._loaded_at >= max_age:
                async with self._engine.connect() as conn:
                    rows = (await conn.execute(select(t))).mappings().all()
                self._by_hash = {r["token_hash"]: source_from_row(r, self._box) for r in rows}
                self._loaded_at = time.monotonic()
        return self._by_hash
