"""Terminal rules and handlers with fakes: which recordings belong to a host and a period,
how a key is shown, and the order in which a request is refused."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from kohub_adapter.application.handlers import HostNotMapped
from kohub_adapter.application.ports import CredentialInfo, CredentialUnreadable
from kohub_adapter.application.terminal import (
    TerminalCredentialsMissing,
    register_credentials,
    terminal_sessions,
    terminal_target,
)
from kohub_adapter.domain.mapping import HostAdapterRef, HostMap, MappedHost
from kohub_adapter.domain.terminal import (
    InvalidTerminalRequest,
    NoTerminalAdapter,
    SessionLog,
    key_hint,
    recordings_of,
    termix_host,
    window,
)
from kohub_contracts.enums import AdapterType, HostAdapterStatus, HostStatus
from kohub_contracts.terminal import TerminalSession, TerminalSessionQuery, TerminalTarget

SINCE = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
UNTIL = SINCE + timedelta(hours=1)
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
KEY = "tmx_" + "0123456789abcdef" * 4


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, 10, hour, minute, tzinfo=UTC)


def termix(
    name: str = "web-01",
    config: dict | None = None,
    status: HostAdapterStatus = HostAdapterStatus.ACTIVE,
) -> MappedHost:
    config = {"baseUrl": "https://termix.example", "hostId": "12"} if config is None else config
    adapter = HostAdapterRef(uuid4(), AdapterType.TERMIX, status, config)
    return MappedHost(uuid4(), uuid4(), name, HostStatus.ACTIVE, (adapter,))


# -- which recordings -----------------------------------------------------------------------


def test_recordings_overlapping_the_period_of_the_host_oldest_first():
    logs = [
        SessionLog("1", "12", at(10, 10), at(10, 20)),  # fully inside
        SessionLog("2", "12", at(9, 30), at(10, 15)),  # straddles the start
        SessionLog("3", "12", at(8), at(9)),  # ended before
        SessionLog("4", "12", at(11, 30), at(11, 40)),  # started after
        SessionLog("5", "13", at(10, 10), at(10, 20)),  # another host
        SessionLog("6", "12", at(10, 30), None),  # still running: lasts until now
        SessionLog("7", "12", at(10, 50), at(11, 30)),  # straddles the end
    ]
    chosen = recordings_of(logs, "12", SINCE, UNTIL, NOW)
    assert [log.log_id for log in chosen] == ["2", "1", "6", "7"]


def test_the_bounds_count_and_a_running_session_lasts_until_now():
    started_at_end = SessionLog("1", "12", UNTIL, at(11, 5))
    ended_at_start = SessionLog("2", "12", at(9), SINCE)
    running_before = SessionLog("3", "12", at(8), None)
    chosen = recordings_of(
        [started_at_end, ended_at_start, running_before], "12", SINCE, UNTIL, at(9, 30)
    )
    # the running one ends "now" (09:30), before the period
    assert [log.log_id for log in chosen] == ["2", "1"]


def test_only_terminal_recordings_are_taken():
    logs = [
        SessionLog("1", "12", at(10, 10), at(10, 20), "guacamole"),
        SessionLog("2", "12", at(10, 10), at(10, 20), "asciicast"),
        SessionLog("3", "12", at(10, 10), at(10, 20), None),
    ]
    assert [log.log_id for log in recordings_of(logs, "12", SINCE, UNTIL, NOW)] == ["2", "3"]


def test_the_period_must_not_be_reversed_and_zone_less_times_are_utc():
    with pytest.raises(InvalidTerminalRequest):
        window(UNTIL, SINCE)
    since, until = window(datetime(2026, 1, 10, 10), UNTIL)
    assert since == SINCE and until == UNTIL


# -- the host's Termix ------------------------------------------------------------------------


def test_the_terminal_url_quotes_the_termix_host_id_and_the_api_defaults_to_the_base():
    target = termix_host(termix(config={"baseUrl": "https://t.example/", "hostId": "a b&c"}))
    assert target.terminal_url == "https://t.example/?view=terminal&hostId=a%20b%26c"
    assert target.api_url == "https://t.example"
    other = termix_host(
        termix(config={"baseUrl": "https://t", "hostId": 7, "apiUrl": "http://t:30001/"})
    )
    assert (other.api_url, other.host_id) == ("http://t:30001", "7")


@pytest.mark.parametrize(
    "host",
    [
        termix(status=HostAdapterStatus.INACTIVE),
        termix(config={"baseUrl": "https://t"}),
        termix(config={"baseUrl": "ftp://t", "hostId": "1"}),
        MappedHost(uuid4(), uuid4(), "web-01", HostStatus.ACTIVE),
    ],
)
def test_a_host_without_a_usable_active_termix_adapter_has_no_terminal(host):
    with pytest.raises(NoTerminalAdapter, match="web-01"):
        termix_host(host)


def test_a_key_hint_shows_little_of_a_key():
    assert key_hint(KEY) == "tmx_…cdef"
    assert key_hint("tmx_short123") == "tmx_…"


# -- handlers with fakes ----------------------------------------------------------------------


class FakeHosts:
    def __init__(self, *hosts: MappedHost) -> None:
        self.map = HostMap.of(hosts)

    async def current(self) -> HostMap:
        return self.map

    def forget(self) -> None:
        pass


class FakeStore:
    def __init__(self, keys: dict[str, str] | None = None, unreadable: bool = False) -> None:
        self.keys = dict(keys or {})
        self.infos: dict[str, CredentialInfo] = {}
        self.unreadable = unreadable
        self.reads: list[str] = []

    async def info(self, user_id: str) -> CredentialInfo | None:
        return self.infos.get(user_id)

    async def api_key(self, user_id: str) -> str | None:
        self.reads.append(user_id)
        if self.unreadable:
            raise CredentialUnreadable("no key opens it")
        return self.keys.get(user_id)

    async def put(self, user_id: str, api_key: str, info: CredentialInfo) -> None:
        self.keys[user_id], self.infos[user_id] = api_key, info

    async def delete(self, user_id: str) -> None:
        self.keys.pop(user_id, None)
        self.infos.pop(user_id, None)


class FakeTool:
    def __init__(self) -> None:
        self.calls: list[tuple[UUID, str, datetime, datetime]] = []

    def terminal_target(self, host: MappedHost) -> TerminalTarget:
        t = termix_host(host)
        return TerminalTarget(
            url=t.terminal_url, host_id=host.host_id, termix_host_id=t.host_id, base_url=t.base_url
        )

    async def session_logs(
        self, host: MappedHost, api_key: str, since: datetime, until: datetime
    ) -> list[TerminalSession]:
        self.calls.append((host.host_id, api_key, since, until))
        return [TerminalSession("1", "12", since, None, '{"version": 2}\n')]


QUERY = TerminalSessionQuery(since=SINCE, until=UNTIL)


async def test_sessions_are_fetched_with_the_callers_own_key():
    host, tool = termix(), FakeTool()
    store = FakeStore({"alice": KEY, "bob": "tmx_bob"})
    answer = await terminal_sessions(
        host.host_id, "alice", QUERY, hosts=FakeHosts(host), tool=tool, credentials=store
    )
    assert tool.calls == [(host.host_id, KEY, SINCE, UNTIL)]
    assert answer.host_id == host.host_id and answer.termix_host_id == "12"
    assert [s.session_id for s in answer.sessions] == ["1"]


async def test_a_caller_without_a_key_is_told_how_to_register_one():
    host, tool = termix(), FakeTool()
    with pytest.raises(TerminalCredentialsMissing) as missing:
        await terminal_sessions(
            host.host_id, "carol", QUERY, hosts=FakeHosts(host), tool=tool, credentials=FakeStore()
        )
    assert str(missing.value) == (
        "Register your Termix API key: PUT /api/v1/me/terminal-credentials"
    )
    with pytest.raises(TerminalCredentialsMissing, match="register it again"):
        await terminal_sessions(
            host.host_id,
            "alice",
            QUERY,
            hosts=FakeHosts(host),
            tool=tool,
            credentials=FakeStore({"alice": KEY}, unreadable=True),
        )
    assert tool.calls == []


async def test_refusals_come_before_any_key_is_read():
    host, kuma_only, store = (
        termix(),
        MappedHost(uuid4(), uuid4(), "db-01", HostStatus.ACTIVE),
        FakeStore({"a": KEY}),
    )
    hosts = FakeHosts(host, kuma_only)
    with pytest.raises(InvalidTerminalRequest):
        reversed_query = TerminalSessionQuery(since=UNTIL, until=SINCE)
        await terminal_sessions(
            host.host_id, "a", reversed_query, hosts=hosts, tool=FakeTool(), credentials=store
        )
    with pytest.raises(HostNotMapped):
        await terminal_sessions(
            uuid4(), "a", QUERY, hosts=hosts, tool=FakeTool(), credentials=store
        )
    with pytest.raises(NoTerminalAdapter, match="Host db-01 has no active termix adapter"):
        await terminal_sessions(
            kuma_only.host_id, "a", QUERY, hosts=hosts, tool=FakeTool(), credentials=store
        )
    assert store.reads == []


async def test_the_terminal_target_of_a_known_host():
    host = termix()
    target = await terminal_target(host.host_id, hosts=FakeHosts(host), tool=FakeTool())
    assert target.url == "https://termix.example/?view=terminal&hostId=12"
    with pytest.raises(HostNotMapped):
        await terminal_target(uuid4(), hosts=FakeHosts(host), tool=FakeTool())


async def test_registering_keeps_the_key_and_shows_a_hint():
    store = FakeStore()
    info = await register_credentials("alice", KEY, store, lambda: NOW)
    assert info == CredentialInfo("tmx_…cdef", NOW)
    assert store.keys["alice"] == KEY
    with pytest.raises(InvalidTerminalRequest) as refused:
        await register_credentials("alice", "eyJhbGciOiJIUzI1NiJ9.secret", store, lambda: NOW)
    assert "eyJ" not in str(refused.value)
    assert store.keys["alice"] == KEY
