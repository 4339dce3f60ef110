"""Gateway benchmark: what the front door costs, and the dashboard on a full database.

The ticket and host services and the gateway run as their own processes (as `make up`
starts them) on throwaway databases seeded with 100,000 tickets and 10,000 hosts; wrk is
the client. The same ticket list is asked of the ticket service directly and through the
gateway, at the same concurrency; then the dashboard summary through the gateway (two
services asked in parallel per request).

The issue's targets: gateway / direct p50 latency ratio <= 1.3 and throughput ratio >= 0.7
on the ticket list; dashboard summary p99 < 100 ms with 100,000 tickets and 10,000 hosts.
"""

import asyncio
import time

import asyncpg
import host_bench
import httpx
import ticket_bench
from common import launched, machine, suite_sandbox, verdict, wrk
from processes import cpu_seconds

SECONDS, CONNECTIONS = 15, 8


async def seed(ticket_dsn: str, host_dsn: str) -> str:
    db = await asyncpg.connect(ticket_dsn)
    try:
        orgs, _ = await ticket_bench.seed(db)
        # a day of resolutions and receptions, so MTTA and MTTR have work to do
        await db.execute(
            "UPDATE tickets SET received_at = created_at + interval '3 minutes' "
            "WHERE status <> 'NEW' AND created_at > now() - interval '7 days'"
        )
        await db.execute(
            "INSERT INTO ticket_resolutions (id, ticket_id, summary, resolved_at) "
            "SELECT gen_random_uuid(), id, 'bench', created_at + interval '1 hour' "
            "FROM tickets WHERE status IN ('RESOLVED', 'COMPLETED', 'CLOSED')"
        )
        await db.execute("ANALYZE")
    finally:
        await db.close()
    await host_bench.seed(host_dsn)
    return str(orgs[7])


def uncached(summary: str, token: str) -> str:
    """The summary computed (not served from the gateway's 5 s cache): each `days` value is
    a scope of its own, so its first call waits for both services' aggregate queries."""
    timings = []
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        for days in range(1, 61):
            started = time.perf_counter()
            assert client.get(f"{summary}&days={days}").status_code == 200
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return (
        f"dashboard summary computed (cache missed, 60 calls): p50 {timings[29]:.1f} ms, "
        f"p90 {timings[53]:.1f} ms, max {timings[-1]:.1f} ms"
    )


def main() -> None:
    results = machine()
    with suite_sandbox("ticket", "host", "gateway") as boxes:
        org = asyncio.run(seed(boxes["ticket"].dsn, boxes["host"].dsn))
        token = boxes["ticket"].token(["msp-operator"])
        with (
            launched("ticket", boxes["ticket"], 1) as ticket,
            launched("host", boxes["host"], 1) as host,
        ):
            owners = {"KOHUB_TICKET_URL": ticket.url, "KOHUB_HOST_URL": host.url}
            with launched("gateway", boxes["gateway"], 1, env=owners) as gateway:
                path = f"/api/v1/tickets?status=IN_PROGRESS&organizationId={org}&limit=50"
                runs = {}
                for name, base in (("direct", ticket.url), ("gateway", gateway.url)):
                    wrk(base + path, token=token, seconds=3, connections=CONNECTIONS)
                    before = {s.service: cpu_seconds(s.pids()) for s in (ticket, gateway)}
                    runs[name] = wrk(
                        base + path, token=token, seconds=SECONDS, connections=CONNECTIONS
                    )
                    requests = runs[name].requests_per_second * SECONDS
                    cpu = {
                        s.service: (cpu_seconds(s.pids()) - before[s.service]) * 1000 / requests
                        for s in (ticket, gateway)
                    }
                    results.append(
                        f"ticket list, {name}, {CONNECTIONS} connections: {runs[name].line()}; "
                        f"CPU per request: ticket {cpu['ticket']:.2f} ms, "
                        f"gateway {cpu['gateway']:.2f} ms"
                    )
                latency = runs["gateway"].p50_ms / runs["direct"].p50_ms
                throughput = (
                    runs["gateway"].requests_per_second / runs["direct"].requests_per_second
                )
                results.append(
                    f"gateway / direct: p50 ratio {latency:.2f} (target <= 1.3: "
                    f"{verdict(latency <= 1.3)}), throughput ratio {throughput:.2f} "
                    f"(target >= 0.7: {verdict(throughput >= 0.7)})"
                )
                summary = f"{gateway.url}/api/v1/dashboard/summary?tz=Asia/Seoul"
                wrk(summary, token=token, seconds=3, connections=1)
                r = wrk(summary, token=token, seconds=SECONDS, connections=1)
                results.append(
                    f"dashboard summary, one client: {r.line()} "
                    f"(target p99 < 100 ms: {verdict(r.p99_ms < 100 and r.failures == 0)})"
                )
                r = wrk(summary, token=token, seconds=SECONDS, connections=CONNECTIONS)
                results.append(f"dashboard summary, {CONNECTIONS} connections: {r.line()}")
                results.append(uncached(summary, token))
    print("\n== gateway benchmark ==\n" + "\n".join(results))


if __name__ == "__main__":
    main()
