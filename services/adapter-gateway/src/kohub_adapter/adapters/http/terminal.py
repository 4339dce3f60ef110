"""Termix terminals: each operator's own Termix API key, and the internal endpoints the
host and ticket services call on the operator's behalf (their `Authorization` passed on,
so the recordings fetched are the caller's)."""

from typing import ClassVar
from uuid import UUID

from litestar import Controller, delete, get, post, put

from kohub_adapter.adapters.http.controllers import OPERATORS
from kohub_adapter.adapters.http.support import Req, adapter_service
from kohub_adapter.application import terminal
from kohub_adapter.application.ports import CredentialInfo
from kohub_contracts.terminal import (
    TerminalCredentialsRequest,
    TerminalCredentialsResponse,
    TerminalSessionQuery,
    TerminalSessions,
    TerminalTarget,
)


def _credentials(info: CredentialInfo | None) -> TerminalCredentialsResponse:
    if info is None:
        return TerminalCredentialsResponse(configured=False)
    return TerminalCredentialsResponse(
        configured=True, key_hint=info.key_hint, updated_at=info.updated_at
    )


class TerminalCredentialController(Controller):
    path = "/api/v1/me/terminal-credentials"
    tags: ClassVar[list[str]] = ["terminal"]
    guards: ClassVar[list[object]] = [OPERATORS]  # type: ignore[misc]

    @put("", summary="Register or replace your Termix API key (it is never shown again)")
    async def put_credentials(
        self, request: Req, data: TerminalCredentialsRequest
    ) -> TerminalCredentialsResponse:
        service = adapter_service(request)
        info = await terminal.register_credentials(
            request.user.subject, data.api_key, service.terminal_credentials, service.clock
        )
        return _credentials(info)

    @get("", summary="Whether you have a Termix API key on file")
    async def get_credentials(self, request: Req) -> TerminalCredentialsResponse:
        store = adapter_service(request).terminal_credentials
        return _credentials(await store.info(request.user.subject))

    @delete("", summary="Remove your Termix API key")
    async def delete_credentials(self, request: Req) -> None:
        await adapter_service(request).terminal_credentials.delete(request.user.subject)


class TerminalController(Controller):
    path = "/api/internal/hosts/{host_id:uuid}"
    tags: ClassVar[list[str]] = ["terminal"]
    guards: ClassVar[list[object]] = [OPERATORS]  # type: ignore[misc]

    @get("/terminal", summary="The host's Termix terminal (for the host service)")
    async def terminal_target(self, request: Req, host_id: UUID) -> TerminalTarget:
        """409 when the host has no active termix adapter."""
        service = adapter_service(request)
        return await terminal.terminal_target(
            host_id, hosts=service.host_map, tool=service.terminal
        )

    @post(
        "/terminal-sessions",
        status_code=200,
        summary="The caller's Termix recordings of the host over a period (for the ticket service)",
    )
    async def terminal_sessions(
        self, request: Req, host_id: UUID, data: TerminalSessionQuery
    ) -> TerminalSessions:
        """Fetched with the calling operator's own key: 409 when none is registered or
        Termix refuses it, 502 when Termix does not answer."""
        service = adapter_service(request)
        return await terminal.terminal_sessions(
            host_id,
            request.user.subject,
            data,
            hosts=service.host_map,
            tool=service.terminal,
            credentials=service.terminal_credentials,
        )
