"""The adapter gateway's errors as problem details (RFC 9457)."""

from typing import Any

from litestar import Request
from sqlalchemy.exc import InterfaceError, OperationalError

from kohub_adapter.adapters.http.webhooks import TooManyRequests
from kohub_adapter.application.handlers import (
    HostNotMapped,
    InvalidSource,
    SourceNotFound,
    StaleSource,
)
from kohub_adapter.application.terminal import (
    RecordingTooLarge,
    TerminalCredentialsMissing,
    TerminalCredentialsRejected,
    WindowTooLarge,
)
from kohub_adapter.application.tools import (
    NoStatusSource,
    ToolUnavailable,
    UnsupportedCapability,
)
from kohub_adapter.domain.terminal import (
    InvalidTerminalRequest,
    NoTerminalAdapter,
    TermixNotAllowed,
)
from kohub_platform.errors import problem_handler, problem_response, stale_version_handler
from kohub_platform.pagination import InvalidCursor


def _too_many(request: Request[Any, Any, Any], exc: TooManyRequests) -> Any:
    return problem_response(
        request, 429, "too-many-requests", str(exc), headers={"Retry-After": str(exc.retry_after)}
    )


def _database_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Any:
    # The tool retries a webhook answered 503; nothing was acknowledged, nothing is lost.
    return problem_response(
        request,
        503,
        "unavailable",
        "The database is not reachable; try again shortly.",
        headers={"Retry-After": "5"},
    )


ADAPTER_EXCEPTION_HANDLERS: dict[Any, Any] = {
    TooManyRequests: _too_many,
    SourceNotFound: problem_handler(404, "not-found"),
    HostNotMapped: problem_handler(404, "not-found"),
    InvalidSource: problem_handler(422, "validation"),
    InvalidCursor: problem_handler(400, "bad-request"),
    StaleSource: stale_version_handler,
    UnsupportedCapability: problem_handler(409, "unsupported-capability"),
    NoStatusSource: problem_handler(409, "no-status-source"),
    ToolUnavailable: problem_handler(502, "tool-unavailable"),
    NoTerminalAdapter: problem_handler(409, "no-terminal-adapter"),
    TermixNotAllowed: problem_handler(409, "termix-not-allowed"),
    TerminalCredentialsMissing: problem_handler(409, "terminal-credentials-missing"),
    TerminalCredentialsRejected: problem_handler(409, "terminal-credentials-rejected"),
    InvalidTerminalRequest: problem_handler(422, "validation"),
    WindowTooLarge: problem_handler(
        422, "terminal-window-too-large", limitBytes=lambda exc: exc.limit
    ),
    RecordingTooLarge: problem_handler(
        422,
        "terminal-recording-too-large",
        sessionId=lambda exc: exc.session_id,
        limitBytes=lambda exc: exc.limit,
    ),
    # the database cannot be reached (not: refused a value, which is a bug answered 500)
    OperationalError: _database_unavailable,
    InterfaceError: _database_unavailable,
    OSError: _database_unavailable,
}
