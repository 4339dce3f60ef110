"""Reads straight from PostgreSQL into the HTTP contracts: recent alerts (operators, and
customers for their organization), AdapterEvents and webhook sources (msp-admin)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kohub_adapter.adapters.postgres.sources import source_from_row
from kohub_adapter.adapters.postgres.tables import adapter_events, alerts, webhook_sources
from kohub_adapter.application.tools import RecentEvent
from kohub_adapter.domain.mapping import MappedHost
from kohub_adapter.domain.sources import WebhookSource
from kohub_contracts.alerts import (
    AdapterEventItem,
    AdapterEventResponse,
    AlertListItem,
    WebhookSourceResponse,
)
from kohub_contracts.common import Page, Ref
from kohub_contracts.enums import (
    AdapterEventStatus,
    AdapterType,
    AlertOutcome,
    AlertState,
    TicketPriority,
)
from kohub_platform.pagination import decode_cursor, encode_cursor
from kohub_platform.secrets import SecretBox

WEBHOOK_PATHS = {
    AdapterType.UPTIME_KUMA: "/api/v1/webhooks/uptime-kuma",
    AdapterType.PROMETHEUS: "/api/v1/webhooks/prometheus",
    AdapterType.GRAFANA: "/api/v1/webhooks/grafana",
}
_KEYS = (datetime.fromisoformat, UUID)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AlertFilter:
    organization_id: UUID | None = None
    host_id: UUID | None = None
    state: AlertState | None = None
    outcome: AlertOutcome | None = None
    pending: bool | None = None
    since: datetime | None = None


def source_response(
    source: WebhookSource, last_received_at: datetime | None
) -> WebhookSourceResponse:
    return WebhookSourceResponse(
        id=source.id,
        adapter_type=source.adapter_type,
        name=source.name,
        enabled=source.enabled,
        token_hint=source.token_hint,
        has_hmac_secret=bool(source.hmac_secret),
        priority_overrides=source.priority_overrides,
        webhook_path=WEBHOOK_PATHS[source.adapter_type],
        created_at=source.created_at,
        updated_at=source.updated_at,
        version=source.version,
        default_organization_id=source.default_org_id,
        rate_limit_per_minute=source.rate_limit_per_minute,
        token_rotated_at=source.token_rotated_at,
        last_received_at=last_received_at,
    )


class SqlAdapterQueries:
    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self._engine = engine
        self._box = box

    async def sources(self, source_id: UUID | None = None) -> list[WebhookSourceResponse]:
        t = webhook_sources
        stmt = select(t).order_by(t.c.created_at, t.c.id)
        if source_id is not None:
            stmt = stmt.where(t.c.id == source_id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
            last = await self._last_received(conn, [r["id"] for r in rows])
        return [source_response(source_from_row(r, self._box), last.get(r["id"])) for r in rows]

    async def alerts(
        self, flt: AlertFilter, org_scope: UUID | None, limit: int, cursor: str | None
    ) -> Page[AlertListItem]:
        a = alerts
        conditions: list[Any] = []
        if org_scope is not None:
            conditions.append(a.c.org_id == org_scope)
        if flt.organization_id is not None:
            conditions.append(a.c.org_id == flt.organization_id)
        if flt.host_id is not None:
            conditions.append(a.c.host_id == flt.host_id)
        if flt.state is not None:
            conditions.append(a.c.state == flt.state.value)
        if flt.outcome is not None:
            conditions.append(a.c.outcome == flt.outcome.value)
        if flt.pending is not None:
            conditions.append(a.c.outcome.is_(None) if flt.pending else a.c.outcome.isnot(None))
        if flt.since is not None:
            conditions.append(a.c.received_at >= flt.since)
        return await self._newest_first(
            a, list(a.c), conditions, "alerts", limit, cursor, _alert_item
        )

    async def host_history(
        self, adapter_type: AdapterType, host: MappedHost, since: datetime, until: datetime
    ) -> list[RecentEvent]:
        a = alerts
        stmt = (
            select(a)
            .where(
                a.c.host_id == host.host_id,
                a.c.adapter_type == adapter_type.value,
                a.c.occurred_at >= since,
                a.c.occurred_at <= until,
            )
            .order_by(a.c.occurred_at.desc())
            .limit(500)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [
            RecentEvent(
                occurred_at=r["occurred_at"],
                state=r["state"],
                title=r["title"],
                fingerprint=r["fingerprint"],
                outcome=r["outcome"],
                ticket_id=str(r["ticket_id"]) if r["ticket_id"] else None,
            )
            for r in rows
        ]

    async def adapter_events(
        self,
        status: AdapterEventStatus | None,
        source_id: UUID | None,
        limit: int,
        cursor: str | None,
    ) -> Page[AdapterEventItem]:
        e = adapter_events
        conditions: list[Any] = []
        if status is not None:
            conditions.append(e.c.status == status.value)
        if source_id is not None:
            conditions.append(e.c.source_id == source_id)
        columns = [c for c in e.c if c.name not in ("body", "headers")]
        return await self._newest_first(
            e, columns, conditions, "adapter-events", limit, cursor, _event_item
        )

    async def _newest_first(
        self,
        table: Any,
        columns: list[Any],
        conditions: list[Any],
        sort: str,
        limit: int,
        cursor: str | None,
        to_item: Callable[[Any], T],
    ) -> Page[T]:
        """A page newest first by `(received_at, id)`, with the count of every match."""
        key = (table.c.received_at, table.c.id)
        stmt = select(*columns).order_by(key[0].desc(), key[1].desc()).limit(limit + 1)
        count = select(func.count()).select_from(table)
        if conditions:
            stmt, count = stmt.where(and_(*conditions)), count.where(and_(*conditions))
        if cursor:
            received_at, row_id = decode_cursor(cursor, sort, _KEYS)
            stmt = stmt.where(tuple_(*key) < tuple_(received_at, row_id))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
            total = (await conn.execute(count)).scalar_one()
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor(sort, (last["received_at"], last["id"]))
        items = [to_item(r) for r in rows[:limit]]
        return Page(items=items, total=total, next_cursor=next_cursor, limit=limit)

    async def adapter_event(self, event_id: UUID) -> AdapterEventResponse | None:
        async with self._engine.connect() as conn:
            r = (
                (await conn.execute(select(adapter_events).where(adapter_events.c.id == event_id)))
                .mappings()
                .first()
            )
        if r is None:
            return None
        return AdapterEventResponse(
            id=r["id"],
            adapter_type=AdapterType(r["adapter_type"]),
            status=AdapterEventStatus(r["status"]),
            received_at=r["received_at"],
            content_type=r["content_type"],
            headers=r["headers"],
            body=bytes(r["body"]).decode("utf-8", errors="replace"),
            alert_count=r["alert_count"],
            source_id=r["source_id"],
            event_type=r["event_type"],
            error=r["error"],
            created_ticket_id=r["created_ticket_id"],
            processed_at=r["processed_at"],
        )

    @staticmethod
    async def _last_received(conn: AsyncConnection, source_ids: list[UUID]) -> dict[UUID, datetime]:
        if not source_ids:
            return {}
        e = adapter_events
        stmt = (
            select(e.c.source_id, func.max(e.c.received_at))
            .where(e.c.source_id.in_(source_ids))
            .group_by(e.c.source_id)
        )
        return {row[0]: row[1] for row in await conn.execute(stmt)}


def _event_item(r: Any) -> AdapterEventItem:
    return AdapterEventItem(
        id=r["id"],
        adapter_type=AdapterType(r["adapter_type"]),
        status=AdapterEventStatus(r["status"]),
        received_at=r["received_at"],
        alert_count=r["alert_count"],
        source_id=r["source_id"],
        event_type=r["event_type"],
        error=r["error"],
        created_ticket_id=r["created_ticket_id"],
    )


def _alert_item(r: Any) -> AlertListItem:
    return AlertListItem(
        id=r["id"],
        adapter_event_id=r["adapter_event_id"],
        source_id=r["source_id"],
        adapter=AdapterType(r["adapter_type"]),
        fingerprint=r["fingerprint"],
        state=AlertState(r["state"]),
        priority=TicketPriority(r["priority"]),
        title=r["title"],
        occurred_at=r["occurred_at"],
        received_at=r["received_at"],
        organization_id=r["org_id"],
        host=Ref(str(r["host_id"]), r["host_name"]) if r["host_id"] else None,
        outcome=AlertOutcome(r["outcome"]) if r["outcome"] else None,
        ticket_id=r["ticket_id"],
        ticket_key=r["ticket_key"],
        links=r["links"] or {},
    )
