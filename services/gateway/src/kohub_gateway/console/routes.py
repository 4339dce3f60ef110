"""`console_routes()`: the console's pages, its language switch and its static files, as one
Litestar router to add to the gateway's route handlers. The router authenticates by session
(not Bearer: `exclude_from_auth`) and turns every error of its pages into a page."""

import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, Router, get
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from kohub_gateway.adapters.http.sessions import LANGUAGE_COOKIE, CsrfRefused
from kohub_gateway.console.backend import ConsoleBackend, SessionBackend
from kohub_gateway.console.dashboard import DashboardPages
from kohub_gateway.console.hosts import HostPages
from kohub_gateway.console.i18n import LANGUAGES
from kohub_gateway.console.settings import SettingsPages
from kohub_gateway.console.terminal import TerminalPages
from kohub_gateway.console.tickets import TicketPages
from kohub_gateway.console.web import (
    CONSOLE_OPT,
    HTMX_DIR,
    PLAYER_DIR,
    STATIC_DIR,
    STATIC_PATH,
    Console,
    LoginRequired,
    PageError,
    ServiceProblem,
    asset_versions,
    console_error,
    template_environment,
)
from kohub_platform.errors import EXCEPTION_HANDLERS

DEFAULT_TIMEZONE = "Asia/Seoul"
LANGUAGE_MAX_AGE = 365 * 24 * 3600


def safe_next(value: str | None) -> str:
    """A path of this site only: never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


class LanguagePages(Controller):
    path = "/lang"
    include_in_schema = False

    @get("/{code:str}", name="console:language")
    async def switch(
        self, request: Request[Any, Any, Any], code: str, next: str | None = None
    ) -> Response[Any]:
        """Set the console's language (cookie `kohub_lang`) and go back where the switch was."""
        if code not in LANGUAGES:
            raise PageError(404, "error_not_found")
        cookie = Cookie(
            key=LANGUAGE_COOKIE,
            value=code,
            max_age=LANGUAGE_MAX_AGE,
            path="/",
            samesite="lax",
            httponly=True,
            secure=request.url.scheme == "https",
        )
        return Redirect(
            safe_next(next),
            status_code=303,
            cookies=[cookie],
            headers={"Cache-Control": "no-store"},
        )


def console_routes(
    backend: ConsoleBackend | None = None,
    *,
    timezone: str | None = None,
    htmx_dir: str | Path | None = None,
    player_dir: str | Path | None = None,
) -> Router:
    """The console under `/`: `/`, `/partials/dashboard`, `/tickets…`, `/hosts…`,
    `/settings…`, `/lang/{ko|en}` and `/static/…` (the console's CSS and scripts, htmx from
    `services/gateway/node_modules/htmx.org/dist`, or `htmx_dir` / `KOHUB_CONSOLE_HTMX_DIR`,
    and asciinema-player from `services/gateway/node_modules/asciinema-player/dist/bundle`,
    or `player_dir` / `KOHUB_CONSOLE_PLAYER_DIR`). Times are shown in `timezone`
    (`KOHUB_CONSOLE_TIMEZONE`, default Asia/Seoul), which is also where the dashboard's
    "today" starts and how the forms' times are read."""
    zone = ZoneInfo(timezone or os.environ.get("KOHUB_CONSOLE_TIMEZONE") or DEFAULT_TIMEZONE)
    htmx = Path(htmx_dir or os.environ.get("KOHUB_CONSOLE_HTMX_DIR") or HTMX_DIR)
    player = Path(player_dir or os.environ.get("KOHUB_CONSOLE_PLAYER_DIR") or PLAYER_DIR)
    console = Console(
        backend=backend or SessionBackend(),
        timezone=zone,
        templates=template_environment(),
        asset_versions=asset_versions(htmx, player),
    )
    static = create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR, *(d for d in (htmx, player) if d.is_dir())],
        name="console:static",
        include_in_schema=False,
        cache_control=CacheControlHeader(public=True, max_age=86_400),
    )
    handlers: dict[Any, Any] = dict.fromkeys(EXCEPTION_HANDLERS, console_error)
    handlers.update(
        {
            CsrfRefused: console_error,
            LoginRequired: console_error,
            PageError: console_error,
            ServiceProblem: console_error,
        }
    )
    return Router(
        path="/",
        route_handlers=[
            DashboardPages,
            TicketPages,
            HostPages,
            TerminalPages,
            SettingsPages,
            LanguagePages,
            static,
        ],
        opt={"exclude_from_auth": True, CONSOLE_OPT: console},
        exception_handlers=handlers,
        include_in_schema=False,
    )
