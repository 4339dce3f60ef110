"""What every page shares: login redirects, the language switch, errors as pages, static
assets, and the words of both languages."""

import re
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kohub_gateway.adapters.http import sessions
from kohub_gateway.console import SessionBackend
from kohub_gateway.console.i18n import FAMILIES, MESSAGES
from kohub_gateway.console.web import TEMPLATES_DIR
from tests.console.conftest import (
    CUSTOMER,
    CUSTOMER_ADMIN,
    OPERATOR,
    FakeBackend,
    dashboard,
    make_app,
    ok,
    page,
)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/", "/login?next=/"),
        ("/tickets?status=NEW&q=a b", "/login?next=/tickets%3Fstatus%3DNEW%26q%3Da%2520b"),
        ("/hosts", "/login?next=/hosts"),
        ("/tickets/new", "/login?next=/tickets/new"),
    ],
)
def test_no_session_goes_to_login(client, backend, path: str, target: str) -> None:
    backend.current = None
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == target
    assert backend.calls == []


def test_no_session_on_htmx_and_on_posts(client, backend) -> None:
    backend.current = None
    panel = client.get("/partials/dashboard", headers={"HX-Request": "true"})
    assert panel.status_code == 200 and panel.headers["HX-Redirect"] == "/login?next=/"
    posted = client.post(
        "/tickets/abc/comment",
        data={"content": "x"},
        headers={"Referer": "http://testserver.local/tickets/abc"},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"] == "/login?next=/tickets/abc"


def test_an_expired_token_logs_in_again(client, backend) -> None:
    backend.on("GET", "/api/v1/tickets", httpx.Response(401, json={"detail": "expired"}))
    answer = client.get("/tickets", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/tickets"


def test_language_switch(client, backend) -> None:
    dashboard(backend)
    assert '<html lang="ko">' in client.get("/").text
    assert 'href="/lang/en?next=/"' in client.get("/").text

    answer = client.get("/lang/en?next=/tickets%3Fstatus%3DNEW", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/tickets?status=NEW"
    cookie = answer.headers["set-cookie"]
    assert "kohub_lang=en" in cookie and "Path=/" in cookie and "SameSite=lax" in cookie

    html = client.get("/").text  # the client keeps the cookie
    assert '<html lang="en">' in html and "Dashboard" in html and "대시보드</a>" not in html
    assert 'href="/lang/ko?next=/"' in html and ">한국어<" in html
    assert backend.calls[-1].headers["Accept-Language"] == "en"

    client.get("/lang/ko?next=/", follow_redirects=False)
    assert '<html lang="ko">' in client.get("/").text


def test_language_switch_is_no_open_redirect(client) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "\\\\evil", ""):
        answer = client.get("/lang/en", params={"next": target}, follow_redirects=False)
        assert answer.headers["location"] == "/"
    assert client.get("/lang/fr?next=/").status_code == 404


def test_a_service_down_is_a_friendly_page(client, backend) -> None:
    backend.on("GET", "/api/v1/tickets", ok({}, 502))
    answer = client.get("/tickets")
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("text/html")
    assert "티켓 서비스에 지금 연결할 수 없습니다" in answer.text
    assert "Traceback" not in answer.text


def test_transport_errors_and_console_bugs_are_pages_too() -> None:
    class Exploding(FakeBackend):
        async def call(self, *args, **kwargs):  # type: ignore[override]
            if args[3] == "/api/v1/hosts":
                raise httpx.ConnectError("refused")
            raise RuntimeError("a bug")

    with TestClient(make_app(Exploding())) as client:
        down = client.get("/hosts")
        assert down.status_code == 503 and "호스트 서비스에 지금 연결할 수 없습니다" in down.text
        broken = client.get("/tickets")
        assert broken.status_code == 500
        assert "콘솔에서 오류가 발생했습니다" in broken.text and "a bug" not in broken.text


def test_pages_are_private_and_locked_down(client, backend) -> None:
    backend.on("GET", "/api/v1/tickets", ok(page([])))
    backend.on("GET", "/api/v1/organizations", ok([]))
    answer = client.get("/tickets")
    assert answer.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["content-language"] == "ko"
    assert answer.headers["x-frame-options"] == "DENY"
    assert '<a class="skip-link" href="#main">' in answer.text
    assert '<main id="main" tabindex="-1">' in answer.text
    assert f'hx-headers=\'{{"X-CSRF-Token": "{OPERATOR.csrf_token}"}}\'' in answer.text
    assert 'action="/logout"' in answer.text  # logout is a form with the token


def test_static_assets_are_served_locally(client) -> None:
    html = client.get("/lang/ko?next=/", follow_redirects=True)  # any page names them
    assert html.status_code in (200, 303)
    css = client.get("/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    htmx = client.get("/static/htmx.min.js")  # from node_modules (npm ci --prefix services/gateway)
    assert htmx.status_code == 200 and "htmx" in htmx.text[:2000]
    assert client.get("/static/nothing.js").status_code == 404


def test_asset_links_carry_content_versions(client, backend) -> None:
    dashboard(backend)
    html = client.get("/").text
    assert re.search(r'src="/static/htmx\.min\.js\?v=[0-9a-f]{10}"', html)
    assert re.search(r'href="/static/console\.css\?v=[0-9a-f]{10}"', html)


def test_both_languages_have_every_word() -> None:
    assert MESSAGES["ko"].keys() == MESSAGES["en"].keys()
    for name, family in FAMILIES.items():
        assert family["ko"].keys() == family["en"].keys(), name
    used = set()
    for template in Path(TEMPLATES_DIR).glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", template.read_text()))
    for source in Path(TEMPLATES_DIR).parent.glob("*.py"):
        used |= set(re.findall(r'"((?:error|notice|missing)_[a-z_]+)"', source.read_text()))
    # prefixes completed at render time: "move." ~ target, "part_" ~ part, …
    dynamic = {k for k in used if k.endswith((".", "_"))}
    assert dynamic == {"move.", "sort.", "hsort.", "notice.", "part_"}
    for part in ("tickets", "hosts", "alerts", "recent"):
        assert f"part_{part}" in MESSAGES["ko"]
    for key in used - dynamic:
        family, _, rest = key.partition(".")
        if rest and family in FAMILIES:
            assert rest in FAMILIES[family]["ko"], key
        else:
            assert key in MESSAGES["ko"], key


def test_every_value_has_its_words() -> None:
    from kohub_contracts.enums import (
        ActivityType,
        AlertOutcome,
        HostStatus,
        ObservedHostStatus,
        SyncStatus,
        TicketPriority,
        TicketSource,
        TicketStatus,
    )  # fmt: skip
    from kohub_contracts.hosts import HostSort
    from kohub_contracts.tickets import TicketSort
    from kohub_gateway.console.tickets import NOTICES

    for family, enum in (
        ("status", TicketStatus), ("move", TicketStatus), ("priority", TicketPriority),
        ("observed", ObservedHostStatus), ("lifecycle", HostStatus), ("sync", SyncStatus),
        ("source", TicketSource), ("activity", ActivityType), ("outcome", AlertOutcome),
        ("sort", TicketSort), ("hsort", HostSort),
    ):  # fmt: skip
        assert set(FAMILIES[family]["ko"]) == {m.value for m in enum}, family
    assert {f"notice.{n}" for n in NOTICES} <= MESSAGES["ko"].keys()


async def test_the_default_backend_is_the_gateways_sessions(monkeypatch) -> None:
    seen: list[tuple[str, str]] = []

    async def fake_session(request: object) -> object:
        return OPERATOR

    async def fake_call(request, session, method, path, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((method, path))
        assert kwargs["headers"] == {"Accept-Language": "ko"}
        return httpx.Response(200, json={"items": [], "total": 0, "nextCursor": None, "limit": 50})

    monkeypatch.setattr(sessions, "console_session", fake_session)
    monkeypatch.setattr(sessions, "call", fake_call)
    backend = SessionBackend()
    assert await backend.session(object()) is OPERATOR  # type: ignore[arg-type]
    answer = await backend.call(
        object(),  # type: ignore[arg-type]
        OPERATOR,
        "GET",
        "/api/v1/tickets",
        headers={"Accept-Language": "ko"},
    )
    assert answer.status_code == 200 and seen == [("GET", "/api/v1/tickets")]


def test_two_apps_keep_their_own_backends() -> None:
    first, second = FakeBackend(), FakeBackend()
    first.current = None
    apps: list[Litestar] = [make_app(first), make_app(second)]
    second.on("GET", "/api/v1/tickets", ok(page([])))
    second.on("GET", "/api/v1/organizations", ok([]))
    with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
        assert one.get("/tickets", follow_redirects=False).status_code == 303
        assert two.get("/tickets").status_code == 200
    assert first.calls == [] and len(second.calls) == 2


@pytest.mark.parametrize(
    ("who", "shown", "not_shown"),
    [
        (OPERATOR, ["/ 검색", "g t 티켓", "g h 호스트", "n 새 티켓"], ["n 새 요청"]),
        (CUSTOMER, ["/ 검색", "g d 대시보드", "g t 티켓", "n 새 요청"], ["g h", "n 새 티켓"]),
        (CUSTOMER_ADMIN, ["g t 티켓", "g h 호스트"], ["n 새"]),
    ],
)
def test_the_footer_names_only_the_shortcuts_of_the_role(
    client, backend, who, shown: list[str], not_shown: list[str]
) -> None:
    backend.current = who
    dashboard(backend)
    footer = client.get("/").text.split('<footer class="footer">')[1]
    for text in shown:
        assert text in footer, text
    for text in not_shown:
        assert text not in footer, text
