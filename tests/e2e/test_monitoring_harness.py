"""The monitoring harness on its own: a real Prometheus notices the probe target going down and
up again, and a real Alertmanager delivers the firing and the resolved webhook, with the bearer
token, to a local receiver.

With KOHUB_RECORD_ALERTMANAGER_FIXTURES=1 the run also stores the two bodies it received, pretty
printed, as the adapter-gateway's parser fixtures `alertmanager_real_{firing,resolved}.json`
(real payloads of the installed Alertmanager; off by default so runs leave the tree alone)."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from monitoring import ALERT_NAME, JOB, Monitoring, require_binaries

from kohub_platform.testing import eventually

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "services" / "adapter-gateway" / "tests" / "fixtures"
TOKEN = "e2e-monitoring-harness-token"
DEADLINE = 60.0


class WebhookReceiver:
    """Records every POST (path, headers, raw body) on a loopback port."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        lock = threading.Lock()
        self._lock = lock
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    received.append(
                        {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                    )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/webhooks/alertmanager"

    def __enter__(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def posts(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.received)


def _alert(post: dict[str, Any], status: str, instance: str) -> dict[str, Any] | None:
    """The KohubE2ETargetDown alert for `instance` with `status` in the webhook, if any."""
    body = json.loads(post["body"])
    for alert in body.get("alerts", []):
        labels = alert.get("labels", {})
        if (
            alert.get("status") == status
            and labels.get("alertname") == ALERT_NAME
            and labels.get("instance") == instance
        ):
            return alert
    return None


def _record(name: str, raw: bytes) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / name).write_text(
        json.dumps(json.loads(raw), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


async def test_alertmanager_delivers_firing_and_resolved_webhooks() -> None:
    require_binaries()
    with WebhookReceiver() as receiver:
        async with Monitoring(webhook_url=receiver.url, token=TOKEN) as monitoring:
            instance = monitoring.instance
            assert await monitoring.up() == 1.0

            monitoring.probe.stop()

            async def firing() -> dict[str, Any] | None:
                for post in receiver.posts():
                    if _alert(post, "firing", instance):
                        return post
                return None

            try:
                fired = await eventually(firing, timeout=DEADLINE, interval=0.1)
            except AssertionError:
                raise AssertionError(f"no firing webhook\n{monitoring.logs()}") from None
            assert fired["headers"]["Authorization"] == f"Bearer {TOKEN}"
            assert fired["path"] == "/webhooks/alertmanager"
            firing_body = json.loads(fired["body"])
            assert firing_body["status"] == "firing"
            assert firing_body["receiver"] == "kohub-adapter-gateway"
            alert = _alert(fired, "firing", instance)
            assert alert is not None
            assert alert["labels"]["job"] == JOB
            assert alert["labels"]["severity"] == "critical"
            assert instance in alert["annotations"]["summary"]
            assert instance in alert["annotations"]["description"]
            fingerprint = alert["fingerprint"]

            monitoring.probe.start()

            async def resolved() -> dict[str, Any] | None:
                for post in receiver.posts():
                    found = _alert(post, "resolved", instance)
                    if found and found["fingerprint"] == fingerprint:
                        return post
                return None

            try:
                cleared = await eventually(resolved, timeout=DEADLINE, interval=0.1)
            except AssertionError:
                raise AssertionError(f"no resolved webhook\n{monitoring.logs()}") from None
            assert cleared["headers"]["Authorization"] == f"Bearer {TOKEN}"
            assert json.loads(cleared["body"])["status"] == "resolved"

            async def up_again() -> bool:
                return await monitoring.up() == 1.0

            await eventually(up_again, timeout=DEADLINE, interval=0.1)
            result = await monitoring.query(f'up{{job="{JOB}"}}')
            assert [(r["metric"]["instance"], r["value"][1]) for r in result] == [(instance, "1")]

            if os.environ.get("KOHUB_RECORD_ALERTMANAGER_FIXTURES") == "1":
                _record("alertmanager_real_firing.json", fired["body"])
                _record("alertmanager_real_resolved.json", cleared["body"])
