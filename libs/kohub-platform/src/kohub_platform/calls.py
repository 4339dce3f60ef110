"""Calls from one kohub service to another over HTTP, as the caller (their token passed on):
a problem the other service answers is passed on as it was (`UpstreamProblem`, its status and
type), one that cannot be reached is a 502 and one too slow a 504."""

from typing import Any

import httpx
import msgspec

from kohub_platform.errors import UpstreamProblem


async def call_service(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    service: str,
    authorization: str | None,
    body: Any = None,
    timeout: float | None = None,
) -> httpx.Response:
    """`body` is encoded as JSON (a msgspec Struct or plain data); the answer is returned
    when it is 2xx."""
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    content = msgspec.json.encode(body) if body is not None else None
    options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    try:
        answer = await client.request(method, url, content=content, headers=headers, **options)
    except httpx.TimeoutException:
        detail = f"The {service} did not answer in time."
        raise UpstreamProblem(504, "gateway-timeout", detail) from None
    except httpx.HTTPError:
        raise UpstreamProblem(502, "bad-gateway", f"The {service} is not reachable.") from None
    if not answer.is_success:
        raise UpstreamProblem.from_answer(answer.status_code, answer.content, service)
    return answer


def decoded(answer: httpx.Response, kind: type[Any], service: str) -> Any:
    """The answer as `kind`; an answer of another shape is the other service's fault (502)."""
    try:
        return msgspec.json.decode(answer.content, type=kind)
    except msgspec.DecodeError as exc:
        raise UpstreamProblem(502, "bad-gateway", f"The {service} answered: {exc}") from None
