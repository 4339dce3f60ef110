"""The ticket list (filters, search, cursor pages, empty states) and the request form."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from kohub_contracts.hosts import OrganizationResponse
from kohub_contracts.tickets import UserRef
from tests.console.conftest import (
    CSRF,
    CUSTOMER,
    ORG,
    OTHER_ORG,
    TICKET_ID,
    list_item,
    ok,
    page,
    problem,
    ticket_detail,
)

TICKETS = "/api/v1/tickets"
ORGS = [
    OrganizationResponse(id=OTHER_ORG, name="Globex", created_at=datetime.now(UTC), updated_at=datetime.now(UTC)),
    OrganizationResponse(id=ORG, name="Acme", created_at=datetime.now(UTC), updated_at=datetime.now(UTC)),
]  # fmt: skip


def test_filters_reach_the_api_and_the_next_page_keeps_them(client, backend) -> None:
    item = list_item("KH-2026-0101", "disk full on db-1", assignee=UserRef(id=ORG, name="박운영"))
    backend.on("GET", TICKETS, ok(page([item], next_cursor="CURSOR-2", total=51)))
    backend.on("GET", "/api/v1/organizations", ok(ORGS))

    html = client.get(
        "/tickets?status=NEW&status=RECEIVED&status=BOGUS&priority=HIGH&q=+disk+&sort=-priority"
    ).text

    call = backend.made("GET", TICKETS)[0]
    assert call.param("status") == ["NEW", "RECEIVED"]  # an unknown status is dropped
    assert call.param("priority") == ["HIGH"]
    assert call.param("q") == ["disk"]
    assert call.param("sort") == ["-priority"]
    assert call.param("limit") == [50]
    assert call.param("cursor") == []
    assert '<a href="/tickets/' in html and "KH-2026-0101" in html and "disk full on db-1" in html
    assert "박운영" in html
    assert "Acme" in html  # the organization's name, from the host service
    assert "51건" in html
    assert 'name="status" value="NEW" checked' in html
    assert 'name="status" value="PENDING">' in html
    assert 'value="disk"' in html
    next_link = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    query = parse_qs(urlsplit(next_link.replace("&amp;", "&")).query)
    assert query == {
        "status": ["NEW", "RECEIVED"],
        "priority": ["HIGH"],
        "q": ["disk"],
        "sort": ["-priority"],
        "cursor": ["CURSOR-2"],
    }

    client.get(next_link.replace("&amp;", "&"))
    assert backend.made("GET", TICKETS)[1].param("cursor") == ["CURSOR-2"]


def test_empty_states(client, backend) -> None:
    backend.on("GET", TICKETS, ok(page([])))
    backend.on("GET", "/api/v1/organizations", ok(ORGS))
    assert "아직 티켓이 없습니다." in client.get("/tickets").text
    filtered = client.get("/tickets?q=nothing").text
    assert "조건에 맞는 티켓이 없습니다." in filtered and "필터 지우기" in filtered
    assert 'rel="next"' not in filtered


def test_customer_list_has_no_organization_column(client, backend) -> None:
    backend.current = CUSTOMER
    backend.on("GET", TICKETS, ok(page([list_item("KH-2026-0005", "메일 발송 안 됨")])))
    html = client.get("/tickets").text
    assert "KH-2026-0005" in html
    assert "고객사</th>" not in html
    assert backend.made("GET", "/api/v1/organizations") == []


def test_operator_creates_a_ticket_for_an_organization(client, backend) -> None:
    backend.on("GET", "/api/v1/organizations", ok(ORGS))
    form = client.get("/tickets/new").text
    assert 'name="organizationId" required' in form
    assert form.index(">Acme<") < form.index(">Globex<")  # sorted by name
    assert f'name="csrf_token" value="{CSRF}"' in form

    backend.on("POST", TICKETS, ok(ticket_detail(), 201))
    answer = client.post(
        "/tickets/new",
        data={
            "csrf_token": CSRF,
            "title": "  DB 백업 실패  ",
            "description": "어젯밤 백업이 실패했습니다",
            "priority": "HIGH",
            "organizationId": str(ORG),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/tickets/{TICKET_ID}?notice=created"
    assert backend.made("POST", TICKETS)[0].json == {
        "title": "DB 백업 실패",
        "description": "어젯밤 백업이 실패했습니다",
        "priority": "HIGH",
        "organizationId": str(ORG),
    }


def test_customer_request_form_and_a_refused_request(client, backend) -> None:
    backend.current = CUSTOMER
    form = client.get("/tickets/new").text
    assert "새 요청" in form and "organizationId" not in form
    assert backend.made("GET", "/api/v1/organizations") == []

    backend.on("POST", TICKETS, problem(422, "title: Expected `str` of length <= 200"))
    answer = client.post(
        "/tickets/new",
        data={"csrf_token": CSRF, "title": "x" * 201, "description": "d", "priority": "LOW"},
    )
    assert answer.status_code == 422
    assert "요청을 처리할 수 없습니다" in answer.text
    assert "title: Expected `str` of length &lt;= 200" in answer.text  # the problem's detail
    assert 'value="' + "x" * 201 + '"' in answer.text  # what was typed is kept
    assert backend.made("POST", TICKETS)[0].json == {
        "title": "x" * 201,
        "description": "d",
        "priority": "LOW",
    }


def test_a_title_is_asked_for_before_calling(client, backend) -> None:
    backend.current = CUSTOMER
    answer = client.post("/tickets/new", data={"csrf_token": CSRF, "title": "   "})
    assert answer.status_code == 422 and "제목을 입력해 주세요" in answer.text
    assert backend.made("POST", TICKETS) == []


def test_customer_admin_cannot_open_requests(client, backend) -> None:
    from tests.console.conftest import CUSTOMER_ADMIN

    backend.current = CUSTOMER_ADMIN
    assert client.get("/tickets/new").status_code == 403
    backend.on("GET", TICKETS, ok(page([])))
    assert 'href="/tickets/new"' not in client.get("/tickets").text
