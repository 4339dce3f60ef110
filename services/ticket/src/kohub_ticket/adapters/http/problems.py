"""Application and domain errors of the ticket service as problem details."""

from typing import Any

from sqlalchemy.exc import IntegrityError

from kohub_platform.errors import integrity_handler, problem_handler, stale_version_handler
from kohub_ticket.application.errors import (
    InvalidRequest,
    NotAllowed,
    StaleVersion,
    TicketNotFound,
)
from kohub_ticket.application.terminal import NoTerminalWindow, UnreadableCast
from kohub_ticket.domain.errors import IllegalTransition, InvalidTicketChange

TICKET_EXCEPTION_HANDLERS: dict[Any, Any] = {
    TicketNotFound: problem_handler(404, "not-found"),
    NotAllowed: problem_handler(403, "forbidden"),
    StaleVersion: stale_version_handler,
    NoTerminalWindow: problem_handler(422, "no-terminal-window"),
    UnreadableCast: problem_handler(422, "invalid-cast"),
    InvalidRequest: problem_handler(422, "unprocessable"),
    IllegalTransition: problem_handler(
        409,
        "illegal-transition",
        currentStatus=lambda e: e.current.value,
        requestedStatus=lambda e: e.target.value,
        allowedTransitions=lambda e: [s.value for s in e.allowed],
    ),
    InvalidTicketChange: problem_handler(409, "conflict"),
    IntegrityError: integrity_handler,
}
