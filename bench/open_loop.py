"""An open-loop load generator on plain asyncio connections: requests sent at a fixed
rate whatever the answers, latency measured from the scheduled send time."""

import asyncio
import contextlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


@dataclass(slots=True)
class Sent:
    index: int
    sent_at: float
    """Wall clock (time.time()) when the request was written."""
    lag_ms: float
    """How late it was written against its schedule (the client's own delay)."""
    latency_ms: float
    """From its scheduled time to the whole response: client delay included, as an
    open-loop generator must (no coordinated omission)."""
    service_ms: float
    """From writing the request to the whole response."""
    status: int


@dataclass
class LoadRun:
    sent: list[Sent]
    seconds: float
    """From the first scheduled send to the last response."""
    send_seconds: float
    """From the first to the last send."""
    client_cpu_seconds: float
    rate: float | None = None
    """The schedule: requests per second, None for all at once."""

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for s in self.sent:
            counts[s.status] = counts.get(s.status, 0) + 1
        return counts

    def line(self) -> str:
        latencies = [s.latency_ms for s in self.sent]
        service = [s.service_ms for s in self.sent]
        lags = [s.lag_ms for s in self.sent]
        send_rate = (len(self.sent) - 1) / self.send_seconds if self.send_seconds else 0.0
        statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(self.statuses().items()))
        sent = f"at {send_rate:,.1f}/s" if self.rate else "all at once"
        return (
            f"{len(self.sent):,} requests sent {sent} "
            f"(answered {len(self.sent) / self.seconds:,.1f}/s; statuses {statuses}); "
            f"latency p50 {percentile(latencies, 50):.1f} ms, "
            f"p90 {percentile(latencies, 90):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
            f"max {max(latencies):.1f} ms (server side of it p99 "
            f"{percentile(service, 99):.1f} ms); client send lag p99 "
            f"{percentile(lags, 99):.1f} ms, client CPU "
            f"{100 * self.client_cpu_seconds / self.seconds:.0f}% of one core"
        )


_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter, float]
KEEP_ALIVE_REUSE_SECONDS = 4.0
"""A connection idle longer is not reused: uvicorn closes idle ones after 5 s, and a request
written as it does so would fail for no fault of the server."""


class _HttpPool:
    """Keep-alive HTTP/1.1 connections on asyncio streams, at most `size` of them. A few
    dozen microseconds of CPU per request (httpx costs several times that), so the load
    generator does not take the server's CPU on a small machine."""

    def __init__(self, url: str, size: int) -> None:
        parsed = httpx.URL(url)
        self.host, self.port = parsed.host, parsed.port or 80
        self._idle: asyncio.LifoQueue[_Conn | None] = asyncio.LifoQueue()
        for _ in range(size):
            self._idle.put_nowait(None)  # a connection not opened yet
        self._open: set[asyncio.StreamWriter] = set()

    async def _connection(self) -> _Conn:
        conn = await self._idle.get()
        if conn is not None:
            reader, writer, last_used = conn
            stale = time.monotonic() - last_used > KEEP_ALIVE_REUSE_SECONDS
            if not (stale or reader.at_eof() or writer.is_closing()):
                return conn
            self._discard(writer)
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except BaseException:
            self._idle.put_nowait(None)
            raise
        self._open.add(writer)
        return reader, writer, time.monotonic()

    def _discard(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        self._open.discard(writer)

    async def exchange(self, request: bytes) -> tuple[int, float, float]:
        """Send one request: its status, and the wall clock and loop time it was written."""
        reader, writer, _ = await self._connection()
        keep = False
        try:
            sent_at, written = time.time(), asyncio.get_running_loop().time()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            lowered = head.lower()
            length = re.search(rb"\r\ncontent-length:\s*(\d+)", lowered)
            if length is None:
                raise RuntimeError("the load generator only reads responses with Content-Length")
            await reader.readexactly(int(length.group(1)))
            keep = b"\r\nconnection: close" not in lowered
        finally:
            if keep:
                self._idle.put_nowait((reader, writer, time.monotonic()))
            else:
                self._discard(writer)
                self._idle.put_nowait(None)
        return status, sent_at, written

    async def close(self) -> None:
        for writer in list(self._open):
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


def post_request(url: str, path: str, token: str, body: bytes) -> bytes:
    host = httpx.URL(url).netloc.decode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def open_loop(
    url: str,
    requests: Callable[[int], bytes],
    *,
    rate: float | None,
    count: int,
    connections: int,
) -> LoadRun:
    """Send `count` requests (`requests(i)` gives the i-th, whole) on a fixed schedule of
    `rate` per second whatever the answers take, over up to `connections` keep-alive
    connections; `rate=None` sends them all at once (as many at a time as connections)."""
    pool = _HttpPool(url, connections)
    loop = asyncio.get_running_loop()
    sent: list[Sent] = []
    prepared = [requests(i) for i in range(count)]
    cpu = time.process_time()

    async def one(index: int, scheduled: float) -> None:
        started = loop.time()
        try:
            status, sent_at, written = await pool.exchange(prepared[index])
        except (OSError, EOFError, RuntimeError, ValueError):
            status, sent_at, written = 0, time.time(), started  # counted as a failure
        done = loop.time()
        sent.append(
            Sent(
                index,
                sent_at,
                1000 * (started - scheduled),
                1000 * (done - scheduled),
                1000 * (done - written),
                status,
            )
        )

    tasks = []
    start = loop.time()
    first_send = last_send = start
    try:
        for i in range(count):
            scheduled = start + (i / rate if rate else 0.0)
            if (delay := scheduled - loop.time()) > 0:
                await asyncio.sleep(delay)
            last_send = loop.time()
            tasks.append(asyncio.create_task(one(i, scheduled)))
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await pool.close()
    end = loop.time()
    return LoadRun(sent, end - start, last_send - first_send, time.process_time() - cpu, rate)
