"""Terminal logs over HTTP with the real PostgreSQL: a real asciinema recording uploaded and
read back (commands, redaction, the recording kept compressed), the terminal opening that
starts a collection's window, collections with the recordings source standing in for the
adapter gateway (the whole chain to Termix runs in tests/e2e), and who may see what."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest_asyncio
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from kohub_contracts.terminal import TerminalSession, TerminalSessions
from kohub_platform.errors import UpstreamProblem
from kohub_platform.terminal_recorder import SUDO_PROMPT, asciinema, fake_sudo, recording
from kohub_ticket.app import create_app
from kohub_ticket.bootstrap import bootstrap

from .test_api import ORG, auth, create

__all__ = ["asciinema"]  # the fixture
PROBLEM = "application/problem+json"
HOST = str(uuid.uuid4())
SECRET = "hunter2-secret"


class RecordingsStandIn:
    """The adapter gateway's answer for the caller's Termix sessions, as the port sees it."""

    def __init__(self) -> None:
        self.recorded: list[TerminalSession] = []
        self.asked: list[tuple[uuid.UUID, datetime, datetime, str | None]] = []
        self.down = False

    async def sessions(self, host_id, since, until, authorization) -> TerminalSessions:
        self.asked.append((host_id, since, until, authorization))
        if self.down:
            raise UpstreamProblem(502, "tool-unavailable", "Termix did not answer.")
        return TerminalSessions(host_id=host_id, termix_host_id="12", sessions=self.recorded)


@pytest_asyncio.fixture(scope="module")
async def termix() -> RecordingsStandIn:
    return RecordingsStandIn()


@pytest_asyncio.fixture(scope="module")
async def known_host(ticket_settings) -> str:
    """HOST in the ticket service's host read model (host events put it there), of ORG."""
    engine = create_async_engine(ticket_settings.database_url)
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO hosts (id, org_id, name) VALUES (:id, :org, 'web-prod-01')"),
            {"id": HOST, "org": ORG},
        )
    await engine.dispose()
    return HOST


@pytest_asyncio.fixture(scope="module")
async def terminal_client(ticket_settings, termix, known_host):
    service = bootstrap(ticket_settings, recordings=termix)
    async with AsyncTestClient(app=create_app(ticket_settings, service)) as client:
        yield client


@pytest_asyncio.fixture(scope="module")
async def real_cast(asciinema: str, tmp_path_factory) -> str:
    """A real session: a fake sudo prompt answered with a password, a token on a command."""
    home: Path = tmp_path_factory.mktemp("cast")
    script = fake_sudo(home)
    with recording(asciinema, home) as terminal:
        terminal.run("uptime")
        terminal.type(f"sh {script}\r")
        terminal.expect(SUDO_PROMPT)
        terminal.type(SECRET + "\r")
        terminal.expect(b"ok\r\n")
        terminal.run("curl -s -H 'Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.abc.def' localhost:1")
        terminal.run("systemctl status nginx --no-pager || true")
    return terminal.cast.read_text()


async def test_an_uploaded_recording_becomes_a_command_log(terminal_client, oidc, real_cast):
    client, op = terminal_client, auth(oidc, "msp-operator", sub="op-upload", name="김운영")
    ticket = await create(client, oidc, hostId=None)
    url = f"/api/v1/tickets/{ticket['id']}/terminal-logs"
    files = {"file": ("session.cast", real_cast.encode(), "application/x-asciicast")}
    stored = await client.post(url, files=files, data={"hostId": HOST}, headers=op)
    assert stored.status_code == 201, stored.text
    (log_id,) = stored.json()["stored"]

    (summary,) = (await client.get(url, headers=op)).json()
    assert summary["source"] == "UPLOAD" and summary["castAvailable"] is True
    assert summary["hostId"] == HOST and summary["redactions"] >= 2
    detail = (await client.get(f"{url}/{log_id}", headers=op)).json()
    commands = [c["text"] for c in detail["commands"]]
    assert commands[0] == "uptime" and commands[1].startswith("sh ") and commands[-1] == "exit"
    assert "Bearer [REDACTED]" in commands[2]
    assert detail["commandSource"] == "input" and summary["commandCount"] == len(commands)
    offsets = [c["offset"] for c in detail["commands"]]
    assert offsets == sorted(offsets) and offsets[-1] > 0
    for body in (detail["cast"], detail["commandLog"], stored.text):
        assert SECRET not in body and "eyJhbGciOiJSUzI1NiJ9.abc" not in body
    assert detail["cast"].splitlines()[0].startswith('{"version": 2')

    again = await client.post(url, files=files, headers=op)
    assert again.status_code == 201 and again.json()["stored"] == []
    assert again.json()["skipped"] == [detail["sessionId"]]
    timeline = (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=op)).json()
    entry = timeline["activities"][-1]
    assert entry["type"] == "TERMINAL_ACCESS" and entry["metadata"]["source"] == "UPLOAD"

    context = await client.get(f"/api/v1/tickets/{ticket['id']}/resolution-context", headers=op)
    assert [c["text"] for c in context.json()["commands"]] == commands


async def test_what_is_not_a_recording_is_refused_and_nothing_stored(terminal_client, oidc):
    client, op = terminal_client, auth(oidc, "msp-operator")
    ticket = await create(client, oidc)
    url = f"/api/v1/tickets/{ticket['id']}/terminal-logs"
    for body in (b"not json at all", b'{"version": 1}\n', b'{"version": 2, "width": 80}\n'):
        r = await client.post(url, files={"file": ("x.cast", body)}, headers=op)
        assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["type"].endswith("invalid-cast") and r.json()["detail"]
    r = await client.post(url, files={"other": ("x.cast", b"")}, headers=op)
    assert r.status_code == 422
    assert (await client.get(url, headers=op)).json() == []


async def test_collecting_starts_where_the_terminal_was_opened(terminal_client, oidc, termix):
    client, op = terminal_client, auth(oidc, "msp-operator", sub="op-collect")
    ticket = await create(client, oidc)
    tid = ticket["id"]
    url = f"/api/v1/tickets/{tid}/terminal-logs"
    # no opening on this ticket and no period: nothing to collect from
    r = await client.post(url, json={"hostId": HOST}, headers=op)
    assert r.status_code == 422 and r.json()["type"].endswith("no-terminal-window")

    opened = await client.post(
        f"/api/v1/tickets/{tid}/terminal-access",
        json={"hostId": HOST, "termixHostId": "12", "hostName": "web-prod-01"},
        headers=op,
    )
    assert opened.status_code == 201, opened.text
    started = datetime.now(UTC)
    cast = '{"version": 2, "width": 80, "height": 24}\n[0.5, "i", "df -h\\r"]\n'
    termix.recorded = [
        TerminalSession(
            session_id="41",
            termix_host_id="12",
            started_at=started,
            ended_at=started + timedelta(minutes=3),
            content=cast,
        ),
        TerminalSession(
            session_id="42", termix_host_id="12", started_at=started, ended_at=started,
            content="?",
        ),
        TerminalSession(  # still open: left for a later collection, whole
            session_id="43", termix_host_id="12", started_at=started, ended_at=None,
            content=cast,
        ),
    ]  # fmt: skip
    collected = await client.post(url, json={"hostId": HOST}, headers=op)
    assert collected.status_code == 201, collected.text
    answer = collected.json()
    assert len(answer["stored"]) == 1 and answer["skipped"] == []
    assert answer["unreadable"][0].startswith("termix-42")
    assert answer["inProgress"] == ["termix-43"]
    host_id, since, until, authorization = termix.asked[-1]
    assert str(host_id) == HOST and authorization == op["Authorization"]
    assert since == datetime.fromisoformat(opened.json()["openedAt"]) and until >= since
    (log,) = (await client.get(url, headers=op)).json()
    assert (log["source"], log["sessionId"], log["commandLog"]) == (
        "TERMIX",
        "termix-41",
        "[00:00:00] df -h",
    )
    again = (await client.post(url, json={"hostId": HOST}, headers=op)).json()
    assert again["stored"] == [] and again["skipped"] == ["termix-41"]

    detail = (await client.get(f"/api/v1/tickets/{tid}", headers=op)).json()
    texts = [a["content"] for a in detail["activities"] if a["type"] == "TERMINAL_ACCESS"]
    assert texts[0] == "터미널 접속: web-prod-01"


async def test_the_window_starts_at_the_first_opening_since_the_last_collection(
    terminal_client, oidc, termix
):
    client, op = terminal_client, auth(oidc, "msp-operator", sub="op-window")
    tid = (await create(client, oidc))["id"]
    url = f"/api/v1/tickets/{tid}/terminal-logs"
    opening = {"hostId": HOST, "termixHostId": "12"}

    async def opened() -> datetime:
        r = await client.post(f"/api/v1/tickets/{tid}/terminal-access", json=opening, headers=op)
        assert r.status_code == 201, r.text
        return datetime.fromisoformat(r.json()["openedAt"])

    first = await opened()
    await opened()  # the terminal page reloaded: the window still starts at the first
    cast = '{"version": 2, "width": 80, "height": 24}\n[0.5, "i", "w\\r"]\n'
    termix.recorded = [
        TerminalSession(session_id=f"w-{tid}", termix_host_id="12", started_at=first,
                        ended_at=first + timedelta(minutes=1), content=cast),
    ]  # fmt: skip
    collected = await client.post(url, json={"hostId": HOST}, headers=op)
    assert collected.status_code == 201 and len(collected.json()["stored"]) == 1
    assert termix.asked[-1][1] == first
    third = await opened()  # a new opening after a collection starts a new window
    await client.post(url, json={"hostId": HOST}, headers=op)
    assert termix.asked[-1][1] == third


async def test_times_without_a_zone_are_utc_and_foreign_hosts_are_refused(
    terminal_client, oidc, termix
):
    client, op = terminal_client, auth(oidc, "msp-operator")
    tid = (await create(client, oidc))["id"]
    url = f"/api/v1/tickets/{tid}/terminal-logs"
    termix.recorded = []
    r = await client.post(
        url, json={"hostId": HOST, "since": "2026-01-30T10:00:00", "until": "2026-01-30T11:00:00"},
        headers=op,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert termix.asked[-1][1] == datetime(2026, 1, 30, 10, tzinfo=UTC)
    foreign = str(uuid.uuid4())  # a host no event told the ticket service of
    for attempt in (
        client.post(url, json={"hostId": foreign, "since": "2026-01-30T10:00:00Z"}, headers=op),
        client.post(
            f"/api/v1/tickets/{tid}/terminal-access",
            json={"hostId": foreign, "termixHostId": "1"},
            headers=op,
        ),
    ):
        r = await attempt
        assert r.status_code == 422 and "organization" in r.json()["detail"], r.text


async def test_termix_down_is_a_problem_and_nothing_is_written(terminal_client, oidc, termix):
    client, op = terminal_client, auth(oidc, "msp-operator")
    ticket = await create(client, oidc)
    url = f"/api/v1/tickets/{ticket['id']}/terminal-logs"
    termix.down = True
    try:
        r = await client.post(
            url, json={"hostId": HOST, "since": "2026-01-30T10:00:00Z"}, headers=op
        )
    finally:
        termix.down = False
    assert r.status_code == 502 and r.json()["type"].endswith("tool-unavailable")
    assert (await client.get(url, headers=op)).json() == []


async def test_customers_never_see_terminal_work(terminal_client, oidc, real_cast):
    client, op = terminal_client, auth(oidc, "msp-operator")
    ticket = await create(client, oidc)
    url = f"/api/v1/tickets/{ticket['id']}/terminal-logs"
    files = {"file": ("session.cast", real_cast.encode())}
    (log_id,) = (await client.post(url, files=files, headers=op)).json()["stored"]
    for role in ("customer", "customer-admin"):
        who = auth(oidc, role)
        for path in (url, f"{url}/{log_id}", f"/api/v1/tickets/{ticket['id']}/resolution-context"):
            assert (await client.get(path, headers=who)).status_code == 403
        seen = (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=who)).json()
        assert seen["terminalLogs"] == []
        assert "TERMINAL_ACCESS" not in {a["type"] for a in seen["activities"]}
    other = await create(client, oidc)
    r = await client.get(f"/api/v1/tickets/{other['id']}/terminal-logs/{log_id}", headers=op)
    assert r.status_code == 404


async def test_assignees_are_the_operators_with_the_caller_marked(terminal_client, oidc):
    client = terminal_client
    me = auth(oidc, "msp-operator", sub="op-assignee-me", name="나운영")
    await client.get("/api/v1/tickets", headers=auth(oidc, "msp-operator", sub="op-b", name="B"))
    await client.get("/api/v1/tickets", headers=auth(oidc, "customer", sub="cust-x", name="C"))
    people = (await client.get("/api/v1/tickets/assignees", headers=me)).json()
    names = {p["name"]: p["me"] for p in people}
    assert names.get("나운영") is True and names.get("B") is False and "C" not in names
