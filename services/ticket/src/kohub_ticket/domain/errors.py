"""Errors of the ticket domain; the HTTP edge turns them into problem details."""

from kohub_contracts.enums import TicketStatus


class DomainError(Exception):
    pass


class IllegalTransition(DomainError):
    def __init__(self, current: TicketStatus, target: TicketStatus, allowed: list[TicketStatus]):
        names = ", ".join(s.value for s in allowed) or "none"
        super().__init__(
            f"A ticket in {current.value} cannot move to {target.value}; allowed: {names}."
        )
        self.current, self.target, self.allowed = current, target, allowed


class InvalidTicketChange(DomainError):
    """A change the rules refuse for a reason other than the transition matrix."""
