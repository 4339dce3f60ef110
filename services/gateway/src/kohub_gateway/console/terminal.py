"""Terminal work in the console (issue 7), for operators only (for anyone else these pages do
not exist: 404): a host's Termix terminal framed in a page, a ticket's recorded session
(its commands and a replay), a recording uploaded to a ticket or collected from Termix,
(the operator's own Termix API key is kept on the settings page, settings.py)."""

import asyncio
import re
from typing import Any, ClassVar
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile

from kohub_contracts.hosts import HostResponse
from kohub_contracts.terminal import (
    TerminalLogCollected,
    TerminalUrlResponse,
)
from kohub_contracts.tickets import TerminalLogDetail
from kohub_gateway.console.hosts import host_id_of
from kohub_gateway.console.terminal_logs import (
    HOSTS,
    TICKETS,
    BadTime,
    local_time,
)
from kohub_gateway.console.tickets import detail_page, ticket_id_of
from kohub_gateway.console.web import (
    PLAYER_FILES,
    PageError,
    ServiceProblem,
    View,
    content_security_policy,
    field_text,
    log,
    open_view,
    see_other,
    service_problem_page,
)

# The problems of a collection or an upload, each in the console's own words (the
# service's detail is shown under them).
TERMINAL_PROBLEMS = {
    "terminal-credentials-missing": "error_termix_key_missing",
    "terminal-credentials-rejected": "error_termix_key_rejected",
    "no-terminal-adapter": "error_no_terminal_adapter",
    "no-terminal-window": "error_no_terminal_window",
    "tool-unavailable": "error_termix_down",
    "invalid-cast": "error_invalid_cast",
    "host-not-mapped": "error_host_not_mapped",
    "terminal-recording-too-large": "error_recordings_too_large",
    "terminal-window-too-large": "error_recordings_too_large",
    "termix-not-allowed": "error_termix_not_allowed",
}
_HOSTNAME = re.compile(r"^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$")  # urlsplit lowercases it


def uuid_or_404(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise PageError(404, "error_not_found") from None


def uuid_field(value: str) -> str | None:
    """An optional id from a form's select: None when empty, refused when not an id."""
    if not value:
        return None
    try:
        return str(UUID(value))
    except ValueError:
        raise PageError(400, "error_form_incomplete") from None


def frame_origin(url: str) -> str | None:
    """The origin to allow in `frame-src` for the terminal's URL: http(s) only, and nothing
    that could spill into the policy (no user info, no odd characters)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    host = f"[{host}]" if ":" in host else host
    if not _HOSTNAME.match(host):
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


async def host_name(view: View, host_id: UUID) -> str:
    """The host's name for a heading; its id when the host service cannot say."""
    try:
        return (await view.get(f"{HOSTS}/{host_id}", HostResponse)).name
    except ServiceProblem:
        return str(host_id)


async def terminal_url(
    view: View, host_id: UUID, params: dict[str, str] | None
) -> TerminalUrlResponse | ServiceProblem:
    """The host's terminal URL, or the problem that came instead (the page explains one)."""
    try:
        return await view.get(f"{HOSTS}/{host_id}/terminal-url", TerminalUrlResponse, params)
    except ServiceProblem as exc:
        return exc


async def refused(
    view: View, ticket_id: UUID, exc: ServiceProblem, values: dict[str, str]
) -> Response[bytes]:
    """A collection or upload the services refused: the ticket again, saying why."""
    key = TERMINAL_PROBLEMS.get(exc.kind or "")
    if key is None:
        if exc.down or exc.status == 404:
            raise exc
        status, key, detail = service_problem_page(view, exc)
    else:
        status, detail = (503 if exc.down else exc.status), exc.detail
    return await detail_page(
        view,
        ticket_id,
        status=status,
        error=key,
        error_detail=detail,
        error_kind=exc.kind,
        values=values,
    )


def collected(ticket_id: UUID, content: bytes) -> Response[Any]:
    """Back to the ticket, saying how many recordings were stored and skipped, and how many
    were left out (unreadable, or sessions not ended yet)."""
    try:
        result = msgspec.json.decode(content, type=TerminalLogCollected)
    except msgspec.DecodeError as exc:
        log.warning("unreadable collection answer", error=str(exc))
        return see_other(f"/tickets/{ticket_id}#terminal")
    counts = (
        f"&stored={len(result.stored)}&skipped={len(result.skipped)}"
        f"&unreadable={len(result.unreadable)}&running={len(result.in_progress)}"
    )
    if result.unreadable or result.in_progress:  # say what was left out, and why
        return see_other(f"/tickets/{ticket_id}?notice=logs_partial{counts}")
    if not result.stored and not result.skipped:
        return see_other(f"/tickets/{ticket_id}?notice=logs_none")
    return see_other(f"/tickets/{ticket_id}?notice=logs_stored{counts}")


class TerminalPages(Controller):
    path = "/"
    include_in_schema = False
    tags: ClassVar[list[str]] = ["console"]

    @get("/hosts/{host_id:str}/terminal", name="console:terminal")
    async def terminal(self, request: Request[Any, Any, Any], host_id: str) -> Response[bytes]:
        """The host's Termix terminal in a frame. Opened from a ticket (`?ticketId=`), the
        opening is recorded on it: that is where the recording is collected from later."""
        view = await open_view(request)
        view.require(view.caps.operator, hidden=True)
        hid = host_id_of(host_id)
        asked = request.query_params.get("ticketId")
        ticket_id = uuid_or_404(asked) if asked else None
        params = {"ticketId": str(ticket_id)} if ticket_id else None
        name, opened = await asyncio.gather(host_name(view, hid), terminal_url(view, hid, params))
        shown = {"host_id": hid, "host_name": name, "ticket_id": ticket_id}
        if isinstance(opened, ServiceProblem):
            explained = {"no-terminal-adapter", "host-not-mapped", "termix-not-allowed"}
            if opened.kind not in explained:
                raise opened
            return view.html(
                "terminal.html",
                409,
                section="hosts",
                opened=None,
                error=TERMINAL_PROBLEMS[opened.kind],
                error_detail=opened.detail,
                **shown,
            )
        origin = frame_origin(opened.url)
        if origin is None:
            log.warning("terminal url refused", host_id=str(hid))
            raise PageError(502, "error_unexpected_answer")
        return view.html(
            "terminal.html",
            section="hosts",
            csp=content_security_policy(frame_src=origin),
            opened=opened,
            error=None,
            error_detail=None,
            **shown,
        )

    @get("/tickets/{ticket_id:str}/terminal-logs/{log_id:str}", name="console:terminal-log")
    async def terminal_log(
        self, request: Request[Any, Any, Any], ticket_id: str, log_id: str
    ) -> Response[bytes]:
        """A recorded session: its commands, and a replay of the (redacted) recording."""
        view = await open_view(request)
        view.require(view.caps.operator, hidden=True)
        tid, lid = ticket_id_of(ticket_id), uuid_or_404(log_id)
        entry = await view.get(f"{TICKETS}/{tid}/terminal-logs/{lid}", TerminalLogDetail)
        name = await host_name(view, entry.host_id) if entry.host_id else None
        has_player = all(f in view.console.asset_versions for f in PLAYER_FILES)
        replay = bool(entry.cast) and has_player
        recording = {
            "cast": entry.cast if replay else None,
            "markers": [[c.offset, c.text[:80]] for c in entry.commands],
        }
        return view.html(
            "terminal_log.html",
            section="tickets",
            csp=content_security_policy(wasm=True) if replay else None,
            ticket_id=tid,
            log=entry,
            host_name=name,
            replay=replay,
            has_player=has_player,
            recording=recording,
        )

    @post("/tickets/{ticket_id:str}/terminal-logs/upload", name="console:terminal-log-upload")
    async def upload(self, request: Request[Any, Any, Any], ticket_id: str) -> Response[Any]:
        """An asciinema recording (.cast) from the operator's computer, onto the ticket."""
        view = await open_view(request)
        form = await view.form()
        view.require(view.caps.operator, hidden=True)
        tid = ticket_id_of(ticket_id)
        host = uuid_field(field_text(form, "hostId"))
        values = {"uploadHostId": host or ""}
        chosen = form.get("file")
        content = await chosen.read() if isinstance(chosen, UploadFile) else b""
        if not isinstance(chosen, UploadFile) or not content:
            return await detail_page(
                view, tid, status=422, error="error_cast_required", values=values
            )
        files: dict[str, Any] = {
            "file": (chosen.filename or "session.cast", content, "application/x-asciicast")
        }
        if host:
            files["hostId"] = (None, host)  # a plain form field of the multipart body
        try:
            response = await view.upload(f"{TICKETS}/{tid}/terminal-logs", files)
        except ServiceProblem as exc:
            return await refused(view, tid, exc, values)
        return collected(tid, response.content)

    @post("/tickets/{ticket_id:str}/terminal-logs/collect", name="console:terminal-log-collect")
    async def collect(self, request: Request[Any, Any, Any], ticket_id: str) -> Response[Any]:
        """The operator's Termix recordings of a host, onto the ticket. The window is the
        form's (times in the console's zone), else the API's: since the operator last
        opened the terminal from this ticket, until now."""
        view = await open_view(request)
        form = await view.form()
        view.require(view.caps.operator, hidden=True)
        tid = ticket_id_of(ticket_id)
        host = uuid_field(field_text(form, "hostId"))
        since, until = field_text(form, "since"), field_text(form, "until")
        values = {"collectHostId": host or "", "since": since, "until": until}
        try:
            start = local_time(since, view.console.timezone)
            end = local_time(until, view.console.timezone)
        except BadTime:
            return await detail_page(
                view, tid, status=422, error="error_time_invalid", values=values
            )
        if start and end and end <= start:
            return await detail_page(view, tid, status=422, error="error_time_order", values=values)
        body: dict[str, str] = {}
        if host:
            body["hostId"] = host
        if start:
            body["since"] = start.isoformat()
        if end:
            body["until"] = end.isoformat()
        try:
            response = await view.send("POST", f"{TICKETS}/{tid}/terminal-logs", body)
        except ServiceProblem as exc:
            return await refused(view, tid, exc, values)
        return collected(tid, response.content)
