"""Ticket service benchmark: list latency and create throughput on 100,000 seeded tickets.

Runs against a throwaway database and RabbitMQ vhost (both removed at the end), with the real
app (Litestar under uvicorn, broker and outbox relay included) served in-process on loopback.
Client and server share one process and event loop, so client overhead is in the figures.
"""

import asyncio
import contextlib
import json
import logging
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

# $1 organizations, $2 reporter, $3 statuses, $4 year, $5 organization count, $6 priorities,
# $7 ticket count. Keys are formatted like the service's own (`KH-<year>-<number:04d>`).
SEED_TICKETS = """
INSERT INTO tickets (id, key, org_id, reporter_id, title, description, source, status,
                     priority, created_at, updated_at)
SELECT gen_random_uuid(), 'KH-' || $4::int || '-' || lpad(n::text, greatest(4, length(n::text)), '0'),
       ($1::uuid[])[1 + n % $5::int], $2, 'Bench ticket ' || n, 'Seeded by bench', 'MANUAL',
       ($3::text[])[1 + (n / $5::int) % 9], ($6::text[])[1 + (n / 7) % 4], at, at
FROM (SELECT n, now() - random() * interval '90 days' AS at
      FROM generate_series(1, $7::int) AS n) AS s
"""  # noqa: E501


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


def machine() -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    return [
        f"platform: {platform.platform()} (Python {platform.python_version()})",
        f"cpu: {models[0] if models else 'unknown'}, nproc {len(os.sched_getaffinity(0))}",
    ]


async def seed(db: asyncpg.Connection) -> tuple[list[uuid.UUID], uuid.UUID]:
    orgs, reporter = [uuid.uuid4() for _ in range(ORGS)], uuid.uuid4()
    statuses, priorities = [s.value for s in TicketStatus], [p.value for p in TicketPriority]
    started = time.perf_counter()
    await db.executemany(
        "INSERT INTO organizations (id, name) VALUES ($1, $2)",
        [(org, f"Bench org {i}") for i, org in enumerate(orgs)],
    )
    await db.execute(
        "INSERT INTO users (id, keycloak_id, name, roles) "
        "VALUES ($1, 'bench-seed', 'Bench reporter', '{msp-operator}')",
        reporter,
    )
    await db.execute(SEED_TICKETS, orgs, reporter, statuses, YEAR, ORGS, priorities, TICKETS)
    # The service's own keys continue after the seeded ones instead of colliding with them.
    await db.execute("SELECT next_ticket_number($1)", YEAR)
    await db.execute(f"SELECT setval('ticket_number_{YEAR}', {TICKETS})")
    await db.execute("ANALYZE")
    print(f"seeded {TICKETS:,} tickets in {time.perf_counter() - started:.1f} s")
    return orgs, reporter


@contextlib.asynccontextmanager
async def serve(app: Litestar) -> AsyncIterator[str]:
    """Run the app (lifespan included) under uvicorn on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="on", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
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


def summarize_creates(label: str, result: Result) -> tuple[float, str]:
    done, wall, latencies, errors = result
    p50, _, p99 = percentiles(latencies) if len(latencies) > 1 else (0.0, 0.0, 0.0)
    if errors:
        print(f"  {label}: {len(errors)} errors, the first: {errors[0]}")
    return done / wall, (
        f"create {label}: {done / wall:.0f}/s ({done} in {wall:.1f} s, {CONCURRENCY} "
        f"concurrent), p50 {p50:.1f} ms, p99 {p99:.1f} ms, {len(errors)} errors"
    )


async def outbox_check(db: asyncpg.Connection) -> str:
    created = await db.fetchval("SELECT count(*) FROM tickets") - TICKETS
    rows, published = await db.fetchrow(
        "SELECT count(*), count(published_at) FROM outbox WHERE event_type = 'ticket.created'"
    )
    match = "one per ticket" if rows == created else "MISMATCH"
    return (
        f"  outbox: {rows} ticket.created rows for {created} created tickets ({match}); "
        f"{published} published by the relay so far"
    )


async def bench(db_name: str, amqp_url: str, key: SigningKey, jwks_url: str) -> None:
    dsn = f"{PG_BASE}/{db_name}"
    db = await asyncpg.connect(dsn)
    try:
        orgs, reporter = await seed(db)
        facts = [f"postgresql: {await db.fetchval('SHOW server_version')}"]
        settings = ServiceSettings(
            service="ticket",
            database_url=dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
            amqp_url=amqp_url,
            oidc=OidcSettings(issuer=ISSUER, audience="kohub", jwks_url=jwks_url),
            locale="en",
            log_level="WARNING",  # keeps the per-request access log off the output
        )
        configure_logging("ticket", settings.log_level)
        # FastStream's access log has its own handler and level: keep only its warnings.
        logging.getLogger("faststream.access.rabbit").addFilter(
            lambda r: r.levelno >= logging.WARNING
        )
        service = bootstrap(settings)
        token = key.sign(realm_claims(issuer=ISSUER, audience="kohub", roles=["msp-operator"]))
        actor = Actor(user_id=reporter, roles=frozenset({"msp-operator"}), org_id=None)
        results = [*machine(), *facts, f"tickets: {TICKETS:,} over {ORGS} organizations"]
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
                met = "met" if p99 < LIST_P99_TARGET_MS else "NOT MET"
                results.append(
                    f"list [{query}]: p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms "
                    f"(target p99 < {LIST_P99_TARGET_MS:.0f} ms: {met})"
                )

            async def http_create() -> None:
                org = str(secrets.choice(orgs))
                body = {"title": "Bench", "priority": "HIGH", "organizationId": org}
                response = await client.post("/api/v1/tickets", json=body)
                if response.status_code != 201:
                    raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")

            async def direct_create() -> None:
                org = secrets.choice(orgs)
                cmd = CreateTicket(
                    actor, "Bench", "", TicketPriority.HIGH, TicketSource.MANUAL, org
                )
                await handlers.create_ticket(cmd, service.uow(), service.clock)

            print(f"creates: {CONCURRENCY} concurrent, {CREATE_SECONDS:.0f} s or {CREATE_MAX:,}")
            rate, line = summarize_creates("via HTTP POST", await run_workers(http_create))
            met = "met" if rate >= CREATE_TARGET_PER_S else "NOT MET"
            results += [f"{line} (target >= {CREATE_TARGET_PER_S:.0f}/s: {met})"]
            results += [await outbox_check(db)]
            _, line = summarize_creates("via handler", await run_workers(direct_create))
            results += [f"{line} (comparison: no HTTP, no detail read)", await outbox_check(db)]
        print("\n== ticket benchmark ==\n" + "\n".join(results))
    finally:
        await db.close()


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
            env = {**os.environ, "KOHUB_DATABASE_URL": db_url}
            migrate = [sys.executable, "-m", "alembic", "upgrade", "head"]
            subprocess.run(migrate, cwd=ROOT / "services" / "ticket", env=env, check=True)
            amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
            asyncio.run(bench(db_name, amqp_url, key, f"file://{jwks_path}"))
        finally:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
            rabbitmqctl("delete_vhost", vhost, check=False)
            print(f"removed database {db_name} and vhost {vhost}")


if __name__ == "__main__":
    main()
