"""Ticket service benchmark: list latency and create throughput on 100,000 seeded tickets.

Runs against a throwaway database and RabbitMQ vhost (both removed at the end), with the real
app (Litestar under uvicorn, broker and outbox relay included) served in-process on loopback.
Client and server share one process and event loop, so client overhead is in the figures.
"""

import asyncio
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
from pathlib import Path

import asyncpg
import httpx
import uvicorn

from kohub_platform.devtokens import SigningKey, jwks_document, realm_claims
from kohub_platform.logs import configure_logging
from kohub_platform.settings import OidcSettings, ServiceSettings
from kohub_ticket.app import create_app
from kohub_ticket.application import handlers
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.commands import CreateTicket
from kohub_ticket.bootstrap import TicketService, bootstrap

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ISSUER = "http://127.0.0.1:8080/realms/kecp-sso"
TICKETS, ORGS, YEAR = 100_000, 50, 2026
LIST_RUNS, WARMUP = 2_000, 100
CONCURRENCY, CREATE_SECONDS, CREATE_MAX = 32, 20.0, 10_000
LIST_P99_TARGET_MS, CREATE_TARGET_PER_S = 30.0, 500.0
STATUSES = "NEW RECEIVED ASSIGNED IN_PROGRESS PENDING RESOLVED COMPLETED CLOSED REOPENED".split()
PRIORITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"]

SEED_TICKETS = """
INSERT INTO tickets (id, key, org_id, reporter_id, title, description, source, status,
                     priority, created_at, updated_at)
SELECT gen_random_uuid(), 'KH-' || $4::int || '-' || lpad(n::text, 4, '0'),
       ($1::uuid[])[1 + n % $5::int], $2, 'Bench ticket ' || n, 'Seeded by bench', 'MANUAL',
       ($3::text[])[1 + (n / $5::int) % 9], ($6::text[])[1 + (n / 7) % 4], at, at
FROM (SELECT n, now() - random() * interval '90 days' AS at
      FROM generate_series(1, $7::int) AS n) AS s
"""


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
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
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        "unknown",
    )
    return [f"platform: {platform.platform()}", f"python: {platform.python_version()}",
            f"cpu: {cpu}", f"nproc: {len(os.sched_getaffinity(0))}"]


async def seed(dsn: str) -> tuple[list[uuid.UUID], uuid.UUID, str]:
    orgs = [uuid.uuid4() for _ in range(ORGS)]
    reporter = uuid.uuid4()
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        await conn.executemany(
            "INSERT INTO organizations (id, name) VALUES ($1, $2)",
            [(org, f"Bench org {i}") for i, org in enumerate(orgs)],
        )
        await conn.execute(
            "INSERT INTO users (id, keycloak_id, name, roles) VALUES ($1, 'bench-seed', "
            "'Bench reporter', '{msp-operator}')",
            reporter,
        )
        await conn.execute(SEED_TICKETS, orgs, reporter, STATUSES, YEAR, ORGS, PRIORITIES, TICKETS)
        # Keys the service hands out continue after the seeded ones instead of colliding.
        await conn.execute("SELECT next_ticket_number($1)", YEAR)
        await conn.execute(f"SELECT setval('ticket_number_{YEAR}', {TICKETS})")
        await conn.execute("ANALYZE")
        print(f"seeded {TICKETS:,} tickets in {time.perf_counter() - started:.1f} s")
        version = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    return orgs, reporter, version


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
    print(f"  {url}: {len(page['items'])} items of {page['total']}")
    return percentiles(samples)


async def run_workers(create: object) -> tuple[int, float, list[float], list[str]]:
    """CONCURRENCY tasks call `create` until CREATE_SECONDS pass or CREATE_MAX succeed."""
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    deadline = started + CREATE_SECONDS

    async def worker() -> None:
        while time.perf_counter() < deadline and len(latencies) < CREATE_MAX:
            t0 = time.perf_counter()
            try:
                await create()  # type: ignore[operator]
                latencies.append(time.perf_counter() - t0)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}"[:300])

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return len(latencies), time.perf_counter() - started, latencies, errors


async def outbox_check(dsn: str, label: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        created = await conn.fetchval("SELECT count(*) FROM tickets") - TICKETS
        rows, published = await conn.fetchrow(
            "SELECT count(*), count(published_at) FROM outbox WHERE event_type='ticket.created'"
        )
    finally:
        await conn.close()
    match = "match" if rows == created else "MISMATCH"
    print(f"  outbox after {label}: {rows} ticket.created rows for {created} created tickets "
          f"({match}); {published} already published by the relay")


def report_creates(label: str, result: tuple[int, float, list[float], list[str]]) -> float:
    done, wall, latencies, errors = result
    rate = done / wall
    p50, _, p99 = percentiles(latencies) if len(latencies) > 1 else (0.0, 0.0, 0.0)
    print(f"  {label}: {done} creates in {wall:.1f} s = {rate:.0f}/s "
          f"(p50 {p50:.1f} ms, p99 {p99:.1f} ms, {len(errors)} errors)")
    if errors:
        print(f"    first error: {errors[0]}")
    return rate


async def bench(db_name: str, amqp_url: str, jwks_path: Path) -> None:
    dsn = f"postgresql://postgres@127.0.0.1:5432/{db_name}"
    orgs, reporter, pg_version = await seed(dsn)
    settings = ServiceSettings(
        service="ticket",
        database_url=dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
        amqp_url=amqp_url,
        oidc=OidcSettings(issuer=ISSUER, audience="kohub", jwks_url=f"file://{jwks_path}"),
        locale="en",
        log_level="WARNING",
    )
    configure_logging("ticket", settings.log_level)  # keeps the access log off the output
    service: TicketService = bootstrap(settings)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings, service), host="127.0.0.1", port=port,
                            log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()  # re-raises why the app did not start
            raise RuntimeError("uvicorn exited before starting")
        await asyncio.sleep(0.05)
    key = SigningKey.generate()
    token = key.sign(realm_claims(issuer=ISSUER, audience="kohub", roles=["msp-operator"]))
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    results: list[str] = []
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=60.0, limits=limits,
            headers={"Authorization": f"Bearer {key.sign({})}" if False else f"Bearer {token}"},
        ) as client:
            print(f"list latency: {LIST_RUNS} sequential requests each, after {WARMUP} warm-up")
            for query in ("status=IN_PROGRESS", "status=NEW&status=RECEIVED"):
                url = f"/api/v1/tickets?{query}&organizationId={orgs[7]}&limit=50"
                p50, p95, p99 = await measure_list(client, url)
                results.append(f"list [{query}] p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
                               f"p99 {p99:.2f} ms — target p99 < {LIST_P99_TARGET_MS:.0f} ms: "
                               f"{verdict(p99 < LIST_P99_TARGET_MS)}")

            async def http_create() -> None:
                body = {"title": "Bench create", "priority": "HIGH",
                        "organizationId": str(secrets.choice(orgs))}
                response = await client.post("/api/v1/tickets", json=body)
                if response.status_code != 201:
                    raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")

            print(f"creates: {CONCURRENCY} concurrent workers, {CREATE_SECONDS:.0f} s "
                  f"or {CREATE_MAX:,} creates")
            rate = report_creates("POST /api/v1/tickets", await run_workers(http_create))
            await outbox_check(dsn, "HTTP creates")
            results.append(f"create via HTTP {rate:.0f}/s — target >= {CREATE_TARGET_PER_S:.0f}/s: "
                           f"{verdict(rate >= CREATE_TARGET_PER_S)}")

        actor = Actor(user_id=reporter, roles=frozenset({"msp-operator"}), org_id=None)

        async def direct_create() -> None:
            cmd = CreateTicket(actor=actor, title="Bench create", priority="HIGH",
                               organization_id=secrets.choice(orgs))
            await handlers.create_ticket(cmd, service.uow(), service.clock)

        rate = report_creates("handlers.create_ticket", await run_workers(direct_create))
        await outbox_check(dsn, "handler creates")
        results.append(f"create via handler {rate:.0f}/s (comparison, no target)")
    finally:
        server.should_exit = True
        await serving
    print("\n== ticket benchmark ==")
    for line in [*machine(), f"postgresql: {pg_version}", f"tickets seeded: {TICKETS:,} "
                 f"over {ORGS} organizations", *results]:
        print(line)


def main() -> None:
    suffix = secrets.token_hex(4)
    db_name, vhost = f"kohub_bench_{suffix}", f"kohub-bench-{suffix}"
    base = ADMIN_URL.rsplit("/", 1)[0]
    with tempfile.TemporaryDirectory(prefix="kohub-bench-") as tmp:
        jwks_path = Path(tmp) / "jwks.json"
        asyncio.run(admin(f'CREATE DATABASE "{db_name}"'))
        try:
            rabbitmqctl("add_vhost", vhost)
            rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
            env = {**os.environ,
                   "KOHUB_DATABASE_URL": f"{base}/{db_name}".replace("postgresql://",
                                                                    "postgresql+asyncpg://", 1)}
            subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"],
                           cwd=ROOT / "services" / "ticket", env=env, check=True)
            asyncio.run(bench(db_name, f"amqp://guest:guest@127.0.0.1:5672/{vhost}", jwks_path))
        finally:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
            print(f"removed database {db_name} and vhost {vhost}")


if __name__ == "__main__":
    main()
