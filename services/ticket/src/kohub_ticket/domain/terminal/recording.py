"""A terminal recording read for a ticket: the operator's command log, and the recording
again with its secrets redacted."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kohub_ticket.domain.terminal.cast import Event, read_cast, write_cast
from kohub_ticket.domain.terminal.commands import commands_from_prompts, replay_keystrokes
from kohub_ticket.domain.terminal.redaction import (
    KnownSecrets,
    find_secrets,
    merge_spans,
    over_edits,
    redact_pieces,
    redact_text,
)
from kohub_ticket.domain.terminal.screen import OutputView


@dataclass(frozen=True, slots=True)
class Command:
    offset: float
    """Seconds from the start of the recording when Enter was pressed."""
    text: str
    """The command line as run, secrets replaced by "[REDACTED]"."""


@dataclass(frozen=True, slots=True)
class ParsedCast:
    width: int
    height: int
    started_at: datetime | None
    duration: float
    commands: tuple[Command, ...]
    command_source: str
    """"input" when replayed from keystrokes, "output" when read from prompt lines."""
    redacted_cast: str
    """The whole recording again (asciicast v2), secrets replaced."""
    redactions: int
    """How many distinct secret values were replaced (a token typed, echoed and logged
    counts once)."""


class _Stream:
    """One kind of event ("i" or "o") as a single string: secrets and escape sequences
    run across event boundaries."""

    def __init__(self, events: list[Event], indexes: list[int]) -> None:
        self.indexes = indexes
        self.pieces = [events[k].data for k in indexes]
        self.times = [events[k].time for k in indexes]
        self.starts, offset = [], 0
        for piece in self.pieces:
            self.starts.append(offset)
            offset += len(piece)
        self.text = "".join(self.pieces)


def parse_cast(text: str, *, max_events: int = 200_000) -> ParsedCast:
    """Read an asciicast v2 recording; raises InvalidCast."""
    cast = read_cast(text, max_events=max_events)
    events = cast.events
    order = list(range(len(events)))
    if any(events[k].time > events[k + 1].time for k in range(len(events) - 1)):
        order.sort(key=lambda k: events[k].time)  # what came first matters, not file order
    typed = _Stream(events, [k for k in order if events[k].code == "i"])
    shown = _Stream(events, [k for k in order if events[k].code == "o"])
    output = OutputView(shown.text, cast.width)

    secret_spans: list[tuple[int, int]] = []
    secrets: list[str] = []
    if typed.indexes:
        output_at, printed = [], 0
        for k in order:
            if events[k].code == "o":
                printed += len(events[k].data)
            elif events[k].code == "i":
                output_at.append(printed)
        keystrokes = replay_keystrokes(typed.text, typed.starts, typed.times, output_at, output)
        lines, source = keystrokes.commands, "input"
        secret_spans, secrets = keystrokes.secret_spans, keystrokes.secrets
    else:
        lines, source = commands_from_prompts(output, shown.starts, shown.times), "output"

    typed_spans, shown_spans = find_secrets(typed.text), find_secrets(shown.text)
    found = set(secrets)
    found.update(typed.text[start:end] for start, end in typed_spans)
    found.update(shown.text[start:end] for start, end in shown_spans)
    typed_spans = over_edits(typed.text, typed_spans)
    shown_spans = over_edits(shown.text, shown_spans)
    for line in lines:
        found.update(line.text[start:end] for start, end in find_secrets(line.text))
    known = KnownSecrets(prompted=secrets, found=found)

    data = [event.data for event in events]
    for stream, spans in ((typed, typed_spans + secret_spans), (shown, shown_spans)):
        spans = merge_spans(spans + known.spans(stream.text))
        redacted = redact_pieces(stream.pieces, stream.starts, spans)
        for k, piece in zip(stream.indexes, redacted, strict=True):
            data[k] = piece
    for k, event in enumerate(events):
        if event.code == "m":
            data[k] = _redacted(event.data, known, found)
    header = _redact_header(cast.header, known, found)
    commands = tuple(Command(line.time, _redacted(line.text, known, found)) for line in lines)

    kept = [
        Event(event.time, event.code, data[k])
        for k, event in enumerate(events)
        if data[k] or not event.data  # an event that was all secret goes
    ]
    return ParsedCast(
        width=cast.width,
        height=cast.height,
        started_at=cast.started_at,
        duration=max((event.time for event in events), default=0.0),
        commands=commands,
        command_source=source,
        redacted_cast=write_cast(header, kept),
        redactions=len(found),
    )


def _redacted(text: str, known: KnownSecrets, found: set[str]) -> str:
    redacted, values = redact_text(text, known)
    found.update(values)
    return redacted


def _redact_header(value: Any, known: KnownSecrets, found: set[str]) -> Any:
    """The header with secrets out of its strings (`command`, `title`, `env`)."""
    if isinstance(value, str):
        return _redacted(value, known, found)
    if isinstance(value, dict):
        return {key: _redact_header(item, known, found) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_header(item, known, found) for item in value]
    return value


def command_log_text(commands: Iterable[Command]) -> str:
    """One line per command: "[HH:MM:SS] text" (offset from start)."""
    lines = []
    for command in commands:
        seconds = int(command.offset)
        clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        lines.append(f"[{clock}] {command.text}")
    return "\n".join(lines)
