"""The calls behind a terminal URL: the host's Termix terminal from the adapter gateway
(`GET /api/internal/hosts/{id}/terminal`), and the opening recorded on a ticket
(`POST /api/v1/tickets/{id}/terminal-access`), both with the operator's own token. A problem
either answers is passed on as it was."""

from typing import Any
from uuid import UUID

import httpx
import msgspec

from kohub_contracts.terminal import TerminalOpened, TerminalOpenedRequest, TerminalTarget
from kohub_platform.errors import UpstreamProblem

TIMEOUT_SECONDS = 10.0


class TerminalLinks:
    def __init__(self, client: httpx.AsyncClient, adapter_url: str, ticket_url: str) -> None:
        self._client = client
        self._adapter_url = adapter_url.rstrip("/")
        self._ticket_url = ticket_url.rstrip("/")

    async def target(self, host_id: UUID, authorization: str | None) -> TerminalTarget:
        url = f"{self._adapter_url}/api/internal/hosts/{host_id}/terminal"
        answer = await self._call("GET", url, None, authorization, "adapter gateway")
        return msgspec.json.decode(answer.content, type=TerminalTarget)

    async def record_opening(
        self, ticket_id: UUID, opening: TerminalOpenedRequest, authorization: str | None
    ) -> TerminalOpened:
        url = f"{self._ticket_url}/api/v1/tickets/{ticket_id}/terminal-access"
        answer = await self._call("POST", url, opening, authorization, "ticket service")
        return msgspec.json.decode(answer.content, type=TerminalOpened)

    async def _call(
        self, method: str, url: str, body: Any, authorization: str | None, service: str
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        content = msgspec.json.encode(body) if body is not None else None
        try:
            answer = await self._client.request(
                method, url, content=content, headers=headers, timeout=TIMEOUT_SECONDS
            )
        except httpx.TimeoutException:
            raise UpstreamProblem(
                504, "gateway-timeout", f"The {service} did not answer."
            ) from None
        except httpx.HTTPError:
            raise UpstreamProblem(502, "bad-gateway", f"The {service} is not reachable.") from None
        if answer.status_code not in (200, 201):
            raise UpstreamProblem.from_answer(answer.status_code, answer.content, service)
        return answer
