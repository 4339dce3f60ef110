"""The operator's terminal recordings of a host, fetched by the adapter gateway from Termix
(`POST /api/internal/hosts/{id}/terminal-sessions`) with the operator's own token: Termix
answers with what that operator recorded, under their own key."""

from datetime import datetime
from uuid import UUID

import httpx

from kohub_contracts.terminal import TerminalSessionQuery, TerminalSessions
from kohub_platform.calls import call_service, decoded, host_not_mapped

SERVICE = "adapter gateway"


class AdapterGatewayRecordings:
    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._base_url = base_url.rstrip("/")

    async def sessions(
        self, host_id: UUID, since: datetime, until: datetime, authorization: str | None
    ) -> TerminalSessions:
        answer = await call_service(
            self._client,
            "POST",
            f"{self._base_url}/api/internal/hosts/{host_id}/terminal-sessions",
            service=SERVICE,
            authorization=authorization,
            body=TerminalSessionQuery(since=since, until=until),
            on_404=host_not_mapped(),
        )
        return decoded(answer, TerminalSessions, SERVICE)  # type: ignore[no-any-return]
