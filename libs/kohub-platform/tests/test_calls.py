"""Calls to another service: its problems passed on as they were, its absence a 502/504."""

import json

import httpx
import pytest

from kohub_platform.calls import call_service, host_not_mapped
from kohub_platform.errors import UpstreamProblem


def client(answer: httpx.Response | Exception) -> httpx.AsyncClient:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer t"
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


async def call(answer: httpx.Response | Exception, **options) -> httpx.Response:
    return await call_service(
        client(answer), "POST", "http://other/x", service="other service",
        authorization="Bearer t", body={"a": 1}, **options,
    )  # fmt: skip


async def test_the_others_problem_goes_on_with_its_members() -> None:
    problem = {
        "type": "urn:kohub:problem:terminal-recording-too-large", "status": 422,
        "detail": "too big", "sessionId": "7", "limitBytes": 5, "requestId": "theirs",
    }  # fmt: skip
    with pytest.raises(UpstreamProblem) as raised:
        await call(httpx.Response(422, content=json.dumps(problem).encode()))
    exc = raised.value
    assert (exc.status, exc.type_name, exc.detail) == (
        422,
        "terminal-recording-too-large",
        "too big",
    )
    assert exc.extensions == {"sessionId": "7", "limitBytes": 5}


@pytest.mark.parametrize(
    ("answer", "status", "kind"),
    [
        (httpx.Response(404, json={"type": "about:blank", "detail": "x"}), 404, "not-found"),
        (httpx.Response(500, content=b"<html>"), 502, "bad-gateway"),
        (httpx.ConnectError("refused"), 502, "bad-gateway"),
        (httpx.ReadTimeout("slow"), 504, "gateway-timeout"),
    ],
)
async def test_what_the_caller_is_told(answer, status: int, kind: str) -> None:
    with pytest.raises(UpstreamProblem) as raised:
        await call(answer)
    assert (raised.value.status, raised.value.type_name) == (status, kind)


async def test_a_404_that_means_something_else_to_our_caller() -> None:
    with pytest.raises(UpstreamProblem) as raised:
        await call(httpx.Response(404, json={"detail": "no host"}), on_404=host_not_mapped())
    assert (raised.value.status, raised.value.type_name) == (409, "host-not-mapped")
    assert (await call(httpx.Response(201, json={"ok": True}))).json() == {"ok": True}
