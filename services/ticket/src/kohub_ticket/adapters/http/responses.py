"""Responses built from an aggregate just written, so a create answers without reading back."""

from kohub_contracts.common import Ref
from kohub_contracts.enums import HostStatus
from kohub_contracts.tickets import HostRef, TicketDetailResponse, UserRef
from kohub_ticket.adapters.messaging.mapping import Names
from kohub_ticket.application.actors import Actor
from kohub_ticket.domain.model import Ticket


def new_ticket_detail(ticket: Ticket, names: Names, actor: Actor) -> TicketDetailResponse:
    """The detail of a ticket that was just opened: no timeline, logs or resolution yet."""
    host = None
    if ticket.host_id is not None:
        status = HostStatus(names.host_status) if names.host_status else None
        host = HostRef(id=ticket.host_id, name=names.host_name, status=status)
    reporter = (
        UserRef(id=ticket.reporter_id, name=names.users.get(ticket.reporter_id))
        if ticket.reporter_id
        else None
    )
    return TicketDetailResponse(
        id=ticket.id,
        key=ticket.key,
        title=ticket.title,
        description=ticket.description,
        source=ticket.source,
        source_event_id=ticket.source_event_id,
        status=ticket.status,
        priority=ticket.priority,
        host=host,
        reporter=reporter,
        assignee=None,
        resolution=None,
        activities=[],
        terminal_logs=[],
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        organization=Ref(id=str(ticket.org_id), name=names.organization_name),
        external_system=ticket.external_system,
        external_ticket_id=ticket.external_ticket_id,
        sync_status=ticket.sync_status,
        allowed_transitions=[t for t in ticket.allowed_transitions() if actor.may_move_to(t)],
        version=ticket.version,
    )
