"""`GET /api/internal/hosts/{id}/status`: the host's Prometheus asked over HTTP (a small
server of this test answering like Prometheus's `/api/v1/query`)."""

import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import aio_pika
import pytest
import pytest_asyncio

from kohub_contracts.enums import AdapterType

from .conftest import PROBLEM, auth, host_state, publish_host, until_mapped

INSTANCE = re.compile(r'instance="([^"]+)"')


class FakePrometheus:
    """Answers `up{instance="…"}` by the instance's prefix: up-, down-, none-, broken-."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path != "/api/v1/query":
                    self._answer(404, {"status": "error", "error": "not found"})
                    return
                query = parse_qs(url.query)["query"][0]
                fake.queries.append(query)
                match = INSTANCE.search(query)
                instance = match.group(1) if match else ""
                if instance.startswith("broken-"):
                    self._answer(503, {"status": "error", "error": "unavailable"})
                    return
                value = {"up-": "1", "down-": "0"}.get(instance[: instance.find("-") + 1])
                metric = {"__name__": "up", "instance": instance, "job": "node"}
                result = [{"metric": metric, "value": [time.time(), value]}] if value else []
                self._answer(
                    200, {"status": "success", "data": {"resultType": "vector", "result": result}}
                )

            def _answer(self, status: int, body: Any) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture(scope="module")
def prometheus() -> Iterator[FakePrometheus]:
    fake = FakePrometheus()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest_asyncio.fixture(scope="module")
async def hosts(client, oidc, amqp_url, prometheus) -> dict[str, tuple[uuid.UUID, str]]:
    """Hosts known to the gateway through `host.created`, by what their Prometheus says."""
    org = str(uuid.uuid4())
    made: dict[str, tuple[uuid.UUID, str]] = {}
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        for kind in ("up", "down", "none", "broken", "unreachable"):
            instance = f"{kind}-{uuid.uuid4().hex[:6]}:9100"
            url = f"http://127.0.0.1:{closed_port()}" if kind == "unreachable" else prometheus.url
            config = {"matchers": {"instance": instance}, "url": url}
            state = host_state(
                org_id=org, name=f"{kind}-host", adapters=[(AdapterType.PROMETHEUS, config)]
            )
            await publish_host(channel, state)
            made[kind] = (state.host_id, instance)
        kuma = host_state(
            org_id=org,
            name="kuma-only",
            adapters=[(AdapterType.UPTIME_KUMA, {"sourceId": str(uuid.uuid4()), "monitorId": "9"})],
        )
        await publish_host(channel, kuma)
        made["kuma-only"] = (kuma.host_id, "")
    finally:
        await connection.close()
    for host_id, _ in made.values():
        await until_mapped(client, oidc, host_id)
    return made


@pytest.mark.parametrize(("kind", "status"), [("up", "UP"), ("down", "DOWN"), ("none", "UNKNOWN")])
async def test_prometheus_says_how_the_host_is(client, oidc, hosts, prometheus, kind, status):
    host_id, instance = hosts[kind]
    r = await client.get(
        f"/api/internal/hosts/{host_id}/status", headers=auth(oidc, "msp-operator")
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["status"] == status
    assert answer["adapter"] == "prometheus"
    assert answer["checkedAt"]
    assert f'up{{instance="{instance}"}}' in answer["message"]
    assert f'up{{instance="{instance}"}}' in prometheus.queries


@pytest.mark.parametrize("kind", ["unreachable", "broken"])
async def test_a_prometheus_that_does_not_answer_is_502(client, oidc, hosts, kind) -> None:
    host_id, _ = hosts[kind]
    r = await client.get(
        f"/api/internal/hosts/{host_id}/status", headers=auth(oidc, "msp-operator")
    )
    assert r.status_code == 502, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["type"] == "urn:kohub:problem:tool-unavailable"


async def test_an_unknown_host_is_404(client, oidc) -> None:
    r = await client.get(
        f"/api/internal/hosts/{uuid.uuid4()}/status", headers=auth(oidc, "msp-operator")
    )
    assert r.status_code == 404, r.text
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_a_host_whose_tools_cannot_be_asked_is_409(client, oidc, hosts) -> None:
    host_id, _ = hosts["kuma-only"]
    r = await client.get(
        f"/api/internal/hosts/{host_id}/status", headers=auth(oidc, "msp-operator")
    )
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["type"] == "urn:kohub:problem:no-status-source"


@pytest.mark.parametrize("role", ["customer", "customer-admin"])
async def test_the_status_query_is_for_operators(client, oidc, hosts, role) -> None:
    host_id, _ = hosts["up"]
    r = await client.get(
        f"/api/internal/hosts/{host_id}/status", headers=auth(oidc, role, str(uuid.uuid4()))
    )
    assert r.status_code == 403
    assert (await client.get(f"/api/internal/hosts/{host_id}/status")).status_code == 401
