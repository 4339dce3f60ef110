"""End to end: the services started as their own processes (ticket, host, adapter gateway, integration),
each on its own database and all on one vhost, driven over HTTP and AMQP."""

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from amqp_proxy import AmqpProxy

from kohub_platform.testing import eventually, migrate, run_vhost

ROOT = Path(__file__).resolve().parents[2]
SERVICE_DIRS = {
    "ticket": "services/ticket",
    "host": "services/host",
    "adapter": "services/adapter-gateway",
    "integration": "services/integration",
    "gateway": "services/gateway",
}

pytest_plugins = ["kohub_platform.testing"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Chosen up front so each service is told where the others are (KOHUB_<SERVICE>_URL).
def distinct_ports(count: int) -> list[int]:
    """`count` free ports, all different: the sockets stay open until every port is chosen
    (one free_port() after another may hand out the same port twice)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


# Both sets of services (see below) get their ports here, at once, so none is shared.
_PORTS = distinct_ports(2 * len(SERVICE_DIRS) + 1)
PORTS = dict(zip(SERVICE_DIRS, _PORTS[: len(SERVICE_DIRS)], strict=True))


class ServiceProcess:
    def __init__(self, name: str, env: dict[str, str], port: int, log: Path) -> None:
        self.name, self.env, self.port, self.log = name, env, port, log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}"

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own entry point
                [sys.executable, "-c", f"from kohub_{self.name}.app import main; main()"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

        async def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"service exited: {self.log.read_text()[-2000:]}")
            try:
                async with httpx.AsyncClient() as client:
                    return (await client.get(f"{self.url}/ready")).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(ready, timeout=30, interval=0.1)

    def stop_if_running(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.stop()

    def stop(self) -> int:
        assert self.process is not None
        self.process.terminate()
        return self.process.wait(timeout=30)


async def started(
    name: str,
    database_factory,
    amqp_url,
    oidc,
    tmp_path_factory,
    *,
    label: str = "",
    ports: dict[str, int] | None = None,
    **extra_env: str,
):
    """The service `name` as its own process, on its own migrated database. `label` and
    `ports` start a second, separate set of the services (its own databases, logs and ports)."""
    ports = ports or PORTS
    ident = f"{label}_{name}" if label else name
    service_dir = ROOT / SERVICE_DIRS[name]
    url = ""
    if (service_dir / "migrations").is_dir():
        url = await database_factory(f"e2e_{ident}")
        migrate(service_dir, url)
    env = {
        **os.environ,
        "KOHUB_DATABASE_URL": url,
        "KOHUB_AMQP_URL": amqp_url,
        "KOHUB_OIDC_ISSUER": oidc.issuer,
        "KOHUB_OIDC_JWKS_URL": oidc.jwks_url,
        "KOHUB_OIDC_AUDIENCE": oidc.audience,
        "PORT": str(ports[name]),
        **{
            f"KOHUB_{other.upper()}_URL": f"http://127.0.0.1:{port}"
            for other, port in ports.items()
        },
        **extra_env,
    }
    log = tmp_path_factory.mktemp("e2e") / f"{ident}.log"
    service = ServiceProcess(name, env, int(env["PORT"]), log)
    await service.start()
    return service


@pytest_asyncio.fixture(scope="session")
async def ticket_service(database_factory, amqp_url, oidc, tmp_path_factory):
    service = await started("ticket", database_factory, amqp_url, oidc, tmp_path_factory)
    yield service
    service.stop_if_running()


@pytest_asyncio.fixture(scope="session")
async def host_service(database_factory, amqp_url, oidc, tmp_path_factory):
    service = await started("host", database_factory, amqp_url, oidc, tmp_path_factory)
    yield service
    service.stop_if_running()


@pytest_asyncio.fixture(scope="session")
async def adapter_service(database_factory, amqp_url, oidc, tmp_path_factory):
    service = await started("adapter", database_factory, amqp_url, oidc, tmp_path_factory)
    yield service
    service.stop_if_running()


@pytest_asyncio.fixture(scope="session")
async def integration_broker(amqp_url):
    """The integration service reaches RabbitMQ through this proxy, so a test can take the
    broker away from it alone."""
    proxy = AmqpProxy(amqp_url)
    await proxy.start()
    yield proxy
    await proxy.close()


@pytest_asyncio.fixture(scope="session")
async def integration_service(
    database_factory, integration_broker, oidc, tmp_path_factory, ticket_service
):
    # the ticket service first: it declares the topology the bridge's events travel on
    service = await started(
        "integration", database_factory, integration_broker.url, oidc, tmp_path_factory
    )
    yield service
    service.stop_if_running()


@pytest_asyncio.fixture(scope="session")
async def gateway_service(database_factory, amqp_url, oidc, tmp_path_factory):
    service = await started("gateway", database_factory, amqp_url, oidc, tmp_path_factory)
    yield service
    service.stop_if_running()


# --- A second set of the services that trusts the local identity provider (tools/idp), for
# the real-browser test of the console. Its own ports, databases, logs and vhost (two ticket
# services on one vhost would take each other's messages).

SSO_PORTS = dict(zip(SERVICE_DIRS, _PORTS[len(SERVICE_DIRS) : -1], strict=True))
IDP_PORT = _PORTS[-1]
SSO_GATEWAY_URL = f"http://127.0.0.1:{SSO_PORTS['gateway']}"


@dataclass(frozen=True)
class IdentityProvider:
    issuer: str
    jwks_url: str
    audience: str = "kohub"


@pytest.fixture(scope="session")
def sso_amqp_url():
    with run_vhost("sso") as url:
        yield url


@pytest_asyncio.fixture(scope="session")
async def idp(tmp_path_factory):
    """tools/idp (Node.js) on its own port, its console client registered for the sso gateway."""
    port = IDP_PORT
    tmp = tmp_path_factory.mktemp("idp")
    log = tmp / "idp.log"
    env = {
        **os.environ,
        "KOHUB_IDP_HOST": "127.0.0.1",
        "KOHUB_IDP_PORT": str(port),
        "KOHUB_IDP_KEY_FILE": str(tmp / "idp-signing-key.json"),
        "KOHUB_IDP_CONSOLE_ORIGINS": SSO_GATEWAY_URL,
    }
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own tool
            ["node", str(ROOT / "tools" / "idp" / "server.mjs")],  # noqa: S607
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    async def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"idp exited: {log.read_text()[-2000:]}")
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{base}/health")).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        await eventually(healthy, timeout=30, interval=0.1)
        async with httpx.AsyncClient() as client:
            issuer = (await client.get(f"{base}/health")).json()["issuer"]
        yield IdentityProvider(issuer, f"{issuer}/protocol/openid-connect/certs")
    finally:
        process.terminate()
        process.wait(timeout=30)


async def started_sso(name, database_factory, amqp_url, idp, tmp_path_factory, **extra_env):
    return await started(
        name,
        database_factory,
        amqp_url,
        idp,
        tmp_path_factory,
        label="sso",
        ports=SSO_PORTS,
        **extra_env,
    )


@pytest_asyncio.fixture(scope="session")
async def sso_ticket_service(database_factory, sso_amqp_url, idp, tmp_path_factory):
    service = await started_sso("ticket", database_factory, sso_amqp_url, idp, tmp_path_factory)
    yield service
    service.stop_if_running()


@pytest_asyncio.fixture(scope="session")
async def sso_host_service(database_factory, sso_amqp_url, idp, tmp_path_factory):
    service = await started_sso("host", database_factory, sso_amqp_url, idp, tmp_path_factory)
    yield service
    service.stop_if_running()


@pytest_asyncio.fixture(scope="session")
async def sso_adapter_service(database_factory, sso_amqp_url, idp, tmp_path_factory):
    service = await started_sso("adapter", database_factory, sso_amqp_url, idp, tmp_path_factory)
    yield service
    service.stop_if_running()


@pytest_asyncio.fixture(scope="session")
async def sso_gateway_service(
    database_factory,
    sso_amqp_url,
    idp,
    tmp_path_factory,
    sso_ticket_service,
    sso_host_service,
    sso_adapter_service,
):
    service = await started_sso(
        "gateway",
        database_factory,
        sso_amqp_url,
        idp,
        tmp_path_factory,
        KOHUB_PUBLIC_URL=SSO_GATEWAY_URL,
    )
    yield service
    service.stop_if_running()
