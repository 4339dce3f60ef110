"""A kohub ticket's link with KustHub and the sync status kohub shows for it.

Reported to the ticket service only when it changes: SYNCED once KustHub's broker confirmed
the ticket's latest publish (or the last inbound event was applied), PENDING while a publish
is being retried, FAILED past the retry budget or when KustHub's word could not be applied.
Each report takes the next `sequence`, so the ticket service ignores a late older one."""

from dataclasses import dataclass
from uuid import UUID

from kohub_contracts.enums import SyncStatus


@dataclass
class TicketLink:
    ticket_id: UUID
    ticket_key: str | None = None
    org_id: UUID | None = None
    kusthub_ticket_id: str | None = None
    sync_status: SyncStatus = SyncStatus.NONE
    sync_seq: int = 0
    sync_reason: str | None = None
    reported: bool = False
    """Set by `report` when the status changed in this unit of work."""

    def report(self, status: SyncStatus, reason: str | None = None) -> bool:
        if (status, reason) == (self.sync_status, self.sync_reason):
            return False
        self.sync_status, self.sync_reason = status, reason
        self.sync_seq += 1
        self.reported = True
        return True


def status_after_delivery(*, failed: int, retrying: bool) -> SyncStatus:
    """The sync status once the relay settled some of the ticket's outbound events: FAILED
    while one is past its budget, PENDING while one is being retried, else SYNCED (an
    event just written and not yet sent does not count: PENDING means trouble)."""
    if failed:
        return SyncStatus.FAILED
    return SyncStatus.PENDING if retrying else SyncStatus.SYNCED
