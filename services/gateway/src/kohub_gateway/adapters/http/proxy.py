"""`/api/v1/*` to the owning service: the request streamed through, the answer streamed
back. An owner that cannot be reached answers 502, one too slow 504, as problems.

The proxy is a raw ASGI mount, not a request handler: the app's middleware (request ids,
access log, metrics, Bearer authentication) still runs, but no Request or Response object
is built for a call that is only passed on — on the ticket list that halves the gateway's
cost per request (bench/gateway_bench.py). The gateway's own `/api/v1/dashboard/*` routes
are more specific than the mount and win.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import structlog
from litestar import Request, asgi
from litestar.datastructures import State
from litestar.types import Receive, Scope, Send

from kohub_gateway.adapters.http.upstream import HOP_BY_HOP, forwarded_headers
from kohub_gateway.bootstrap import GatewayService
from kohub_gateway.routing import SERVICE_NAMES, owner_of
from kohub_platform.errors import NotFound, ProblemError
from kohub_platform.paths import client_path

log = structlog.get_logger("kohub.proxy")
BUFFERED_BYTES = 256 * 1024
MAX_BODY_BYTES = 20_000_000
"""The largest request body passed on (uploaded terminal recordings are the largest)."""
TOO_LARGE = f"The request body is larger than {MAX_BODY_BYTES:,} bytes."
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
_DROPPED = frozenset(name.encode() for name in HOP_BY_HOP - {"content-length"})


class OwnerUnreachable(ProblemError):
    status, type_name = 502, "bad-gateway"


class OwnerTimedOut(ProblemError):
    status, type_name = 504, "gateway-timeout"


class ClientGone(Exception):
    """The client went away before its request body was whole."""


class BodyTooLarge(ProblemError):
    status, type_name = 413, "payload-too-large"


def gateway_service(request: Request[Any, Any, State]) -> GatewayService:
    service: GatewayService = request.app.state.gateway_service
    return service


@asgi("/api/v1", is_mount=True, copy_scope=True, include_in_schema=False)
async def proxy(scope: Scope, receive: Receive, send: Send) -> None:
    """Everything under /api/v1 that the gateway does not answer itself."""
    path = client_path(scope)
    owner = owner_of(path) if scope["type"] == "http" else None
    if owner is None:
        raise NotFound("No such API path.")
    service: GatewayService = scope["app"].state.gateway_service
    method = scope["method"]
    if int(_header(scope, b"content-length") or 0) > MAX_BODY_BYTES:
        raise BodyTooLarge(TOO_LARGE)
    query = scope.get("query_string", b"")
    body = RequestBody(receive)
    upstream = service.http.build_request(
        method,
        service.urls[owner] + path + ("?" + query.decode("latin-1") if query else ""),
        headers=forwarded_headers(scope),
        content=body if method in WITH_BODY else None,
        timeout=service.gateway.timeouts(method, path),
    )
    name = SERVICE_NAMES[owner]
    try:
        answer = await service.http.send(upstream, stream=True)
    except httpx.HTTPError as exc:
        if body.too_large:  # the client library reports the aborted upload as its own error
            raise BodyTooLarge(TOO_LARGE) from None
        if body.client_gone:  # nobody to answer
            return
        raise _failed(exc, name) from None
    try:
        # the answer's bytes pass as they came (still encoded), so its length holds
        headers = [(k, v) for k, v in answer.headers.raw if k.lower() not in _DROPPED]
        start = {"type": "http.response.start", "status": answer.status_code, "headers": headers}
        length = answer.headers.get("content-length")
        if length is not None and int(length) <= BUFFERED_BYTES:
            # most answers are small JSON: relaying them whole costs less than a stream
            try:
                whole = b"".join([chunk async for chunk in answer.aiter_raw()])
            except httpx.HTTPError as exc:
                raise _failed(exc, name) from None
            await send(start)
            await send({"type": "http.response.body", "body": whole})
            return
        await send(start)
        try:
            async for chunk in answer.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except httpx.HTTPError as exc:
            # begun, so no problem can follow: the client sees the answer cut short
            log.warning("answer cut short", owner=owner, error=type(exc).__name__)
            return
        await send({"type": "http.response.body", "body": b""})
    finally:
        await answer.aclose()


def _failed(exc: httpx.HTTPError, name: str) -> ProblemError:
    if isinstance(exc, httpx.TimeoutException):
        return OwnerTimedOut(f"The {name} did not answer in time.")
    return OwnerUnreachable(f"The {name} is not reachable.")


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope["headers"] if k == name), None)


class RequestBody:
    """The request body as it arrives, refused past MAX_BODY_BYTES (a chunked upload has no
    length to check beforehand)."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.too_large = False
        self.client_gone = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":  # mid-upload: the owner must not
                self.client_gone = True  # take what came as the whole body
                raise ClientGone()
            if chunk := message.get("body"):
                seen += len(chunk)
                if seen > MAX_BODY_BYTES:
                    self.too_large = True
                    raise BodyTooLarge(TOO_LARGE)
                yield chunk
            if not message.get("more_body"):
                return
