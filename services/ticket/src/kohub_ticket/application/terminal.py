"""Terminal logs for a ticket, from recordings: collected from Termix (the operator's own
sessions of the host since they opened its terminal from the ticket) or uploaded as an
asciinema `.cast`. Each recording is read into a command log with its secrets redacted
before anything is stored; all of one request's sessions are stored in one transaction, so
a Termix that fails half-way leaves nothing behind."""

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from kohub_contracts.terminal import TerminalLogCollected, TerminalSession
from kohub_ticket.application import handlers
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.commands import AttachTerminalLog
from kohub_ticket.application.errors import InvalidRequest
from kohub_ticket.application.ports import Clock, TerminalRecordings, UnitOfWork
from kohub_ticket.application.queries import TerminalQueries
from kohub_ticket.domain.terminal import InvalidCast, ParsedCast, command_log_text, parse_cast

# A 16 MiB recording of typing holds ~650,000 events (one per key).
MAX_EVENTS = 1_000_000


async def read_recording(content: str) -> ParsedCast:
    """Reading takes ~110 ms per MB of typing (bench/terminal_bench.py): off the event loop,
    so the service keeps answering meanwhile."""
    return await asyncio.to_thread(parse_cast, content, max_events=MAX_EVENTS)


class NoTerminalWindow(InvalidRequest):
    """No period to collect: no terminal was opened from the ticket and none was given."""


class UnreadableCast(InvalidRequest):
    """The uploaded file is no asciicast v2 recording."""


@dataclass(frozen=True, slots=True)
class CollectTerminalLogs:
    actor: Actor
    ticket_id: UUID
    authorization: str | None
    """The operator's own token: Termix is asked with their key, for their sessions."""
    host_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class UploadRecording:
    actor: Actor
    ticket_id: UUID
    content: str
    host_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class TerminalWork:
    """What the terminal use cases need, wired by the composition root."""

    terminal: TerminalQueries
    recordings: TerminalRecordings
    uow: UnitOfWork
    clock: Clock


async def collect_terminal_logs(
    cmd: CollectTerminalLogs, work: TerminalWork
) -> TerminalLogCollected:
    host_id = await ticket_host(work.terminal, cmd.actor, cmd.ticket_id, cmd.host_id)
    if host_id is None:
        raise InvalidRequest("The ticket has no host: name the host whose sessions to collect.")
    until = _utc(cmd.until) or work.clock()
    since = _utc(cmd.since) or await work.terminal.window_start(
        cmd.ticket_id, cmd.actor.user_id, host_id
    )
    if since is None:
        raise NoTerminalWindow(
            "No terminal of this host was opened from this ticket: give the period "
            "(since, until) the sessions to collect fall in."
        )
    if since > until:
        raise InvalidRequest("The period ends before it starts.")
    found = await work.recordings.sessions(host_id, since, until, cmd.authorization)
    attached = await work.terminal.attached_sessions(cmd.ticket_id)
    attach, skipped, unreadable, running = [], [], [], []
    for session in found.sessions:
        session_id = f"termix-{session.session_id}"
        if session_id in attached:
            skipped.append(session_id)
            continue
        if session.ended_at is None:  # collected once ended, whole (a part would stay a part)
            running.append(session_id)
            continue
        try:
            parsed = await read_recording(session.content)
        except InvalidCast as exc:
            unreadable.append(f"{session_id}: {exc}")
            continue
        attach.append(_termix_log(cmd, host_id, session_id, session, parsed))
    stored = await handlers.attach_terminal_logs(attach, work.uow, work.clock)
    return TerminalLogCollected(
        stored=stored, skipped=skipped, unreadable=unreadable, in_progress=running
    )


async def upload_recording(cmd: UploadRecording, work: TerminalWork) -> TerminalLogCollected:
    host_id = await ticket_host(work.terminal, cmd.actor, cmd.ticket_id, cmd.host_id)
    try:
        parsed = await read_recording(cmd.content)
    except InvalidCast as exc:
        raise UnreadableCast(f"The file is not an asciicast v2 recording: {exc}") from None
    # the same file uploaded twice is one session
    session_id = "upload-" + hashlib.sha256(cmd.content.encode()).hexdigest()[:20]
    if session_id in await work.terminal.attached_sessions(cmd.ticket_id):
        return TerminalLogCollected(stored=[], skipped=[session_id])
    started = parsed.started_at or work.clock() - timedelta(seconds=parsed.duration)
    log = AttachTerminalLog(
        cmd.actor,
        cmd.ticket_id,
        session_id,
        command_log_text(parsed.commands),
        started,
        started + timedelta(seconds=parsed.duration),
        host_id=host_id,
        source="UPLOAD",
        commands=parsed.commands,
        command_source=parsed.command_source,
        redactions=parsed.redactions,
        cast=parsed.redacted_cast,
    )
    stored = await handlers.attach_terminal_logs([log], work.uow, work.clock)
    return TerminalLogCollected(stored=stored, skipped=[])


async def ticket_host(
    terminal: TerminalQueries, actor: Actor, ticket_id: UUID, wanted: UUID | None
) -> UUID | None:
    """The host terminal work on the ticket is about: the one named, which must be of the
    ticket's organization, else the ticket's own."""
    org_id, own = await terminal.ticket_scope(actor, ticket_id)
    if wanted is None or wanted == own:
        return own
    if await terminal.host_org(wanted) != org_id:
        raise InvalidRequest("No such host in the ticket's organization.")
    return wanted


def _utc(at: datetime | None) -> datetime | None:
    """A time without a zone is read as UTC (as the adapter gateway reads it)."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _termix_log(
    cmd: CollectTerminalLogs,
    host_id: UUID,
    session_id: str,
    session: TerminalSession,
    parsed: ParsedCast,
) -> AttachTerminalLog:
    ended = session.ended_at or session.started_at + timedelta(seconds=parsed.duration)
    return AttachTerminalLog(
        cmd.actor,
        cmd.ticket_id,
        session_id,
        command_log_text(parsed.commands),
        session.started_at,
        max(ended, session.started_at),
        host_id=host_id,
        source="TERMIX",
        commands=parsed.commands,
        command_source=parsed.command_source,
        redactions=parsed.redactions,
        cast=parsed.redacted_cast,
    )
