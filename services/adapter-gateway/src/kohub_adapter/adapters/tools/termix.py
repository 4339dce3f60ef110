"""Termix (web SSH terminal, 2.x) behind the `ToolAdapter` port: the terminal URL of a
host, and the recordings Termix keeps of SSH sessions (LOG_COLLECT).

Termix's API as its source has it (`src/backend/database/routes/session-log-routes.ts`):
`Authorization: Bearer tmx_…` acts as the key's owner; `GET /session_logs` answers
`{"logs": [{id, hostId, userId, startedAt, endedAt, duration, …}]}`, the owner's only;
`GET /session_logs/{id}/content` the raw recording, `application/x-asciicast` for
asciicast v2. A wrong or expired key is 401 `{"error": …}`.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
import structlog

from kohub_adapter.application.ports import Clock
from kohub_adapter.application.terminal import (
    RecordingTooLarge,
    TerminalCredentialsRejected,
    WindowTooLarge,
)
from kohub_adapter.application.tools import (
    ActionResult,
    Capability,
    ObservedStatus,
    RecentEvent,
    ToolHealth,
    ToolKind,
    ToolUnavailable,
    UnsupportedCapability,
)
from kohub_adapter.domain.alerts import ParsedWebhook
from kohub_adapter.domain.mapping import MappedHost
from kohub_adapter.domain.terminal import (
    SessionLog,
    check_allowed,
    recordings_of,
    termix_host,
)
from kohub_contracts.enums import AdapterType
from kohub_contracts.terminal import TerminalSession, TerminalTarget

log = structlog.get_logger("kohub.termix")
REJECTED = (
    "Termix refused your API key ({status}); register a valid key: "
    "PUT /api/v1/me/terminal-credentials"
)
FORMATS = {"application/x-asciicast": "asciicast", "text/plain": "text"}
# One collection carries at most this many largest recordings' worth (it is held in memory
# here and in the ticket service).
WINDOW_RECORDINGS = 4


class TermixAdapter:
    adapter_type = AdapterType.TERMIX
    name = "Termix"
    kind = ToolKind.TERMINAL
    capabilities = frozenset({Capability.LOG_COLLECT})

    def __init__(
        self,
        client: httpx.AsyncClient,
        now: Clock,
        *,
        default_url: str | None,
        timeout: float,
        max_cast_bytes: int,
        allowed_origins: frozenset[str] = frozenset(),
    ) -> None:
        self._client = client
        self._allowed = allowed_origins
        self._now = now
        self._default_url = default_url
        self._timeout = timeout
        self._max_cast_bytes = max_cast_bytes

    def parse_webhook(self, body: bytes, content_type: str | None) -> ParsedWebhook:
        raise UnsupportedCapability(self.adapter_type, Capability.WEBHOOK_RECEIVE)

    async def host_status(self, host: MappedHost) -> ObservedStatus:
        raise UnsupportedCapability(self.adapter_type, Capability.STATUS_QUERY)

    async def recent_events(
        self, host: MappedHost, since: datetime, until: datetime
    ) -> list[RecentEvent]:
        # Termix tells kohub nothing by itself; its recordings are per operator and need
        # that operator's key (`session_logs`).
        return []

    async def execute_action(
        self, host: MappedHost, action: str, parameters: Mapping[str, Any]
    ) -> ActionResult:
        raise UnsupportedCapability(self.adapter_type, Capability.ACTION_EXECUTE)

    async def health(self) -> ToolHealth:
        if not self._default_url:
            return ToolHealth(True, "per-host URLs (each host's termix adapter)", self._now())
        try:
            response = await self._client.get(self._default_url)
            healthy = response.status_code < 400
            detail = f"Termix answered {response.status_code}"
        except httpx.HTTPError as exc:
            healthy, detail = False, f"Termix unreachable: {type(exc).__name__}"
        return ToolHealth(healthy, detail, self._now(), {"url": self._default_url})

    def terminal_target(self, host: MappedHost) -> TerminalTarget:
        termix = termix_host(host)
        check_allowed(termix, self._allowed)
        return TerminalTarget(
            url=termix.terminal_url,
            host_id=host.host_id,
            termix_host_id=termix.host_id,
            base_url=termix.base_url,
        )

    async def session_logs(
        self, host: MappedHost, api_key: str, since: datetime, until: datetime
    ) -> list[TerminalSession]:
        termix = termix_host(host)
        check_allowed(termix, self._allowed)  # before the key goes anywhere
        auth = {"Authorization": f"Bearer {api_key}"}
        listed = await self._list(termix.api_url, auth)
        sessions = []
        total = 0
        for entry in recordings_of(listed, termix.host_id, since, until, self._now()):
            if entry.ended_at is None:  # still being recorded: named, fetched once it ends
                sessions.append(_running(entry))
                continue
            session = await self._content(termix.api_url, auth, entry)
            if session is None:
                continue
            total += len(session.content)
            if total > self._max_cast_bytes * WINDOW_RECORDINGS:
                raise WindowTooLarge(self._max_cast_bytes * WINDOW_RECORDINGS)
            sessions.append(session)
        return sessions

    async def _list(self, api_url: str, auth: dict[str, str]) -> list[SessionLog]:
        url = f"{api_url}/session_logs"
        try:
            response = await self._client.get(url, headers=auth, timeout=self._timeout)
        except httpx.HTTPError as exc:
            detail = f"Termix at {api_url} did not answer: {type(exc).__name__}."
            raise ToolUnavailable(detail) from exc
        _check(response, url)
        try:
            body = response.json()
            entries = body["logs"] if isinstance(body, dict) else body
            if not isinstance(entries, list):
                raise TypeError("no list")
            return [_session_log(entry) for entry in entries]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # e.g. Termix's web page instead of its API: the adapter's apiUrl is wrong
            raise ToolUnavailable(
                f"GET {url} did not answer Termix's session log list ({type(exc).__name__}); "
                "is the termix adapter's apiUrl (else baseUrl) Termix's API?"
            ) from exc

    async def _content(
        self, api_url: str, auth: dict[str, str], entry: SessionLog
    ) -> TerminalSession | None:
        url = f"{api_url}/session_logs/{quote(entry.log_id, safe='')}/content"
        limit = self._max_cast_bytes
        try:
            async with self._client.stream("GET", url, headers=auth, timeout=self._timeout) as r:
                if r.status_code == 404:  # pruned by Termix's retention since it was listed
                    log.info("termix recording gone", session_id=entry.log_id)
                    return None
                _check(r, url)
                media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
                kind = FORMATS.get(media_type)
                if kind is None:  # e.g. a guacamole (RDP/VNC) recording: no terminal log
                    return None
                declared = r.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise RecordingTooLarge(entry.log_id, limit)
                chunks, size = [], 0
                # read as it comes, so an oversized recording is refused at the limit
                async for chunk in r.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise RecordingTooLarge(entry.log_id, limit)
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise ToolUnavailable(
                f"Termix did not send recording {entry.log_id}: {type(exc).__name__}."
            ) from exc
        return TerminalSession(
            session_id=entry.log_id,
            termix_host_id=entry.termix_host_id,
            started_at=entry.started_at,
            ended_at=entry.ended_at,
            content=b"".join(chunks).decode("utf-8", errors="replace"),
            format=kind,
        )


def _check(response: httpx.Response, url: str) -> None:
    if response.status_code in (401, 403):
        raise TerminalCredentialsRejected(REJECTED.format(status=response.status_code))
    if response.status_code >= 400:
        raise ToolUnavailable(f"Termix answered GET {url} with {response.status_code}.")


def _running(entry: SessionLog) -> TerminalSession:
    return TerminalSession(
        session_id=entry.log_id,
        termix_host_id=entry.termix_host_id,
        started_at=entry.started_at,
        ended_at=None,
        content="",
    )


def _session_log(entry: Any) -> SessionLog:
    ended = entry.get("endedAt")
    return SessionLog(
        log_id=str(entry["id"]),
        termix_host_id=str(entry["hostId"]),
        started_at=_timestamp(entry["startedAt"]),
        ended_at=_timestamp(ended) if ended else None,
        format=entry.get("format") or None,
    )


def _timestamp(value: Any) -> datetime:
    # Termix writes ISO 8601 (`toISOString()`); SQLite's own `datetime('now')` has no zone
    at = datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=UTC)
