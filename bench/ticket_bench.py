"""Ticket service benchmark: list latency and create throughput on 100,000 seeded tickets.

Runs against a throwaway database and RabbitMQ vhost (both removed at the end), with the real
app (Litestar under uvicorn, broker and outbox relay included) served in-process on loopback.
Client and server share one process and event loop, so client overhead is in the figures.
"""

import asyncio
import contextlib
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import uvicorn
from litestar import Litestar

from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus
from kohub_platform.devtokens import SigningKey, jwks_document, realm_claims
from kohub_platform.logs import configure_logging
from kohub_platform.settings import OidcSettings, ServiceSettings
from kohub_ticket.app import create_app
from kohub_ticket.application import handlers
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.commands import CreateTicket
from kohub_ticket.bootstrap import bootstrap

ROOT = Path(__file__).resolve().parents[1]
PG_BASE = "postgresql://postgres@127.0.0.1:5432"
ISSUER = "http://127.0.0.1:8080/realms/kecp-sso"
TICKETS, ORGS, YEAR = 100_000, 50, 2026
LIST_RUNS, WARMUP = 2_000, 100
CONCURRENCY, CREATE_SECONDS, CREATE_MAX = 32, 20.0, 10_000
LIST_P99_TARGET_MS, CREATE_TARGET_PER_S = 30.0, 500.0
LIST_QUERIES = ("status=IN_PROGRESS", "status=NEW&status=RECEIVED")
Result = tuple[int, float, list[float], list[str]]

SEED_TICKETS = """
INSERT INTO tickets (id, key, org_id, reporter_id, title, description, source, status,
                     priority, created_at, updated_at)
SELECT gen_random_uuid(), 'KH-' || $4::int || '-' || lpad(n::text, greatest(4, length(n::text)), '0'),
       ($1::uuid[])[1 + n % $5::int], $2, 'Bench ticket ' || n, 'Seeded by bench', 'MANUAL',
       ($3::text[])[1 + (n / $5::int) % 9], ($6::text[])[1 + (n / 7) % 4], at, at
FROM (SELECT n, now() - random() * interval '90 days' AS at
      FROM generate_series(1, $7::int) AS n) AS s
"""


def rabbitmqctl(*args: str, check: bool = True) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=check, capture_output=True, timeout=120)


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(f"{PG_BASE}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000, q[98] * 1000


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def machine() -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    return [
        f"platform: {platform.platform()} (Python {platform.python_version()})",
        f"cpu: {models[0] if models else 'unknown'}, nproc {len(os.sched_getaffinity(0))}",
    ]


async def seed(dsn: str) -> tuple[list[uuid.UUID], uuid.UUID, str]:
    orgs, reporter = [uuid.uuid4() for _ in range(ORGS)], uuid.uuid4()
    statuses, priorities = [s.value for s in TicketStatus], [p.value for p in TicketPriority]
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        await conn.executemany(
            "INSERT INTO organizations (id, name) VALUES ($1, $2)",
            [(org, f"Bench org {i}") for i, org in enumerate(orgs)],
        )
        await conn.execute(
            "INSERT INTO users (id, keycloak_id, name, roles) "
            "VALUES ($1, 'bench-seed', 'Bench reporter', '{msp-operator}')",
            reporter,
        )
        await conn.execute(SEED_TICKETS, orgs, reporter, statuses, YEAR, ORGS, priorities, TICKETS)
        # The service's own keys continue after the seeded ones instead of colliding with them.
        await conn.execute("SELECT next_ticket_number($1)", YEAR)
        await conn.execute(f"SELECT setval('ticket_number_{YEAR}', {TICKETS})")
        await conn.execute("ANALYZE")
        print(f"seeded {TICKETS:,} tickets in {time.perf_counter() - started:.1f} s")
        return orgs, reporter, await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def serve(app: Litestar) -> AsyncIterator[str]:
    """Run the app (lifespan included) under uvicorn on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()  # re-raises why the app did not start
            raise RuntimeError("uvicorn exited before the app started (see the log above)")
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


async def measure_list(client: httpx.AsyncClient, url: str) -> tuple[float, float, float]:
    for _ in range(WARMUP):
        (await client.get(url)).raise_for_status()
    samples = []
    for _ in range(LIST_RUNS):
        started = time.perf_counter()
        response = await client.get(url)
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
    page = response.json()
    print(f"  {url}: {len(page['items'])} items of total {page['total']}")
    return percentiles(samples)


async def run_workers(create: Callable[[], Awaitable[None]]) -> Result:
    """CONCURRENCY tasks call `create` until CREATE_SECONDS pass or CREATE_MAX succeed."""
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    deadline = started + CREATE_SECONDS

    async def worker() -> None:
        while time.perf_counter() < deadline and len(latencies) < CREATE_MAX:
            t0 = time.perf_counter()
            try:
                await create()
                latencies.append(time.perf_counter() - t0)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}"[:300])

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return len(latencies), time.perf_counter() - started, latencies, errors


def report_creates(label: str, result: Result) -> float:
    done, wall, latencies, errors = result
    p50, _, p99 = percentiles(latencies) if len(latencies) > 1 else (0.0, 0.0, 0.0)
    print(
        f"  {label}: {done} creates in {wall:.1f} s = {done / wall:.0f}/s "
        f"(p50 {p50:.1f} ms, p99 {p99:.1f} ms, {len(errors)} errors)"
    )
    if errors:
        print(f"    first error: {errors[0]}")
    return done / wall


async def outbox_check(dsn: str, label: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        created = await conn.fetchval("SELECT count(*) FROM tickets") - TICKETS
        rows, published = await conn.fetchrow(
            "SELECT count(*), count(published_at) FROM outbox WHERE event_type = 'ticket.created'"
        )
    finally:
        await conn.close()
    match = "one per ticket" if rows == created else "MISMATCH"
    print(
        f"  outbox after {label}: {rows} ticket.created rows for {created} created tickets "
        f"({match}); {published} published by the relay so far"
    )


async def bench(db_name: str, amqp_url: str, key: SigningKey, jwks_url: str) -> None:
    dsn = f"{PG_BASE}/{db_name}"
    orgs, reporter, pg_version = await seed(dsn)
    settings = ServiceSettings(
        service="ticket",
        database_url=dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
        amqp_url=amqp_url,
        oidc=OidcSettings(issuer=ISSUER, audience="kohub", jwks_url=jwks_url),
        locale="en",
        log_level="WARNING",
    )
    configure_logging("ticket", settings.log_level)  # keeps the per-request log off the output
    service = bootstrap(settings)
    token = key.sign(realm_claims(issuer=ISSUER, audience="kohub", roles=["msp-operator"]))
    results: list[str] = []
    async with (
        serve(create_app(settings, service)) as base_url,
        httpx.AsyncClient(
            base_url=base_url,
            timeout=60.0,
            limits=httpx.Limits(max_connections=CONCURRENCY),
            headers={"Authorization": f"Bearer {token}"},
        ) as client,
    ):
        print(f"list: {LIST_RUNS} sequential requests per query, after {WARMUP} warm-up")
        for query in LIST_QUERIES:
            url = f"/api/v1/tickets?{query}&organizationId={orgs[7]}&limit=50"
            p50, p95, p99 = await measure_list(client, url)
            results.append(
                f"list [{query}]: p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms"
                f" (target p99 < {LIST_P99_TARGET_MS:.0f} ms: {verdict(p99 < LIST_P99_TARGET_MS)})"
            )

        async def http_create() -> None:
            body = {
                "title": "Bench",
                "priority": "HIGH",
                "organizationId": str(secrets.choice(orgs)),
            }
            response = await client.post("/api/v1/tickets", json=body)
            if response.status_code != 201:
                raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")

        actor = Actor(user_id=reporter, roles=frozenset({"msp-operator"}), org_id=None)

        async def direct_create() -> None:
            org = secrets.choice(orgs)
            cmd = CreateTicket(
                actor, "Bench", "", TicketPriority.HIGH, TicketSource.MANUAL, organization_id=org
            )
            await handlers.create_ticket(cmd, service.uow(), service.clock)

        print(f"creates: {CONCURRENCY} concurrent, {CREATE_SECONDS:.0f} s or {CREATE_MAX:,} each")
        for label, create in (
            ("POST /api/v1/tickets (HTTP, returns detail)", http_create),
            ("handlers.create_ticket (direct, no HTTP)", direct_create),
        ):
            rate = report_creates(label, await run_workers(create))
            await outbox_check(dsn, label.split(" ")[0])
            target = (
                f"target >= {CREATE_TARGET_PER_S:.0f}/s: {verdict(rate >= CREATE_TARGET_PER_S)}"
            )
            if create is direct_create:
                target = "for comparison; the target is for HTTP"
            results.append(f"create {label}: {rate:.0f}/s ({target})")
    print("\n== ticket benchmark ==")
    facts = [f"postgresql: {pg_version}", f"tickets seeded: {TICKETS:,} over {ORGS} orgs"]
    print("\n".join([*machine(), *facts, *results]))


def main() -> None:
    suffix = secrets.token_hex(4)
    db_name, vhost = f"kohub_bench_{suffix}", f"kohub-bench-{suffix}"
    key = SigningKey.generate()
    with tempfile.TemporaryDirectory(prefix="kohub-bench-") as tmp:
        jwks_path = Path(tmp) / "jwks.json"
        jwks_path.write_text(json.dumps(jwks_document(key)))
        asyncio.run(admin(f'CREATE DATABASE "{db_name}"'))
        try:
            rabbitmqctl("add_vhost", vhost)
            rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
            db_url = f"{PG_BASE}/{db_name}".replace("postgresql://", "postgresql+asyncpg://", 1)
            subprocess.run(
                [sys.executable, "-m", "alembic", "upgrade", "head"],
                cwd=ROOT / "services" / "ticket",
                env={**os.environ, "KOHUB_DATABASE_URL": db_url},
                check=True,
            )
            amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
            asyncio.run(bench(db_name, amqp_url, key, f"file://{jwks_path}"))
        finally:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
            rabbitmqctl("delete_vhost", vhost, check=False)
            print(f"removed database {db_name} and vhost {vhost}")


if __name__ == "__main__":
    main()
