"""The internal terminal endpoints against the Termix stand-in over HTTP: a host's terminal,
and the calling operator's recordings fetched with their own key."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import httpx
import msgspec
import pytest
import pytest_asyncio

from kohub_contracts.enums import AdapterType, HostAdapterStatus
from kohub_platform.termix_standin import (
    RunningTermix,
    TermixData,
    TermixHost,
    TermixRecording,
    TermixUser,
    running_termix,
)

from .conftest import (
    PROBLEM,
    TERMINAL_MAX_CAST_BYTES,
    auth,
    host_state,
    operator,
    publish_host,
    until_mapped,
)

ALICE_KEY = "tmx_" + "a1" * 32
BOB_KEY = "tmx_" + "b2" * 32
T0 = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
WINDOW = {"since": T0.isoformat(), "until": (T0 + timedelta(hours=1)).isoformat()}


def cast(label: str) -> str:
    """A small asciicast v2 recording, written by hand."""
    header = {"version": 2, "width": 80, "height": 24, "timestamp": 1768039200}
    events = [[0.2, "o", "$ "], [1.0, "i", f"echo {label}\r"], [1.1, "o", f"{label}\r\n$ "]]
    lines = [
        msgspec.json.encode(header).decode(),
        *(msgspec.json.encode(e).decode() for e in events),
    ]
    return "\n".join(lines) + "\n"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def rec(log_id: int, host: int, user: str, start: int, end: int | None, content: str | None = None):
    ended = at(end) if end is not None else None
    return TermixRecording(log_id, host, user, at(start), ended, content or cast(f"log-{log_id}"))


@pytest.fixture(scope="module")
def termix() -> Iterator[RunningTermix]:
    data = TermixData(
        users=[TermixUser("1", "alice", [ALICE_KEY]), TermixUser("2", "bob", [BOB_KEY])],
        hosts=[TermixHost(12, "web-01"), TermixHost(13, "db-01"), TermixHost(14, "big")],
        logs=[
            rec(1, 12, "1", 10, 20),  # inside the window
            rec(2, 12, "1", -30, 15),  # straddles its start
            rec(3, 12, "1", -120, -60),  # ended before
            rec(4, 12, "1", 90, 100),  # started after
            rec(5, 13, "1", 10, 20),  # another host
            rec(6, 12, "1", 30, None),  # still running
            rec(7, 12, "2", 5, 25),  # bob's
            rec(8, 14, "1", 10, 20, "x" * (TERMINAL_MAX_CAST_BYTES + 1)),
        ],
    )
    with running_termix(data) as running:
        yield running


@pytest.fixture(scope="module")
def stopped_termix() -> str:
    """Where a Termix answered once and is gone now."""
    stopped = RunningTermix(TermixData()).start()
    stopped.stop()
    return stopped.url


@pytest_asyncio.fixture(scope="module")
async def hosts(client, oidc, amqp_url, termix, stopped_termix) -> dict[str, Any]:
    """Hosts known to the gateway through `host.created`, with their termix adapters."""
    org = str(uuid.uuid4())
    configs = {
        "web": {"baseUrl": termix.url, "hostId": "12"},
        "big": {"baseUrl": termix.url, "hostId": "14"},
        "down": {"baseUrl": stopped_termix, "hostId": "12"},
        "inactive": {"baseUrl": termix.url, "hostId": "12"},
    }
    states = {
        name: host_state(
            org_id=org, name=f"{name}-{uuid.uuid4().hex[:6]}", adapters=[(AdapterType.TERMIX, c)]
        )
        for name, c in configs.items()
    }
    states["inactive"].adapters[0].status = HostAdapterStatus.INACTIVE
    kuma = (AdapterType.UPTIME_KUMA, {"sourceId": str(uuid.uuid4()), "monitorId": "3"})
    states["kuma-only"] = host_state(org_id=org, name="kuma-only", adapters=[kuma])
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        for state in states.values():
            await publish_host(channel, state)
    finally:
        await connection.close()
    for state in states.values():
        await until_mapped(client, oidc, state.host_id)
    return states


@pytest_asyncio.fixture(scope="module")
async def people(client, oidc) -> dict[str, dict[str, str]]:
    """Operators by name; alice and bob registered their Termix keys, carol none, dave one
    Termix does not know."""
    made = {
        name: operator(oidc, f"{name}-{uuid.uuid4()}") for name in ("alice", "bob", "carol", "dave")
    }
    keys = {"alice": ALICE_KEY, "bob": BOB_KEY, "dave": "tmx_" + "0" * 64}
    for name, key in keys.items():
        r = await client.put(
            "/api/v1/me/terminal-credentials", json={"apiKey": key}, headers=made[name]
        )
        assert r.status_code == 200, r.text
    return made


async def sessions(client: Any, host: Any, headers: dict[str, str], body: Any = None) -> Any:
    return await client.post(
        f"/api/internal/hosts/{host.host_id}/terminal-sessions",
        json=WINDOW if body is None else body,
        headers=headers,
    )


def problem(r: Any, status: int, kind: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    answer = r.json()
    assert answer["type"] == f"urn:kohub:problem:{kind}"
    return answer


async def test_the_terminal_of_a_host_and_the_page_it_opens(client, oidc, hosts, termix) -> None:
    web = hosts["web"]
    r = await client.get(
        f"/api/internal/hosts/{web.host_id}/terminal", headers=auth(oidc, "msp-operator")
    )
    assert r.status_code == 200, r.text
    target = r.json()
    assert target == {
        "url": f"{termix.url}/?view=terminal&hostId=12",
        "hostId": str(web.host_id),
        "termixHostId": "12",
        "baseUrl": termix.url,
    }
    async with httpx.AsyncClient() as browser:
        page = await browser.get(target["url"])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "the terminal of host 12 (web-01)" in page.text


async def test_the_callers_recordings_of_the_host_in_the_window(
    client, hosts, people, termix
) -> None:
    r = await sessions(client, hosts["web"], people["alice"])
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["hostId"] == str(hosts["web"].host_id) and answer["termixHostId"] == "12"
    got = answer["sessions"]
    assert [s["sessionId"] for s in got] == ["2", "1", "6"]
    assert [s["content"] for s in got] == [cast("log-2"), cast("log-1"), ""]  # 6: running
    assert got[0]["startedAt"].startswith("2026-01-10T09:30:00")
    assert got[2]["endedAt"] is None
    assert {s["format"] for s in got} == {"asciicast"}
    assert {s["termixHostId"] for s in got} == {"12"}


async def test_each_operator_gets_only_their_own_recordings(client, hosts, people, termix) -> None:
    r = await sessions(client, hosts["web"], people["bob"])
    assert r.status_code == 200, r.text
    assert [s["sessionId"] for s in r.json()["sessions"]] == ["7"]
    # as Termix itself: another user's recording is not found with alice's key
    alice = {"Authorization": f"Bearer {ALICE_KEY}"}
    async with httpx.AsyncClient(base_url=termix.url, headers=alice) as direct:
        assert (await direct.get("/session_logs/7/content")).status_code == 404
        assert (await direct.get("/session_logs/1")).json()["log"]["hostId"] == 12


async def test_an_operator_without_a_key_is_told_to_register_one(client, hosts, people) -> None:
    answer = problem(
        await sessions(client, hosts["web"], people["carol"]), 409, "terminal-credentials-missing"
    )
    assert answer["detail"] == "Register your Termix API key: PUT /api/v1/me/terminal-credentials"


async def test_a_key_termix_refuses(client, hosts, people) -> None:
    answer = problem(
        await sessions(client, hosts["web"], people["dave"]), 409, "terminal-credentials-rejected"
    )
    assert "register a valid key" in answer["detail"]
    assert "tmx_" not in answer["detail"]


async def test_a_termix_that_is_gone_is_502(client, hosts, people) -> None:
    problem(await sessions(client, hosts["down"], people["alice"]), 502, "tool-unavailable")


async def test_an_oversized_recording_is_refused_not_cut(client, hosts, people) -> None:
    answer = problem(
        await sessions(client, hosts["big"], people["alice"]), 422, "terminal-recording-too-large"
    )
    assert answer["sessionId"] == "8" and answer["limitBytes"] == TERMINAL_MAX_CAST_BYTES
    assert "KOHUB_TERMINAL_MAX_CAST_BYTES" in answer["detail"]


@pytest.mark.parametrize("name", ["kuma-only", "inactive"])
async def test_a_host_without_an_active_termix_adapter_is_409(
    client, oidc, hosts, people, name
) -> None:
    host = hosts[name]
    expected = f"Host {host.name} has no active termix adapter."
    assert (
        problem(await sessions(client, host, people["alice"]), 409, "no-terminal-adapter")["detail"]
        == expected
    )
    r = await client.get(
        f"/api/internal/hosts/{host.host_id}/terminal", headers=auth(oidc, "msp-operator")
    )
    assert problem(r, 409, "no-terminal-adapter")["detail"] == expected


async def test_an_unknown_host_is_404(client, oidc, people) -> None:
    unknown = uuid.uuid4()
    r = await client.get(
        f"/api/internal/hosts/{unknown}/terminal", headers=auth(oidc, "msp-operator")
    )
    problem(r, 404, "not-found")
    r = await client.post(
        f"/api/internal/hosts/{unknown}/terminal-sessions", json=WINDOW, headers=people["alice"]
    )
    problem(r, 404, "not-found")


async def test_a_reversed_or_malformed_window_is_refused(client, hosts, people) -> None:
    reversed_window = {"since": WINDOW["until"], "until": WINDOW["since"]}
    problem(
        await sessions(client, hosts["web"], people["alice"], reversed_window), 422, "validation"
    )
    r = await sessions(client, hosts["web"], people["alice"], {"since": WINDOW["since"]})
    assert r.status_code == 400


@pytest.mark.parametrize("role", ["customer", "customer-admin"])
async def test_the_terminal_endpoints_are_for_operators(client, oidc, hosts, role) -> None:
    web = hosts["web"]
    headers = auth(oidc, role, str(uuid.uuid4()))
    assert (
        await client.get(f"/api/internal/hosts/{web.host_id}/terminal", headers=headers)
    ).status_code == 403
    assert (await sessions(client, web, headers)).status_code == 403
    assert (await client.get(f"/api/internal/hosts/{web.host_id}/terminal")).status_code == 401
