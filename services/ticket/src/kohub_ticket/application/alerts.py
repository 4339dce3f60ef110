"""`alert.received` → at most one open ticket per alert fingerprint (see domain/alerts.py for
the rules), and an `alert.processed` answer for the adapter gateway, in one transaction."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from kohub_contracts.alerts import AlertProcessed, AlertReceived
from kohub_contracts.durations import iso_duration
from kohub_contracts.enums import AlertOutcome, AlertState, HostStatus
from kohub_ticket.application.ports import Clock, UnitOfWork
from kohub_ticket.domain.alerts import (
    AlertAction,
    AlertPolicy,
    AlertSeries,
    SeriesTicket,
    decide,
)
from kohub_ticket.domain.model import Ticket

ALERT_CONSUMER = "ticket.alerts"
# The tool's own event ids (sourceEventId): the same one twice is one delivery.
SOURCE_EVENT_CONSUMER = "ticket.alert-source-events"
REASONS = {
    "ko": {"reopened": "같은 경보가 다시 발생", "recovered": "모니터링 복구 확인"},
    "en": {"reopened": "the same alert fired again", "recovered": "monitoring reports recovery"},
}


@dataclass(frozen=True, slots=True)
class Applied:
    outcome: AlertOutcome
    ticket: Ticket | None = None
    ticket_id: UUID | None = None
    detail: str | None = None


def source_event_key(alert: AlertReceived) -> str:
    """Fits the inbox's id column whatever the tool's ids look like."""
    raw = f"{alert.fingerprint}|{alert.source_event_id}".encode()
    return hashlib.sha256(raw).hexdigest()


async def ingest_alert(
    message_id: str,
    alert: AlertReceived,
    uow: UnitOfWork,
    clock: Clock,
    policy: AlertPolicy,
    locale: Literal["ko", "en"] = "ko",
) -> AlertOutcome | None:
    """None for a redelivered message (its answer went out the first time)."""
    async with uow:
        if not await uow.first_delivery(ALERT_CONSUMER, message_id):
            return None
        series = await uow.alerts.lock(alert.fingerprint)
        key = source_event_key(alert)
        if not await uow.first_delivery(SOURCE_EVENT_CONSUMER, key):
            applied = Applied(AlertOutcome.DUPLICATE, ticket_id=series.ticket_id)
        else:
            applied = await _apply(alert, series, uow, clock, policy, locale)
            if applied.outcome is AlertOutcome.SUPPRESSED:
                # a suppressed alert that still fires after maintenance must open its ticket
                await uow.alerts.forget(SOURCE_EVENT_CONSUMER, key)
        await uow.alerts.save(series)
        ticket = applied.ticket
        uow.answer_alert(
            AlertProcessed(
                alert_id=alert.alert_id,
                adapter_event_id=alert.adapter_event_id,
                fingerprint=alert.fingerprint,
                outcome=applied.outcome,
                processed_at=clock(),
                ticket_id=ticket.id if ticket else applied.ticket_id,
                ticket_key=ticket.key if ticket else None,
                detail=applied.detail,
            )
        )
        await uow.commit()
    return applied.outcome


async def _apply(
    alert: AlertReceived,
    series: AlertSeries,
    uow: UnitOfWork,
    clock: Clock,
    policy: AlertPolicy,
    locale: Literal["ko", "en"],
) -> Applied:
    now = clock()
    ticket = await uow.tickets.get(series.ticket_id) if series.ticket_id else None
    host_id = UUID(alert.host.id) if alert.host else None
    host = await uow.hosts.get(host_id) if host_id else None
    in_maintenance = host is not None and host.status == HostStatus.MAINTENANCE.value
    current = (
        SeriesTicket(ticket.status, ticket.resolution.resolved_at if ticket.resolution else None)
        if ticket
        else None
    )
    action = decide(
        alert.state,
        current,
        host_in_maintenance=in_maintenance,
        now=now,
        policy=policy,
        occurred_at=alert.occurred_at,
        recovered_at=series.recovered_at,
    )
    about = {
        "fingerprint": alert.fingerprint,
        "sourceEventId": alert.source_event_id,
        "adapter": alert.adapter.value,
        "occurredAt": alert.occurred_at.isoformat(),
    }
    if action is AlertAction.CREATE:
        if alert.organization is None:
            return Applied(AlertOutcome.IGNORED, detail="The alert names no organization.")
        ticket = await _open_ticket(alert, UUID(alert.organization.id), host_id, uow, now, about)
        series.fired(now, alert.starts_at or alert.occurred_at, ticket.id)
        return Applied(AlertOutcome.CREATED, ticket)
    if action is AlertAction.SUPPRESS:
        return Applied(AlertOutcome.SUPPRESSED, detail="The host is in maintenance.")
    if action is AlertAction.IGNORE:
        if alert.state is AlertState.RESOLVED:
            series.recovered(alert.occurred_at)
            return Applied(AlertOutcome.IGNORED, ticket, detail="No open ticket for this alert.")
        return Applied(AlertOutcome.IGNORED, ticket, detail="The outage is over already.")
    assert ticket is not None  # every other action concerns the series' ticket
    if action is AlertAction.REPEAT:
        series.repeated(now)
        await uow.alerts.write_repeat(series, now)
        return Applied(AlertOutcome.DEDUPLICATED, ticket)
    if action is AlertAction.REOPEN:
        ticket.reopen_for_alert(about, at=now, reason=REASONS[locale]["reopened"])
        await uow.tickets.save(ticket)
        series.fired(now, alert.starts_at or alert.occurred_at, None)
        return Applied(AlertOutcome.REOPENED, ticket)
    downtime = series.recovered(alert.occurred_at)
    if downtime is not None:
        about |= {
            "downtime": iso_duration(downtime),
            "downtimeSeconds": int(downtime.total_seconds()),
        }
    close = action is AlertAction.CLOSE
    ticket.record_recovery(about, at=now, close=close, reason=REASONS[locale]["recovered"])
    await uow.tickets.save(ticket)
    return Applied(AlertOutcome.CLOSED if close else AlertOutcome.RECOVERED, ticket)


async def _open_ticket(
    alert: AlertReceived,
    org_id: UUID,
    host_id: UUID | None,
    uow: UnitOfWork,
    now: datetime,
    about: dict[str, Any],
) -> Ticket:
    ticket = Ticket.open(
        key="",  # numbered by the repository when stored
        org_id=org_id,
        title=alert.title,
        description=alert.description,
        priority=alert.priority,
        source=alert.ticket_source,
        at=now,
        host_id=host_id,
        source_event_id=alert.source_event_id,
    )
    ticket.note_alert({**about, "kind": "fired", "links": alert.links}, at=now)
    await uow.tickets.add(ticket)
    return ticket
