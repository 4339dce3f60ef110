"""Terminal work across the running services, through the gateway: an operator registers
their Termix key, opens a host's terminal from a ticket (the opening lands on the ticket),
works in a real shell recorded by asciinema (served by the Termix stand-in as Termix would),
and collects the session onto the ticket: commands read off it, the password typed at a
sudo prompt nowhere. Termix down answers 502 and writes nothing; customers see none of it."""

import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from suite import Suite

from kohub_platform.terminal_recorder import SUDO_PROMPT, asciinema, fake_sudo, recording
from kohub_platform.termix_standin import (
    TermixData,
    TermixHost,
    TermixRecording,
    TermixUser,
    running_termix,
)

__all__ = ["asciinema"]  # the fixture
KEY = "tmx_" + uuid.uuid4().hex + uuid.uuid4().hex
PASSWORD = "s3cret-sudo-pass"


@pytest.fixture
def real_session(asciinema: str, tmp_path) -> str:
    script = fake_sudo(tmp_path)
    with recording(asciinema, tmp_path) as terminal:
        terminal.run("df -h /")
        terminal.type(f"sh {script}\r")
        terminal.expect(SUDO_PROMPT)
        terminal.type(PASSWORD + "\r")
        terminal.expect(b"ok\r\n")
        terminal.run("echo restarted nginx")
    return terminal.cast.read_text()


async def test_a_terminal_session_lands_on_the_ticket(
    gateway_service, ticket_service, host_service, adapter_service, oidc, real_session
) -> None:
    operator = oidc.headers(["msp-operator"], name="김터미널", sub=f"op-{uuid.uuid4().hex[:8]}")
    data = TermixData(
        users=[TermixUser("termix-op", "op", [KEY]), TermixUser("other", "other", ["tmx_x" * 8])],
        hosts=[TermixHost(12, "web-prod-01")],
    )
    suite = Suite(host_service, ticket_service, adapter_service, oidc)
    with running_termix(data) as termix:
        org_id, host_id = await suite.host(
            f"term-{uuid.uuid4().hex[:6]}",
            {"type": "termix", "config": {"baseUrl": termix.url, "hostId": "12"}},
        )
        _, bare_host = await suite.host(
            f"bare-{uuid.uuid4().hex[:6]}",
            {"type": "uptime-kuma", "config": {"sourceId": "k", "monitorId": "1"}},
        )
        async with httpx.AsyncClient(base_url=gateway_service.url, timeout=30) as gw:
            ticket = await gw.post(
                "/api/v1/tickets",
                json={"title": "nginx 502", "organizationId": org_id, "hostId": host_id},
                headers=operator,
            )
            assert ticket.status_code == 201, ticket.text
            tid = ticket.json()["id"]
            logs = f"/api/v1/tickets/{tid}/terminal-logs"

            # without a key Termix cannot be asked
            opened = await gw.get(
                f"/api/v1/hosts/{host_id}/terminal-url", params={"ticketId": tid}, headers=operator
            )
            assert opened.status_code == 200, opened.text
            assert opened.json()["url"] == f"{termix.url}/?view=terminal&hostId=12"
            missing = await gw.post(logs, json={}, headers=operator)
            assert missing.status_code == 409
            assert missing.json()["type"].endswith("terminal-credentials-missing")
            registered = await gw.put(
                "/api/v1/me/terminal-credentials", json={"apiKey": KEY}, headers=operator
            )
            assert registered.status_code == 200 and KEY not in registered.text

            # the session recorded after the opening, and one of another Termix user
            started = datetime.fromisoformat(opened.json()["openedAt"]) + timedelta(milliseconds=1)
            data.logs += [
                TermixRecording(7, 12, "termix-op", started, started + timedelta(minutes=2),
                                real_session),
                TermixRecording(8, 12, "other", started, None, real_session),
            ]  # fmt: skip
            collected = await gw.post(logs, json={}, headers=operator)
            assert collected.status_code == 201, collected.text
            assert collected.json()["skipped"] == [], collected.text
            assert len(collected.json()["stored"]) == 1, collected.text
            (log,) = (await gw.get(logs, headers=operator)).json()
            assert (log["sessionId"], log["source"], log["hostId"]) == (
                "termix-7",
                "TERMIX",
                host_id,
            )
            detail = (await gw.get(f"{logs}/{log['id']}", headers=operator)).json()
            commands = [c["text"] for c in detail["commands"]]
            assert commands[0] == "df -h /" and "echo restarted nginx" in commands
            assert PASSWORD not in detail["cast"] and PASSWORD not in detail["commandLog"]
            timeline = (await gw.get(f"/api/v1/tickets/{tid}", headers=operator)).json()
            entries = [
                a["metadata"] for a in timeline["activities"] if a["type"] == "TERMINAL_ACCESS"
            ]
            assert entries[0].get("opened") is True and entries[1]["sessionId"] == "termix-7"

            # Termix down: a clear 502, nothing half-written
            data.logs.append(TermixRecording(9, 12, "termix-op", started, None, real_session))
            termix.stop()
            down = await gw.post(logs, json={}, headers=operator)
            assert down.status_code == 502 and down.json()["type"].endswith("tool-unavailable")
            assert len((await gw.get(logs, headers=operator)).json()) == 1

            # a host without Termix, and customers
            bare = await gw.get(f"/api/v1/hosts/{bare_host}/terminal-url", headers=operator)
            assert bare.status_code == 409 and bare.json()["type"].endswith("no-terminal-adapter")
            customer = oidc.headers(["customer"], org_id)
            for path in (logs, f"{logs}/{log['id']}", f"/api/v1/hosts/{host_id}/terminal-url"):
                assert (await gw.get(path, headers=customer)).status_code == 403
            key = await gw.get("/api/v1/me/terminal-credentials", headers=operator)
            assert key.json()["configured"] is True and KEY not in key.text
    await suite.close()
