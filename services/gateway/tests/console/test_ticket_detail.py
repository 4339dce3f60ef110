"""A ticket: header, timeline, the moves the API allows per role, assign, resolve, comment,
terminal logs; CSRF on every change and If-Match with the version shown (412 → a clear
message and the ticket as it is now)."""

from uuid import UUID, uuid4

from kohub_contracts.common import Page
from kohub_contracts.enums import ActivityType, HostStatus, SyncStatus, TicketStatus
from kohub_contracts.tickets import (
    HostRef,
    ResolutionResponse,
    TerminalLogSummary,
)
from tests.console.conftest import (
    CSRF,
    CUSTOMER,
    CUSTOMER_ADMIN,
    NOW,
    OPERATOR_ID,
    TICKET_ID,
    activity,
    list_item,
    ok,
    problem,
    ticket_detail,
    user,
)

DETAIL = f"/api/v1/tickets/{TICKET_ID}"
PAGE = f"/tickets/{TICKET_ID}"


def buttons(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('name="to" value="')[1:]]


def test_header_timeline_and_operator_moves(client, backend) -> None:
    me = user("김운영", OPERATOR_ID)
    detail = ticket_detail(
        status=TicketStatus.NEW,
        host=HostRef(id=uuid4(), name="web-prod-01", status=HostStatus.ACTIVE),
        sync_status=SyncStatus.SYNCED,
        external_system="kusthub",
        external_ticket_id="KH-EXT-9",
        activities=[
            activity(ActivityType.ALERT, "경보 발생: web-prod-01", None, kind="fired"),
            activity(ActivityType.COMMENT, "확인 중입니다\n두 번째 줄", me),
        ],
        allowed_transitions=[TicketStatus.RECEIVED, TicketStatus.CLOSED],
    )
    backend.on("GET", DETAIL, ok(detail, ETag='"v3"'))

    html = client.get(PAGE).text

    assert "<title>KH-2026-0001 [장애] web-prod-01 - Connection refused · kohub</title>" in html
    assert "web-prod-01" in html and "Acme" in html and "동기화됨" in html and "KH-EXT-9" in html
    assert "경보 발생: web-prod-01" in html and "시스템" in html
    assert "확인 중입니다\n두 번째 줄" in html and "김운영" in html
    assert "2026-01-30 10:15" in html  # 01:15 UTC shown in Seoul time
    assert buttons(html) == ["RECEIVED", "CLOSED"]
    assert ">접수</button>" in html and ">종료</button>" in html
    assert '<input type="hidden" name="version" value="3">' in html
    assert 'id="assign-form"' not in html  # NEW: receive first
    assert 'id="resolve-form"' not in html
    assert 'action="/tickets/' + str(TICKET_ID) + '/comment"' in html
    assert "터미널 세션 기록" in html and "기록된 터미널 세션이 없습니다." in html
    assert backend.made("GET", DETAIL)[0].headers["Accept-Language"] == "ko"


def test_in_progress_offers_hold_resolve_and_hand_over(client, backend) -> None:
    me = user("김운영", OPERATOR_ID)
    other = user("박운영")
    detail = ticket_detail(
        status=TicketStatus.IN_PROGRESS,
        assignee=other,
        activities=[activity(ActivityType.STATUS_CHANGE, "상태 변경: NEW → RECEIVED", me, to="RECEIVED")],
        allowed_transitions=[TicketStatus.PENDING, TicketStatus.RESOLVED],
    )  # fmt: skip
    backend.on("GET", DETAIL, ok(detail))
    backend.on(
        "GET", "/api/v1/tickets", ok(Page(items=[list_item("KH-1", "t", assignee=other)], total=1))
    )

    html = client.get(PAGE).text

    assert buttons(html) == ["PENDING"]  # RESOLVED has its own form
    assert 'id="resolve-form"' in html and 'name="summary"' in html and 'name="actionTaken"' in html
    assert 'id="assign-form"' in html and "담당자 변경" in html
    # who can be chosen: the ticket's assignee, and the operator who received it (me)
    assert f'<option value="{OPERATOR_ID}" selected>김운영 (나)</option>' in html
    assert f'<option value="{other.id}">박운영 · 현재 담당</option>' in html


def test_customer_sees_complete_and_reopen_only(client, backend) -> None:
    backend.current = CUSTOMER
    detail = ticket_detail(
        status=TicketStatus.RESOLVED,
        resolution=ResolutionResponse(
            summary="웹 서버 재시작", action_taken="nginx 재시작", ai_suggestion_used=None,
            resolved_by=user("김운영"), resolved_at=NOW,
        ),
        terminal_logs=[TerminalLogSummary(id=uuid4(), session_id="s-1", started_at=NOW, ended_at=None)],
        allowed_transitions=[TicketStatus.COMPLETED, TicketStatus.REOPENED],
    )  # fmt: skip
    backend.on("GET", DETAIL, ok(detail))

    html = client.get(PAGE).text

    assert buttons(html) == ["COMPLETED", "REOPENED"]
    assert ">해결 확인(완료)</button>" in html and ">재오픈</button>" in html
    assert "웹 서버 재시작" in html and "nginx 재시작" in html
    assert 'id="assign-form"' not in html and 'id="resolve-form"' not in html
    assert "터미널 세션 기록" not in html  # operators' business
    assert 'name="content"' in html  # customers comment
    assert backend.made("GET", "/api/v1/tickets") == []


def test_customer_admin_reads_without_acting(client, backend) -> None:
    backend.current = CUSTOMER_ADMIN
    detail = ticket_detail(
        status=TicketStatus.RESOLVED,
        allowed_transitions=[TicketStatus.COMPLETED, TicketStatus.REOPENED],
    )
    backend.on("GET", DETAIL, ok(detail))
    html = client.get(PAGE).text
    assert buttons(html) == []  # /complete and /reopen are for customers and operators
    assert 'id="no-actions"' in html
    assert 'name="content"' not in html


def test_a_post_without_the_csrf_token_is_refused(client, backend) -> None:
    for path, data in (
        ("/comment", {"content": "hi"}),
        ("/move", {"to": "RECEIVED", "version": "3"}),
        ("/resolve", {"summary": "s", "version": "3"}),
        ("/assign", {"assigneeId": str(OPERATOR_ID), "version": "3"}),
    ):
        for token in (None, "wrong-token"):
            sent = dict(data) | ({"csrf_token": token} if token else {})
            answer = client.post(PAGE + path, data=sent, follow_redirects=False)
            assert answer.status_code == 403, path
            assert "양식이 만료되었습니다" in answer.text
            assert answer.headers["content-type"].startswith("text/html")
    assert [c for c in backend.calls if c.method == "POST"] == []
    # the new-ticket form too
    assert client.post("/tickets/new", data={"title": "t"}).status_code == 403


def test_comment_with_the_token(client, backend) -> None:
    backend.on("POST", f"{DETAIL}/comments", ok({}, 201))
    answer = client.post(
        PAGE + "/comment",
        data={"csrf_token": CSRF, "content": "  재시작했습니다  "},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{PAGE}?notice=commented"
    sent = backend.made("POST", f"{DETAIL}/comments")[0]
    assert sent.json == {"content": "재시작했습니다"}
    assert "If-Match" not in sent.headers

    backend.on("GET", DETAIL, ok(ticket_detail()))
    assert "댓글을 등록했습니다." in client.get(f"{PAGE}?notice=commented").text
    assert "<script>" not in client.get(f"{PAGE}?notice=<script>").text


def test_the_htmx_header_carries_the_token_too(client, backend) -> None:
    backend.on("POST", f"{DETAIL}/comments", ok({}, 201))
    answer = client.post(
        PAGE + "/comment",
        data={"content": "ok"},
        headers={"X-CSRF-Token": CSRF},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def test_a_move_sends_if_match_and_the_right_endpoint(client, backend) -> None:
    backend.on("POST", f"{DETAIL}/transition", ok(ticket_detail()))
    answer = client.post(
        PAGE + "/move",
        data={"csrf_token": CSRF, "to": "IN_PROGRESS", "reason": "작업 시작", "version": "7"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"{PAGE}?notice=moved"
    sent = backend.made("POST", f"{DETAIL}/transition")[0]
    assert sent.json == {"reason": "작업 시작", "toStatus": "IN_PROGRESS"}
    assert sent.headers["If-Match"] == '"v7"'

    backend.current = CUSTOMER
    backend.on("POST", f"{DETAIL}/complete", ok(ticket_detail()))
    backend.on("POST", f"{DETAIL}/reopen", ok(ticket_detail()))
    client.post(PAGE + "/move", data={"csrf_token": CSRF, "to": "COMPLETED", "version": "8"})
    client.post(PAGE + "/move", data={"csrf_token": CSRF, "to": "REOPENED", "version": "9"})
    assert backend.made("POST", f"{DETAIL}/complete")[0].json == {}
    assert backend.made("POST", f"{DETAIL}/complete")[0].headers["If-Match"] == '"v8"'
    assert backend.made("POST", f"{DETAIL}/reopen")[0].headers["If-Match"] == '"v9"'


def test_changed_meanwhile_shows_a_clear_message_and_the_current_ticket(client, backend) -> None:
    backend.on("POST", f"{DETAIL}/transition", problem(412, "The ticket changed (now v4)."))
    backend.on("GET", DETAIL, ok(ticket_detail(status=TicketStatus.RECEIVED, version=4,
                                                allowed_transitions=[])))  # fmt: skip
    backend.on("GET", "/api/v1/tickets", ok(Page(items=[], total=0)))

    answer = client.post(
        PAGE + "/move",
        data={"csrf_token": CSRF, "to": "RECEIVED", "reason": "내가 접수", "version": "3"},
    )

    assert answer.status_code == 409
    assert "그사이 다른 사람이 이 티켓을 변경했습니다" in answer.text
    assert "새로 고침해서 최신 내용 보기" in answer.text
    assert '<input type="hidden" name="version" value="4">' in answer.text  # the current one
    assert backend.made("POST", f"{DETAIL}/transition")[0].headers["If-Match"] == '"v3"'

    client.cookies.set("kohub_lang", "en")
    answer = client.post(
        PAGE + "/move", data={"csrf_token": CSRF, "to": "RECEIVED", "version": "3"}
    )
    assert "Someone changed this ticket meanwhile" in answer.text


def test_a_refused_move_shows_the_problem_detail(client, backend) -> None:
    backend.on(
        "POST",
        f"{DETAIL}/transition",
        problem(409, "A ticket in NEW cannot move to IN_PROGRESS."),
    )
    backend.on("GET", DETAIL, ok(ticket_detail()))
    answer = client.post(
        PAGE + "/move", data={"csrf_token": CSRF, "to": "IN_PROGRESS", "version": "3"}
    )
    assert answer.status_code == 409
    assert "요청을 처리할 수 없습니다" in answer.text
    assert "A ticket in NEW cannot move to IN_PROGRESS." in answer.text


def test_assign_from_the_list_or_by_id(client, backend) -> None:
    backend.on("POST", f"{DETAIL}/assign", ok(ticket_detail()))
    answer = client.post(
        PAGE + "/assign",
        data={"csrf_token": CSRF, "assigneeId": str(OPERATOR_ID), "version": "3"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == f"{PAGE}?notice=assigned"
    typed = UUID("00000000-0000-4000-8000-0000000000aa")
    client.post(
        PAGE + "/assign",
        data={"csrf_token": CSRF, "assigneeId": str(OPERATOR_ID), "assigneeOther": str(typed),
              "reason": "야간 당번", "version": "5"},
    )  # fmt: skip
    first, second = backend.made("POST", f"{DETAIL}/assign")
    assert first.json == {"assigneeId": str(OPERATOR_ID)} and first.headers["If-Match"] == '"v3"'
    assert second.json == {"assigneeId": str(typed), "reason": "야간 당번"}

    backend.on("GET", DETAIL, ok(ticket_detail(status=TicketStatus.RECEIVED)))
    backend.on("GET", "/api/v1/tickets", ok(Page(items=[], total=0)))
    bad = client.post(
        PAGE + "/assign", data={"csrf_token": CSRF, "assigneeOther": "bob", "version": "3"}
    )
    assert bad.status_code == 422 and "올바른 사용자 ID" in bad.text
    assert 'value="bob"' in bad.text
    assert len(backend.made("POST", f"{DETAIL}/assign")) == 2


def test_resolve_needs_a_summary_and_sends_the_resolution(client, backend) -> None:
    backend.on("GET", DETAIL, ok(ticket_detail(status=TicketStatus.IN_PROGRESS,
                                                allowed_transitions=[TicketStatus.RESOLVED])))  # fmt: skip
    backend.on("GET", "/api/v1/tickets", ok(Page(items=[], total=0)))
    empty = client.post(
        PAGE + "/resolve",
        data={"csrf_token": CSRF, "summary": " ", "actionTaken": "x", "version": "3"},
    )
    assert empty.status_code == 422 and "해결 요약을 입력해 주세요" in empty.text
    assert ">x</textarea>" in empty.text

    backend.on("POST", f"{DETAIL}/resolve", ok(ticket_detail()))
    done = client.post(
        PAGE + "/resolve",
        data={
            "csrf_token": CSRF,
            "summary": "디스크 정리",
            "actionTaken": "로그 삭제",
            "version": "6",
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == f"{PAGE}?notice=resolved"
    sent = backend.made("POST", f"{DETAIL}/resolve")[0]
    assert sent.json == {"summary": "디스크 정리", "actionTaken": "로그 삭제"}
    assert sent.headers["If-Match"] == '"v6"'


def test_a_form_without_its_version_is_not_sent(client, backend) -> None:
    answer = client.post(PAGE + "/move", data={"csrf_token": CSRF, "to": "RECEIVED"})
    assert answer.status_code == 400 and "양식이 완전하지 않습니다" in answer.text
    assert backend.made("POST", f"{DETAIL}/transition") == []


def test_unknown_or_foreign_ticket(client, backend) -> None:
    assert client.get("/tickets/not-a-uuid").status_code == 404
    backend.current = CUSTOMER
    backend.on("GET", DETAIL, problem(404, "No such ticket."))
    answer = client.get(PAGE)
    assert answer.status_code == 404
    assert "찾을 수 없습니다" in answer.text and "볼 수 있는 권한이 없습니다" in answer.text


def test_assign_to_me_comes_from_the_ticket_services_assignees(client, backend) -> None:
    former = user("이전담당")
    detail = ticket_detail(
        status=TicketStatus.IN_PROGRESS,
        assignee=former,
        allowed_transitions=[TicketStatus.PENDING],
    )
    backend.on("GET", DETAIL, ok(detail))
    backend.on(
        "GET",
        "/api/v1/tickets/assignees",
        ok([
            {"id": str(OPERATOR_ID), "name": "Kim Ops", "email": "kim@msp.example", "me": True},
            {"id": "00000000-0000-4000-8000-0000000000aa", "name": "박운영", "email": None, "me": False},
            {"id": "00000000-0000-4000-8000-0000000000bb", "name": None, "email": "lee@msp.example", "me": False},
        ]),
    )  # fmt: skip

    html = client.get(PAGE).text

    # "me" by the service's flag, not by the session's name (김운영 here)
    assert f'<option value="{OPERATOR_ID}" selected>Kim Ops (나)</option>' in html
    assert '<option value="00000000-0000-4000-8000-0000000000aa">박운영</option>' in html
    assert ">lee@msp.example</option>" in html
    assert f'<option value="{former.id}">이전담당 · 현재 담당</option>' in html  # kept
    assert backend.made("GET", "/api/v1/tickets") == []  # no guessing from recent tickets


def test_assignees_unavailable_falls_back_to_known_operators(client, backend) -> None:
    me = user("김운영", OPERATOR_ID)
    detail = ticket_detail(
        status=TicketStatus.RECEIVED,
        activities=[activity(ActivityType.STATUS_CHANGE, "접수", me, to="RECEIVED")],
        allowed_transitions=[TicketStatus.ASSIGNED],
    )
    backend.on("GET", DETAIL, ok(detail))
    backend.on("GET", "/api/v1/tickets/assignees", problem(503, "down"))
    backend.on("GET", "/api/v1/tickets", ok(Page(items=[], total=0)))
    html = client.get(PAGE).text
    assert f'<option value="{OPERATOR_ID}" selected>김운영 (나)</option>' in html
    assert len(backend.made("GET", "/api/v1/tickets")) == 1
