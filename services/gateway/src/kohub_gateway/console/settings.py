"""The operator's settings: their own Termix API key (registered once, used by kohub to
fetch their recordings; never shown again, not even in an error)."""

from typing import Any, ClassVar

from litestar import Controller, Request, Response, get, post

from kohub_contracts.terminal import TerminalCredentialsResponse
from kohub_gateway.console.web import (
    ServiceProblem,
    View,
    field_text,
    notice_of,
    open_view,
    see_other,
    service_problem_page,
)

CREDENTIALS = "/api/v1/me/terminal-credentials"
KEY_PREFIX = "tmx_"
SETTINGS_NOTICES = frozenset({"key_saved", "key_deleted"})


class SettingsPages(Controller):
    path = "/settings"
    include_in_schema = False
    tags: ClassVar[list[str]] = ["console"]

    @get("/", name="console:settings")
    async def settings(self, request: Request[Any, Any, Any]) -> Response[Any]:
        view = await open_view(request)
        view.require(view.caps.operator, hidden=True)
        return see_other("/settings/terminal")

    @get("/terminal", name="console:settings-terminal")
    async def terminal_key(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        view = await open_view(request)
        view.require(view.caps.operator, hidden=True)
        return await self._page(view)

    @post("/terminal", name="console:settings-terminal-save")
    async def save_key(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Register or replace the operator's Termix API key. The key is sent on and never
        rendered: not in the form again, not in a problem's detail."""
        view = await open_view(request)
        form = await view.form()
        view.require(view.caps.operator, hidden=True)
        key = field_text(form, "apiKey")
        if not key:
            return await self._page(view, 422, "error_key_required")
        if not key.startswith(KEY_PREFIX):
            return await self._page(view, 422, "error_key_format")
        try:
            await view.send("PUT", CREDENTIALS, {"apiKey": key})
        except ServiceProblem as exc:
            if exc.down:
                raise
            status, message, detail = service_problem_page(view, exc)
            detail = detail.replace(key, "…") if detail else None
            return await self._page(view, status, message, detail)
        return see_other("/settings/terminal?notice=key_saved")

    @post("/terminal/delete", name="console:settings-terminal-delete")
    async def delete_key(self, request: Request[Any, Any, Any]) -> Response[Any]:
        view = await open_view(request)
        await view.form()
        view.require(view.caps.operator, hidden=True)
        try:
            await view.send("DELETE", CREDENTIALS)
        except ServiceProblem as exc:
            if exc.status != 404:  # no key on file: deleted all the same
                raise
        return see_other("/settings/terminal?notice=key_deleted")

    async def _page(
        self,
        view: View,
        status: int = 200,
        error: str | None = None,
        detail: str | None = None,
    ) -> Response[bytes]:
        credentials = await view.get(CREDENTIALS, TerminalCredentialsResponse)
        return view.html(
            "settings_terminal.html",
            status,
            here="/settings/terminal",
            section="settings",
            credentials=credentials,
            notice=notice_of(view.request, SETTINGS_NOTICES),
            error=error,
            error_detail=detail,
        )
