"""`/api/v1/*` to the owning service: the request streamed through, the answer streamed
back. An owner that cannot be reached answers 502, one too slow 504, as problems."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
from litestar import Request, Response, route
from litestar.datastructures import State
from litestar.enums import HttpMethod
from litestar.response import Stream

from kohub_gateway.adapters.http.upstream import HOP_BY_HOP, forwarded_headers
from kohub_gateway.bootstrap import GatewayService
from kohub_gateway.routing import SERVICE_NAMES, owner_of
from kohub_platform.errors import problem_response

BUFFERED_BYTES = 256 * 1024
METHODS = [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE]


def gateway_service(request: Request[Any, Any, State]) -> GatewayService:
    service: GatewayService = request.app.state.gateway_service
    return service


@route("/api/v1/{path:path}", http_method=METHODS, include_in_schema=False)
async def proxy(request: Request[Any, Any, State], path: str) -> Response[Any]:
    """Everything under /api/v1 that the gateway does not answer itself."""
    owner = owner_of(request.url.path)
    if owner is None:
        return problem_response(request, 404, "not-found", "No such API path.")
    service = gateway_service(request)
    name = SERVICE_NAMES[owner]
    query = request.scope.get("query_string", b"").decode("latin-1")
    upstream = service.http.build_request(
        request.method,
        service.urls[owner] + request.url.path + (f"?{query}" if query else ""),
        headers=forwarded_headers(request),
        content=_body(request) if request.method in ("POST", "PUT", "PATCH") else None,
    )
    try:
        answer = await service.http.send(upstream, stream=True)
    except httpx.TimeoutException:
        return problem_response(
            request, 504, "gateway-timeout", f"The {name} did not answer in time."
        )
    except httpx.HTTPError:
        return problem_response(request, 502, "bad-gateway", f"The {name} is not reachable.")
    headers = {
        k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP | {"content-type"}
    }
    media_type = answer.headers.get("content-type")
    length = answer.headers.get("content-length")
    if length is not None and int(length) <= BUFFERED_BYTES:
        # most answers are small JSON: relaying them whole costs less than a stream
        try:
            body = await answer.aread()
        finally:
            await answer.aclose()
        return Response(
            body, status_code=answer.status_code, headers=headers, media_type=media_type
        )
    return Stream(
        _relayed(answer),
        status_code=answer.status_code,
        headers=headers,
        media_type=media_type,
    )


async def _body(request: Request[Any, Any, State]) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        yield chunk


async def _relayed(answer: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in answer.aiter_raw():
            yield chunk
    finally:
        await answer.aclose()
