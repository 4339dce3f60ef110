"""Calls to the owning services over one pooled httpx client: the caller's `Authorization`
and language passed on, the request id and W3C trace context propagated."""

import re
import secrets
from typing import Any

import httpx
from litestar import Request

from kohub_gateway.application.dashboard import Fetched
from kohub_gateway.routing import SERVICE_NAMES
from kohub_platform.logs import current_correlation_id

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
# Hop-by-hop headers (RFC 9110 §7.6.1) and what httpx sets itself.
HOP_BY_HOP = frozenset(
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "host", "content-length",
    }
)  # fmt: skip


def child_traceparent(incoming: str | None) -> str:
    """The caller's trace with a new span of ours (a new trace when there is none)."""
    match = _TRACEPARENT.match((incoming or "").strip().lower())
    trace_id, flags = (match.group(1), match.group(3)) if match else (secrets.token_hex(16), "01")
    if trace_id == "0" * 32:
        trace_id = secrets.token_hex(16)
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"


def forwarded_headers(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The request's end-to-end headers, plus who asked and the ids that follow it."""
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    state = request.scope.get("state", {})
    if request_id := state.get("request_id"):
        headers["x-request-id"] = request_id
    if correlation_id := current_correlation_id():
        headers["x-correlation-id"] = correlation_id
    headers["traceparent"] = child_traceparent(request.headers.get("traceparent"))
    client = request.client.host if request.client else None
    if client:
        earlier = request.headers.get("x-forwarded-for")
        headers["x-forwarded-for"] = f"{earlier}, {client}" if earlier else client
    headers["x-forwarded-proto"] = request.url.scheme
    headers["x-forwarded-host"] = request.headers.get("host", "")
    return headers


class HttpOwners:
    """The dashboard's `Owners`: GET a part with the caller's headers within its limit."""

    def __init__(
        self, http: httpx.AsyncClient, urls: dict[str, str], headers: dict[str, str], timeout: float
    ) -> None:
        self._http, self._urls, self._headers, self._timeout = http, urls, headers, timeout

    async def get(self, owner: str, path: str, params: dict[str, Any]) -> Fetched:
        name = SERVICE_NAMES.get(owner, owner)
        try:
            response = await self._http.get(
                self._urls[owner] + path,
                params=params,
                headers=self._headers,
                timeout=self._timeout,
            )
        except httpx.TimeoutException:
            return Fetched(failure=f"the {name} did not answer in {self._timeout:g} s")
        except httpx.HTTPError:
            return Fetched(failure=f"the {name} is not reachable")
        if response.status_code != 200:
            return Fetched(status=response.status_code)
        return Fetched(body=response.content, status=200)
