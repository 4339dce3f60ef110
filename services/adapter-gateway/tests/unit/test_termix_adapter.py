"""The Termix adapter against a fake Termix in httpx's MockTransport: what it asks, what it
keeps, and how Termix's failures are told apart."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx
import pytest

from kohub_adapter.adapters.tools.termix import TermixAdapter
from kohub_adapter.application.terminal import RecordingTooLarge, TerminalCredentialsRejected
from kohub_adapter.application.tools import (
    Capability,
    ToolKind,
    ToolUnavailable,
    UnsupportedCapability,
)
from kohub_adapter.domain.mapping import HostAdapterRef, MappedHost
from kohub_contracts.enums import AdapterType, HostAdapterStatus, HostStatus

KEY = "tmx_" + "ab" * 32
SINCE = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
UNTIL = SINCE + timedelta(hours=1)
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
CAST = '{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "$ uptime\\r\\n"]\n'
HOST = MappedHost(
    uuid4(),
    uuid4(),
    "web-01",
    HostStatus.ACTIVE,
    (
        HostAdapterRef(
            uuid4(),
            AdapterType.TERMIX,
            HostAdapterStatus.ACTIVE,
            {"baseUrl": "https://termix.example", "hostId": "12", "apiUrl": "http://api.termix"},
        ),
    ),
)


def entry(log_id: int, host_id: int, started: str, ended: str | None, **extra) -> dict:
    return {
        "id": log_id,
        "hostId": host_id,
        "userId": "u1",
        "startedAt": started,
        "endedAt": ended,
        **extra,
    }


LOGS = [
    entry(1, 12, "2026-01-10T10:10:00.000Z", "2026-01-10T10:20:00.000Z"),  # inside
    entry(2, 12, "2026-01-10T09:30:00.000Z", "2026-01-10T10:15:00.000Z"),  # straddles the start
    entry(3, 12, "2026-01-10T08:00:00.000Z", "2026-01-10T09:00:00.000Z"),  # before
    entry(4, 12, "2026-01-10T11:30:00.000Z", "2026-01-10T11:40:00.000Z"),  # after
    entry(5, 13, "2026-01-10T10:10:00.000Z", "2026-01-10T10:20:00.000Z"),  # another host
    entry(6, 12, "2026-01-10 10:30:00", None),  # running; SQLite's zone-less time is UTC
]


def adapter(handler: Callable[[httpx.Request], httpx.Response], **kwargs) -> TermixAdapter:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return TermixAdapter(
        client,
        lambda: NOW,
        default_url=kwargs.get("default_url"),
        timeout=5.0,
        max_cast_bytes=kwargs.get("max_cast_bytes", 1000),
        allowed_origins=kwargs.get("allowed_origins", frozenset()),
    )


def termix(
    logs=LOGS, content: Callable[[str], httpx.Response] | None = None, seen: list | None = None
):
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append((request.url.path, request.headers.get("authorization")))
        if request.url.path == "/session_logs":
            return httpx.Response(200, json={"logs": logs})
        log_id = request.url.path.split("/")[2]
        if content is not None:
            return content(log_id)
        return httpx.Response(
            200, content=CAST.encode(), headers={"Content-Type": "application/x-asciicast"}
        )

    return handle


async def test_the_hosts_recordings_of_the_period_with_their_content_oldest_first():
    seen: list = []
    sessions = await adapter(termix(seen=seen)).session_logs(HOST, KEY, SINCE, UNTIL)
    assert [s.session_id for s in sessions] == ["2", "1", "6"]
    assert all(s.content == CAST and s.format == "asciicast" for s in sessions[:2])
    assert sessions[2].content == ""  # still recording: named, not fetched
    assert sessions[0].started_at == datetime(2026, 1, 10, 9, 30, tzinfo=UTC)
    assert sessions[2].ended_at is None
    assert sessions[2].started_at == datetime(2026, 1, 10, 10, 30, tzinfo=UTC)
    assert all(s.termix_host_id == "12" for s in sessions)
    # only the chosen, ended ones are fetched, from apiUrl, with the caller's key
    assert [path for path, _ in seen] == [
        "/session_logs",
        "/session_logs/2/content",
        "/session_logs/1/content",
    ]
    assert {auth for _, auth in seen} == {f"Bearer {KEY}"}


async def test_a_bare_list_is_read_too_and_non_terminal_recordings_are_left_out():
    def content(log_id: str) -> httpx.Response:
        kinds = {
            "1": "application/vnd.apache.guacamole.recording",
            "2": "text/plain; charset=utf-8",
        }
        return httpx.Response(
            200, content=b"plain", headers={"Content-Type": kinds.get(log_id, "x")}
        )

    ended = "2026-01-10T10:12:00Z"
    logs = [
        entry(1, 12, "2026-01-10T10:10:00Z", ended),
        entry(2, 12, "2026-01-10T10:11:00Z", ended),
    ]
    sessions = await adapter(termix(logs, content)).session_logs(HOST, KEY, SINCE, UNTIL)
    assert [(s.session_id, s.format) for s in sessions] == [("2", "text")]


async def test_a_recording_removed_since_it_was_listed_is_skipped():
    def content(log_id: str) -> httpx.Response:
        if log_id == "1":
            return httpx.Response(404, json={"error": "Not found"})
        return httpx.Response(
            200, content=CAST.encode(), headers={"Content-Type": "application/x-asciicast"}
        )

    sessions = await adapter(termix(content=content)).session_logs(HOST, KEY, SINCE, UNTIL)
    assert [s.session_id for s in sessions] == ["2", "6"]


@pytest.mark.parametrize("status", [401, 403])
async def test_a_refused_key_is_the_callers_to_fix(status):
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": "Invalid API key"})

    with pytest.raises(TerminalCredentialsRejected, match="register a valid key"):
        await adapter(handle).session_logs(HOST, KEY, SINCE, UNTIL)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, json={"error": "Failed to fetch session logs"}),
        httpx.Response(
            200, text="<!doctype html><title>Termix</title>"
        ),  # the web app, not the API
        httpx.Response(200, json={"logs": [{"id": 1}]}),
        httpx.Response(200, json={"logs": [entry(1, 12, "yesterday", None)]}),
        httpx.Response(200, json={"error": "?"}),
    ],
)
async def test_a_termix_that_answers_otherwise_is_unavailable(answer):
    with pytest.raises(ToolUnavailable):
        await adapter(lambda request: answer).session_logs(HOST, KEY, SINCE, UNTIL)


async def test_an_unreachable_termix_is_unavailable_and_the_key_is_not_in_the_message():
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ToolUnavailable) as unavailable:
        await adapter(handle).session_logs(HOST, KEY, SINCE, UNTIL)
    assert KEY not in str(unavailable.value)


async def test_a_recording_over_the_limit_is_refused_whole():
    async def chunks():
        for _ in range(3):
            yield b"x" * 400

    def streamed(log_id: str) -> httpx.Response:  # no Content-Length: counted while read
        return httpx.Response(
            200, content=chunks(), headers={"Content-Type": "application/x-asciicast"}
        )

    with pytest.raises(RecordingTooLarge) as too_large:
        await adapter(termix(content=streamed)).session_logs(HOST, KEY, SINCE, UNTIL)
    assert too_large.value.session_id == "2" and too_large.value.limit == 1000

    def declared(log_id: str) -> httpx.Response:
        return httpx.Response(
            200, content=b"x" * 1001, headers={"Content-Type": "application/x-asciicast"}
        )

    with pytest.raises(RecordingTooLarge):
        await adapter(termix(content=declared)).session_logs(HOST, KEY, SINCE, UNTIL)
    exactly = await adapter(termix(content=declared), max_cast_bytes=1001).session_logs(
        HOST, KEY, SINCE, UNTIL
    )
    assert len(exactly[0].content) == 1001


async def test_a_terminal_tool_with_log_collect_only():
    termix_adapter = adapter(termix())
    assert termix_adapter.kind is ToolKind.TERMINAL
    assert termix_adapter.capabilities == frozenset({Capability.LOG_COLLECT})
    with pytest.raises(UnsupportedCapability):
        termix_adapter.parse_webhook(b"{}", "application/json")
    with pytest.raises(UnsupportedCapability):
        await termix_adapter.host_status(HOST)
    with pytest.raises(UnsupportedCapability):
        await termix_adapter.execute_action(HOST, "restart", {})
    assert await termix_adapter.recent_events(HOST, SINCE, UNTIL) == []
    target = termix_adapter.terminal_target(HOST)
    assert target.url == "https://termix.example/?view=terminal&hostId=12"
    assert target.base_url == "https://termix.example" and target.host_id == HOST.host_id


async def test_health_asks_the_default_termix_when_one_is_set():
    assert (await adapter(termix()).health()).detail.startswith("per-host URLs")

    def up(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<!doctype html>")

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    assert (await adapter(up, default_url="http://termix").health()).healthy
    unhealthy = await adapter(down, default_url="http://termix").health()
    assert not unhealthy.healthy and "unreachable" in unhealthy.detail
    assert json.dumps(unhealthy.extra) == '{"url": "http://termix"}'


async def test_only_allowed_termix_servers_get_an_operators_key():
    from kohub_adapter.domain.terminal import TermixNotAllowed, origin

    seen: list = []
    only_web = frozenset({origin("https://TERMIX.example/")})
    strict = adapter(termix(seen=seen), allowed_origins=only_web)
    with pytest.raises(TermixNotAllowed, match=r"http://api\.termix"):
        await strict.session_logs(HOST, KEY, SINCE, UNTIL)  # its apiUrl is elsewhere
    with pytest.raises(TermixNotAllowed):
        strict.terminal_target(HOST)
    assert seen == []  # nothing was sent, the key least of all
    both = adapter(termix(seen=seen), allowed_origins=only_web | {origin("http://api.termix")})
    assert await both.session_logs(HOST, KEY, SINCE, UNTIL) and seen


async def test_a_window_holding_too_much_is_refused_whole():
    from kohub_adapter.application.terminal import WindowTooLarge

    many = [entry(n, 12, "2026-01-10T10:10:00Z", "2026-01-10T10:20:00Z") for n in range(1, 9)]
    # each recording under the per-recording cap, together over four of it
    tool = adapter(termix(many), max_cast_bytes=len(CAST) + 1)
    with pytest.raises(WindowTooLarge):
        await tool.session_logs(HOST, KEY, SINCE, UNTIL)
