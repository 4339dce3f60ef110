"""A stand-in for Termix (web SSH terminal, 2.x) for tests and the local demo: the part of
its HTTP API kohub uses, answered as Termix's source answers it
(`src/backend/database/routes/session-log-routes.ts`, `src/backend/utils/auth-manager.ts`).

- `Authorization: Bearer tmx_…` acts as the key's owner; no token → 401
  `{"error": "Missing authentication token"}`, an unknown key → 401 `{"error": "Invalid API
  key"}` (any other bearer token would be a Termix login JWT: 401 `Invalid token` here).
- `GET /session_logs` → `{"logs": [...]}`, the owner's recordings only, newest first, each
  `{id, hostId, userId, startedAt, endedAt, duration, recordingPath, hostName, hostIp,
  sizeBytes}` (ids are integers, times ISO 8601).
- `GET /session_logs/{id}` → `{"log": {...}}`; `GET /session_logs/{id}/content` → the
  recording, `application/x-asciicast` for asciicast. Another user's id is 404 `{"error":
  "Not found"}`, a non-numeric id 400 `{"error": "Invalid id"}`.
- `GET /?view=terminal&hostId=N` → a small page naming the host whose terminal Termix would
  show (the console's iframe loads it in the demo); `GET /health` → `{"status": "ok"}`.

In tests: `with running_termix(TermixData(...)) as termix: termix.url`. For the demo:
`python -m kohub_platform.termix_standin --port 8090 [--data termix.json]`, the file shaped
like `TermixData.from_json` reads.
"""

import argparse
import html
import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from litestar import Litestar, MediaType, Request, Response, get

from kohub_platform.waiting import wait_for

ASCIICAST = "application/x-asciicast"
MEDIA_TYPES = {
    "asciicast": ASCIICAST,
    "guacamole": "application/vnd.apache.guacamole.recording",
}


@dataclass
class TermixUser:
    id: str
    username: str
    api_keys: list[str] = field(default_factory=list)


@dataclass
class TermixHost:
    id: int
    name: str
    ip: str = "10.0.0.1"


@dataclass
class TermixRecording:
    id: int
    host_id: int
    user_id: str
    started_at: datetime
    ended_at: datetime | None
    content: str | bytes
    format: str = "asciicast"

    def body(self) -> bytes:
        return self.content.encode() if isinstance(self.content, str) else self.content


@dataclass
class TermixData:
    """What the stand-in knows; tests may change it while it runs."""

    users: list[TermixUser] = field(default_factory=list)
    hosts: list[TermixHost] = field(default_factory=list)
    logs: list[TermixRecording] = field(default_factory=list)

    def owner_of(self, api_key: str) -> TermixUser | None:
        return next((u for u in self.users if api_key in u.api_keys), None)

    def host(self, host_id: int) -> TermixHost | None:
        return next((h for h in self.hosts if h.id == host_id), None)

    @classmethod
    def from_json(
        cls, raw: dict[str, Any], base: Path | None = None, now: datetime | None = None
    ) -> "TermixData":
        """`{"users": [{"id", "username", "apiKeys"}], "hosts": [{"id", "name", "ip"}],
        "logs": [{"id", "hostId", "userId", "startedAt", "endedAt", "content", "format"}]}`;
        a log may name its recording as `contentFile` (relative to `base`) instead, and one
        without `startedAt` was recorded `now` (the demo's, when the stand-in starts)."""
        now = now or datetime.now(UTC)
        return cls(
            users=[
                TermixUser(u["id"], u["username"], list(u.get("apiKeys", [])))
                for u in raw.get("users", [])
            ],
            hosts=[
                TermixHost(int(h["id"]), h["name"], h.get("ip", "10.0.0.1"))
                for h in raw.get("hosts", [])
            ],
            logs=[
                TermixRecording(
                    id=int(r["id"]),
                    host_id=int(r["hostId"]),
                    user_id=r["userId"],
                    started_at=_parse(r["startedAt"]) if r.get("startedAt") else now,
                    ended_at=_parse(r["endedAt"]) if r.get("endedAt") else None,
                    content=(
                        ((base or Path()) / r["contentFile"]).read_text()
                        if r.get("contentFile")
                        else r.get("content", "")
                    ),
                    format=r.get("format", "asciicast"),
                )
                for r in raw.get("logs", [])
            ],
        )


def _parse(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _iso(at: datetime | None) -> str | None:
    # as JavaScript's toISOString(): milliseconds, Z
    if at is None:
        return None
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error(status: int, message: str) -> Response[Any]:
    return Response({"error": message}, status_code=status, media_type=MediaType.JSON)


def create_termix_app(data: TermixData) -> Litestar:
    def owner(request: Request[Any, Any, Any]) -> TermixUser | Response[Any]:
        header = request.headers.get("authorization", "")
        token = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""
        if not token:
            return _error(401, "Missing authentication token")
        if not token.startswith("tmx_"):
            return _error(401, "Invalid token")
        return data.owner_of(token) or _error(401, "Invalid API key")

    def recording(request: Request[Any, Any, Any], raw_id: str) -> TermixRecording | Response[Any]:
        user = owner(request)
        if isinstance(user, Response):
            return user
        digits = re.match(r"\d+", raw_id)  # Termix reads the id with parseInt
        if digits is None:
            return _error(400, "Invalid id")
        log_id = int(digits.group())
        found = next((r for r in data.logs if r.id == log_id and r.user_id == user.id), None)
        return found or _error(404, "Not found")

    def listed(r: TermixRecording) -> dict[str, Any]:
        host = data.host(r.host_id)
        duration = int((r.ended_at - r.started_at).total_seconds()) if r.ended_at else None
        return {
            "id": r.id,
            "hostId": r.host_id,
            "userId": r.user_id,
            "startedAt": _iso(r.started_at),
            "endedAt": _iso(r.ended_at),
            "duration": duration,
            "recordingPath": f"/app/data/session_recordings/{r.id}.cast",
            "hostName": host.name if host else None,
            "hostIp": host.ip if host else None,
        }

    @get("/session_logs")
    async def list_logs(request: Request[Any, Any, Any]) -> Response[Any]:
        user = owner(request)
        if isinstance(user, Response):
            return user
        mine = sorted(
            (r for r in data.logs if r.user_id == user.id),
            key=lambda r: r.started_at,
            reverse=True,
        )
        return Response({"logs": [{**listed(r), "sizeBytes": len(r.body())} for r in mine]})

    @get("/session_logs/{log_id:str}")
    async def get_log(request: Request[Any, Any, Any], log_id: str) -> Response[Any]:
        found = recording(request, log_id)
        if isinstance(found, Response):
            return found
        row = {**listed(found), "protocol": "ssh", "format": found.format}
        return Response({"log": row})

    @get("/session_logs/{log_id:str}/content")
    async def get_content(request: Request[Any, Any, Any], log_id: str) -> Response[Any]:
        found = recording(request, log_id)
        if isinstance(found, Response):
            return found
        return Response(found.body(), media_type=MEDIA_TYPES.get(found.format, "text/plain"))

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @get("/", media_type=MediaType.HTML)
    async def page(request: Request[Any, Any, Any]) -> str:
        host_id = request.query_params.get("hostId")
        what = "no host chosen"
        if host_id:
            host = data.host(int(host_id)) if host_id.isdigit() else None
            what = f"the terminal of host {host_id}" + (f" ({host.name})" if host else "")
        text = html.escape(f"Termix stand-in: {what} would be shown here.")
        style = "background:#0f172a;color:#e2e8f0;font:14px monospace;margin:1em"
        return (
            f'<!doctype html><title>Termix stand-in</title><body style="{style}">'
            f"<p>{text}</p><p>$ <span>_</span></p></body>"
        )

    return Litestar(
        route_handlers=[list_logs, get_log, get_content, health, page], openapi_config=None
    )


class RunningTermix:
    """The stand-in served by uvicorn in a thread of its own, on a free loopback port."""

    def __init__(self, data: TermixData) -> None:
        self.data = data
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))  # bound here: no other process can take the port
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(create_termix_app(data), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self, timeout: float = 10.0) -> "RunningTermix":
        self._thread.start()

        def started() -> bool:
            if not self._thread.is_alive():
                raise RuntimeError("The Termix stand-in did not start.")
            return bool(self._server.started)

        wait_for(
            started,
            timeout=timeout,
            message="The Termix stand-in did not start.",
            interval=0.01,
            error=RuntimeError,
        )
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


@contextmanager
def running_termix(data: TermixData) -> Iterator[RunningTermix]:
    termix = RunningTermix(data).start()
    try:
        yield termix
    finally:
        termix.stop()


DEMO = {
    "users": [{"id": "demo-operator", "username": "operator", "apiKeys": ["tmx_" + "d" * 64]}],
    "hosts": [{"id": 1, "name": "web-01", "ip": "10.0.0.5"}],
    "logs": [],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--data", type=Path, help="users, hosts and logs as JSON")
    args = parser.parse_args()
    raw = json.loads(args.data.read_text()) if args.data else DEMO
    data = TermixData.from_json(raw, base=args.data.parent if args.data else None)
    uvicorn.run(create_termix_app(data), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
