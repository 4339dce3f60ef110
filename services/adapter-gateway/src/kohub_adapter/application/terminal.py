"""Terminal handlers: a host's Termix terminal, the calling operator's recordings of it,
and the operator's own Termix API key.

Termix scopes recordings to the owner of the API key, so kohub asks with the key of the
operator who asks (never a shared one): an operator sees through kohub what Termix shows
them, no more.
"""

from datetime import datetime
from typing import Protocol
from uuid import UUID

from kohub_adapter.application.handlers import HostNotMapped
from kohub_adapter.application.ports import (
    Clock,
    CredentialInfo,
    CredentialUnreadable,
    HostMapSource,
    TerminalCredentialStore,
)
from kohub_adapter.domain.mapping import MappedHost
from kohub_adapter.domain.terminal import check_api_key, key_hint, termix_host, window
from kohub_contracts.terminal import (
    TerminalSession,
    TerminalSessionQuery,
    TerminalSessions,
    TerminalTarget,
)

REGISTER = "PUT /api/v1/me/terminal-credentials"


class TerminalCredentialsMissing(Exception):
    pass


class TerminalCredentialsRejected(Exception):
    """Termix refused the operator's API key (401/403)."""


class RecordingTooLarge(Exception):
    def __init__(self, session_id: str, limit: int) -> None:
        super().__init__(
            f"Termix recording {session_id} is larger than {limit} bytes "
            "(KOHUB_TERMINAL_MAX_CAST_BYTES); nothing was collected. Narrow the period "
            "to leave it out."
        )
        self.session_id = session_id
        self.limit = limit


class WindowTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The period holds more than {limit} bytes of recordings; collect a shorter one "
            "(since, until)."
        )
        self.limit = limit


class TerminalTool(Protocol):
    """What the terminal handlers need of Termix (`adapters/tools/termix.py`)."""

    def terminal_target(self, host: MappedHost) -> TerminalTarget: ...

    async def session_logs(
        self, host: MappedHost, api_key: str, since: datetime, until: datetime
    ) -> list[TerminalSession]:
        """The key owner's recordings of the host overlapping [since, until], oldest
        first; raises `TerminalCredentialsRejected`, `RecordingTooLarge`, `ToolUnavailable`."""


async def terminal_target(
    host_id: UUID, *, hosts: HostMapSource, tool: TerminalTool
) -> TerminalTarget:
    return tool.terminal_target(await _host(hosts, host_id))


async def terminal_sessions(
    host_id: UUID,
    user_id: str,
    query: TerminalSessionQuery,
    *,
    hosts: HostMapSource,
    tool: TerminalTool,
    credentials: TerminalCredentialStore,
) -> TerminalSessions:
    since, until = window(query.since, query.until)
    host = await _host(hosts, host_id)
    termix = termix_host(host)  # a host without Termix is answered before any key is read
    try:
        api_key = await credentials.api_key(user_id)
    except CredentialUnreadable:
        raise TerminalCredentialsMissing(
            f"Your stored Termix API key can no longer be decrypted; register it again: {REGISTER}"
        ) from None
    if api_key is None:
        raise TerminalCredentialsMissing(f"Register your Termix API key: {REGISTER}")
    sessions = await tool.session_logs(host, api_key, since, until)
    return TerminalSessions(host_id=host.host_id, termix_host_id=termix.host_id, sessions=sessions)


async def register_credentials(
    user_id: str, api_key: str, store: TerminalCredentialStore, clock: Clock
) -> CredentialInfo:
    info = CredentialInfo(key_hint(check_api_key(api_key)), clock())
    await store.put(user_id, api_key, info)
    return info


async def _host(hosts: HostMapSource, host_id: UUID) -> MappedHost:
    host = (await hosts.current()).get(host_id)
    if host is None:
        raise HostNotMapped("The adapter gateway knows no such host.")
    return host
