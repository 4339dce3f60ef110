"""Problem details (RFC 9457) for every HTTP error a kohub service answers."""

import json
from http import HTTPStatus
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.exceptions import NotFoundException as LitestarNotFound
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from kohub_platform.paths import client_path

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:kohub:problem:"
log = structlog.get_logger("kohub.errors")


class ProblemError(Exception):
    """An error the caller can act on. Subclasses set the status and the problem type."""

    status: int = 400
    type_name: str = "bad-request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(ProblemError):
    status, type_name = 404, "not-found"


class Forbidden(ProblemError):
    status, type_name = 403, "forbidden"


class Conflict(ProblemError):
    status, type_name = 409, "conflict"


class Unauthorized(ProblemError):
    status, type_name = 401, "unauthorized"


_PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "requestId"})


class UpstreamProblem(ProblemError):
    """A problem another kohub service answered, passed on to our caller as it was (its
    status, type and detail), or one of ours when that service could not be reached."""

    def __init__(self, status: int, type_name: str, detail: str, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.status, self.type_name = status, type_name

    @classmethod
    def from_answer(cls, status: int, body: bytes, service: str) -> "UpstreamProblem":
        try:
            problem = json.loads(body)
        except ValueError:
            problem = None
        if not isinstance(problem, dict):
            return cls(502, "bad-gateway", f"The {service} answered {status} without a problem.")
        kind = str(problem.get("type") or "about:blank").removeprefix(TYPE_BASE)
        if kind == "about:blank":
            kind = _TYPE_BY_STATUS.get(status, "http-error")
        detail = str(problem.get("detail") or problem.get("title") or f"{service}: {status}")
        # its own members (e.g. sessionId, limitBytes) go on too
        extensions = {k: v for k, v in problem.items() if k not in _PROBLEM_MEMBERS}
        return cls(status, kind, detail, **extensions)


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    type_name: str,
    detail: str | None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response[bytes]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + type_name,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "instance": client_path(request.scope),
    }
    if detail:
        body["detail"] = detail
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        body["requestId"] = request_id
    body.update(extensions)
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _problem_error(request: Request[Any, Any, Any], exc: ProblemError) -> Response[bytes]:
    headers = {"WWW-Authenticate": 'Bearer realm="kohub"'} if exc.status == 401 else None
    return problem_response(
        request, exc.status, exc.type_name, exc.detail, headers, **exc.extensions
    )


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    return problem_response(
        request, 400, "validation", str(exc.detail), errors=[_clean(e) for e in errors]
    )


def _clean(error: Any) -> Any:
    if isinstance(error, dict):
        return {k: v for k, v in error.items() if k in ("key", "message", "source")}
    return str(error)


_TYPE_BY_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
}


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="kohub"')
    return problem_response(
        request, status, _TYPE_BY_STATUS.get(status, "http-error"), str(exc.detail), headers or None
    )


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.exception("unhandled error", path=request.url.path, error=type(exc).__name__)
    return problem_response(
        request, HTTP_500_INTERNAL_SERVER_ERROR, "internal", "An unexpected error occurred."
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ProblemError: _problem_error,
    ValidationException: _validation,
    NotAuthorizedException: _http,
    PermissionDeniedException: _http,
    LitestarNotFound: _http,
    HTTPException: _http,
    Exception: _unexpected,
}


def problem_handler(status: int, type_name: str, **fixed: Any) -> Any:
    """An exception handler answering `status` with the exception's message as detail."""

    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
        extensions = {k: (v(exc) if callable(v) else v) for k, v in fixed.items()}
        return problem_response(request, status, type_name, str(exc), **extensions)

    return handle


def etag(version: int) -> str:
    """Strong ETag of a versioned resource."""
    return f'"v{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an `If-Match` header names; None when absent or `*`. A value this service
    did not issue matches no version, so the write is refused with 412."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip()
    if value.startswith("W/"):  # If-Match compares strongly: a weak tag matches nothing
        return -1
    value = value.strip('"')
    return int(value[1:]) if value.startswith("v") and value[1:].isdigit() else -1


def stale_version_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    current = getattr(exc, "current", None)
    headers = {"ETag": etag(current)} if isinstance(current, int) else None
    return problem_response(request, 412, "precondition-failed", str(exc), headers=headers)


def integrity_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    # Two concurrent writers got past the checks: the database constraints decide.
    return problem_response(request, 409, "conflict", "The change conflicts with stored data.")
