"""The host's status as its tools see it now, asked of the adapter gateway
(`GET /api/internal/hosts/{id}/status`, STATUS_QUERY), with a short timeout. Any failure —
the gateway or the tool down, slow, or no adapter that can answer — gives None, and the
caller answers with the last observed status instead."""

from uuid import UUID

import httpx
import msgspec
import structlog

from kohub_contracts.hosts import CurrentStatus

log = structlog.get_logger("kohub.live-status")


class AdapterGatewayStatus:
    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._base_url = base_url.rstrip("/")

    async def __call__(self, host_id: UUID, authorization: str | None) -> CurrentStatus | None:
        headers = {"Authorization": authorization} if authorization else {}
        url = f"{self._base_url}/api/internal/hosts/{host_id}/status"
        try:
            response = await self._client.get(url, headers=headers)
        except httpx.HTTPError as exc:
            log.info("live status unavailable", host_id=str(host_id), error=type(exc).__name__)
            return None
        if response.status_code != 200:
            # 409: no adapter of the host can answer; 404: not mapped yet; 5xx: tool down
            return None
        try:
            return msgspec.json.decode(response.content, type=CurrentStatus)
        except msgspec.DecodeError:
            return None
