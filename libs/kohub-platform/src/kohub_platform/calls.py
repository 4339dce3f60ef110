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
    on_404: UpstreamProblem | None = None,
) -> httpx.Response:
    """`body` is encoded as JSON (a msgspec Struct or plain data); the answer is returned
    when it is 2xx. `on_404` is raised instead of the other's 404, when its 404 means
    something else to our caller (not *their* resource missing)."""
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
    if answer.status_code == 404 and on_404 is not None:
        raise on_404
    if not answer.is_success:
        raise UpstreamProblem.from_answer(answer.status_code, answer.content, service)
    return answer


def decoded(answer: httpx.Response, kind: type[Any], service: str) -> Any:
    """The answer as `kind`; an answer of another shape is the other service's fault (502)."""
    try:
        return msgspec.json.decode(answer.content, type=kind)
    except msgspec.DecodeError as exc:
        raise UpstreamProblem(502, "bad-gateway", f"The {service} answered: {exc}") from None


def host_not_mapped() -> UpstreamProblem:
    """The adapter gateway's 404 for a host: it has not learned of it yet (host events)."""
    return UpstreamProblem(
        409,
        "host-not-mapped",
        "The adapter gateway does not know this host yet (its host events may still be on "
        "their way); try again shortly.",
    )
