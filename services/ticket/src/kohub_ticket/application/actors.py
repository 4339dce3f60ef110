"""Who acts, and what their roles let them do to a ticket."""

from dataclasses import dataclass
from uuid import UUID

from kohub_contracts.enums import Role, TicketStatus

OPERATOR_ROLES = frozenset({Role.MSP_ADMIN.value, Role.MSP_OPERATOR.value})
CUSTOMER_ROLES = frozenset({Role.CUSTOMER_ADMIN.value, Role.CUSTOMER.value})
# What a customer may do to their organization's tickets: confirm, or say it is not fixed.
CUSTOMER_MOVES = frozenset({TicketStatus.COMPLETED, TicketStatus.REOPENED})


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: UUID | None
    roles: frozenset[str]
    org_id: UUID | None
    name: str | None = None
    subject: str | None = None

    @property
    def is_admin(self) -> bool:
        return Role.MSP_ADMIN.value in self.roles

    @property
    def is_operator(self) -> bool:
        return not self.roles.isdisjoint(OPERATOR_ROLES)

    @property
    def is_customer(self) -> bool:
        return not self.roles.isdisjoint(CUSTOMER_ROLES)

    @property
    def is_system(self) -> bool:
        """A service acting on the bus (the integration bridge, the alert pipeline)."""
        return Role.INTEGRATION.value in self.roles

    def can_see(self, org_id: UUID) -> bool:
        return (
            self.is_operator
            or self.is_system
            or (self.org_id is not None and self.org_id == org_id)
        )

    def may_move_to(self, target: TicketStatus) -> bool:
        """Operators run the workflow; COMPLETED is the customer's word (or msp-admin's)."""
        if self.is_admin or self.is_system:
            return True
        if self.is_operator and target is not TicketStatus.COMPLETED:
            return True
        return self.is_customer and target in CUSTOMER_MOVES
