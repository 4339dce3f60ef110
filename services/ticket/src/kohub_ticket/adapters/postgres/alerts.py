"""Alert series in PostgreSQL: locked per fingerprint, so concurrent alerts of one
fingerprint (several consumers, a storm) are decided one after another."""

from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.enums import ActivityType, AlertState
from kohub_ticket.adapters.postgres.tables import activities, alert_series, inbox
from kohub_ticket.domain.alerts import AlertSeries

_INSERT = pg_insert(alert_series).values(fingerprint=bindparam("fingerprint"))
_LOCK = _INSERT.on_conflict_do_update(
    index_elements=[alert_series.c.fingerprint],
    set_={"fingerprint": _INSERT.excluded.fingerprint},
).returning(*alert_series.c)
_COLUMNS = (
    "ticket_id",
    "state",
    "firing_since",
    "last_seen_at",
    "repeat_count",
    "repeat_activity_id",
    "recovered_at",
)


class SqlAlertSeriesRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def lock(self, fingerprint: str) -> AlertSeries:
        # one round trip: the no-op update of a conflict locks the row and returns it
        row = (await self._session.execute(_LOCK, {"fingerprint": fingerprint})).mappings().one()
        return AlertSeries(
            fingerprint=fingerprint,
            ticket_id=row["ticket_id"],
            state=AlertState(row["state"]) if row["state"] else None,
            firing_since=row["firing_since"],
            last_seen_at=row["last_seen_at"],
            repeat_count=row["repeat_count"],
            repeat_activity_id=row["repeat_activity_id"],
            recovered_at=row["recovered_at"],
        )

    async def save(self, series: AlertSeries) -> None:
        values: dict[str, Any] = {name: getattr(series, name) for name in _COLUMNS}
        values["state"] = series.state.value if series.state else None
        await self._session.execute(
            update(alert_series)
            .where(alert_series.c.fingerprint == series.fingerprint)
            .values(**values)
        )

    async def write_repeat(self, series: AlertSeries, at: datetime) -> None:
        """The one timeline entry of the series' repeats: created at the first, then kept
        current (count, last seen)."""
        metadata = {
            "kind": "repeated",
            "fingerprint": series.fingerprint,
            "count": series.repeat_count,
            "lastSeenAt": (series.last_seen_at or at).isoformat(),
        }
        if series.repeat_activity_id is None:
            series.repeat_activity_id = uuid4()
            await self._session.execute(
                insert(activities).values(
                    id=series.repeat_activity_id,
                    ticket_id=series.ticket_id,
                    type=ActivityType.ALERT.value,
                    metadata=metadata,
                    created_at=at,
                )
            )
        else:
            await self._session.execute(
                update(activities)
                .where(activities.c.id == series.repeat_activity_id)
                .values(metadata=metadata)
            )

    async def forget(self, consumer: str, message_id: str) -> None:
        await self._session.execute(
            delete(inbox).where(inbox.c.consumer == consumer, inbox.c.message_id == message_id)
        )
