"""JSON Schemas of every published contract, for snapshot tests and for KustHub."""

from typing import Any

import msgspec

from kohub_contracts import (
    alerts,
    commands,
    dashboard,
    events,
    hosts,
    integration,
    kusthub,
    terminal,
    tickets,
)
from kohub_contracts.common import Page
from kohub_contracts.envelope import Envelope

CONTRACTS: dict[str, Any] = {
    "TicketCreateRequest": tickets.TicketCreateRequest,
    "TicketUpdateRequest": tickets.TicketUpdateRequest,
    "TicketTransitionRequest": tickets.TicketTransitionRequest,
    "TicketResolveRequest": tickets.TicketResolveRequest,
    "TicketAssignRequest": tickets.TicketAssignRequest,
    "TicketReasonRequest": tickets.TicketReasonRequest,
    "TicketCommentRequest": tickets.TicketCommentRequest,
    "TerminalLogCreateRequest": tickets.TerminalLogCreateRequest,
    "TicketDetailResponse": tickets.TicketDetailResponse,
    "TicketListItem": tickets.TicketListItem,
    "TicketPage": Page[tickets.TicketListItem],
    "TicketStats": tickets.TicketStats,
    "ActivityResponse": tickets.ActivityResponse,
    "TerminalLogResponse": tickets.TerminalLogResponse,
    "TerminalLogDetail": tickets.TerminalLogDetail,
    "TicketAssignees": list[tickets.Assignee],
    "ResolutionContext": tickets.ResolutionContext,
    "TerminalLogCollectRequest": terminal.TerminalLogCollectRequest,
    "TerminalLogCollected": terminal.TerminalLogCollected,
    "TerminalOpenedRequest": terminal.TerminalOpenedRequest,
    "TerminalOpened": terminal.TerminalOpened,
    "TerminalUrlResponse": terminal.TerminalUrlResponse,
    "TerminalTarget": terminal.TerminalTarget,
    "TerminalCredentialsRequest": terminal.TerminalCredentialsRequest,
    "TerminalCredentialsResponse": terminal.TerminalCredentialsResponse,
    "TerminalSessionQuery": terminal.TerminalSessionQuery,
    "TerminalSessions": terminal.TerminalSessions,
    "HostCreateRequest": hosts.HostCreateRequest,
    "HostUpdateRequest": hosts.HostUpdateRequest,
    "HostStatusRequest": hosts.HostStatusRequest,
    "HostResponse": hosts.HostResponse,
    "HostStats": hosts.HostStats,
    "HostPage": Page[hosts.HostListItem],
    "AdapterCreateRequest": hosts.AdapterCreateRequest,
    "AdapterUpdateRequest": hosts.AdapterUpdateRequest,
    "OrganizationCreateRequest": hosts.OrganizationCreateRequest,
    "OrganizationResponse": hosts.OrganizationResponse,
    "WebhookSourceCreateRequest": alerts.WebhookSourceCreateRequest,
    "WebhookSourceUpdateRequest": alerts.WebhookSourceUpdateRequest,
    "WebhookSourceResponse": alerts.WebhookSourceResponse,
    "WebhookSourceSecret": alerts.WebhookSourceSecret,
    "WebhookAccepted": alerts.WebhookAccepted,
    "AdapterEventResponse": alerts.AdapterEventResponse,
    "AdapterEventPage": Page[alerts.AdapterEventItem],
    "AlertPage": Page[alerts.AlertListItem],
    "ToolAdapterInfo": alerts.ToolAdapterInfo,
    "MappedHostResponse": alerts.MappedHostResponse,
    "DashboardSummary": dashboard.DashboardSummary,
    "DashboardTicketsStatus": dashboard.TicketsStatus,
    "DashboardHostsStatus": dashboard.HostsStatus,
    "DashboardRecentAlerts": dashboard.RecentAlerts,
    "DashboardRecentTickets": dashboard.RecentTickets,
    "TicketSyncResponse": integration.TicketSyncResponse,
    "SyncEventPage": Page[integration.SyncEventItem],
    "PublishRequest": integration.PublishRequest,
    "PublishAccepted": integration.PublishAccepted,
    "DeadLetterPage": Page[integration.DeadLetterItem],
    **{
        f"Envelope[{name}]": Envelope[struct]  # type: ignore[valid-type]
        for name, struct in alerts.ALERT_EVENT_TYPES.items()
    },
    **{
        f"Envelope[{name}]": Envelope[struct]  # type: ignore[valid-type]
        for name, struct in events.HOST_EVENT_TYPES.items()
    },
    **{
        f"Envelope[{name}]": Envelope[struct]  # type: ignore[valid-type]
        for name, struct in events.TICKET_EVENT_TYPES.items()
    },
    "Envelope[integration.sync_changed]": Envelope[events.TicketSyncChanged],
    **{
        f"Envelope[{name}]": Envelope[struct]  # type: ignore[valid-type]
        for name, struct in commands.TICKET_COMMAND_TYPES.items()
    },
    "Envelope[ticket.command.outcome]": Envelope[commands.TicketCommandOutcome],
    # KustHub's contract (kusthub.events): the schemas the other team validates against
    **{
        f"KustHub[{name}]": Envelope[struct]  # type: ignore[valid-type]
        for name, struct in kusthub.KUSTHUB_EVENT_TYPES.items()
    },
}


def schema_of(name: str) -> dict[str, Any]:
    return msgspec.json.schema(CONTRACTS[name])


def all_schemas() -> dict[str, dict[str, Any]]:
    return {name: schema_of(name) for name in sorted(CONTRACTS)}
