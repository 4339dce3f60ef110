"""Application and domain errors as problem details."""

from typing import Any

from litestar import Request, Response
from sqlalchemy.exc import IntegrityError

from kohub_platform.errors import problem_response
from kohub_ticket.application.errors import (
    InvalidRequest,
    NotAllowed,
    StaleVersion,
    TicketNotFound,
)
from kohub_ticket.domain.errors import IllegalTransition, InvalidTicketChange


def _not_found(request: Request[Any, Any, Any], exc: TicketNotFound) -> Response[bytes]:
    return problem_response(request, 404, "not-found", str(exc))


def _forbidden(request: Request[Any, Any, Any], exc: NotAllowed) -> Response[bytes]:
    return problem_response(request, 403, "forbidden", str(exc))


def _stale(request: Request[Any, Any, Any], exc: StaleVersion) -> Response[bytes]:
    return problem_response(
        request, 412, "precondition-failed", str(exc), headers={"ETag": etag(exc.current)}
    )


def _invalid(request: Request[Any, Any, Any], exc: InvalidRequest) -> Response[bytes]:
    return problem_response(request, 422, "unprocessable", str(exc))


def _illegal(request: Request[Any, Any, Any], exc: IllegalTransition) -> Response[bytes]:
    return problem_response(
        request,
        409,
        "illegal-transition",
        str(exc),
        currentStatus=exc.current.value,
        requestedStatus=exc.target.value,
        allowedTransitions=[s.value for s in exc.allowed],
    )


def _change(request: Request[Any, Any, Any], exc: InvalidTicketChange) -> Response[bytes]:
    return problem_response(request, 409, "conflict", str(exc))


def _integrity(request: Request[Any, Any, Any], exc: IntegrityError) -> Response[bytes]:
    return problem_response(request, 409, "conflict", "The change conflicts with stored data.")


TICKET_EXCEPTION_HANDLERS: dict[Any, Any] = {
    TicketNotFound: _not_found,
    NotAllowed: _forbidden,
    StaleVersion: _stale,
    InvalidRequest: _invalid,
    IllegalTransition: _illegal,
    InvalidTicketChange: _change,
    IntegrityError: _integrity,
}


def etag(version: int) -> str:
    return f'"v{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an `If-Match` header names; None when absent or `*`."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.startswith("v") or not value[1:].isdigit():
        return -1  # matches no version: answered 412 like any stale ETag
    return int(value[1:])
