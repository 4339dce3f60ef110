"""Ticket API: terminal work. Session logs (collected from Termix, uploaded as a `.cast`, or
given as text), one log with its recording, the terminal openings the host service records,
the commands as resolution knowledge, and who a ticket can be assigned to."""

from typing import Any, ClassVar
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State, UploadFile

from kohub_contracts.terminal import (
    TerminalLogCollectRequest,
    TerminalOpened,
    TerminalOpenedRequest,
)
from kohub_contracts.tickets import (
    Assignee,
    ResolutionContext,
    TerminalLogCreateRequest,
    TerminalLogDetail,
    TerminalLogResponse,
)
from kohub_platform.auth import Principal
from kohub_platform.errors import ProblemError
from kohub_ticket.adapters.http.support import OPERATORS, caller
from kohub_ticket.application import handlers
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.commands import AttachTerminalLog, RecordTerminalOpened
from kohub_ticket.application.errors import InvalidRequest
from kohub_ticket.application.queries import TerminalQueries
from kohub_ticket.application.terminal import (
    CollectTerminalLogs,
    TerminalWork,
    UnreadableCast,
    UploadRecording,
    collect_terminal_logs,
    ticket_host,
    upload_recording,
)
from kohub_ticket.bootstrap import TicketService

Req = Request[Principal, Any, State]
MAX_RECORDING_BYTES = 16 * 1024 * 1024


class RecordingTooLarge(ProblemError):
    status, type_name = 413, "payload-too-large"


def _terminal(service: TicketService) -> TerminalQueries:
    if service.terminal is None:  # a composition without a database (unit tests)
        raise RuntimeError("The ticket service was built without terminal queries.")
    return service.terminal


def _work(service: TicketService) -> TerminalWork:
    if service.recordings is None:
        raise RuntimeError("The ticket service was built without a recordings source.")
    return TerminalWork(_terminal(service), service.recordings, service.uow(), service.clock)


class TicketTerminalController(Controller):
    path = "/api/v1/tickets"
    tags: ClassVar[list[str]] = ["terminal"]
    guards: ClassVar[list[object]] = [OPERATORS]  # type: ignore[misc]

    @get("/assignees", summary="The MSP operators and admins a ticket can be assigned to")
    async def assignees(self, request: Req) -> list[Assignee]:
        service, actor = await caller(request)
        return await _terminal(service).assignees(actor)

    @get("/{ticket_id:uuid}/terminal-logs", summary="The ticket's terminal sessions, with logs")
    async def list_terminal_logs(self, request: Req, ticket_id: UUID) -> list[TerminalLogResponse]:
        service, actor = await caller(request)
        return await _terminal(service).logs(actor, ticket_id)

    @get(
        "/{ticket_id:uuid}/terminal-logs/{log_id:uuid}",
        summary="One session: its commands with their times and the recording to replay",
    )
    async def get_terminal_log(
        self, request: Req, ticket_id: UUID, log_id: UUID
    ) -> TerminalLogDetail:
        service, actor = await caller(request)
        return await _terminal(service).log(actor, ticket_id, log_id)

    @post(
        "/{ticket_id:uuid}/terminal-logs",
        summary="Collect the operator's Termix sessions, or store an uploaded .cast",
        request_max_body_size=MAX_RECORDING_BYTES + 64 * 1024,
    )
    async def add_terminal_logs(self, request: Req, ticket_id: UUID) -> Response[Any]:
        """Three bodies:
        - JSON `{hostId?, since?, until?}`: the caller's Termix recordings of the host (the
          ticket's by default) from their last terminal opening on this ticket (or `since`)
          until now (or `until`) → 201 `{stored, skipped, unreadable}`;
        - multipart/form-data with the recording as field `file` (asciicast v2, e.g.
          `asciinema rec`) and optionally `hostId` → 201 `{stored, skipped}`;
        - JSON `{sessionId, commandLog, startedAt, endedAt?, hostId?}`: a command log as
          text → 201 the stored log.
        Commands are read from the recording with secrets redacted, in the log and in the
        recording kept."""
        service, actor = await caller(request)
        if request.content_type[0] == "multipart/form-data":
            upload = await _upload(request, actor, ticket_id)
            collected = await upload_recording(upload, _work(service))
            return Response(collected, status_code=201)
        body = await request.body()
        try:
            fields = msgspec.json.decode(body or b"{}")
        except msgspec.DecodeError as exc:
            raise InvalidRequest(f"The body is not JSON: {exc}") from None
        if isinstance(fields, dict) and "commandLog" in fields:
            return await _manual_log(service, actor, ticket_id, body)
        wanted = _decode(body or b"{}", TerminalLogCollectRequest)
        collected = await collect_terminal_logs(
            CollectTerminalLogs(
                actor,
                ticket_id,
                request.headers.get("authorization"),
                wanted.host_id,
                wanted.since,
                wanted.until,
            ),
            _work(service),
        )
        return Response(collected, status_code=201)

    @post(
        "/{ticket_id:uuid}/terminal-access",
        summary="Record that an operator opened a host's terminal for this ticket",
    )
    async def terminal_opened(
        self, request: Req, ticket_id: UUID, data: TerminalOpenedRequest
    ) -> Response[TerminalOpened]:
        """Called by the host service for `GET /hosts/{id}/terminal-url?ticketId=`: the
        opening starts the period a later collection looks in."""
        service, actor = await caller(request)
        await ticket_host(_terminal(service), actor, ticket_id, data.host_id)
        at = service.clock()
        activity_id = await handlers.record_terminal_opened(
            RecordTerminalOpened(
                actor, ticket_id, data.host_id, data.host_name, data.termix_host_id
            ),
            service.uow(),
            lambda: at,
        )
        return Response(TerminalOpened(activity_id=activity_id, opened_at=at), status_code=201)

    @get(
        "/{ticket_id:uuid}/resolution-context",
        summary="What was done: the resolution and the commands of the attached sessions",
    )
    async def resolution_context(self, request: Req, ticket_id: UUID) -> ResolutionContext:
        service, actor = await caller(request)
        return await _terminal(service).resolution_context(actor, ticket_id)


async def _upload(request: Req, actor: Actor, ticket_id: UUID) -> UploadRecording:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidRequest("Send the recording as the form field 'file'.")
    raw = await upload.read()
    if len(raw) > MAX_RECORDING_BYTES:
        raise RecordingTooLarge(f"The recording is larger than {MAX_RECORDING_BYTES:,} bytes.")
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableCast("The file is not a text (UTF-8) asciicast recording.") from None
    host = form.get("hostId")
    try:
        host_id = UUID(host) if isinstance(host, str) and host.strip() else None
    except ValueError:
        raise InvalidRequest("hostId is not a host id.") from None
    return UploadRecording(actor, ticket_id, content, host_id)


async def _manual_log(
    service: TicketService, actor: Actor, ticket_id: UUID, body: bytes
) -> Response[Any]:
    data = _decode(body, TerminalLogCreateRequest)
    log_id = await handlers.attach_terminal_log(
        AttachTerminalLog(
            actor,
            ticket_id,
            data.session_id,
            data.command_log,
            data.started_at,
            data.ended_at,
            data.host_id,
        ),
        service.uow(),
        service.clock,
    )
    logs = await _terminal(service).logs(actor, ticket_id)
    return Response(next(log for log in logs if log.id == log_id), status_code=201)


def _decode(body: bytes, kind: type[Any]) -> Any:
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        raise InvalidRequest(str(exc)) from None
