"""What the benchmarks share: a throwaway database and vhost, the service started as its
own process(es) like in production, and wrk (Debian's `wrk`) as the load generator, so
the client costs the server nothing."""

import asyncio
import contextlib
import json
import math
import os
import platform
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from kohub_platform.devtokens import SigningKey, jwks_document, realm_claims

ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("KOHUB_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
ISSUER = "http://127.0.0.1:8080/realms/kecp-sso"


def machine() -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    return [
        f"platform: {platform.platform()} (Python {platform.python_version()})",
        f"cpu: {models[0] if models else 'unknown'}, nproc {len(os.sched_getaffinity(0))}",
    ]


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(f"{PG_BASE}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _rabbitmqctl(*args: str, check: bool = True) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=check, capture_output=True, timeout=120)


@dataclass
class Sandbox:
    db_name: str
    vhost: str
    key: SigningKey
    jwks_file: Path

    @property
    def dsn(self) -> str:
        return f"{PG_BASE}/{self.db_name}"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "KOHUB_DATABASE_URL": self.dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
            "KOHUB_AMQP_URL": f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}",
            "KOHUB_OIDC_ISSUER": ISSUER,
            "KOHUB_OIDC_JWKS_URL": f"file://{self.jwks_file}",
            "KOHUB_LOG_LEVEL": "WARNING",
        }

    def token(self, roles: list[str], org_id: str | None = None) -> str:
        claims = realm_claims(
            issuer=ISSUER, audience="kohub", roles=roles, org_id=org_id, lifetime=3600
        )
        return self.key.sign(claims)


@contextlib.contextmanager
def sandbox(service: str) -> Iterator[Sandbox]:
    """A database migrated for `service` and a vhost, both removed afterwards."""
    if shutil.which("wrk") is None:
        sys.exit("the benchmarks need wrk: apt-get install wrk")
    suffix = secrets.token_hex(4)
    key = SigningKey.generate()
    with tempfile.TemporaryDirectory(prefix="kohub-bench-") as tmp:
        box = Sandbox(
            f"kohub_bench_{suffix}", f"kohub-bench-{suffix}", key, Path(tmp) / "jwks.json"
        )
        box.jwks_file.write_text(json.dumps(jwks_document(key)))
        asyncio.run(_admin(f'CREATE DATABASE "{box.db_name}"'))
        try:
            _rabbitmqctl("add_vhost", box.vhost)
            _rabbitmqctl("set_permissions", "-p", box.vhost, "guest", ".*", ".*", ".*")
            subprocess.run(
                [sys.executable, "-m", "alembic", "upgrade", "head"],
                cwd=ROOT / "services" / service,
                env=box.env,
                check=True,
            )
            yield box
        finally:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{box.db_name}" WITH (FORCE)'))
            _rabbitmqctl("delete_vhost", box.vhost, check=False)
            print(f"removed database {box.db_name} and vhost {box.vhost}")


@contextlib.contextmanager
def running(service: str, box: Sandbox, workers: int) -> Iterator[str]:
    """The service's own entry point, `workers` uvicorn processes, on a free port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**box.env, "PORT": str(port), "KOHUB_WEB_CONCURRENCY": str(workers)}
    process = subprocess.Popen(
        [sys.executable, "-c", f"from kohub_{service}.app import main; main()"], env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"{service} exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{service} did not become ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    failures: int

    def line(self) -> str:
        return (
            f"{self.requests_per_second:,.0f} req/s, p50 {self.p50_ms:.2f} ms, "
            f"p90 {self.p90_ms:.2f} ms, p99 {self.p99_ms:.2f} ms "
            f"({self.requests:,} requests, {self.failures} failed)"
        )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(
    url: str, *, token: str, seconds: int, connections: int, script: str | None = None
) -> WrkResult:
    """Run wrk against `url`; a Lua `script` may shape the requests (method, body)."""
    args = [
        "wrk",
        "-t",
        str(min(2, connections)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    try:
        if script:
            args += ["-s", lua.name]
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(lua.name)
    percent = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)$", out, re.M))
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), "
        r"timeout (\d+)",
        out,
    )
    failures = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(g) for g in socket_errors.groups()) if socket_errors else 0
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return WrkResult(
        rps, _ms(percent["50"]), _ms(percent["90"]), _ms(percent["99"]), requests, failures
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


# --- The whole suite: several services on one vhost, their processes and CPU, and an
# --- open-loop HTTP load generator light enough to share the machine with the servers.


@contextlib.contextmanager
def suite_sandbox(*services: str) -> Iterator[dict[str, Sandbox]]:
    """One database migrated for each of `services` (their directories under services/) and
    one vhost they share, with one signing key; all removed afterwards."""
    if shutil.which("wrk") is None:
        sys.exit("the benchmarks need wrk: apt-get install wrk")
    suffix = secrets.token_hex(4)
    key = SigningKey.generate()
    vhost = f"kohub-bench-{suffix}"
    boxes: dict[str, Sandbox] = {}
    with tempfile.TemporaryDirectory(prefix="kohub-bench-") as tmp:
        jwks_file = Path(tmp) / "jwks.json"
        jwks_file.write_text(json.dumps(jwks_document(key)))
        try:
            _rabbitmqctl("add_vhost", vhost)
            _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
            for service in services:
                name = f"kohub_bench_{suffix}_{service.replace('-', '_')}"
                box = boxes[service] = Sandbox(name, vhost, key, jwks_file)
                asyncio.run(_admin(f'CREATE DATABASE "{box.db_name}"'))
                subprocess.run(
                    [sys.executable, "-m", "alembic", "upgrade", "head"],
                    cwd=ROOT / "services" / service,
                    env=box.env,
                    check=True,
                    capture_output=True,
                )
            yield boxes
        finally:
            for box in boxes.values():
                asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{box.db_name}" WITH (FORCE)'))
            _rabbitmqctl("delete_vhost", vhost, check=False)
            names = ", ".join(box.db_name for box in boxes.values())
            print(f"removed databases {names} and vhost {vhost}")


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(command name, parent pid, CPU ticks used) of a process, None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return comm, int(fields[1]), int(fields[11]) + int(fields[12])  # ppid, utime + stime


def _all_stats() -> dict[int, tuple[str, int, int]]:
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = stat
    return stats


def descendants(pid: int, stats: dict[int, tuple[str, int, int]] | None = None) -> list[int]:
    """`pid` and every process below it."""
    stats = stats if stats is not None else _all_stats()
    found, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, (_, ppid, _) in stats.items() if ppid == parent]
        found += children
        frontier += children
    return found


@dataclass
class Launched:
    service: str
    url: str
    process: subprocess.Popen[bytes]

    def pids(self) -> list[int]:
        """The uvicorn supervisor and its worker processes."""
        return descendants(self.process.pid)


@contextlib.contextmanager
def launched(
    service: str, box: Sandbox, workers: int, env: dict[str, str] | None = None
) -> Iterator[Launched]:
    """Like `running`, but hands back the process too (for its CPU) and takes extra
    environment (`env`)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", f"from kohub_{service}.app import main; main()"],
        env={**box.env, "PORT": str(port), "KOHUB_WEB_CONCURRENCY": str(workers), **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"{service} exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{service} did not become ready")
        yield Launched(service, url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def queue_consumers(vhost: str) -> dict[str, tuple[int, int]]:
    """{queue: (messages, consumers)} of a vhost (rabbitmqctl: slow, do not poll with it)."""
    out = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "messages", "consumers"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    queues = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            queues[parts[0]] = (int(parts[1]), int(parts[2]))
    return queues


ProcessGroups = dict[str, Callable[[dict[int, tuple[str, int, int]]], list[int]]]


def by_command(*names: str) -> Callable[[dict[int, tuple[str, int, int]]], list[int]]:
    """A process group: every process whose command name is one of `names`."""
    return lambda stats: [pid for pid, (comm, _, _) in stats.items() if comm in names]


def postgres_of(*databases: str) -> Callable[[dict[int, tuple[str, int, int]]], list[int]]:
    """A process group: PostgreSQL's backends serving `databases` and its shared processes
    (WAL writer, checkpointer …); other databases' backends (other runs) left out."""

    def pick(stats: dict[int, tuple[str, int, int]]) -> list[int]:
        pids = []
        for pid, (comm, _, _) in stats.items():
            if comm != "postgres":
                continue
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            client = re.search(r"\(\d+\)|\[local\]", title) is not None
            if not client or any(f" {db} " in title for db in databases):
                pids.append(pid)
        return pids

    return pick


def _machine_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values[:8]) - idle, sum(values[:8])


class CpuMeter:
    """CPU used by groups of processes between `start()` and `stop()`, as % of one core.

    /proc is sampled every `interval` seconds meanwhile, so a process that ends before
    `stop()` (a database connection a pool closed) still counts up to its last sample; one
    started meanwhile counts whole. The load generator's children (wrk) are read from this
    process's rusage of its children; the sampling itself is part of `bench client`."""

    def __init__(self, groups: ProcessGroups, interval: float = 0.5) -> None:
        self._groups = groups
        self._interval = interval
        self._before: dict[int, tuple[str, int, int]] = {}
        self._last: dict[int, tuple[str, int, int]] = {}
        self._member: dict[int, str] = {}
        self._wall = 0.0
        self._self = (0.0, 0.0)
        self._machine = (0, 0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.others: dict[str, float] = {}
        """After `stop()`: the busiest processes outside the groups, % of one core by name."""

    @staticmethod
    def _own() -> tuple[float, float]:
        me, children = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime

    def _sample(self) -> None:
        stats = _all_stats()
        for name, pick in self._groups.items():
            for pid in pick(stats):
                self._member.setdefault(pid, name)
        self._last.update(stats)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def start(self) -> None:
        self._before = _all_stats()
        self._last, self._member = dict(self._before), {}
        self._self = self._own()
        self._machine = _machine_ticks()
        self._wall = time.perf_counter()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="cpu-meter", daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        """% of one core per group, plus `other (processes, kernel)` (everything else on the
        machine, from /proc/stat) and `machine` (all of it: 100% per core)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()
        own, machine = self._own(), _machine_ticks()
        wall = time.perf_counter() - self._wall
        ticks = os.sysconf("SC_CLK_TCK")
        percent = {name: 0.0 for name in self._groups}
        others: dict[str, float] = {}
        for pid, (comm, ppid, used) in self._last.items():
            before = self._before.get(pid)
            share = 100.0 * max(0, used - (before[2] if before else 0)) / ticks / wall
            if pid == os.getpid() or (ppid == os.getpid() and pid not in self._member):
                continue  # this process and its children (wrk) are counted from rusage
            if pid in self._member:
                percent[self._member[pid]] += share
            else:
                others[comm] = others.get(comm, 0.0) + share
        percent["bench client"] = 100.0 * (own[0] - self._self[0]) / wall
        percent["wrk"] = 100.0 * (own[1] - self._self[1]) / wall
        self.others = dict(sorted(others.items(), key=lambda kv: -kv[1])[:4])
        busy, total = machine[0] - self._machine[0], machine[1] - self._machine[1]
        everything = 100.0 * (os.cpu_count() or 1) * busy / total if total else 0.0
        percent["other (processes, kernel)"] = max(0.0, everything - sum(percent.values()))
        percent["machine"] = everything
        return percent

    def line(self, percent: dict[str, float]) -> str:
        """`cpu_line` with the busiest other processes named."""
        names = ", ".join(f"{k} {v:.0f}%" for k, v in self.others.items() if v >= 1.0)
        return cpu_line(percent) + (f" (of which {names})" if names else "")


def cpu_line(percent: dict[str, float]) -> str:
    parts = ", ".join(
        f"{name} {value:.0f}%"
        for name, value in percent.items()
        if value >= 0.5 and name != "machine"
    )
    cores = len(os.sched_getaffinity(0))
    machine = percent.get("machine", 0.0)
    return f"CPU (% of one core; the machine's {cores} cores {machine:.0f}% busy): {parts}"


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
