"""The webhook endpoints: authenticate the source, store the request, answer 202.

They are outside Bearer-JWT authentication: a monitoring tool proves itself with its
source's token (`Authorization: Bearer`, or Basic with the token as password for
Alertmanager's `basic_auth`) or, for Grafana, with its HMAC signature. Every failure is
the same bare 401, so a caller learns nothing about which sources exist.
"""

import base64
from typing import Any, ClassVar

import msgspec
from litestar import Controller, Request, Response, post
from litestar.datastructures import State

from kohub_adapter.adapters.http.support import adapter_service
from kohub_adapter.application.ingest import PayloadRejected, receive_webhook
from kohub_adapter.application.ports import ReceivedRequest
from kohub_adapter.bootstrap import AdapterService
from kohub_adapter.domain.sources import WebhookSource
from kohub_contracts.alerts import WebhookAccepted
from kohub_contracts.enums import AdapterType
from kohub_platform.errors import ProblemError, Unauthorized

SIGNATURE_HEADER = "x-grafana-alerting-signature"
# Grafana has no default timestamp header name; its provisioning docs use the first.
TIMESTAMP_HEADERS = ("x-grafana-alerting-signature-timestamp", "x-grafana-alerting-timestamp")
SECRET_HEADER_PARTS = ("authorization", "cookie", "signature", "token", "secret", "api-key")
REJECTED = "The webhook credentials were not accepted."


class TooManyRequests(Exception):
    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class UnreadablePayload(ProblemError):
    status, type_name = 422, "unprocessable-payload"


class NotJson(ProblemError):
    status, type_name = 400, "malformed-payload"


def stored_headers(request: Request[Any, Any, State]) -> dict[str, str]:
    """The request headers without anything that proves identity."""
    return {
        name: value
        for name, value in request.headers.items()
        if not any(part in name.lower() for part in SECRET_HEADER_PARTS)
    }


def _credential(request: Request[Any, Any, State], adapter_type: AdapterType) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and adapter_type is not AdapterType.UPTIME_KUMA:
        try:
            _, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except ValueError:  # binascii.Error, non-ASCII input, UnicodeDecodeError
            return None
        return password or None
    return None


async def _authenticate(
    request: Request[Any, Any, State],
    service: AdapterService,
    adapter_type: AdapterType,
    body: bytes,
) -> WebhookSource:
    source: WebhookSource | None = None
    token = _credential(request, adapter_type)
    if token is not None:
        source = await service.sources.by_token(token)
    elif adapter_type is AdapterType.GRAFANA and SIGNATURE_HEADER in request.headers:
        timestamp = next(
            (request.headers[h] for h in TIMESTAMP_HEADERS if h in request.headers), ""
        )
        source = await service.sources.signed_by(
            adapter_type, request.headers[SIGNATURE_HEADER], timestamp, body, service.clock()
        )
    if source is None or source.adapter_type is not adapter_type:
        raise Unauthorized(REJECTED)
    return source


async def _receive(request: Request[Any, Any, State], adapter_type: AdapterType) -> Response[Any]:
    service = adapter_service(request)
    body = await request.body()
    source = await _authenticate(request, service, adapter_type, body)
    wait = service.rate_limiter.retry_after(source.id, source.rate_limit_per_minute)
    if wait is not None:
        raise TooManyRequests(
            f"This source may send {source.rate_limit_per_minute} requests a minute.", wait
        )
    try:
        record = await receive_webhook(
            source,
            ReceivedRequest(
                adapter_type=adapter_type,
                body=body,
                content_type=request.headers.get("content-type"),
                headers=stored_headers(request),
                received_at=service.clock(),
            ),
            registry=service.registry,
            host_map=await service.host_map.current(),
            store=service.ingest,
            locale=service.settings.locale,
        )
    except PayloadRejected as exc:
        error = NotJson if _not_json(body, request) else UnreadablePayload
        raise error(exc.reason, adapterEventId=str(exc.adapter_event_id)) from exc
    accepted = WebhookAccepted(
        adapter_event_id=record.adapter_event_id,
        alerts=len(record.published) + len(record.unrouted),
        status=record.status,
    )
    return Response(msgspec.json.encode(accepted), status_code=202, media_type="application/json")


def _not_json(body: bytes, request: Request[Any, Any, State]) -> bool:
    if "multipart/" in request.headers.get("content-type", ""):
        return False
    try:
        msgspec.json.decode(body)
    except msgspec.DecodeError:
        return True
    return False


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags: ClassVar[list[str]] = ["webhooks"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"webhookToken": []}]

    @post("/uptime-kuma", summary="Uptime Kuma notification (JSON or form-data)")
    async def uptime_kuma(self, request: Request[Any, Any, State]) -> Response[Any]:
        """`Authorization: Bearer <source token>` (Uptime Kuma's additional headers)."""
        return await _receive(request, AdapterType.UPTIME_KUMA)

    @post("/prometheus", summary="Alertmanager webhook (v4)")
    async def prometheus(self, request: Request[Any, Any, State]) -> Response[Any]:
        """Alertmanager `http_config`: `authorization` (Bearer) or `basic_auth` with the
        source token as password."""
        return await _receive(request, AdapterType.PROMETHEUS)

    @post("/grafana", summary="Grafana alerting webhook")
    async def grafana(self, request: Request[Any, Any, State]) -> Response[Any]:
        """Bearer token, or Grafana's HMAC signature (`X-Grafana-Alerting-Signature`, hex
        HMAC-SHA256 of `timestamp:body`, timestamp header
        `X-Grafana-Alerting-Signature-Timestamp`, ±5 minutes)."""
        return await _receive(request, AdapterType.GRAFANA)
