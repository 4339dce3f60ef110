"""What the benchmarks share: a throwaway database and vhost, the service started as its
own process(es) like in production, and wrk (Debian's `wrk`) as the load generator, so
the client costs the server nothing."""

import asyncio
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from processes import descendants

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
    with launched(service, box, workers) as service_process:
        yield service_process.url


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
