"""The calls behind a terminal URL: the host's Termix terminal from the adapter gateway
(`GET /api/internal/hosts/{id}/terminal`), and the opening recorded on a ticket
(`POST /api/v1/tickets/{id}/terminal-access`), both with the operator's own token. A problem
either answers is passed on as it was."""

from uuid import UUID

import httpx

from kohub_contracts.terminal import TerminalOpened, TerminalOpenedRequest, TerminalTarget
from kohub_platform.calls import call_service, decoded, host_not_mapped

TIMEOUT_SECONDS = 10.0


class TerminalLinks:
    def __init__(self, client: httpx.AsyncClient, adapter_url: str, ticket_url: str) -> None:
        self._client = client
        self._adapter_url = adapter_url.rstrip("/")
        self._ticket_url = ticket_url.rstrip("/")

    async def target(self, host_id: UUID, authorization: str | None) -> TerminalTarget:
        service = "adapter gateway"
        answer = await call_service(
            self._client,
            "GET",
            f"{self._adapter_url}/api/internal/hosts/{host_id}/terminal",
            service=service,
            authorization=authorization,
            timeout=TIMEOUT_SECONDS,
            on_404=host_not_mapped(),
        )
        return decoded(answer, TerminalTarget, service)  # type: ignore[no-any-return]

    async def record_opening(
        self, ticket_id: UUID, opening: TerminalOpenedRequest, authorization: str | None
    ) -> TerminalOpened:
        service = "ticket service"
        answer = await call_service(
            self._client,
            "POST",
            f"{self._ticket_url}/api/v1/tickets/{ticket_id}/terminal-access",
            service=service,
            authorization=authorization,
            body=opening,
            timeout=TIMEOUT_SECONDS,
        )
        return decoded(answer, TerminalOpened, service)  # type: ignore[no-any-return]
