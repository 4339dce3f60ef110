"""Terminal work, pure: where a host's Termix terminal is, which of an operator's recordings
belong to a host and a period, and how a Termix API key may be shown.

A host's termix adapter config (validated by the host service) names the Termix and the
host in it: `{"baseUrl": "https://termix.example", "hostId": "12"}`, optionally `apiUrl`
when Termix's API is not served under `baseUrl` (e.g. straight from its backend).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from kohub_adapter.domain.mapping import MappedHost
from kohub_contracts.enums import AdapterType

API_KEY_PREFIX = "tmx_"
# Termix also records RDP/VNC sessions (format "guacamole"); those are no terminal logs.
TERMINAL_FORMATS = frozenset({"asciicast", "text"})


class NoTerminalAdapter(Exception):
    """The host has no ACTIVE termix adapter kohub can use."""


class InvalidTerminalRequest(ValueError):
    pass


class TermixNotAllowed(Exception):
    """The host's Termix is not one kohub may send operators' keys to."""


def origin(url: str) -> str:
    """`scheme://host[:port]`, lower-cased: what an allow-list of Termix servers names."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def check_allowed(termix: "TermixHost", allowed: frozenset[str]) -> None:
    """With an allow-list (`KOHUB_TERMIX_ALLOWED_ORIGINS`), a host's Termix web app and API
    must both be on it: a host's adapter config (msp-admin's) cannot send operators' keys,
    or the gateway's requests, anywhere else."""
    if not allowed:
        return
    for url in {termix.base_url, termix.api_url}:
        if origin(url) not in allowed:
            raise TermixNotAllowed(
                f"{origin(url)} is not an allowed Termix (KOHUB_TERMIX_ALLOWED_ORIGINS)."
            )


@dataclass(frozen=True, slots=True)
class TermixHost:
    base_url: str
    api_url: str
    host_id: str

    @property
    def terminal_url(self) -> str:
        return f"{self.base_url}/?view=terminal&hostId={quote(self.host_id, safe='')}"


def termix_host(host: MappedHost) -> TermixHost:
    adapter = host.adapter(AdapterType.TERMIX)
    if adapter is None:
        raise NoTerminalAdapter(f"Host {host.name} has no active termix adapter.")
    base_url = str(adapter.config.get("baseUrl") or "").rstrip("/")
    api_url = str(adapter.config.get("apiUrl") or base_url).rstrip("/")
    raw_id = adapter.config.get("hostId")
    host_id = "" if raw_id is None else str(raw_id).strip()
    if not host_id or not all(u.startswith(("http://", "https://")) for u in (base_url, api_url)):
        raise NoTerminalAdapter(
            f"Host {host.name}'s termix adapter needs an http(s) baseUrl and a hostId."
        )
    return TermixHost(base_url, api_url, host_id)


@dataclass(frozen=True, slots=True)
class SessionLog:
    """One entry of Termix's `GET /session_logs` (the key owner's recordings)."""

    log_id: str
    termix_host_id: str
    started_at: datetime
    ended_at: datetime | None
    format: str | None = None
    """Only when Termix lists it; else the content's media type tells."""

    def overlaps(self, since: datetime, until: datetime, now: datetime) -> bool:
        # a session still running (no end yet) lasts until now
        return self.started_at <= until and (self.ended_at or now) >= since


def recordings_of(
    logs: Iterable[SessionLog],
    termix_host_id: str,
    since: datetime,
    until: datetime,
    now: datetime,
) -> list[SessionLog]:
    """The terminal recordings of one Termix host that overlap [since, until], oldest first.
    Termix has no "create session" call, so a recording is known by its host and time."""
    chosen = [
        log
        for log in logs
        if log.termix_host_id == termix_host_id
        and (log.format is None or log.format in TERMINAL_FORMATS)
        and log.overlaps(since, until, now)
    ]
    return sorted(chosen, key=lambda log: (log.started_at, log.log_id))


def window(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """The period asked for, zone-less times read as UTC."""
    since, until = _utc(since), _utc(until)
    if since > until:
        raise InvalidTerminalRequest("since must not be after until.")
    return since, until


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def check_api_key(api_key: str) -> str:
    # Termix reads any other bearer token as its own login JWT, which expires: only an API
    # key lasts. The message never repeats the value.
    if not api_key.startswith(API_KEY_PREFIX):
        raise InvalidTerminalRequest(f"A Termix API key starts with {API_KEY_PREFIX}.")
    return api_key


def key_hint(api_key: str) -> str:
    """The prefix says what kind of key it is, the last four which one; a short key shows
    no tail, so a hint never gives away more than a small part of a key."""
    tail = api_key[-4:] if len(api_key) >= 32 else ""
    return f"{api_key[:4]}…{tail}"
