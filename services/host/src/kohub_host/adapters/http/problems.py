"""Host application and domain errors as problem details."""

from typing import Any

from litestar import Request, Response
from sqlalchemy.exc import IntegrityError

from kohub_host.application.errors import (
    Conflict,
    InvalidRequest,
    NotAllowed,
    NotFound,
    StaleVersion,
)
from kohub_platform.errors import problem_response


def _not_found(request: Request[Any, Any, Any], exc: NotFound) -> Response[bytes]:
    return problem_response(request, 404, "not-found", str(exc))


def _forbidden(request: Request[Any, Any, Any], exc: NotAllowed) -> Response[bytes]:
    return problem_response(request, 403, "forbidden", str(exc))


def _conflict(request: Request[Any, Any, Any], exc: Conflict) -> Response[bytes]:
    return problem_response(request, 409, "conflict", str(exc))


def _stale(request: Request[Any, Any, Any], exc: StaleVersion) -> Response[bytes]:
    return problem_response(
        request, 412, "precondition-failed", str(exc), headers={"ETag": etag(exc.current)}
    )


def _invalid(request: Request[Any, Any, Any], exc: InvalidRequest) -> Response[bytes]:
    return problem_response(
        request, 422, "validation", str(exc), errors=[{"key": exc.field, "message": str(exc)}]
    )


def _integrity(request: Request[Any, Any, Any], exc: IntegrityError) -> Response[bytes]:
    # Two concurrent writers got past the checks: the constraints decide.
    return problem_response(request, 409, "conflict", "The change conflicts with stored data.")


HOST_EXCEPTION_HANDLERS: dict[Any, Any] = {
    NotFound: _not_found,
    NotAllowed: _forbidden,
    Conflict: _conflict,
    StaleVersion: _stale,
    InvalidRequest: _invalid,
    IntegrityError: _integrity,
}


def etag(version: int) -> str:
    return f'"v{version}"'


def expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    return int(value[1:]) if value.startswith("v") and value[1:].isdigit() else -1
