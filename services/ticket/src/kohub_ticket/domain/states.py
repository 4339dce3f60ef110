"""The state machine of seed §2.2, exactly: which status may follow which."""

from kohub_contracts.enums import TicketStatus

S = TicketStatus
TRANSITIONS: dict[TicketStatus, tuple[TicketStatus, ...]] = {
    S.NEW: (S.RECEIVED, S.CLOSED),
    S.RECEIVED: (S.ASSIGNED,),
    S.ASSIGNED: (S.IN_PROGRESS,),
    S.IN_PROGRESS: (S.PENDING, S.RESOLVED),
    S.PENDING: (S.IN_PROGRESS, S.RESOLVED),
    S.RESOLVED: (S.COMPLETED, S.REOPENED),
    S.COMPLETED: (S.CLOSED, S.REOPENED),
    S.REOPENED: (S.RECEIVED,),
    S.CLOSED: (),
}
# Statuses in which the assignee may be changed without a status change.
REASSIGNABLE = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.PENDING})


def allowed_targets(status: TicketStatus) -> tuple[TicketStatus, ...]:
    return TRANSITIONS[status]
