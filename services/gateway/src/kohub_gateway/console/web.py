"""The console's plumbing: the per-app `Console` (backend, templates, time zone, assets), the
per-request `View` (session, language, calls to the API, rendering), and the errors a page
can end in, each turned into a page a person can act on (never a stack trace)."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import msgspec
import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import MediaType, Request, Response
from litestar.datastructures import FormMultiDict
from litestar.exceptions import HTTPException
from litestar.response import Redirect

from kohub_contracts.enums import Role
from kohub_gateway.adapters.http.sessions import (
    CSRF_FIELD,
    CSRF_HEADER,
    LANGUAGE_COOKIE,
    ConsoleSession,
    CsrfRefused,
    check_csrf,
)
from kohub_gateway.console.backend import ConsoleBackend
from kohub_gateway.console.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from kohub_gateway.routing import owner_of

T = TypeVar("T")
log = structlog.get_logger("kohub.console")

CONSOLE_OPT = "kohub_console"
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
# services/gateway/node_modules/htmx.org/dist (installed by `npm ci --prefix services/gateway`)
HTMX_DIR = PACKAGE_DIR.parents[2] / "node_modules" / "htmx.org" / "dist"
HTMX_FILE = "htmx.min.js"
# services/gateway/node_modules/asciinema-player/dist/bundle: the terminal recording player
PLAYER_DIR = PACKAGE_DIR.parents[2] / "node_modules" / "asciinema-player" / "dist" / "bundle"
PLAYER_FILES = ("asciinema-player.min.js", "asciinema-player.css")
STATIC_PATH = "/static"
PROBLEM_TYPE_PREFIX = "urn:kohub:problem:"
DASHBOARD_PREFIX = "/api/v1/dashboard/"


def content_security_policy(*, frame_src: str | None = None, wasm: bool = False) -> str:
    """The pages' CSP. Two pages widen it, each for one thing: the terminal page frames its
    Termix origin (`frame_src`), the recording player compiles its WebAssembly terminal
    (`wasm`: 'wasm-unsafe-eval' allows WebAssembly only, never JavaScript eval)."""
    script = "'self'" + (" 'wasm-unsafe-eval'" if wasm else "")
    frames = f"; frame-src {frame_src}" if frame_src else ""
    return (
        f"default-src 'self'; script-src {script}; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
        f"{frames}"
    )


PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": content_security_policy(),
}


@dataclass(eq=False)
class Console:
    """Everything the pages share, built once per app (kept in the router's `opt`)."""

    backend: ConsoleBackend
    timezone: ZoneInfo
    templates: Environment
    asset_versions: dict[str, str]

    def __deepcopy__(self, memo: dict[int, Any]) -> "Console":
        # Litestar deep-copies a router's opt when registering it: share, do not copy.
        return self

    def asset(self, name: str) -> str:
        version = self.asset_versions.get(name)
        return f"{STATIC_PATH}/{name}" + (f"?v={version}" if version else "")


def template_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def asset_versions(htmx_dir: Path, player_dir: Path = PLAYER_DIR) -> dict[str, str]:
    """A short content hash per asset, so a changed file is never served from a stale cache."""
    files = {p.name: p for p in STATIC_DIR.iterdir() if p.is_file()}
    if (htmx_dir / HTMX_FILE).is_file():
        files[HTMX_FILE] = htmx_dir / HTMX_FILE
    else:
        log.warning(
            "htmx missing: the dashboard will not refresh by itself", looked_in=str(htmx_dir)
        )
    player = {name: player_dir / name for name in PLAYER_FILES}
    if all(path.is_file() for path in player.values()):
        files.update(player)
    else:
        log.warning(
            "asciinema-player missing: terminal recordings show their commands only",
            looked_in=str(player_dir),
        )
    return {
        name: hashlib.sha256(path.read_bytes()).hexdigest()[:10] for name, path in files.items()
    }


@dataclass(frozen=True, slots=True)
class Caps:
    """What the session's roles let it do in the console (the services decide in the end)."""

    operator: bool
    admin: bool
    customer: bool
    customer_admin: bool

    @classmethod
    def of(cls, session: ConsoleSession | None) -> "Caps":
        roles = session.roles if session else frozenset()
        return cls(
            operator=bool(session and session.is_operator),
            admin=Role.MSP_ADMIN.value in roles,
            customer=Role.CUSTOMER.value in roles,
            customer_admin=Role.CUSTOMER_ADMIN.value in roles,
        )

    @property
    def hosts(self) -> bool:
        return self.operator or self.customer_admin

    @property
    def create(self) -> bool:
        return self.operator or self.customer

    @property
    def complete(self) -> bool:
        return self.admin or self.customer

    @property
    def reopen(self) -> bool:
        return self.operator or self.customer


# --- what can end a page -------------------------------------------------------------------


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageError(Exception):
    """A page that cannot be shown: `status` for the browser, `key` for the message."""

    def __init__(self, status: int, key: str, detail: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.detail, self.params = status, key, detail, params


@dataclass
class ServiceProblem(Exception):
    """A service answered with an error (or could not be reached)."""

    status: int
    detail: str | None
    service: str
    body: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.service} answered {self.status}: {self.detail}")

    @property
    def down(self) -> bool:
        return self.status in (502, 503, 504)

    @property
    def stale(self) -> bool:
        return self.status == 412

    @property
    def kind(self) -> str | None:
        """The problem's type without its prefix (`urn:kohub:problem:no-terminal-adapter` →
        `no-terminal-adapter`), for the problems a page explains in its own words."""
        kind = self.body.get("type")
        if not isinstance(kind, str) or not kind.startswith(PROBLEM_TYPE_PREFIX):
            return None
        return kind[len(PROBLEM_TYPE_PREFIX) :]


def service_of(path: str) -> str:
    if path.startswith(DASHBOARD_PREFIX):
        return "gateway"
    return owner_of(path) or "gateway"


def problem_of(response: httpx.Response, path: str) -> ServiceProblem:
    body: dict[str, Any] = {}
    try:
        decoded = response.json()
        if isinstance(decoded, dict):
            body = decoded
    except ValueError:
        pass
    detail = body.get("detail")
    return ServiceProblem(
        response.status_code, detail if isinstance(detail, str) else None, service_of(path), body
    )


# --- the request's view --------------------------------------------------------------------


def console_of(request: Request[Any, Any, Any]) -> Console:
    console: Console = request.route_handler.opt[CONSOLE_OPT]
    return console


def language_of(request: Request[Any, Any, Any]) -> str:
    lang = request.cookies.get(LANGUAGE_COOKIE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def here_of(request: Request[Any, Any, Any]) -> str:
    query = request.scope.get("query_string", b"").decode("latin-1")
    return request.url.path + (f"?{query}" if query else "")


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


@dataclass
class View:
    request: Request[Any, Any, Any]
    console: Console
    session: ConsoleSession | None
    lang: str

    @property
    def t(self) -> Translator:
        return Translator(self.lang, self.console.timezone)

    @property
    def caps(self) -> Caps:
        return Caps.of(self.session)

    def require(self, allowed: bool, *, hidden: bool = False) -> None:
        """Refuse the page unless `allowed`: 403, or 404 when the page is `hidden` from who
        may not use it (the operators' terminal pages do not exist for customers)."""
        if not allowed:
            raise PageError(404, "error_not_found") if hidden else PageError(403, "error_forbidden")

    # calls to the API

    async def raw(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        version: int | None = None,
        files: Any = None,
    ) -> httpx.Response:
        assert self.session is not None
        headers = {"Accept-Language": self.lang}
        if version is not None:
            headers["If-Match"] = f'"v{version}"'
        try:
            response = await self.console.backend.call(
                self.request,
                self.session,
                method,
                path,
                params=params,
                json=json,
                headers=headers,
                files=files,
            )
        except httpx.TimeoutException:
            raise ServiceProblem(504, None, service_of(path)) from None
        except httpx.HTTPError:
            raise ServiceProblem(502, None, service_of(path)) from None
        if response.status_code == 401:
            # the session's token was refused: log in again, then come back here
            raise LoginRequired(self.page_path())
        if response.status_code >= 400:
            raise problem_of(response, path)
        return response

    async def get(self, path: str, shape: type[T], params: Any = None) -> T:
        response = await self.raw("GET", path, params=params)
        try:
            return msgspec.json.decode(response.content, type=shape)
        except msgspec.DecodeError as exc:
            log.warning("unreadable answer", path=path, error=str(exc))
            raise ServiceProblem(502, None, service_of(path)) from None

    async def send(
        self, method: str, path: str, body: Any = None, version: int | None = None
    ) -> httpx.Response:
        return await self.raw(method, path, json=body, version=version)

    async def upload(self, path: str, files: Any) -> httpx.Response:
        """POST `files` (httpx's multipart `files=`) to `path`."""
        return await self.raw("POST", path, files=files)

    def page_path(self) -> str:
        """Where to come back to after logging in: the page, not the form a POST went to."""
        if self.request.method == "GET" and not is_htmx(self.request):
            return here_of(self.request)
        referer = self.request.headers.get("referer", "")
        base = str(self.request.base_url).rstrip("/")
        if referer.startswith(base + "/"):
            return referer[len(base) :]
        return "/"

    # forms

    async def form(self) -> FormMultiDict:
        """The posted form, once its CSRF token (field or `X-CSRF-Token`) is checked."""
        assert self.session is not None
        form = await self.request.form()
        token = form.get(CSRF_FIELD) or self.request.headers.get(CSRF_HEADER)
        check_csrf(self.session, token if isinstance(token, str) else None)
        return form

    # rendering

    def html(
        self,
        template: str,
        status: int = 200,
        *,
        here: str | None = None,
        csp: str | None = None,
        **context: Any,
    ) -> Response[bytes]:
        page = self.console.templates.get_template(template)
        context.setdefault("section", None)
        text = page.render(
            t=self.t,
            lang=self.lang,
            session=self.session,
            caps=self.caps,
            asset=self.console.asset,
            here=here or here_of(self.request),
            csrf_field=CSRF_FIELD,
            timezone=self.console.timezone.key,
            **context,
        )
        return Response(
            content=text.encode(),
            status_code=status,
            media_type=MediaType.HTML,
            headers={
                **PAGE_HEADERS,
                "Content-Language": self.lang,
                **({"Content-Security-Policy": csp} if csp else {}),
            },
        )


async def open_view(request: Request[Any, Any, Any]) -> View:
    """The request's view; a visitor without a session is sent to log in first."""
    console = console_of(request)
    view = View(request, console, None, language_of(request))
    session = await console.backend.session(request)
    if session is None:
        raise LoginRequired(view.page_path())
    view.session = session
    request.state.console_session = session
    return view


def notice_of(request: Request[Any, Any, Any], known: frozenset[str]) -> str | None:
    """A `?notice=` after a redirect: only the console's own message keys, never free text."""
    notice = request.query_params.get("notice")
    return notice if notice in known else None


def see_other(path: str) -> Redirect:
    return Redirect(path, status_code=303, headers={"Cache-Control": "no-store"})


# --- errors as pages -----------------------------------------------------------------------


def _redirect_to_login(request: Request[Any, Any, Any], next_path: str) -> Response[Any]:
    target = login_url(next_path)
    if is_htmx(request):
        return Response(content=b"", status_code=200, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303, headers={"Cache-Control": "no-store"})


def _error_view(request: Request[Any, Any, Any]) -> View:
    try:
        console = console_of(request)
    except (KeyError, AttributeError):
        console = default_console()
    session = getattr(request.state, "console_session", None)
    return View(request, console, session, language_of(request))


def service_problem_page(view: View, exc: ServiceProblem) -> tuple[int, str, str | None]:
    """The status, message key and detail a page shows for a service's error."""
    if exc.down:
        return 503, "error_service_down", exc.detail
    if exc.status == 404:
        return 404, "error_not_found", None
    if exc.status == 403:
        return 403, "error_forbidden", exc.detail
    if exc.stale:
        return 409, "error_stale", None
    if exc.status == 413:
        return 413, "error_too_large", exc.detail
    if exc.status in (400, 409, 422):
        return exc.status, "error_refused", exc.detail
    return 502, "error_unexpected_answer", exc.detail


def console_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Every error of a console page, as a page (or a redirect to the login)."""
    if isinstance(exc, LoginRequired):
        return _redirect_to_login(request, exc.next_path)
    view = _error_view(request)
    params: dict[str, Any] = {}
    if isinstance(exc, CsrfRefused):
        status, key, detail = 403, "error_csrf", None
    elif isinstance(exc, PageError):
        status, key, detail, params = exc.status, exc.key, exc.detail, exc.params
    elif isinstance(exc, ServiceProblem):
        status, key, detail = service_problem_page(view, exc)
        params = {"service": view.t(f"service.{exc.service}")}
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        key = {
            404: "error_not_found",
            403: "error_forbidden",
            405: "error_method",
            413: "error_too_large",
        }.get(status, "error_bad_request" if status < 500 else "error_internal")
        detail = None
    else:
        log.exception("console page failed", path=request.url.path, error=type(exc).__name__)
        status, key, detail = 500, "error_internal", None
    text = view.t(key, **params)
    if not is_htmx(request):
        try:
            return view.html(
                "error.html",
                status,
                here=view.page_path(),
                message_key=key,
                message_params=params,
                detail=detail,
                status_code=status,
                request_id=request.scope.get("state", {}).get("request_id"),
            )
        except Exception:  # the error page itself failed: say it plainly
            log.exception("console error page failed", path=request.url.path)
    return Response(
        content=text.encode(),
        status_code=status,
        media_type=MediaType.TEXT,
        headers={"Cache-Control": "no-store"},
    )


_default: Console | None = None


def default_console() -> Console:
    """A console for error pages outside the console's router (no backend calls made)."""
    global _default
    if _default is None:
        from kohub_gateway.console.backend import SessionBackend

        _default = Console(
            SessionBackend(),
            ZoneInfo("Asia/Seoul"),
            template_environment(),
            asset_versions(HTMX_DIR, PLAYER_DIR),
        )
    return _default


def field_text(form: Mapping[str, Any] | FormMultiDict, name: str) -> str:
    """A text field of a form, stripped ('' when absent); the services check lengths."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
