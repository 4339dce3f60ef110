"""The ticket aggregate, moving through the state machine of `states.py`.

Every change is a method that either raises a domain error or records what happened:
a domain event (for the outbox) and an activity (for the timeline).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from kohub_contracts.enums import (
    ActivityType,
    SyncStatus,
    TicketPriority,
    TicketSource,
    TicketStatus,
)
from kohub_ticket.domain.errors import IllegalTransition, InvalidTicketChange
from kohub_ticket.domain.events import (
    Assigned,
    Commented,
    DomainEvent,
    Resolved,
    StatusChanged,
    TicketEdited,
    TicketOpened,
)
from kohub_ticket.domain.records import Activity, Resolution, TerminalLog
from kohub_ticket.domain.states import REASSIGNABLE, TRANSITIONS, S, allowed_targets


@dataclass(slots=True)
class Ticket:
    id: UUID
    key: str
    org_id: UUID
    title: str
    description: str
    priority: TicketPriority
    source: TicketSource
    status: TicketStatus
    created_at: datetime
    updated_at: datetime
    host_id: UUID | None = None
    reporter_id: UUID | None = None
    assignee_id: UUID | None = None
    source_event_id: str | None = None
    external_system: str | None = None
    external_ticket_id: str | None = None
    sync_status: SyncStatus = SyncStatus.NONE
    received_at: datetime | None = None
    """When it was first RECEIVED: the acknowledgement of MTTA."""
    resolution_summary: str | None = None
    resolution: Resolution | None = None
    version: int = 1
    events: list[DomainEvent] = field(default_factory=list)
    new_activities: list[Activity] = field(default_factory=list)
    new_terminal_logs: list[TerminalLog] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        *,
        key: str,
        org_id: UUID,
        title: str,
        description: str,
        priority: TicketPriority,
        source: TicketSource,
        at: datetime,
        reporter_id: UUID | None = None,
        host_id: UUID | None = None,
        source_event_id: str | None = None,
        external_system: str | None = None,
        external_ticket_id: str | None = None,
        ticket_id: UUID | None = None,
    ) -> "Ticket":
        if not title.strip():
            raise InvalidTicketChange("A ticket needs a title.")
        ticket = cls(
            id=ticket_id or uuid4(),
            key=key,
            org_id=org_id,
            title=title.strip(),
            description=description,
            priority=priority,
            source=source,
            status=S.NEW,
            created_at=at,
            updated_at=at,
            host_id=host_id,
            reporter_id=reporter_id,
            source_event_id=source_event_id,
            external_system=external_system,
            external_ticket_id=external_ticket_id,
            sync_status=SyncStatus.PENDING if external_system else SyncStatus.NONE,
        )
        ticket._record(TicketOpened(ticket.id, reporter_id, at))
        return ticket

    # -- state machine -------------------------------------------------------------------

    def allowed_transitions(self) -> tuple[TicketStatus, ...]:
        return allowed_targets(self.status)

    def can_move_to(self, target: TicketStatus) -> bool:
        return target in TRANSITIONS[self.status]

    def move_to(
        self,
        target: TicketStatus,
        *,
        actor_id: UUID | None,
        at: datetime,
        reason: str | None = None,
    ) -> None:
        """A plain transition. RESOLVED needs `resolve`, ASSIGNED an assignee."""
        self._check(target)
        if target is S.RESOLVED:
            raise InvalidTicketChange("Resolving a ticket needs a resolution summary (resolve).")
        if target is S.ASSIGNED and self.assignee_id is None:
            raise InvalidTicketChange("Assigning a ticket needs an assignee (assign).")
        self._change_status(target, actor_id=actor_id, at=at, reason=reason)

    def assign(
        self, assignee_id: UUID, *, actor_id: UUID | None, at: datetime, reason: str | None = None
    ) -> None:
        """Assign from RECEIVED (moving to ASSIGNED) or hand over while work is under way."""
        if self.status is not S.RECEIVED and self.status not in REASSIGNABLE:
            allowed = list(TRANSITIONS[self.status])
            raise IllegalTransition(self.status, S.ASSIGNED, allowed)
        if self.status in REASSIGNABLE and assignee_id == self.assignee_id:
            raise InvalidTicketChange("The ticket is already assigned to that user.")
        previous = self.assignee_id
        self.assignee_id = assignee_id
        self._touch(at)
        self._record(Assigned(self.id, actor_id, at, assignee_id, previous))
        self._activity(
            ActivityType.ASSIGNMENT,
            actor_id,
            at,
            {
                "assigneeId": str(assignee_id),
                "previousAssigneeId": _str(previous),
                "reason": reason,
            },
        )
        if self.status is S.RECEIVED:
            self._change_status(S.ASSIGNED, actor_id=actor_id, at=at, reason=reason, touch=False)

    def resolve(
        self,
        *,
        summary: str,
        action_taken: str | None,
        ai_suggestion_used: dict[str, Any] | None,
        actor_id: UUID | None,
        at: datetime,
    ) -> None:
        self._check(S.RESOLVED)
        if not summary.strip():
            raise InvalidTicketChange("A resolution needs a summary.")
        from_status = self.status
        self.resolution = Resolution(
            actor_id, summary.strip(), action_taken, ai_suggestion_used, at
        )
        self.resolution_summary = summary.strip()
        self._change_status(S.RESOLVED, actor_id=actor_id, at=at, reason=None)
        self._record(
            Resolved(
                self.id,
                actor_id,
                at,
                from_status,
                summary.strip(),
                action_taken,
                ai_suggestion_used,
            )
        )

    # -- other changes -------------------------------------------------------------------

    def edit(
        self,
        *,
        actor_id: UUID | None,
        at: datetime,
        title: str | None = None,
        description: str | None = None,
        priority: TicketPriority | None = None,
        host_id: UUID | None = None,
        clear_host: bool = False,
    ) -> tuple[str, ...]:
        if self.status is S.CLOSED:
            raise InvalidTicketChange("A closed ticket cannot be edited.")
        changes: dict[str, Any] = {}
        if title is not None and title.strip() != self.title:
            if not title.strip():
                raise InvalidTicketChange("A ticket needs a title.")
            changes["title"] = title.strip()
        if description is not None and description != self.description:
            changes["description"] = description
        if priority is not None and priority is not self.priority:
            changes["priority"] = priority
        new_host = None if clear_host else (host_id or self.host_id)
        if new_host != self.host_id:
            changes["host_id"] = new_host
        for name, value in changes.items():
            setattr(self, name, value)
        changed = ["hostId" if name == "host_id" else name for name in changes]
        if changed:
            self._touch(at)
            self._record(TicketEdited(self.id, actor_id, at, tuple(changed)))
        return tuple(changed)

    def comment(self, content: str, *, actor_id: UUID | None, at: datetime) -> UUID:
        if not content.strip():
            raise InvalidTicketChange("A comment needs text.")
        activity = self._activity(ActivityType.COMMENT, actor_id, at, {}, content=content)
        self._touch(at)
        self._record(Commented(self.id, actor_id, at, activity.id, content))
        return activity.id

    def attach_terminal_log(self, log: TerminalLog, *, at: datetime) -> TerminalLog:
        """A terminal session's log on the ticket, with a TERMINAL_ACCESS entry saying so."""
        if log.ended_at is not None and log.ended_at < log.started_at:
            raise InvalidTicketChange("A terminal session cannot end before it starts.")
        if log.host_id is None:
            log.host_id = self.host_id
        self.new_terminal_logs.append(log)
        self._activity(
            ActivityType.TERMINAL_ACCESS,
            log.user_id,
            at,
            {
                "terminalLogId": str(log.id),
                "sessionId": log.session_id,
                "hostId": _str(log.host_id),
                "source": log.source,
                "lines": len(log.commands)
                or log.command_log.count("\n") + (1 if log.command_log else 0),
                "redactions": log.redactions,
            },
        )
        self._touch(at)
        return log

    def record_terminal_opened(
        self,
        *,
        host_id: UUID,
        host_name: str | None,
        termix_host_id: str,
        actor_id: UUID | None,
        at: datetime,
    ) -> UUID:
        """An operator opened the host's terminal to work on this ticket: the start of the
        window its recordings are later collected from."""
        activity = self._activity(
            ActivityType.TERMINAL_ACCESS,
            actor_id,
            at,
            {
                "opened": True,
                "hostId": str(host_id),
                "hostName": host_name,
                "termixHostId": termix_host_id,
            },
        )
        self._touch(at)
        return activity.id

    # -- monitoring alerts ---------------------------------------------------------------

    def note_alert(self, metadata: dict[str, Any], *, at: datetime) -> None:
        """An ALERT activity on the timeline (what fired, its links), changing nothing else."""
        self._activity(ActivityType.ALERT, None, at, metadata)

    def reopen_for_alert(self, metadata: dict[str, Any], *, at: datetime, reason: str) -> None:
        self.move_to(S.REOPENED, actor_id=None, at=at, reason=reason)
        self._activity(ActivityType.ALERT, None, at, {**metadata, "kind": "reopened"})

    def record_recovery(
        self, metadata: dict[str, Any], *, at: datetime, close: bool, reason: str
    ) -> None:
        """The monitored service came back. `close`: the ticket nobody touched is closed."""
        self._activity(ActivityType.ALERT, None, at, {**metadata, "kind": "recovered"})
        if close:
            self.move_to(S.CLOSED, actor_id=None, at=at, reason=reason)
        else:
            self._touch(at)

    # -- internals -----------------------------------------------------------------------

    def _check(self, target: TicketStatus) -> None:
        if not self.can_move_to(target):
            raise IllegalTransition(self.status, target, list(TRANSITIONS[self.status]))

    def _change_status(
        self,
        target: TicketStatus,
        *,
        actor_id: UUID | None,
        at: datetime,
        reason: str | None,
        touch: bool = True,
    ) -> None:
        previous = self.status
        self.status = target
        if target is S.RECEIVED and self.received_at is None:
            self.received_at = at
        if touch:
            self._touch(at)
        self._record(StatusChanged(self.id, actor_id, at, previous, target, reason))
        self._activity(
            ActivityType.STATUS_CHANGE,
            actor_id,
            at,
            {"from": previous.value, "to": target.value, "reason": reason},
        )

    def _touch(self, at: datetime) -> None:
        self.updated_at = max(at, self.updated_at)

    def _record(self, event: DomainEvent) -> None:
        self.events.append(event)

    def _activity(
        self,
        kind: ActivityType,
        actor_id: UUID | None,
        at: datetime,
        metadata: dict[str, Any],
        content: str = "",
    ) -> Activity:
        activity = Activity(uuid4(), kind, actor_id, at, metadata, content)
        self.new_activities.append(activity)
        return activity


def _str(value: UUID | None) -> str | None:
    return str(value) if value else None
