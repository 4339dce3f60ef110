"""Terminal work (issue 7): a ticket's recorded sessions, opening a host's Termix terminal,
collecting recordings from Termix or uploading one, a recording's page with its replay,
and the operator's Termix key. Operators only: for anyone else these pages are not there."""

import json
import re
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest

from kohub_contracts.enums import (
    AdapterType,
    ConnectionType,
    HostAdapterStatus,
    HostStatus,
    ObservedHostStatus,
)
from kohub_contracts.hosts import AdapterResponse, CurrentStatus, HostResponse
from kohub_contracts.tickets import HostRef, TerminalLogSummary
from tests.console.conftest import (
    CSRF,
    CUSTOMER,
    CUSTOMER_ADMIN,
    NOW,
    ORG,
    TICKET_ID,
    FakeBackend,
    ok,
    problem,
    ticket_detail,
)

DETAIL = f"/api/v1/tickets/{TICKET_ID}"
PAGE = f"/tickets/{TICKET_ID}"
LOGS = f"{DETAIL}/terminal-logs"
HOST_ID = UUID("9d3f3c1e-0000-4000-8000-0000000000b1")
OTHER_HOST_ID = UUID("9d3f3c1e-0000-4000-8000-0000000000b2")
LOG_ID = UUID("9d3f3c1e-0000-4000-8000-0000000000c1")
KEYS = "/api/v1/me/terminal-credentials"
SECRET_KEY = "tmx_s3cr3t-never-shown-9f2c"
CAST = (
    '{"version": 2, "width": 80, "height": 24, "timestamp": 1769738400}\n'
    '[0.5, "o", "$ "]\n[1.25, "i", "echo </script><script>alert(1)</script>\\r"]\n'
)


def host(host_id: UUID = HOST_ID, name: str = "web-prod-01", termix: str | None = "ACTIVE"):
    adapters = [
        AdapterResponse(
            id=uuid4(), type=AdapterType.UPTIME_KUMA, status=HostAdapterStatus.ACTIVE, config={}
        )
    ]
    if termix:
        adapters.append(
            AdapterResponse(
                id=uuid4(),
                type=AdapterType.TERMIX,
                status=HostAdapterStatus(termix),
                config={"url": "https://termix.example", "termixHostId": "7"},
            )
        )
    return HostResponse(
        id=host_id, name=name, description="", connection_type=ConnectionType.SSH,
        ssh_config=None, tags=[], status=HostStatus.ACTIVE, organization_id=ORG,
        organization_name="Acme", adapters=adapters,
        current_status=CurrentStatus(status=ObservedHostStatus.UP, checked_at=NOW),
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def log_summary(**changes: Any) -> dict[str, Any]:
    """`GET …/terminal-logs` item, as the ticket service answers it (camelCase JSON)."""
    body: dict[str, Any] = {
        "id": str(LOG_ID),
        "sessionId": "termix-42",
        "startedAt": "2026-01-30T02:00:00Z",
        "endedAt": "2026-01-30T02:10:00Z",
        "hostId": str(HOST_ID),
        "user": {"id": str(uuid4()), "name": "김운영"},
        "commandLog": "$ systemctl restart nginx\n",
        "source": "TERMIX",
        "commandCount": 3,
        "redactions": 2,
        "castAvailable": True,
    }
    return body | changes


def log_detail(**changes: Any) -> dict[str, Any]:
    body = log_summary() | {
        "commands": [
            {"offset": 1.25, "text": "systemctl restart nginx"},
            {"offset": 3723.5, "text": "export TOKEN=[REDACTED]"},
        ],
        "commandSource": "input",
        "cast": CAST,
    }
    return body | changes


def ticket_with_logs(backend: FakeBackend, *logs: dict[str, Any], termix: str | None = "ACTIVE"):
    # the detail carries each log's summary (source, counts) as the ticket service gives it
    summaries = [msgspec.convert(entry, TerminalLogSummary) for entry in logs]
    detail = ticket_detail(
        host=HostRef(id=HOST_ID, name="web-prod-01", status=HostStatus.ACTIVE),
        terminal_logs=summaries,
    )
    backend.on("GET", DETAIL, ok(detail))
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(host(termix=termix)))


def post_form(client, path: str, data: dict[str, str], **kwargs: Any):
    return client.post(path, data={"csrf_token": CSRF, **data}, follow_redirects=False, **kwargs)


# --- the ticket page's section -------------------------------------------------------------


def test_ticket_lists_its_recordings_and_offers_the_terminal(client, backend) -> None:
    other = log_summary(
        id=str(uuid4()), sessionId="upload-1", hostId=str(OTHER_HOST_ID), source="UPLOAD",
        commandCount=0, redactions=0, castAvailable=False, user={"id": str(uuid4()), "name": "박운영"},
    )  # fmt: skip
    ticket_with_logs(backend, log_summary(), other)
    backend.on("GET", f"/api/v1/hosts/{OTHER_HOST_ID}", ok(host(OTHER_HOST_ID, "db-01", None)))

    html = client.get(PAGE).text

    assert "터미널 세션 기록" in html
    assert f'href="/tickets/{TICKET_ID}/terminal-logs/{LOG_ID}">2026-01-30 11:00</a>' in html
    assert "termix-42" in html and "upload-1" in html
    assert "web-prod-01" in html and "db-01" in html  # hosts by name
    assert "김운영" in html and "박운영" in html
    assert "Termix" in html and "파일 업로드" in html
    assert "2개 가림" in html
    # a terminal only where Termix is: the ticket's host, opened from this ticket
    assert f'href="/hosts/{HOST_ID}/terminal?ticketId={TICKET_ID}"' in html
    assert "web-prod-01 터미널 열기" in html
    assert f"/hosts/{OTHER_HOST_ID}/terminal" not in html
    # collect: CSRF, the Termix hosts, an optional window in the console's zone
    collect = html.split('id="collect-form"')[1].split("</form>")[0]
    assert f'name="csrf_token" value="{CSRF}"' in collect
    assert f'<option value="{HOST_ID}">web-prod-01</option>' in collect
    assert str(OTHER_HOST_ID) not in collect
    assert 'type="datetime-local" id="collect-since" name="since"' in collect
    assert 'name="until"' in collect and "Asia/Seoul" in collect
    # upload: multipart with CSRF, .cast files, any of the ticket's hosts or none
    upload = (
        html.split('id="upload-form"')[0].rsplit("<form", 1)[1]
        + html.split('id="upload-form"')[1].split("</form>")[0]
    )
    assert 'enctype="multipart/form-data"' in upload
    assert f'name="csrf_token" value="{CSRF}"' in upload
    assert 'type="file"' in upload and 'accept=".cast,application/x-asciicast"' in upload
    assert '<option value="">지정 안 함</option>' in upload and "db-01" in upload
    assert backend.made("GET", f"/api/v1/hosts/{HOST_ID}")


def test_no_recordings_and_no_termix(client, backend) -> None:
    backend.on("GET", DETAIL, ok(ticket_detail(host=HostRef(id=HOST_ID, name="web-prod-01"))))
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(host(termix="INACTIVE")))
    html = client.get(PAGE).text
    assert "기록된 터미널 세션이 없습니다." in html
    assert "/terminal?ticketId=" not in html
    assert 'id="collect-no-host"' in html and 'id="upload-form"' in html
    assert backend.made("GET", LOGS) == []  # nothing to list: not asked


def test_customers_see_none_of_it(client, backend) -> None:
    backend.current = CUSTOMER
    ticket_with_logs(backend, log_summary())
    html = client.get(PAGE).text
    assert "터미널" not in html and "collect-form" not in html and "upload-form" not in html
    assert "/settings/terminal" not in html  # no Termix key to keep either
    assert backend.made("GET", LOGS) == [] and backend.made("GET", f"/api/v1/hosts/{HOST_ID}") == []


# --- collecting from Termix ----------------------------------------------------------------


def test_collect_sends_the_window_in_the_consoles_zone(client, backend) -> None:
    backend.on("POST", LOGS, ok({"stored": [str(uuid4()), str(uuid4())], "skipped": ["s-9"]}, 201))
    answer = post_form(
        client,
        PAGE + "/terminal-logs/collect",
        {"hostId": str(HOST_ID), "since": "2026-01-30T10:00", "until": "2026-01-30T11:30"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == (
        f"{PAGE}?notice=logs_stored&stored=2&skipped=1&unreadable=0&running=0"
    )
    sent = backend.made("POST", LOGS)[0]
    assert sent.json == {
        "hostId": str(HOST_ID),
        "since": "2026-01-30T10:00:00+09:00",  # Asia/Seoul, as the form says
        "until": "2026-01-30T11:30:00+09:00",
    }
    assert sent.files is None and "If-Match" not in sent.headers

    ticket_with_logs(backend)
    html = client.get(answer.headers["location"]).text
    assert "세션 기록 2건을 저장했습니다. 이미 있던 1건은 건너뛰었습니다." in html
    client.cookies.set("kohub_lang", "en")
    html = client.get(answer.headers["location"]).text
    assert "Stored 2 recording(s); skipped 1 already on the ticket." in html
    assert "<script>" not in client.get(f"{PAGE}?notice=logs_stored&stored=<script>").text


def test_a_collection_says_what_it_left_out(client, backend) -> None:
    answer_body = {"stored": [str(uuid4())], "skipped": [], "unreadable": ["termix-3: bad"],
                   "inProgress": ["termix-4", "termix-5"]}  # fmt: skip
    backend.on("POST", LOGS, ok(answer_body, 201))
    answer = post_form(client, PAGE + "/terminal-logs/collect", {"hostId": str(HOST_ID)})
    assert "notice=logs_partial" in answer.headers["location"]
    ticket_with_logs(backend)
    html = client.get(answer.headers["location"]).text
    assert "아직 끝나지 않은 세션 2건" in html and "읽을 수 없는 녹화 1건" in html


def test_collect_without_a_window_leaves_it_to_the_api(client, backend) -> None:
    backend.on("POST", LOGS, ok({"stored": [], "skipped": []}, 201))
    answer = post_form(client, PAGE + "/terminal-logs/collect", {"hostId": str(HOST_ID)})
    assert answer.headers["location"] == f"{PAGE}?notice=logs_none"
    assert backend.made("POST", LOGS)[0].json == {"hostId": str(HOST_ID)}
    ticket_with_logs(backend)
    assert "가져올 녹화가 없습니다." in client.get(answer.headers["location"]).text


def test_a_window_that_cannot_be_read_is_not_sent(client, backend) -> None:
    ticket_with_logs(backend)
    bad = post_form(client, PAGE + "/terminal-logs/collect", {"since": "yesterday"})
    assert bad.status_code == 422 and "시각을 읽을 수 없습니다" in bad.text
    assert 'value="yesterday"' in bad.text
    backwards = post_form(
        client,
        PAGE + "/terminal-logs/collect",
        {"since": "2026-01-30T11:00", "until": "2026-01-30T10:00"},
    )
    assert (
        backwards.status_code == 422 and "끝 시각은 시작 시각보다 뒤여야 합니다" in backwards.text
    )
    assert backend.made("POST", LOGS) == []


@pytest.mark.parametrize(
    ("answer", "status", "headline", "settings_link"),
    [
        (problem(409, "Register your Termix API key first (Settings → Termix key).",
                 "terminal-credentials-missing"), 409, "내 Termix API 키가 등록되어 있지 않습니다", True),
        (problem(409, "Termix refused the key.", "terminal-credentials-rejected"), 409,
         "Termix가 등록된 API 키를 받아들이지 않습니다", True),
        (problem(409, "Host web-prod-01 has no termix adapter.", "no-terminal-adapter"), 409,
         "이 호스트에는 Termix 터미널이 연결되어 있지 않습니다", False),
        (problem(422, "No terminal was opened from this ticket; give since.", "no-terminal-window"),
         422, "시작 시각을 지정해 주세요", False),
        (problem(502, "Termix at https://termix.example did not answer.", "tool-unavailable"), 503,
         "Termix에 지금 연결할 수 없습니다", False),
    ],
)  # fmt: skip
def test_collect_problems_are_explained(
    client, backend, answer, status: int, headline: str, settings_link: bool
) -> None:
    ticket_with_logs(backend)
    backend.on("POST", LOGS, answer)
    page = post_form(client, PAGE + "/terminal-logs/collect", {"hostId": str(HOST_ID)})
    assert page.status_code == status
    assert headline in page.text
    assert json.loads(answer.content)["detail"] in page.text.replace("&gt;", ">")
    assert ('href="/settings/terminal">설정에서 내 Termix API 키 등록하기' in page.text) is (
        settings_link
    )
    assert 'id="collect-form"' in page.text  # the ticket again, ready to try again


def test_the_ticket_service_down_is_the_down_page(client, backend) -> None:
    backend.on("POST", LOGS, problem(502, "The ticket service is not reachable."))
    page = post_form(client, PAGE + "/terminal-logs/collect", {})
    assert page.status_code == 503 and "티켓 서비스에 지금 연결할 수 없습니다" in page.text


# --- uploading a recording -----------------------------------------------------------------


def test_upload_sends_the_file_as_multipart(client, backend) -> None:
    backend.on("POST", LOGS, ok({"stored": [str(uuid4())], "skipped": []}, 201))
    answer = post_form(
        client,
        PAGE + "/terminal-logs/upload",
        {"hostId": str(HOST_ID)},
        files={"file": ("session.cast", CAST.encode(), "application/octet-stream")},
    )
    assert answer.status_code == 303
    assert (
        answer.headers["location"]
        == f"{PAGE}?notice=logs_stored&stored=1&skipped=0&unreadable=0&running=0"
    )
    sent = backend.made("POST", LOGS)[0]
    assert sent.json is None
    assert sent.files == {
        "file": ("session.cast", CAST.encode(), "application/x-asciicast"),
        "hostId": (None, str(HOST_ID)),
    }

    post_form(
        client,
        PAGE + "/terminal-logs/upload",
        {"hostId": ""},
        files={"file": ("x.cast", b"{}", "application/x-asciicast")},
    )
    assert set(backend.made("POST", LOGS)[1].files) == {"file"}  # no host: none sent


def test_upload_problems(client, backend) -> None:
    ticket_with_logs(backend)
    empty = post_form(client, PAGE + "/terminal-logs/upload", {"hostId": ""})
    assert empty.status_code == 422 and "올릴 녹화 파일(.cast)을 선택해 주세요" in empty.text
    assert backend.made("POST", LOGS) == []

    backend.on(
        "POST",
        LOGS,
        problem(422, "line 1: the header is not JSON", "invalid-cast"),
    )
    bad = post_form(
        client,
        PAGE + "/terminal-logs/upload",
        {},
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert bad.status_code == 422
    assert "올바른 asciinema 녹화 파일이 아닙니다" in bad.text
    assert "line 1: the header is not JSON" in bad.text

    backend.on("POST", LOGS, problem(413, "The recording is larger than 20 MB."))
    big = post_form(
        client, PAGE + "/terminal-logs/upload", {}, files={"file": ("big.cast", b"x", "")}
    )
    assert big.status_code == 413 and "너무 큽니다" in big.text
    assert "The recording is larger than 20 MB." in big.text


def test_terminal_forms_need_the_csrf_token(client, backend) -> None:
    for path, files in (
        ("/terminal-logs/collect", None),
        ("/terminal-logs/upload", {"file": ("s.cast", CAST.encode(), "application/x-asciicast")}),
    ):
        for token in (None, "wrong-token"):
            data = {"hostId": str(HOST_ID)} | ({"csrf_token": token} if token else {})
            answer = client.post(PAGE + path, data=data, files=files, follow_redirects=False)
            assert answer.status_code == 403 and "양식이 만료되었습니다" in answer.text, path
    for path in ("/settings/terminal", "/settings/terminal/delete"):
        answer = client.post(path, data={"apiKey": SECRET_KEY}, follow_redirects=False)
        assert answer.status_code == 403 and SECRET_KEY not in answer.text
    assert backend.calls == []


# --- the terminal page ---------------------------------------------------------------------


def terminal_url(**changes: Any) -> dict[str, Any]:
    body = {
        "url": "https://termix.example:8443/?host=7",
        "hostId": str(HOST_ID),
        "termixHostId": "7",
        "openedAt": "2026-01-30T01:15:00Z",
        "ticketId": str(TICKET_ID),
    }
    return body | changes


def test_terminal_page_from_a_ticket(client, backend) -> None:
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(host()))
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}/terminal-url", ok(terminal_url()))

    answer = client.get(f"/hosts/{HOST_ID}/terminal?ticketId={TICKET_ID}")

    assert answer.status_code == 200
    call = backend.made("GET", f"/api/v1/hosts/{HOST_ID}/terminal-url")[0]
    assert call.params == {"ticketId": str(TICKET_ID)}  # the opening is recorded there
    html = answer.text
    assert '<iframe class="terminal-frame" src="https://termix.example:8443/?host=7"' in html
    assert 'title="web-prod-01의 Termix 터미널"' in html
    assert (
        '<a href="https://termix.example:8443/?host=7" target="_blank" rel="noopener noreferrer"'
        in html
    )
    assert "<h1>web-prod-01 터미널</h1>" in html
    assert "이 티켓에 터미널 접속이 기록되었습니다." in html
    assert "작업을 마친 뒤 티켓의 'Termix에서 가져오기'로" in html.replace("&#39;", "'")
    assert f'href="/tickets/{TICKET_ID}#terminal"' in html
    csp = answer.headers["content-security-policy"]
    assert "frame-src https://termix.example:8443" in csp and "frame-ancestors 'none'" in csp
    assert "wasm-unsafe-eval" not in csp

    client.cookies.set("kohub_lang", "en")
    html = client.get(f"/hosts/{HOST_ID}/terminal?ticketId={TICKET_ID}").text
    assert "Terminal: web-prod-01" in html and "Open in a new tab" in html
    assert "When you are done, attach this session" in html


def test_terminal_page_from_the_host(client, backend) -> None:
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(host()))
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}/terminal-url", ok(terminal_url(ticketId=None)))
    html = client.get(f"/hosts/{HOST_ID}/terminal").text
    assert backend.made("GET", f"/api/v1/hosts/{HOST_ID}/terminal-url")[0].params is None
    assert "녹화를 티켓에 남기려면 그 티켓 화면에서 터미널을 여세요." in html
    assert "이 티켓에 터미널 접속이 기록되었습니다." not in html


def test_terminal_page_without_termix(client, backend) -> None:
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(host(termix=None)))
    backend.on(
        "GET",
        f"/api/v1/hosts/{HOST_ID}/terminal-url",
        problem(409, "Host web-prod-01 has no termix adapter.", "no-terminal-adapter"),
    )
    answer = client.get(f"/hosts/{HOST_ID}/terminal?ticketId={TICKET_ID}")
    assert answer.status_code == 409
    assert "이 호스트에는 Termix 터미널이 연결되어 있지 않습니다" in answer.text
    assert "Host web-prod-01 has no termix adapter." in answer.text
    assert (
        "<iframe" not in answer.text
        and "frame-src" not in answer.headers["content-security-policy"]
    )
    assert f'href="/tickets/{TICKET_ID}#terminal"' in answer.text


def test_terminal_page_refuses_what_it_cannot_frame(client, backend) -> None:
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(host()))
    for url in ("javascript:alert(1)", "https://a;script-src *@x/", "https://x y/"):
        backend.on("GET", f"/api/v1/hosts/{HOST_ID}/terminal-url", ok(terminal_url(url=url)))
        answer = client.get(f"/hosts/{HOST_ID}/terminal")
        assert answer.status_code == 502 and "<iframe" not in answer.text, url
    assert client.get(f"/hosts/{HOST_ID}/terminal?ticketId=nope").status_code == 404
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}/terminal-url", problem(404, "No such ticket."))
    assert client.get(f"/hosts/{HOST_ID}/terminal?ticketId={uuid4()}").status_code == 404


def test_host_page_offers_the_terminal_when_termix_is_active(client, backend) -> None:
    backend.on("GET", "/api/v1/tickets", ok({"items": [], "total": 0}))
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(host()))
    html = client.get(f"/hosts/{HOST_ID}").text
    assert f'href="/hosts/{HOST_ID}/terminal" id="open-terminal">터미널 열기</a>' in html
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(host(termix="INACTIVE")))
    assert 'id="open-terminal"' not in client.get(f"/hosts/{HOST_ID}").text
    backend.current = CUSTOMER_ADMIN
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(host()))
    assert 'id="open-terminal"' not in client.get(f"/hosts/{HOST_ID}").text


# --- a recording's page --------------------------------------------------------------------


def test_recording_page_lists_commands_and_replays_the_cast(client, backend) -> None:
    backend.on("GET", f"{LOGS}/{LOG_ID}", ok(log_detail()))
    backend.on("GET", f"/api/v1/hosts/{HOST_ID}", ok(host()))

    answer = client.get(f"{PAGE}/terminal-logs/{LOG_ID}")

    assert answer.status_code == 200
    html = answer.text
    assert "termix-42" in html and "web-prod-01" in html and "Termix" in html
    assert "2개 가림" in html and "키 입력에서 복원한 명령입니다." in html
    rows = re.findall(r'data-seek="([^"]+)"[^>]*>([^<]+)</a></td>\s*<td><code class="command">([^<]+)<', html)  # fmt: skip
    assert rows == [
        ("1.25", "00:00:01", "systemctl restart nginx"),
        ("3723.5", "01:02:03", "export TOKEN=[REDACTED]"),
    ]
    # the player, from /static/ (npm's asciinema-player), with the cast as inert JSON data
    assert re.search(r'<link rel="stylesheet" href="/static/asciinema-player\.css\?v=\w+">', html)
    assert re.search(r'<script src="/static/asciinema-player\.min\.js\?v=\w+" defer>', html)
    assert re.search(r'<script src="/static/player\.js\?v=\w+" defer>', html)
    data = html.split('<script type="application/json" id="cast-data">')[1].split("</script>")[0]
    assert "</script" not in data and "<script" not in data  # escaped: \u003c/script\u003e
    recording = json.loads(data)
    assert recording["cast"] == CAST
    assert recording["markers"] == [[1.25, "systemctl restart nginx"], [3723.5, "export TOKEN=[REDACTED]"]]  # fmt: skip
    assert html.count("<script") == 5  # htmx, console.js, the player, player.js, the data
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in csp  # the player's terminal is WebAssembly

    client.cookies.set("kohub_lang", "en")
    html = client.get(f"{PAGE}/terminal-logs/{LOG_ID}").text
    assert "Commands replayed from the keystrokes." in html and "2 secrets redacted" in html
    assert "Replay" in html and 'aria-label="Play from 00:00:01"' in html


def test_recording_not_kept_shows_the_commands_only(client, backend) -> None:
    backend.on(
        "GET",
        f"{LOGS}/{LOG_ID}",
        ok(log_detail(cast=None, castAvailable=False, commandSource="output", hostId=None)),
    )
    answer = client.get(f"{PAGE}/terminal-logs/{LOG_ID}")
    html = answer.text
    assert "녹화가 너무 커서 보관하지 않았습니다. 명령 기록만 볼 수 있습니다." in html
    assert "화면의 프롬프트 줄에서 읽은 명령입니다." in html
    assert "systemctl restart nginx" in html and "data-seek" not in html
    assert "asciinema-player" not in html and 'id="cast-data"' not in html
    assert "wasm-unsafe-eval" not in answer.headers["content-security-policy"]

    backend.on(
        "GET",
        f"{LOGS}/{LOG_ID}",
        ok(log_detail(cast=None, commands=[], commandSource=None, commandLog="$ uptime\n")),
    )
    assert "$ uptime" in client.get(f"{PAGE}/terminal-logs/{LOG_ID}").text  # an older log


def test_unknown_recording(client, backend) -> None:
    backend.on("GET", f"{LOGS}/{LOG_ID}", problem(404, "No such terminal log."))
    assert client.get(f"{PAGE}/terminal-logs/{LOG_ID}").status_code == 404
    assert client.get(f"{PAGE}/terminal-logs/not-an-id").status_code == 404


def test_player_assets_are_served_locally(client) -> None:
    script = client.get("/static/asciinema-player.min.js")
    assert script.status_code == 200 and "AsciinemaPlayer" in script.text[:500]
    assert client.get("/static/asciinema-player.css").status_code == 200
    player = client.get("/static/player.js")
    assert player.status_code == 200 and "AsciinemaPlayer.create" in player.text


# --- the operator's Termix key -------------------------------------------------------------


def test_settings_page_shows_whether_a_key_is_on_file(client, backend) -> None:
    backend.on("GET", KEYS, ok({"configured": False, "keyHint": None, "updatedAt": None}))
    html = client.get("/settings/terminal").text
    assert "등록된 키가 없습니다." in html
    assert '<input type="password" id="api-key" name="apiKey" required' in html
    assert 'action="/settings/terminal"' in html and f'value="{CSRF}"' in html
    assert "key-delete-form" not in html
    assert 'href="/settings/terminal" aria-current="page">터미널 키</a>' in html

    backend.on(
        "GET",
        KEYS,
        ok({"configured": True, "keyHint": "tmx_…9f2c", "updatedAt": "2026-01-30T01:15:00Z"}),
    )
    html = client.get("/settings/terminal").text
    assert "등록된 키: tmx_…9f2c" in html and "2026-01-30 10:15 변경" in html
    assert 'action="/settings/terminal/delete"' in html and "새 키로 바꾸기" in html
    assert re.search(r'<input type="password"[^>]*>', html) and 'value="tmx' not in html
    client.cookies.set("kohub_lang", "en")
    html = client.get("/settings/terminal").text
    assert "Registered key: tmx_…9f2c" in html and "Delete the key" in html
    assert (
        client.get("/settings", follow_redirects=False).headers["location"] == "/settings/terminal"
    )


def test_registering_a_key_never_shows_it(client, backend) -> None:
    backend.on("GET", KEYS, ok({"configured": False}))
    backend.on("PUT", KEYS, ok({"configured": True, "keyHint": "tmx_…9f2c"}))
    answer = post_form(client, "/settings/terminal", {"apiKey": f"  {SECRET_KEY} "})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/settings/terminal?notice=key_saved"
    assert backend.made("PUT", KEYS)[0].json == {"apiKey": SECRET_KEY}
    pages = [client.get(answer.headers["location"]).text]
    assert "Termix API 키를 등록했습니다." in pages[0]

    # refused by the service, whose detail (wrongly) repeats the key: still not shown
    backend.on("PUT", KEYS, problem(422, f"Key {SECRET_KEY} is not a Termix key.", "validation"))
    refused = post_form(client, "/settings/terminal", {"apiKey": SECRET_KEY})
    assert refused.status_code == 422 and "요청을 처리할 수 없습니다" in refused.text
    pages.append(refused.text)
    wrong = post_form(client, "/settings/terminal", {"apiKey": "abc-not-termix"})
    assert wrong.status_code == 422 and "Termix API 키는 tmx_로 시작합니다" in wrong.text
    assert "abc-not-termix" not in wrong.text
    empty = post_form(client, "/settings/terminal", {"apiKey": " "})
    assert empty.status_code == 422 and "API 키를 입력해 주세요" in empty.text
    assert len(backend.made("PUT", KEYS)) == 2
    for html in pages:
        assert SECRET_KEY not in html and "s3cr3t" not in html


def test_deleting_the_key(client, backend) -> None:
    backend.on("DELETE", KEYS, ok(None, 204))
    answer = post_form(client, "/settings/terminal/delete", {})
    assert answer.headers["location"] == "/settings/terminal?notice=key_deleted"
    assert len(backend.made("DELETE", KEYS)) == 1
    backend.on("GET", KEYS, ok({"configured": False}))
    assert "Termix API 키를 삭제했습니다." in client.get(answer.headers["location"]).text


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [CUSTOMER, CUSTOMER_ADMIN])
def test_these_pages_are_not_there_for_customers(client, backend, who) -> None:
    backend.current = who
    for path in (
        f"/hosts/{HOST_ID}/terminal",
        f"/hosts/{HOST_ID}/terminal?ticketId={TICKET_ID}",
        f"{PAGE}/terminal-logs/{LOG_ID}",
        "/settings",
        "/settings/terminal",
    ):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 404, path
        assert "찾을 수 없습니다" in answer.text
    for path in (
        f"{PAGE}/terminal-logs/collect",
        f"{PAGE}/terminal-logs/upload",
        "/settings/terminal",
        "/settings/terminal/delete",
    ):
        assert post_form(client, path, {"apiKey": SECRET_KEY}).status_code == 404, path
    assert backend.calls == []


def test_no_session_goes_to_login(client, backend) -> None:
    backend.current = None
    for path in (f"/hosts/{HOST_ID}/terminal", "/settings/terminal"):
        answer = client.get(path, follow_redirects=False)
        assert answer.headers["location"].startswith("/login?next=/")
