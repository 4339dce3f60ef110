"""A real Prometheus and a real Prometheus Alertmanager on loopback, for end-to-end tests of the
alert path: Prometheus scrapes a `ProbeTarget` (job `kohub-e2e`) every second; stopping the
target makes `up == 0`, which fires `KohubE2ETargetDown`; Alertmanager delivers it as a webhook,
with a bearer token, to the URL the caller gives (the adapter-gateway in the e2e tests), and
delivers the resolution when the target is started again.

    async with Monitoring(webhook_url=f"{gateway.url}/...", token=secret) as monitoring:
        monitoring.probe.stop()      # -> firing webhook
        monitoring.probe.start()     # -> resolved webhook
        await monitoring.up()        # -> 1.0 again

Both programs come from the Debian packages `prometheus` and `prometheus-alertmanager`
(`KOHUB_PROMETHEUS_BIN` / `KOHUB_ALERTMANAGER_BIN` point elsewhere). Everything they write lives in
one temporary directory, removed on exit together with the processes.
"""

import asyncio
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

import httpx

from kohub_platform.testing import eventually

PROMETHEUS_BIN = Path(os.environ.get("KOHUB_PROMETHEUS_BIN", "/usr/bin/prometheus"))
ALERTMANAGER_BIN = Path(
    os.environ.get("KOHUB_ALERTMANAGER_BIN", "/usr/bin/prometheus-alertmanager")
)
INSTALL_HINT = "apt-get install prometheus prometheus-alertmanager"

JOB = "kohub-e2e"
ALERT_NAME = "KohubE2ETargetDown"
RECEIVER = "kohub-adapter-gateway"
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_binaries() -> list[str]:
    """The Prometheus / Alertmanager executables that are not installed."""
    return [str(b) for b in (PROMETHEUS_BIN, ALERTMANAGER_BIN) if not os.access(b, os.X_OK)]


def binaries_available() -> bool:
    return not missing_binaries()


def require_binaries() -> None:
    """Fail (never skip) with the command that installs what is missing."""
    missing = missing_binaries()
    if missing:
        raise RuntimeError(
            f"the monitoring e2e tests need a real Prometheus and Alertmanager; missing: "
            f"{', '.join(missing)}. Install them with: {INSTALL_HINT}"
        )


class ProbeTarget:
    """A `/metrics` endpoint on loopback that can be stopped and started again on the same port,
    so Prometheus sees `up == 0` and then `up == 1` for the same `instance`."""

    BODY = (
        b"# HELP kohub_e2e_probe_info A target the kohub end-to-end tests switch off and on.\n"
        b"# TYPE kohub_e2e_probe_info gauge\n"
        b"kohub_e2e_probe_info 1\n"
    )

    def __init__(self, port: int = 0) -> None:
        self.port = port  # 0: the first start() picks a free port, later starts reuse it
        self.scrapes = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def instance(self) -> str:
        """The `instance` label Prometheus gives this target."""
        assert self.port, "start() the probe first"
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.instance}/metrics"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            return
        probe = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] != "/metrics":
                    self.send_error(404)
                    return
                probe.scrapes += 1
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(ProbeTarget.BODY)))
                self.end_headers()
                self.wfile.write(ProbeTarget.BODY)

            def log_message(self, *_: Any) -> None:
                pass

        # HTTPServer sets SO_REUSEADDR, so a restart can bind the same port right away.
        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_port
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket: the next scrape is refused (`up == 0`)."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=STOP_TIMEOUT)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


class MonitoringProcess:
    """One of the two programs, its output in a log file, answering HTTP on loopback."""

    def __init__(self, name: str, argv: list[str], port: int, log: Path) -> None:
        self.name, self.argv, self.port, self.log = name, argv, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - fixed binaries, our own arguments
                self.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )

    def log_tail(self, chars: int = 3000) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return text[-chars:]

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with code {self.process.returncode}; "
                f"command: {' '.join(self.argv)}\n--- {self.name} log (tail) ---\n"
                f"{self.log_tail()}"
            )

    async def ready(self) -> bool:
        self.check_alive()
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                return (await client.get(f"{self.url}/-/ready")).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT; the exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
        return process.returncode


def _yaml(document: dict[str, Any]) -> str:
    """JSON is YAML: both programs read these files with their YAML parsers."""
    return json.dumps(document, indent=2) + "\n"


class Monitoring:
    """A real Prometheus scraping `probe`, and a real Alertmanager sending every alert to
    `webhook_url` with `Authorization: Bearer <token>` (an async context manager)."""

    def __init__(
        self,
        webhook_url: str,
        token: str,
        *,
        probe: ProbeTarget | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
    ) -> None:
        self.webhook_url = webhook_url
        self.token = token
        self.probe = probe or ProbeTarget()
        self.startup_timeout = startup_timeout
        self.directory: Path | None = None
        self.prometheus: MonitoringProcess | None = None
        self.alertmanager: MonitoringProcess | None = None

    # -- what the tests use ------------------------------------------------------------------

    @property
    def prometheus_url(self) -> str:
        assert self.prometheus is not None, "not started"
        return self.prometheus.url

    @property
    def alertmanager_url(self) -> str:
        assert self.alertmanager is not None, "not started"
        return self.alertmanager.url

    @property
    def instance(self) -> str:
        """The probe target's `instance` label (`127.0.0.1:<port>`)."""
        return self.probe.instance

    @property
    def up_query(self) -> str:
        return f'up{{job="{JOB}",instance="{self.instance}"}}'

    async def query(self, promql: str) -> list[dict[str, Any]]:
        """An instant query against Prometheus: the `data.result` vector."""
        async with httpx.AsyncClient(base_url=self.prometheus_url, timeout=5) as client:
            response = await client.get("/api/v1/query", params={"query": promql})
        response.raise_for_status()
        body = response.json()
        if body.get("status") != "success":
            raise RuntimeError(f"Prometheus query {promql!r} failed: {body}")
        return body["data"]["result"]

    async def up(self) -> float | None:
        """The probe target's latest `up` sample (None before the first scrape)."""
        result = await self.query(self.up_query)
        return float(result[0]["value"][1]) if result else None

    def logs(self) -> str:
        """The tail of both logs, for assertion messages."""
        return "\n".join(
            f"--- {p.name} log (tail) ---\n{p.log_tail()}"
            for p in (self.prometheus, self.alertmanager)
            if p is not None
        )

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def start(self) -> None:
        require_binaries()
        self.directory = Path(tempfile.mkdtemp(prefix="kohub-monitoring-"))
        try:
            self.probe.start()
            self._configure()
            assert self.alertmanager is not None and self.prometheus is not None
            self.alertmanager.start()
            self.prometheus.start()
            await self._wait("Alertmanager /-/ready", self.alertmanager.ready)
            await self._wait("Prometheus /-/ready", self.prometheus.ready)
            # Prometheus hands discovered targets to the notifier and scrape loop in batches
            # (every 5 s): wait until it knows the Alertmanager and has scraped the probe.
            await self._wait("Prometheus to discover the Alertmanager", self._alertmanager_known)
            await self._wait(f"{self.up_query} == 1", self._probe_up)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        self.probe.stop()
        for process in (self.prometheus, self.alertmanager):
            if process is not None:
                await asyncio.to_thread(process.stop)
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    # -- internals ---------------------------------------------------------------------------

    def _configure(self) -> None:
        assert self.directory is not None
        d = self.directory
        prometheus_port, alertmanager_port = free_port(), free_port()
        alertmanager_address = f"127.0.0.1:{alertmanager_port}"
        (d / "rules.yml").write_text(
            _yaml(
                {
                    "groups": [
                        {
                            "name": JOB,
                            "interval": "1s",
                            "rules": [
                                {
                                    "alert": ALERT_NAME,
                                    "expr": f'up{{job="{JOB}"}} == 0',
                                    "for": "0s",
                                    "labels": {"severity": "critical"},
                                    "annotations": {
                                        "summary": "Target {{ $labels.instance }} is down",
                                        "description": (
                                            "Prometheus cannot scrape {{ $labels.instance }} "
                                            f"(job {JOB})."
                                        ),
                                    },
                                }
                            ],
                        }
                    ]
                }
            )
        )
        (d / "prometheus.yml").write_text(
            _yaml(
                {
                    "global": {
                        "scrape_interval": "1s",
                        "scrape_timeout": "1s",
                        "evaluation_interval": "1s",
                    },
                    "rule_files": [str(d / "rules.yml")],
                    "alerting": {
                        "alertmanagers": [
                            {
                                "api_version": "v2",
                                "static_configs": [{"targets": [alertmanager_address]}],
                            }
                        ]
                    },
                    "scrape_configs": [
                        {"job_name": JOB, "static_configs": [{"targets": [self.instance]}]}
                    ],
                }
            )
        )
        (d / "alertmanager.yml").write_text(
            _yaml(
                {
                    "route": {
                        "receiver": RECEIVER,
                        "group_by": ["alertname"],
                        "group_wait": "1s",
                        "group_interval": "1s",
                        "repeat_interval": "1h",
                    },
                    "receivers": [
                        {
                            "name": RECEIVER,
                            "webhook_configs": [
                                {
                                    "url": self.webhook_url,
                                    "send_resolved": True,
                                    "http_config": {
                                        "authorization": {
                                            "type": "Bearer",
                                            "credentials": self.token,
                                        }
                                    },
                                }
                            ],
                        }
                    ],
                }
            )
        )
        self.alertmanager = MonitoringProcess(
            "alertmanager",
            [
                str(ALERTMANAGER_BIN),
                f"--config.file={d / 'alertmanager.yml'}",
                f"--storage.path={d / 'alertmanager-data'}",
                f"--web.listen-address={alertmanager_address}",
                f"--web.external-url=http://{alertmanager_address}",
                "--cluster.listen-address=",  # no HA gossip
            ],
            alertmanager_port,
            d / "alertmanager.log",
        )
        self.prometheus = MonitoringProcess(
            "prometheus",
            [
                str(PROMETHEUS_BIN),
                f"--config.file={d / 'prometheus.yml'}",
                f"--storage.tsdb.path={d / 'prometheus-data'}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
                f"--web.external-url=http://127.0.0.1:{prometheus_port}",
            ],
            prometheus_port,
            d / "prometheus.log",
        )

    async def _wait(self, what: str, check: Callable[[], Awaitable[bool]]) -> None:
        try:
            await eventually(check, timeout=self.startup_timeout, interval=0.1)
        except AssertionError:
            raise RuntimeError(
                f"monitoring: no {what} within {self.startup_timeout}s\n{self.logs()}"
            ) from None

    def _check_alive(self) -> None:
        for process in (self.prometheus, self.alertmanager):
            if process is not None:
                process.check_alive()

    async def _alertmanager_known(self) -> bool:
        self._check_alive()
        async with httpx.AsyncClient(base_url=self.prometheus_url, timeout=2) as client:
            body = (await client.get("/api/v1/alertmanagers")).json()
        active = body.get("data", {}).get("activeAlertmanagers", [])
        return any(self.alertmanager_url in a.get("url", "") for a in active)

    async def _probe_up(self) -> bool:
        self._check_alive()
        return await self.up() == 1.0
