"""What the console pages need from the rest of the gateway: the logged-in session and a way
to call the API as that session's user. The default delegates to `adapters.http.sessions`;
tests (and anything else) may hand `console_routes()` another `ConsoleBackend`."""

from typing import Any, Protocol

import httpx
from litestar import Request

from kohub_gateway.adapters.http import sessions
from kohub_gateway.adapters.http.sessions import ConsoleSession


class ConsoleBackend(Protocol):
    async def session(self, request: Request[Any, Any, Any]) -> ConsoleSession | None:
        """The caller's console session, or None when nobody is logged in."""

    async def call(
        self,
        request: Request[Any, Any, Any],
        session: ConsoleSession,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        files: Any = None,
    ) -> httpx.Response:
        """`path` (`/api/v1/...`) of its owning service, as the session's user; `files` is a
        multipart upload (httpx's `files=`: a recording posted to a ticket)."""


class SessionBackend:
    """The gateway's own sessions and service calls (`adapters.http.sessions`)."""

    async def session(self, request: Request[Any, Any, Any]) -> ConsoleSession | None:
        return await sessions.console_session(request)

    async def call(
        self,
        request: Request[Any, Any, Any],
        session: ConsoleSession,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        files: Any = None,
    ) -> httpx.Response:
        if files is not None:
            # sessions.call speaks JSON only: an upload goes to the service's console_api
            service = request.app.state.gateway_service
            return await service.console_api(
                request, session, method, path, params, json, headers, files=files
            )
        return await sessions.call(
            request, session, method, path, params=params, json=json, headers=headers
        )
