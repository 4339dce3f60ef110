"""A pytest plugin for kohub's integration tests: real PostgreSQL databases and a real
RabbitMQ vhost created for the run and removed after it, and a real JWKS endpoint.

Enable it with `pytest_plugins = ["kohub_platform.testing"]`.
"""

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import pytest
import pytest_asyncio

from kohub_platform.devtokens import SigningKey, jwks_document, realm_claims
from kohub_platform.settings import OidcSettings

PG_ADMIN_URL = os.environ.get("KOHUB_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("KOHUB_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
RUN_ID = uuid.uuid4().hex[:8]


async def create_database(name: str) -> str:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def migrate(service_dir: Path, database_url: str) -> None:
    """Run a service's Alembic migrations to head on `database_url`."""
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=service_dir,
        env={**os.environ, "KOHUB_DATABASE_URL": database_url},
        check=True,
        capture_output=True,
    )


def _rabbitmqctl(*args: str) -> None:
    exe = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([exe, "-q", *args], check=True, capture_output=True, timeout=60)  # noqa: S603


@contextlib.contextmanager
def run_vhost(suffix: str = "") -> Iterator[str]:
    """A vhost of this test run (`kohub-test-<run>[-suffix]`), deleted with everything in
    it afterwards; yields its AMQP URL."""
    vhost = f"kohub-test-{RUN_ID}" + (f"-{suffix}" if suffix else "")
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    try:
        yield f"{AMQP_BASE.rstrip('/')}/{quote(vhost, safe='')}"
    finally:
        _rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    """A vhost of this test run, deleted (with everything in it) afterwards."""
    with run_vhost() as url:
        yield url


@pytest_asyncio.fixture(scope="session")
async def database_factory() -> AsyncIterator[Any]:
    """Create throwaway databases named after this run; all are dropped at the end."""
    created: list[str] = []

    async def make(label: str) -> str:
        name = f"kohub_test_{RUN_ID}_{label}_{len(created)}"
        created.append(name)
        return await create_database(name)

    yield make
    for name in created:
        await drop_database(name)


class OidcFixture:
    """A signing key whose JWKS is served over HTTP on loopback, and tokens signed by it."""

    def __init__(self, issuer: str, audience: str, jwks_url: str, key: SigningKey) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.key = key
        self.settings = OidcSettings(issuer=issuer, audience=audience, jwks_url=jwks_url)

    def token(
        self,
        roles: list[str],
        org_id: str | None = None,
        *,
        key: SigningKey | None = None,
        **claims: Any,
    ) -> str:
        base = realm_claims(issuer=self.issuer, audience=self.audience, roles=roles, org_id=org_id)
        base.update(claims)
        return (key or self.key).sign(base)

    def hs256_confusion_token(self, roles: list[str]) -> str:
        """HMAC-SHA256 keyed with the realm's public key (the algorithm-confusion attack)."""

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.key.kid}).encode())
        claims = realm_claims(issuer=self.issuer, audience=self.audience, roles=roles)
        payload = b64(json.dumps(claims).encode())
        mac = hmac.new(self.key.public_pem(), f"{header}.{payload}".encode(), hashlib.sha256)
        return f"{header}.{payload}.{b64(mac.digest())}"

    def headers(self, roles: list[str], org_id: str | None = None, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(roles, org_id, **claims)}"}


@pytest.fixture(scope="session")
def oidc() -> Iterator[OidcFixture]:
    key = SigningKey.generate()
    body = json.dumps(jwks_document(key)).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path.endswith("/certs") else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    issuer = f"http://127.0.0.1:{server.server_port}/realms/kecp-sso"
    try:
        yield OidcFixture(issuer, "kohub", f"{issuer}/protocol/openid-connect/certs", key)
    finally:
        server.shutdown()


async def eventually(check: Any, *, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll an async predicate until it returns a truthy value (no timing assertions)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
