"""Structured JSON logs: one line per event, with the request and correlation ids bound."""

import logging
import sys

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars

__all__ = ["bind_contextvars", "clear_contextvars", "configure_logging", "current_correlation_id"]


def configure_logging(service: str, level: str = "INFO") -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        lambda _logger, _name, event: {"service": service, **event},
    ]
    structlog.configure(
        # filter first: a dropped line then costs no processing
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log repeats what the request middleware logs, with fewer fields.
    logging.getLogger("uvicorn.access").disabled = True


def current_correlation_id() -> str | None:
    return get_contextvars().get("correlation_id")
