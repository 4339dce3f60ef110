"""The dashboard API of the gateway (`/api/v1/dashboard/*`): figures gathered from the
services. A part whose owner is down or slow is left out and named in `missing`; the rest is
answered."""

from datetime import datetime

from kohub_contracts.alerts import AlertListItem
from kohub_contracts.common import Camel
from kohub_contracts.hosts import HostStats
from kohub_contracts.tickets import TicketListItem, TicketStats


class MissingPart(Camel):
    part: str
    """`tickets`, `hosts`, `alerts`."""
    reason: str
    status: int | None = None
    """The owner's HTTP status, when it answered."""


class DashboardSummary(Camel):
    tickets: TicketStats | None
    hosts: HostStats | None
    missing: list[MissingPart]
    generated_at: datetime


class TicketsStatus(Camel):
    tickets: TicketStats | None
    missing: list[MissingPart]


class HostsStatus(Camel):
    hosts: HostStats | None
    missing: list[MissingPart]


class RecentAlerts(Camel):
    items: list[AlertListItem]
    missing: list[MissingPart]


class RecentTickets(Camel):
    items: list[TicketListItem]
    missing: list[MissingPart]
