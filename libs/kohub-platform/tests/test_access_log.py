"""The access log line of every request carries the status the client got, also when the
answer came from Litestar's outer handler (a refused token)."""

from litestar import get
from litestar.testing import AsyncTestClient
from structlog.testing import capture_logs

from kohub_platform.auth import TokenVerifier
from kohub_platform.web import create_service_app


@get("/api/v1/things", sync_to_thread=False)
def things() -> dict[str, str]:
    return {"ok": "yes"}


async def test_the_access_log_has_the_answered_status(oidc) -> None:
    app = create_service_app(
        service="test",
        version="0",
        route_handlers=[things],
        token_verifier=TokenVerifier(oidc.settings),
        ready_checks={},
    )
    async with AsyncTestClient(app=app) as client:
        with capture_logs() as logs:
            refused = await client.get("/api/v1/things")
            served = await client.get("/api/v1/things", headers=oidc.headers(["msp-operator"]))
    assert (refused.status_code, served.status_code) == (401, 200)
    statuses = [entry["status"] for entry in logs if entry.get("event") == "request"]
    assert statuses == [401, 200]
