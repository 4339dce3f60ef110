"""Every cell of the transition matrix of seed §2.2, allowed and refused."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus
from kohub_ticket.domain.errors import IllegalTransition, InvalidTicketChange
from kohub_ticket.domain.events import Resolved, StatusChanged
from kohub_ticket.domain.model import Ticket

S = TicketStatus
AT = datetime(2026, 1, 30, 10, 15, tzinfo=UTC)
# The seed's matrix, written out independently of the model's table.
ALLOWED = {
    (S.NEW, S.RECEIVED),
    (S.NEW, S.CLOSED),
    (S.RECEIVED, S.ASSIGNED),
    (S.ASSIGNED, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.PENDING),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.PENDING, S.IN_PROGRESS),
    (S.PENDING, S.RESOLVED),
    (S.RESOLVED, S.COMPLETED),
    (S.RESOLVED, S.REOPENED),
    (S.COMPLETED, S.CLOSED),
    (S.COMPLETED, S.REOPENED),
    (S.REOPENED, S.RECEIVED),
}
FROM = [
    S.NEW,
    S.RECEIVED,
    S.ASSIGNED,
    S.IN_PROGRESS,
    S.PENDING,
    S.RESOLVED,
    S.COMPLETED,
    S.REOPENED,
    S.CLOSED,
]
TO = [
    S.RECEIVED,
    S.ASSIGNED,
    S.IN_PROGRESS,
    S.PENDING,
    S.RESOLVED,
    S.COMPLETED,
    S.CLOSED,
    S.REOPENED,
]


def ticket_in(status: TicketStatus) -> Ticket:
    ticket = Ticket.open(
        key="KH-2026-0001",
        org_id=uuid4(),
        title="t",
        description="",
        priority=TicketPriority.HIGH,
        source=TicketSource.MANUAL,
        at=AT,
    )
    ticket.status = status
    ticket.assignee_id = uuid4() if status not in (S.NEW, S.RECEIVED) else None
    ticket.events.clear()
    ticket.new_activities.clear()
    return ticket


def attempt(ticket: Ticket, target: TicketStatus) -> None:
    actor = uuid4()
    if target is S.RESOLVED:
        ticket.resolve(
            summary="fixed", action_taken="restart", ai_suggestion_used=None, actor_id=actor, at=AT
        )
    elif target is S.ASSIGNED and ticket.status is S.RECEIVED:
        ticket.assign(uuid4(), actor_id=actor, at=AT)  # assigning is how RECEIVED moves on
    else:
        ticket.move_to(target, actor_id=actor, at=AT, reason="r")


@pytest.mark.parametrize("source", FROM, ids=lambda s: s.value)
@pytest.mark.parametrize("target", TO, ids=lambda s: s.value)
def test_matrix_cell(source: TicketStatus, target: TicketStatus) -> None:
    ticket = ticket_in(source)
    if (source, target) in ALLOWED:
        attempt(ticket, target)
        assert ticket.status is target
        changes = [e for e in ticket.events if isinstance(e, StatusChanged)]
        assert [(c.from_status, c.to_status) for c in changes] == [(source, target)]
        assert ticket.new_activities, "every change lands on the timeline"
    else:
        with pytest.raises(IllegalTransition) as refused:
            attempt(ticket, target)
        assert ticket.status is source
        assert ticket.events == []
        assert set(refused.value.allowed) == {t for (f, t) in ALLOWED if f is source}


def test_allowed_transitions_match_the_matrix() -> None:
    for source in FROM:
        assert set(ticket_in(source).allowed_transitions()) == {
            t for (f, t) in ALLOWED if f is source
        }


def test_resolve_records_the_resolution_and_a_resolved_event() -> None:
    ticket = ticket_in(S.PENDING)
    attempt(ticket, S.RESOLVED)
    assert ticket.resolution_summary == "fixed"
    assert ticket.resolution is not None and ticket.resolution.action_taken == "restart"
    assert any(isinstance(e, Resolved) and e.from_status is S.PENDING for e in ticket.events)


def test_plain_move_to_resolved_needs_a_resolution() -> None:
    with pytest.raises(InvalidTicketChange):
        ticket_in(S.IN_PROGRESS).move_to(S.RESOLVED, actor_id=None, at=AT)


def test_transition_to_assigned_needs_an_assignee() -> None:
    ticket = ticket_in(S.RECEIVED)
    with pytest.raises(InvalidTicketChange):
        ticket.move_to(S.ASSIGNED, actor_id=None, at=AT)


def test_reopened_ticket_keeps_its_assignee_and_may_go_back_to_assigned() -> None:
    ticket = ticket_in(S.REOPENED)
    ticket.move_to(S.RECEIVED, actor_id=None, at=AT)
    ticket.move_to(S.ASSIGNED, actor_id=None, at=AT)
    assert ticket.status is S.ASSIGNED


def test_hand_over_while_in_progress_changes_no_status() -> None:
    ticket = ticket_in(S.IN_PROGRESS)
    ticket.assign(uuid4(), actor_id=None, at=AT)
    assert ticket.status is S.IN_PROGRESS
    assert not any(isinstance(e, StatusChanged) for e in ticket.events)


def test_edit_records_only_real_changes() -> None:
    ticket = ticket_in(S.NEW)
    assert ticket.edit(actor_id=None, at=AT, title="t") == ()
    assert ticket.edit(actor_id=None, at=AT, title="new", priority=TicketPriority.LOW) == (
        "title",
        "priority",
    )
    with pytest.raises(InvalidTicketChange):
        ticket_in(S.CLOSED).edit(actor_id=None, at=AT, title="x")
