"""The operator's terminal recordings of a host, fetched by the adapter gateway from Termix
(`POST /api/internal/hosts/{id}/terminal-sessions`) with the operator's own token: Termix
answers with what that operator recorded, under their own key."""

from datetime import datetime
from uuid import UUID

import httpx
import msgspec

from kohub_contracts.terminal import TerminalSessionQuery, TerminalSessions
from kohub_platform.errors import UpstreamProblem

SERVICE = "adapter gateway"


class AdapterGatewayRecordings:
    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._base_url = base_url.rstrip("/")

    async def sessions(
        self, host_id: UUID, since: datetime, until: datetime, authorization: str | None
    ) -> TerminalSessions:
        headers = {"Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        try:
            answer = await self._client.post(
                f"{self._base_url}/api/internal/hosts/{host_id}/terminal-sessions",
                content=msgspec.json.encode(TerminalSessionQuery(since=since, until=until)),
                headers=headers,
            )
        except httpx.TimeoutException:
            raise UpstreamProblem(
                504, "gateway-timeout", f"The {SERVICE} did not answer in time."
            ) from None
        except httpx.HTTPError:
            raise UpstreamProblem(502, "bad-gateway", f"The {SERVICE} is not reachable.") from None
        if answer.status_code != 200:
            raise UpstreamProblem.from_answer(answer.status_code, answer.content, SERVICE)
        try:
            return msgspec.json.decode(answer.content, type=TerminalSessions)
        except msgspec.DecodeError as exc:
            raise UpstreamProblem(502, "bad-gateway", f"The {SERVICE} answered: {exc}") from None
