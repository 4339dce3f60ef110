"""Terminal recordings (asciicast v2, as asciinema and Termix write them): the operator's
command log, and the recording with its secrets redacted. Pure: no I/O."""

from kohub_ticket.domain.terminal.cast import InvalidCast
from kohub_ticket.domain.terminal.recording import (
    Command,
    ParsedCast,
    command_log_text,
    parse_cast,
)

__all__ = ["Command", "InvalidCast", "ParsedCast", "command_log_text", "parse_cast"]
