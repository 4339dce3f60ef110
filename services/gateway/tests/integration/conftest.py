"""The gateway in front of small stand-in services (uvicorn on loopback threads) that echo
what reached them or answer the dashboard's shapes; an owner that is down is a closed port."""

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from litestar.testing import AsyncTestClient

from kohub_gateway.app import create_app
from kohub_gateway.bootstrap import bootstrap
from kohub_gateway.settings import GatewaySettings
from kohub_platform.settings import SERVICE_PORTS, ServiceSettings
from kohub_platform.testing import migrate
from kohub_platform.waiting import wait_for

SERVICE_DIR = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC).isoformat()
TICKET_STATS = {
    "byStatus": {"NEW": 3, "RECEIVED": 1, "RESOLVED": 2}, "openByPriority": {"CRITICAL": 1},
    "openedToday": 2, "resolvedToday": 1, "openedInPeriod": 6, "resolvedInPeriod": 2,
    "periodDays": 7, "since": NOW, "todaySince": NOW, "mttaSeconds": 90.0, "mttrSeconds": 3600.0,
}  # fmt: skip
HOST_STATS = {
    "total": 4,
    "byStatus": {"ACTIVE": 3, "INACTIVE": 1, "MAINTENANCE": 0},
    "byCurrentStatus": {"UP": 2, "DOWN": 1, "PENDING": 0, "MAINTENANCE": 0, "UNKNOWN": 0},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stand_in(name: str):
    """An ASGI app answering like service `name`: stats shapes, else an echo of the request
    (`x-echo-status` sets the status, `x-echo-delay` delays the answer, `x-echo-bytes: N`
    answers N bytes with a Content-Length)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        await asyncio.sleep(float(headers.get("x-echo-delay", "0")))
        status = int(headers.get("x-echo-status", "200"))
        if "x-echo-bytes" in headers:
            sized = b"k" * int(headers["x-echo-bytes"])
            length = str(len(sized)).encode()
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-length", length)]})  # fmt: skip
            await send({"type": "http.response.body", "body": sized})
            return
        if scope["path"] == "/api/v1/tickets/stats":
            answer: Any = TICKET_STATS
        elif scope["path"] == "/api/v1/hosts/stats":
            answer = HOST_STATS
        else:
            answer = {
                "service": name,
                "method": scope["method"],
                "path": scope["path"],
                "query": scope["query_string"].decode(),
                "headers": headers,
                "body": body.decode(errors="replace"),
            }
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"etag", b'"v7"')],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(answer).encode()})

    return app


class StandIn:
    def __init__(self, name: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            stand_in(name), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "StandIn":
        self.thread.start()
        wait_for(
            lambda: self.server.started,
            timeout=10,
            message="stand-in did not start",
            interval=0.02,
            error=RuntimeError,
        )
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def owners() -> Iterator[dict[str, StandIn]]:
    running = {name: StandIn(name).start() for name in ("ticket", "host", "adapter")}
    yield running
    for stand in running.values():
        stand.stop()


@pytest_asyncio.fixture(scope="session")
async def gateway_database(database_factory) -> str:
    url = await database_factory("gateway")
    migrate(SERVICE_DIR, url)
    return url


def gateway_settings(oidc: Any, urls: dict[str, str], database_url: str) -> ServiceSettings:
    return ServiceSettings(
        service="gateway",
        database_url=database_url,
        amqp_url="amqp://unused/",
        oidc=oidc.settings,
        service_urls={**{n: f"http://127.0.0.1:{p}" for n, p in SERVICE_PORTS.items()}, **urls},
    )


@pytest_asyncio.fixture(scope="session")
async def client(owners, oidc, gateway_database):
    urls = {name: s.url for name, s in owners.items()}
    settings = gateway_settings(oidc, urls, gateway_database)
    service = bootstrap(settings, gateway=GatewaySettings(timeout_seconds=1.0))
    async with AsyncTestClient(app=create_app(settings, service)) as client:
        yield client


@pytest_asyncio.fixture(scope="session")
async def host_down_client(owners, oidc, gateway_database):
    """The host service away (a port nobody listens on), the others up."""
    urls = {name: s.url for name, s in owners.items()} | {"host": f"http://127.0.0.1:{free_port()}"}
    settings = gateway_settings(oidc, urls, gateway_database)
    service = bootstrap(settings, gateway=GatewaySettings(dashboard_timeout_seconds=0.5))
    async with AsyncTestClient(app=create_app(settings, service)) as client:
        yield client
