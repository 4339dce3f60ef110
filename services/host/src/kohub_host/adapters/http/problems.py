"""Host application errors as problem details."""

from typing import Any

from sqlalchemy.exc import IntegrityError

from kohub_host.application.errors import (
    Conflict,
    InvalidRequest,
    NotAllowed,
    NotFound,
    StaleVersion,
)
from kohub_platform.errors import integrity_handler, problem_handler, stale_version_handler

HOST_EXCEPTION_HANDLERS: dict[Any, Any] = {
    NotFound: problem_handler(404, "not-found"),
    NotAllowed: problem_handler(403, "forbidden"),
    Conflict: problem_handler(409, "conflict"),
    StaleVersion: stale_version_handler,
    InvalidRequest: problem_handler(
        422, "validation", errors=lambda e: [{"key": e.field, "message": str(e)}]
    ),
    IntegrityError: integrity_handler,
}
