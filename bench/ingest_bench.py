"""Alert ingest benchmark: Alertmanager webhooks into the adapter gateway, through its outbox
relay and RabbitMQ to the ticket service, whose outcomes come back to the gateway.

Both services run as their own uvicorn process(es), exactly as `make up` starts them
(consumers and outbox relays included), each against a throwaway database, sharing a
throwaway vhost; every phase gets a fresh pair, so its counts are its own. wrk is the client
at full load; the fixed-rate phases and the storm use an open-loop generator in this process
(keep-alive HTTP/1.1 on asyncio streams, cheap enough to share two cores with the servers),
whose own send lag and CPU are printed so that a client bottleneck would show.

The issue's targets: >= 1,000 accepted webhooks/s on two cores with the whole pipeline
running; p99 < 50 ms at 300 webhooks/s; alert-to-ticket p99 < 1 s at 100 alerts/s; a storm
of 10,000 identical alerts makes exactly one ticket and keeps all 10,000 AdapterEvents.
"""

import asyncio
import contextlib
import json
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg
import httpx
from common import (
    PG_BASE,
    Launched,
    Sandbox,
    launched,
    machine,
    queue_consumers,
    suite_sandbox,
    verdict,
    wrk,
)
from open_loop import (
    LoadRun,
    open_loop,
    percentile,
    post_request,
)
from processes import (
    CpuMeter,
    by_command,
    descendants,
    postgres_of,
)

SERVICES = ("adapter-gateway", "ticket")
WEBHOOK_PATH = "/api/v1/webhooks/prometheus"
TICKET_WORKERS = 1
FULL_LOAD_WORKERS = (1, 2)
LATENCY_WORKERS = 1
"""Adapter gateway processes for the fixed-rate phases and the storm (the default)."""
FULL_LOAD_SECONDS, FULL_LOAD_CONNECTIONS = 20, 64
FIXED_RATE, FIXED_SECONDS, FIXED_CONNECTIONS = 300, 20, 64
TICKET_RATE, TICKET_SECONDS = 100, 20
STORM_ALERTS, STORM_CONNECTIONS = 10_000, 200
WARMUP_ALERTS = 200
ACCEPT_TARGET_PER_S, FIXED_P99_TARGET_MS, TICKET_P99_TARGET_S = 1000.0, 50.0, 1.0
DRAIN_TIMEOUT_S = 300.0
STORM_DRAIN_TIMEOUT_S = 1500.0
STARTS_AT = "2026-11-30T09:00:00Z"
FP = "@FP@"


def alertmanager_body(fingerprint: str) -> str:
    """An Alertmanager v4 webhook with one firing alert on a host kohub does not know (so it
    goes to the source's default organization)."""
    labels = {
        "alertname": "BenchHighLoad",
        "instance": f"bench-{fingerprint}:9100",
        "job": "node",
        "severity": "warning",
    }
    return json.dumps(
        {
            "version": "4",
            "groupKey": '{}:{alertname="BenchHighLoad"}',
            "truncatedAlerts": 0,
            "status": "firing",
            "receiver": "kohub",
            "groupLabels": {"alertname": "BenchHighLoad"},
            "commonLabels": labels,
            "commonAnnotations": {"summary": "Load average above 8 for 5 minutes"},
            "externalURL": "http://alertmanager.bench:9093",
            "alerts": [
                {
                    "status": "firing",
                    "labels": labels,
                    "annotations": {"summary": "Load average above 8 for 5 minutes"},
                    "startsAt": STARTS_AT,
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://prometheus.bench:9090/graph?g0.expr=node_load5",
                    "fingerprint": fingerprint,
                }
            ],
        },
        separators=(",", ":"),
    )


def distinct_alerts_script(run: str) -> str:
    """wrk: every request one alert with its own fingerprint (run, thread, counter)."""
    parts = ", ".join(f"[==[{part}]==]" for part in alertmanager_body(FP).split(FP))
    return (
        f"local parts = {{{parts}}}\n"
        "local counter = 0\n"
        "local threads = 0\n"
        "function setup(thread)\n"
        "  threads = threads + 1\n"
        '  thread:set("tid", threads)\n'
        "end\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        "request = function()\n"
        "  counter = counter + 1\n"
        f'  local fp = "{run}x" .. tid .. "x" .. counter\n'
        f'  return wrk.format("POST", "{WEBHOOK_PATH}", nil, table.concat(parts, fp))\n'
        "end\n"
    )


def raw_fingerprint(source_event_id: str) -> str:
    """`prometheus-<fingerprint>-<startsAt>-firing` → the Alertmanager fingerprint."""
    return source_event_id.split("-")[1]


@dataclass
class Counts:
    events: int
    outcomes: dict[str, int]
    outbox_unpublished: int
    tickets: int
    ticket_outbox_unpublished: int

    @property
    def alerts(self) -> int:
        return sum(self.outcomes.values())

    def minus(self, base: "Counts") -> "Counts":
        outcomes = {
            k: v - base.outcomes.get(k, 0)
            for k, v in self.outcomes.items()
            if v - base.outcomes.get(k, 0)
        }
        return Counts(
            self.events - base.events,
            outcomes,
            self.outbox_unpublished,
            self.tickets - base.tickets,
            self.ticket_outbox_unpublished,
        )

    def line(self) -> str:
        kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(self.outcomes.items()))
        return (
            f"AdapterEvents {self.events:,}, alerts {self.alerts:,} ({kinds}), tickets "
            f"{self.tickets:,}; unpublished outbox rows: gateway {self.outbox_unpublished:,}, "
            f"ticket {self.ticket_outbox_unpublished:,}"
        )


@dataclass
class Pipeline:
    boxes: dict[str, Sandbox]
    adapter: Launched
    ticket: Launched
    token: str
    workers: int
    base: Counts | None = None

    @property
    def adapter_dsn(self) -> str:
        return self.boxes["adapter-gateway"].dsn

    @property
    def ticket_dsn(self) -> str:
        return self.boxes["ticket"].dsn

    def meter(self) -> CpuMeter:
        return CpuMeter(
            {
                "adapter-gateway": lambda stats: descendants(self.adapter.process.pid, stats),
                "ticket": lambda stats: descendants(self.ticket.process.pid, stats),
                "postgres": postgres_of(*(box.db_name for box in self.boxes.values())),
                "rabbitmq": by_command("beam.smp", "erl_child_setup", "inet_gethost"),
            }
        )

    def request(self, fingerprint: str) -> bytes:
        body = alertmanager_body(fingerprint).encode()
        return post_request(self.adapter.url, WEBHOOK_PATH, self.token, body)

    def counts(self) -> Counts:
        return asyncio.run(counts(self.adapter_dsn, self.ticket_dsn))

    def accepted(self, run: LoadRun) -> int:
        """Alerts the gateway holds once `run`'s accepted webhooks are in (one alert each)."""
        return (self.base.alerts if self.base else 0) + run.statuses().get(202, 0)

    def phase_counts(self) -> Counts:
        """Counts of this phase: the warm-up's rows taken off."""
        now = self.counts()
        return now.minus(self.base) if self.base else now


async def counts(adapter_dsn: str, ticket_dsn: str) -> Counts:
    """Each database's counts from one snapshot (requests may still be committing)."""
    adapter, ticket = await asyncpg.connect(adapter_dsn), await asyncpg.connect(ticket_dsn)
    try:
        async with adapter.transaction(isolation="repeatable_read", readonly=True):
            rows = await adapter.fetch("SELECT outcome, count(*) FROM alerts GROUP BY outcome")
            events = await adapter.fetchval("SELECT count(*) FROM adapter_events")
            unpublished = await adapter.fetchval(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            )
        async with ticket.transaction(isolation="repeatable_read", readonly=True):
            tickets = await ticket.fetchval("SELECT count(*) FROM tickets")
            ticket_unpublished = await ticket.fetchval(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            )
        outcomes = {(r[0] or "pending"): r[1] for r in rows}
        return Counts(events, outcomes, unpublished, tickets, ticket_unpublished)
    finally:
        await adapter.close()
        await ticket.close()


async def wait_settled(
    dsn: str, expected_alerts: int, timeout: float, progress_every: float = 0.0
) -> float | None:
    """Seconds until `expected_alerts` alerts exist and all have an outcome; None if not
    within `timeout` (polling the gateway's database every 0.2 s)."""
    db = await asyncpg.connect(dsn)
    started = next_report = time.perf_counter()
    try:
        while (elapsed := time.perf_counter() - started) < timeout:
            total, pending = await db.fetchrow(
                "SELECT count(*), count(*) FILTER (WHERE outcome IS NULL) FROM alerts"
            )
            if total >= expected_alerts and pending == 0:
                return elapsed
            if progress_every and time.perf_counter() >= next_report:
                unpublished = await db.fetchval(
                    "SELECT count(*) FROM outbox WHERE published_at IS NULL"
                )
                print(
                    f"   … {elapsed:5.0f} s: {total - pending:,} of {total:,} alerts answered, "
                    f"{unpublished:,} gateway outbox rows unpublished",
                    flush=True,
                )
                next_report += progress_every
            await asyncio.sleep(0.2)
        return None
    finally:
        await db.close()


def settle(p: Pipeline, expected_alerts: int, timeout: float = DRAIN_TIMEOUT_S) -> str:
    waited = asyncio.run(wait_settled(p.adapter_dsn, expected_alerts, timeout, 15.0))
    if waited is None:
        return f"NOT settled after {timeout:.0f} s"
    return f"settled {waited:.1f} s after the load"


async def _seed_organization(dsns: list[str], org: UUID) -> None:
    for dsn in dsns:
        db = await asyncpg.connect(dsn)
        try:
            await db.execute(
                "INSERT INTO organizations (id, name) VALUES ($1, 'Bench customer')", org
            )
        finally:
            await db.close()


def _await_consumers(vhost: str, expected: dict[str, int], timeout: float = 60.0) -> None:
    """Every worker process has its consumers attached (`/ready` answers from one)."""
    deadline = time.monotonic() + timeout
    while True:
        queues = queue_consumers(vhost)
        if all(queues.get(q, (0, 0))[1] >= n for q, n in expected.items()):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"consumers missing on {vhost}: {queues}")
        time.sleep(0.5)


def _send(
    p: Pipeline,
    fingerprints: Callable[[int], str],
    *,
    rate: float | None,
    count: int,
    connections: int,
) -> LoadRun:
    """`count` webhooks, the i-th with the alert `fingerprints(i)`, `rate` per second (None:
    all at once) over up to `connections` connections."""
    return asyncio.run(
        open_loop(
            p.adapter.url,
            lambda i: p.request(fingerprints(i)),
            rate=rate,
            count=count,
            connections=connections,
        )
    )


@contextlib.contextmanager
def pipeline(adapter_workers: int) -> Iterator[Pipeline]:
    """Fresh databases and vhost, the ticket service and the adapter gateway running, a
    Prometheus webhook source with a default organization, and a warm-up behind them."""
    with suite_sandbox(*SERVICES) as boxes:
        org = uuid4()
        asyncio.run(_seed_organization([b.dsn for b in boxes.values()], org))
        with (
            launched("ticket", boxes["ticket"], TICKET_WORKERS) as ticket,
            launched("adapter", boxes["adapter-gateway"], adapter_workers) as adapter,
        ):
            _await_consumers(
                boxes["ticket"].vhost,
                {"ticket.alerts": TICKET_WORKERS, "adapter.alert-outcomes": adapter_workers},
            )
            admin = boxes["adapter-gateway"].token(["msp-admin"])
            response = httpx.post(
                f"{adapter.url}/api/v1/webhook-sources",
                json={
                    "adapterType": "prometheus",
                    "name": "bench",
                    "defaultOrganizationId": str(org),
                },
                headers={"Authorization": f"Bearer {admin}"},
                timeout=10,
            )
            if response.status_code != 201:
                raise RuntimeError(f"webhook source: {response.status_code} {response.text}")
            p = Pipeline(boxes, adapter, ticket, response.json()["token"], adapter_workers)
            # warm-up: connection pools, caches, every worker process; then its rows are
            # the baseline the phase's counts are taken from
            warm = _send(p, lambda i: f"warmup{i}", rate=None, count=WARMUP_ALERTS, connections=32)
            if warm.statuses() != {202: WARMUP_ALERTS}:
                raise RuntimeError(f"warm-up answered {warm.statuses()}")
            if asyncio.run(wait_settled(p.adapter_dsn, WARMUP_ALERTS, 60.0)) is None:
                raise RuntimeError("the warm-up alerts were not all answered")
            p.base = p.counts()
            yield p


def batch_sizes(url: str, workers: int) -> str:
    """`kohub_adapter_ingest_batch_size` of the worker processes (each keeps its own; a new
    connection per scrape reaches one of them, so several scrapes find them all)."""
    seen: dict[tuple[float, float], dict[str, float]] = {}
    for _ in range(6 * workers):
        text = httpx.get(f"{url}/metrics", timeout=5).text
        buckets = {
            le: float(v)
            for le, v in re.findall(
                r'^kohub_adapter_ingest_batch_size_bucket\{le="([^"]+)"\} (\S+)$', text, re.M
            )
        }
        count = float(re.search(r"^kohub_adapter_ingest_batch_size_count (\S+)$", text, re.M)[1])  # type: ignore[index]
        total = float(re.search(r"^kohub_adapter_ingest_batch_size_sum (\S+)$", text, re.M)[1])  # type: ignore[index]
        seen[(count, total)] = buckets
    count = sum(k[0] for k in seen)
    total = sum(k[1] for k in seen)
    cumulative: dict[str, float] = {}
    for buckets in seen.values():
        for le, v in buckets.items():
            cumulative[le] = cumulative.get(le, 0.0) + v
    shares = ", ".join(
        f"<={float(le):g}: {100 * v / count:.0f}%"
        for le, v in cumulative.items()
        if le != "+Inf" and count
    )
    return (
        f"group commit ({len(seen)} of {workers} worker(s) scraped, warm-up included): "
        f"{count:,.0f} transactions for {total:,.0f} requests, mean {total / max(count, 1):.1f} "
        f"requests per commit; batches {shares}"
    )


def full_load(workers: int) -> list[str]:
    out = []
    with pipeline(workers) as p:
        meter = p.meter()
        meter.start()
        r = wrk(
            f"{p.adapter.url}{WEBHOOK_PATH}",
            token=p.token,
            seconds=FULL_LOAD_SECONDS,
            connections=FULL_LOAD_CONNECTIONS,
            script=distinct_alerts_script(f"full{secrets.token_hex(2)}"),
        )
        cpu = meter.stop()
        at_end = p.phase_counts()
        out += [
            f"full load, {workers} gateway worker process(es), ticket service running, "
            f"{FULL_LOAD_CONNECTIONS} connections, one distinct alert per request: {r.line()} "
            f"(target >= {ACCEPT_TARGET_PER_S:,.0f}/s: "
            f"{verdict(r.requests_per_second >= ACCEPT_TARGET_PER_S and not r.failures)})",
            f"  {meter.line(cpu)}",
            f"  {batch_sizes(p.adapter.url, workers)}",
            f"  at the end of the load: {at_end.line()}; tickets created during it "
            f"{at_end.tickets / FULL_LOAD_SECONDS:,.0f}/s",
        ]
        print("\n".join(out), flush=True)
        started = time.perf_counter()
        waited = settle(p, at_end.alerts + (p.base.alerts if p.base else 0))
        drained = p.phase_counts()
        pipeline_rate = drained.tickets / (FULL_LOAD_SECONDS + time.perf_counter() - started)
        out.append(
            f"  backlog {waited}: {drained.line()}; whole pipeline "
            f"{pipeline_rate:,.0f} tickets/s from the start of the load"
        )
    return out


def fixed_rate() -> list[str]:
    count = FIXED_RATE * FIXED_SECONDS
    with pipeline(LATENCY_WORKERS) as p:
        meter = p.meter()
        meter.start()
        run = _send(
            p, lambda i: f"fixed{i}", rate=FIXED_RATE, count=count, connections=FIXED_CONNECTIONS
        )
        cpu = meter.stop()
        p99 = percentile([s.latency_ms for s in run.sent], 99)
        ok = run.statuses() == {202: count}
        out = [
            f"fixed rate {FIXED_RATE}/s for {FIXED_SECONDS} s, {LATENCY_WORKERS} gateway "
            f"worker process(es), open loop: {run.line()} "
            f"(target p99 < {FIXED_P99_TARGET_MS:.0f} ms: "
            f"{verdict(p99 < FIXED_P99_TARGET_MS and ok)})",
            f"  {meter.line(cpu)}",
            f"  {batch_sizes(p.adapter.url, LATENCY_WORKERS)}",
            f"  at the end of the load: {p.phase_counts().line()}",
        ]
        print("\n".join(out), flush=True)
        waited = settle(p, p.accepted(run))
        out.append(f"  {waited}: {p.phase_counts().line()}")
    return out


async def _ticket_latencies(
    p: Pipeline, sent_at: dict[str, float]
) -> tuple[list[float], list[float], int]:
    adapter, ticket = await asyncpg.connect(p.adapter_dsn), await asyncpg.connect(p.ticket_dsn)
    try:
        alerts = await adapter.fetch(
            "SELECT source_event_id, received_at, ticket_id FROM alerts "
            "WHERE outcome = 'CREATED' AND source_event_id LIKE 'prometheus-ttl%'"
        )
        created: dict[UUID, datetime] = {
            r["id"]: r["created_at"]
            for r in await ticket.fetch("SELECT id, created_at FROM tickets")
        }
    finally:
        await adapter.close()
        await ticket.close()
    from_send, from_receipt, missing = [], [], 0
    for a in alerts:
        at = created.get(a["ticket_id"])
        if at is None:
            missing += 1
            continue
        from_send.append(at.timestamp() - sent_at[raw_fingerprint(a["source_event_id"])])
        from_receipt.append((at - a["received_at"]).total_seconds())
    return from_send, from_receipt, missing


def _seconds_line(values: list[float]) -> str:
    p50, p90, p99 = (1000 * percentile(values, q) for q in (50, 90, 99))
    worst = 1000 * max(values, default=0.0)
    return f"p50 {p50:.0f} ms, p90 {p90:.0f} ms, p99 {p99:.0f} ms, max {worst:.0f} ms"


def alert_to_ticket() -> list[str]:
    count = TICKET_RATE * TICKET_SECONDS
    with pipeline(LATENCY_WORKERS) as p:
        meter = p.meter()
        meter.start()
        run = _send(p, lambda i: f"ttl{i}", rate=TICKET_RATE, count=count, connections=16)
        waited = settle(p, p.accepted(run))
        cpu = meter.stop()
        sent_at = {f"ttl{s.index}": s.sent_at for s in run.sent}
        from_send, from_receipt, missing = asyncio.run(_ticket_latencies(p, sent_at))
        p99 = percentile(from_send, 99)
        ok = len(from_send) == count and not missing
        out = [
            f"alert to ticket at {TICKET_RATE}/s for {TICKET_SECONDS} s, {LATENCY_WORKERS} "
            f"gateway worker process(es): webhooks {run.line()}",
            f"  webhook sent -> ticket created_at, {len(from_send):,} tickets: "
            f"{_seconds_line(from_send)} (target p99 < {TICKET_P99_TARGET_S:.0f} s: "
            f"{verdict(p99 < TICKET_P99_TARGET_S and ok)})",
            f"  alert received_at -> ticket created_at: {_seconds_line(from_receipt)}",
            f"  {meter.line(cpu)} (load and settling)",
            f"  {waited}: {p.phase_counts().line()}",
        ]
        print("\n".join(out), flush=True)
    return out


async def _storm_facts(p: Pipeline, source_event_id: str) -> tuple[int, int]:
    ticket = await asyncpg.connect(p.ticket_dsn)
    try:
        return (
            await ticket.fetchval(
                "SELECT count(*) FROM tickets WHERE source_event_id = $1", source_event_id
            ),
            await ticket.fetchval("SELECT count(*) FROM tickets"),
        )
    finally:
        await ticket.close()


def storm() -> list[str]:
    fingerprint = f"storm{secrets.token_hex(4)}"
    source_event_id = f"prometheus-{fingerprint}-20261130T090000-firing"
    with pipeline(LATENCY_WORKERS) as p:
        meter = p.meter()
        meter.start()
        started = time.perf_counter()
        run = _send(
            p, lambda _: fingerprint, rate=None, count=STORM_ALERTS, connections=STORM_CONNECTIONS
        )
        answered = time.perf_counter() - started
        at_end = p.phase_counts()
        out = [
            f"storm: {STORM_ALERTS:,} identical firing alerts (one fingerprint, one startsAt), "
            f"{STORM_CONNECTIONS} connections, {LATENCY_WORKERS} gateway worker process(es): "
            f"all answered in {answered:.1f} s ({STORM_ALERTS / answered:,.0f}/s); {run.line()}",
            f"  at the last answer: {at_end.line()}",
        ]
        print("\n".join(out), flush=True)
        waited = asyncio.run(
            wait_settled(p.adapter_dsn, p.accepted(run), STORM_DRAIN_TIMEOUT_S, 60.0)
        )
        cpu = meter.stop()
        done = p.phase_counts()
        storm_tickets, all_tickets = asyncio.run(_storm_facts(p, source_event_id))
        drained = (
            f"queue drained (every alert answered) {waited:.1f} s after the last webhook answer, "
            f"{answered + waited:.1f} s after the first webhook "
            f"({at_end.outcomes.get('pending', 0) / max(waited, 0.001):,.1f} outcomes/s)"
            if waited is not None
            else f"queue NOT drained after {STORM_DRAIN_TIMEOUT_S:.0f} s"
        )
        one_ticket = storm_tickets == 1 and done.tickets == 1
        out += [
            f"  {drained}",
            f"  tickets for the storm's alert: {storm_tickets} (phase: {done.tickets}, all: "
            f"{all_tickets} with {WARMUP_ALERTS} warm-up) (target 1: {verdict(one_ticket)})",
            f"  AdapterEvents: {done.events:,} (target {STORM_ALERTS:,}: "
            f"{verdict(done.events == STORM_ALERTS)}); outcomes: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(done.outcomes.items())),
            f"  {meter.line(cpu)} (storm and drain)",
            f"  {batch_sizes(p.adapter.url, LATENCY_WORKERS)}",
            f"  settled: {done.line()}",
        ]
        print("\n".join(out[2:]), flush=True)
    return out


async def _versions() -> str:
    db = await asyncpg.connect(f"{PG_BASE}/postgres")
    try:
        return await db.fetchval("SHOW server_version")
    finally:
        await db.close()


def main() -> None:
    started = time.perf_counter()
    results = machine()
    results.append(f"postgresql: {asyncio.run(_versions())}")
    results.append(
        f"ticket service: {TICKET_WORKERS} worker process; counts below leave out each "
        f"phase's {WARMUP_ALERTS} warm-up alerts"
    )
    phases: list[Callable[[], list[str]]] = [
        *(lambda w=w: full_load(w) for w in FULL_LOAD_WORKERS),
        fixed_rate,
        alert_to_ticket,
        storm,
    ]
    for phase in phases:
        results += phase()
    results.append(f"whole benchmark: {time.perf_counter() - started:.0f} s")
    print("\n== ingest benchmark ==\n" + "\n".join(results))


if __name__ == "__main__":
    main()
