"""Monitoring alerts on tickets: one series per alert fingerprint, and what an alert does
to it. The decision is a pure function so every rule is tested without a database.

- FIRING with an open ticket of the series → a repeat on that ticket (an alert storm stays
  one ticket);
- FIRING when the series' ticket was resolved or completed less than the reopen window
  ago → that ticket is REOPENED;
- FIRING otherwise → a new ticket; but none while the host is in MAINTENANCE (suppressed);
- RESOLVED on an open ticket → the recovery is recorded; a ticket nobody touched (still
  NEW) is CLOSED as recovered when the policy says so;
- a FIRING that happened before the series' last recovery is stale (consumers on several
  replicas may see a firing after its recovery) → ignored, like anything else.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

from kohub_contracts.enums import AlertState, TicketStatus

S = TicketStatus
DONE = frozenset({S.RESOLVED, S.COMPLETED, S.CLOSED})
REOPENABLE = frozenset({S.RESOLVED, S.COMPLETED})


class AlertAction(str, Enum):
    CREATE = "CREATE"
    REPEAT = "REPEAT"
    REOPEN = "REOPEN"
    RECOVER = "RECOVER"
    CLOSE = "CLOSE"
    SUPPRESS = "SUPPRESS"
    IGNORE = "IGNORE"


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    reopen_window: timedelta = timedelta(minutes=30)
    close_untouched_on_recovery: bool = True


@dataclass(frozen=True, slots=True)
class SeriesTicket:
    """What the decision needs to know of the series' current ticket."""

    status: TicketStatus
    resolved_at: datetime | None


@dataclass(slots=True)
class AlertSeries:
    fingerprint: str
    ticket_id: UUID | None = None
    state: AlertState | None = None
    firing_since: datetime | None = None
    last_seen_at: datetime | None = None
    repeat_count: int = 0
    repeat_activity_id: UUID | None = None
    recovered_at: datetime | None = None

    def fired(self, at: datetime, since: datetime | None, ticket_id: UUID | None) -> None:
        """A new outage of this series (a new or reopened ticket)."""
        self.state = AlertState.FIRING
        self.firing_since = since or at
        self.last_seen_at = at
        self.repeat_count = 0
        self.repeat_activity_id = None
        if ticket_id is not None:
            self.ticket_id = ticket_id

    def repeated(self, at: datetime) -> int:
        self.state = AlertState.FIRING
        self.repeat_count += 1
        self.last_seen_at = max(at, self.last_seen_at or at)
        return self.repeat_count

    def recovered(self, at: datetime) -> timedelta | None:
        """The outage's length, when its start is known."""
        self.state = AlertState.RESOLVED
        self.last_seen_at = max(at, self.last_seen_at or at)
        self.recovered_at = max(at, self.recovered_at or at)
        return at - self.firing_since if self.firing_since else None


def decide(
    state: AlertState,
    ticket: SeriesTicket | None,
    *,
    host_in_maintenance: bool,
    now: datetime,
    policy: AlertPolicy,
    occurred_at: datetime | None = None,
    recovered_at: datetime | None = None,
) -> AlertAction:
    if state is AlertState.FIRING:
        if ticket is not None and ticket.status not in DONE:
            return AlertAction.REPEAT
        if occurred_at and recovered_at and occurred_at <= recovered_at:
            return AlertAction.IGNORE  # stale: this outage is known to be over
        if host_in_maintenance:
            return AlertAction.SUPPRESS
        if (
            ticket is not None
            and ticket.status in REOPENABLE
            and ticket.resolved_at is not None
            and now - ticket.resolved_at < policy.reopen_window
        ):
            return AlertAction.REOPEN
        return AlertAction.CREATE
    if ticket is None or ticket.status in DONE:
        return AlertAction.IGNORE
    if ticket.status is S.NEW and policy.close_untouched_on_recovery:
        return AlertAction.CLOSE
    return AlertAction.RECOVER
