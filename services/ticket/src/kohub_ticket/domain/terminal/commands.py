"""The commands of a recording: replayed from the keystrokes ("i" events) through a model of
readline's emacs-mode line editing, or, when nothing was typed on record, read from the
shell's prompt lines in the output.

What keystrokes cannot tell:
- Tab completion: the completed text comes from the shell, so Tab inserts nothing;
- history from before the recording (Up past the first command typed on record, Ctrl-R
  without a match among those) and keys not modelled (Alt-., Ctrl-T, Ctrl-X sequences).
  Such a line is *uncertain*: its command is taken from the shell's echo of it when the
  output shows it on a prompt line; otherwise the keystroke version stands.
- Which program read a line. Keys pressed while a full-screen program (less, vim, top)
  has the alternate screen are dropped, and a line typed right after a password prompt
  is the password, not a command. A password typed ahead, before its prompt appeared, is
  taken for a command (the token patterns still apply to it); lines typed to a REPL or a
  y/N question are logged as commands.
"""

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from kohub_ticket.domain.terminal.redaction import REDACTED
from kohub_ticket.domain.terminal.screen import (
    PROMPT_MARK,
    OutputView,
    command_after_prompt,
    render_line,
)

_KEY = re.compile(
    r"\x1b\[200~(?P<paste>(?s:.*?))(?:\x1b\[201~|\Z)"  # bracketed paste
    r"|\x1b\[(?P<params>[0-?]*)[ -/]*(?P<final>[@-~])"
    r"|\x1bO(?P<ss3>.)"
    r"|\x1b(?P<meta>(?s:.))?"
    r"|(?P<text>[^\x00-\x1f\x1b\x7f]+)"
    r"|(?P<ctl>[\x00-\x1f\x7f])"
)
# Pasted text goes in as is (tabs too, no completion); each pasted newline runs a line.
_PASTED = re.compile(r"[^\x00-\x08\x0a-\x1f\x7f]+|[\r\n]")
_CONTROL_KEYS = {
    "\r": "enter", "\n": "enter", "\x7f": "backspace", "\b": "backspace",
    "\x01": "home", "\x05": "end", "\x02": "left", "\x06": "right",
    "\x10": "up", "\x0e": "down", "\x15": "kill-to-start", "\x0b": "kill-to-end",
    "\x17": "kill-word-back", "\x19": "yank", "\x03": "interrupt", "\x04": "delete-or-eof",
    "\x12": "search", "\x07": "abort", "\t": "tab", "\x0c": "nothing",
}  # fmt: skip
_CURSOR_KEYS = {"A": "up", "B": "down", "C": "right", "D": "left", "H": "home", "F": "end"}
_TILDE_KEYS = {"1": "home", "7": "home", "4": "end", "8": "end", "3": "delete"}
_TILDE_NOTHING = frozenset({"2", "5", "6", "200", "201"})  # Insert, PgUp, PgDn, stray paste
_META_KEYS = {
    "b": "word-left", "f": "word-right", "d": "kill-word",
    "\x7f": "kill-alnum-word-back", "\b": "kill-alnum-word-back",
}  # fmt: skip
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class CommandLine:
    time: float
    text: str


@dataclass(slots=True)
class Keystrokes:
    commands: list[CommandLine] = field(default_factory=list)
    secret_spans: list[tuple[int, int]] = field(default_factory=list)
    """What was typed at password prompts, as spans of the input stream."""
    secrets: list[str] = field(default_factory=list)


class Ended(NamedTuple):
    text: str
    uncertain: bool


def _keys(stream: str, starts: list[int]) -> Iterator[tuple[int, str, str]]:
    """(offset in the stream, key name, text for "text") for each key in `stream`. Typed
    text is cut where events begin: the next event may go to another program."""
    for match in _KEY.finditer(stream):
        paste, final, ss3, text, ctl = match.group("paste", "final", "ss3", "text", "ctl")
        at = match.start()
        if paste is not None:
            base = match.start("paste")
            for part in _PASTED.finditer(paste):
                chars = part.group()
                if chars in ("\r", "\n"):
                    yield base + part.start(), "enter", ""
                else:
                    yield base + part.start(), "text", chars
        elif text is not None:
            end, k = match.end(), bisect_right(starts, at)
            for cut in [*starts[k : bisect_left(starts, end)], end]:
                if cut > at:
                    yield at, "text", stream[at:cut]
                    at = cut
        elif ctl is not None:
            yield at, _CONTROL_KEYS.get(ctl, "unknown"), ""
        elif final is not None:
            yield at, _csi_key(match.group("params"), final), ""
        elif ss3 is not None:
            yield at, _CURSOR_KEYS.get(ss3, "unknown"), ""
        else:
            yield at, _META_KEYS.get(match.group("meta") or "", "unknown"), ""


def _csi_key(params: str, final: str) -> str:
    if final == "~":
        return "nothing" if params in _TILDE_NOTHING else _TILDE_KEYS.get(params, "unknown")
    if params in ("1;5", "1;3") and final in "CD":  # Ctrl/Alt + arrow: by words
        return "word-right" if final == "C" else "word-left"
    return _CURSOR_KEYS.get(final, "unknown") if params in ("", "1") else "unknown"


class LineEditor:
    """Readline's line, as far as the keys tell. `history` is what was run on record."""

    def __init__(self) -> None:
        self.history: list[str] = []
        self.killed = ""
        self.clear()

    def clear(self) -> None:
        self.text, self.cursor = "", 0
        self.recalled = len(self.history)  # == len(history): not browsing the history
        self.draft = ""  # the line being typed before browsing (or searching) history
        self.query: str | None = None  # the Ctrl-R search while searching
        self.found = len(self.history)
        self.uncertain = False

    def press(self, key: str, chars: str = "") -> Ended | None:
        """Apply one key; the line when it ended (Enter; "" when abandoned)."""
        if self.query is not None and self._search_key(key, chars):
            return None
        if key == "enter":
            return Ended(self.text, self.uncertain)
        if key == "interrupt" or (key == "delete-or-eof" and not self.text):
            return Ended("", False)  # Ctrl-C drops the line; Ctrl-D on an empty one ends bash
        if key == "text":
            self._insert(chars)
        elif key in _EDITS:
            _EDITS[key](self)
        elif key not in ("nothing", "abort"):
            self.uncertain = True  # Tab, keys not modelled: see the module docstring
        return None

    def _insert(self, chars: str) -> None:
        self.text = self.text[: self.cursor] + chars + self.text[self.cursor :]
        self.cursor += len(chars)

    def _cut(self, start: int, end: int) -> None:
        if end > start:
            self.killed = self.text[start:end]
            self.text = self.text[:start] + self.text[end:]
            self.cursor = start

    def _show(self, text: str) -> None:
        self.text, self.cursor = text, len(text)

    def _backspace(self) -> None:
        if self.cursor:
            self.text = self.text[: self.cursor - 1] + self.text[self.cursor :]
            self.cursor -= 1

    def _delete(self) -> None:
        self.text = self.text[: self.cursor] + self.text[self.cursor + 1 :]

    def _left(self) -> None:
        self.cursor = max(self.cursor - 1, 0)

    def _right(self) -> None:
        self.cursor = min(self.cursor + 1, len(self.text))

    def _home(self) -> None:
        self.cursor = 0

    def _end(self) -> None:
        self.cursor = len(self.text)

    def _word_start(self) -> int:
        starts = [m.start() for m in _WORD.finditer(self.text, 0, self.cursor)]
        return starts[-1] if starts else 0

    def _word_end(self) -> int:
        match = _WORD.search(self.text, self.cursor)
        return match.end() if match else len(self.text)

    def _word_left(self) -> None:
        self.cursor = self._word_start()

    def _word_right(self) -> None:
        self.cursor = self._word_end()

    def _kill_to_start(self) -> None:
        self._cut(0, self.cursor)

    def _kill_to_end(self) -> None:
        self._cut(self.cursor, len(self.text))

    def _kill_word_back(self) -> None:
        # Ctrl-W (unix-word-rubout): back over spaces, then over what is not a space.
        before = self.text[: self.cursor].rstrip(" \t")
        start = max(before.rfind(" "), before.rfind("\t")) + 1
        self._cut(start, self.cursor)

    def _kill_alnum_word_back(self) -> None:
        self._cut(self._word_start(), self.cursor)

    def _kill_word(self) -> None:
        self._cut(self.cursor, self._word_end())

    def _yank(self) -> None:
        self._insert(self.killed)

    def _up(self) -> None:
        if self.recalled == 0:
            self.uncertain = True  # history from before the recording
            return
        if self.recalled == len(self.history):
            self.draft = self.text
        self.recalled -= 1
        self._show(self.history[self.recalled])

    def _down(self) -> None:
        if self.recalled < len(self.history):
            self.recalled += 1
            recalled = self.recalled < len(self.history)
            self._show(self.history[self.recalled] if recalled else self.draft)

    def _search(self) -> None:
        self.query, self.draft, self.found = "", self.text, len(self.history)

    def _search_key(self, key: str, chars: str) -> bool:
        """A key while searching history (Ctrl-R); False when it ends the search and is
        then applied to the line found."""
        assert self.query is not None
        if key == "text":
            self.query += chars
            self._find(min(self.found, len(self.history) - 1))
        elif key == "backspace":
            self.query = self.query[:-1]
            self._find(len(self.history) - 1)
        elif key == "search":
            self._find(self.found - 1)
        elif key == "abort":
            self.query = None
            self._show(self.draft)
        else:
            self.query = None
            return False
        return True

    def _find(self, start: int) -> None:
        assert self.query is not None
        for k in range(start, -1, -1):
            if self.query in self.history[k]:
                self.found = k
                self._show(self.history[k])
                return
        self.uncertain = True  # the match may be in the history from before the recording


_EDITS: dict[str, Callable[[LineEditor], None]] = {
    "backspace": LineEditor._backspace,
    "delete": LineEditor._delete,
    "delete-or-eof": LineEditor._delete,
    "left": LineEditor._left,
    "right": LineEditor._right,
    "home": LineEditor._home,
    "end": LineEditor._end,
    "word-left": LineEditor._word_left,
    "word-right": LineEditor._word_right,
    "kill-to-start": LineEditor._kill_to_start,
    "kill-to-end": LineEditor._kill_to_end,
    "kill-word-back": LineEditor._kill_word_back,
    "kill-alnum-word-back": LineEditor._kill_alnum_word_back,
    "kill-word": LineEditor._kill_word,
    "yank": LineEditor._yank,
    "up": LineEditor._up,
    "down": LineEditor._down,
    "search": LineEditor._search,
}


def replay_keystrokes(
    stream: str,
    starts: list[int],
    times: list[float],
    output_at: list[int],
    output: OutputView,
) -> Keystrokes:
    """Replay the input stream (the "i" events' data, in order: event k starts at
    `starts[k]`, happened at `times[k]`, after `output_at[k]` characters of output)."""
    result, editor = Keystrokes(), LineEditor()
    line_start: int | None = None  # offset of the first key of the current line
    secret, secret_prompt_at, in_full_screen, echo_from = False, -1, False, 0
    for offset, key, chars in _keys(stream, starts):
        k = bisect_right(starts, offset) - 1
        seen = output_at[k]
        if output.alt_screen(seen):
            in_full_screen = True
            continue
        if in_full_screen:
            editor.clear()
            line_start, in_full_screen = None, False
        if line_start is None:
            line_start = offset
            # A new prompt is needed: Enter after a password leaves its prompt the last line.
            secret = seen > secret_prompt_at and output.asks_for_secret(seen)
            secret_prompt_at = seen if secret else secret_prompt_at
        ended = editor.press(key, chars)
        if ended is None:
            continue
        limit = output_at[k + 1] if k + 1 < len(output_at) else len(output.stream)
        echo_end = output.stream.find("\n", max(seen, echo_from), limit)
        echo_from = echo_end + 1 if echo_end >= 0 else echo_from
        if secret:
            if offset > line_start:
                result.secret_spans.append((line_start, offset))
            if ended.text and ended.text != REDACTED:
                result.secrets.append(ended.text)
        else:
            text = ended.text
            if ended.uncertain and echo_end >= 0:
                text = output.command_on_line(echo_end) or text
            if text.strip():
                result.commands.append(CommandLine(times[k], text.strip()))
                editor.history.append(text)
        editor.clear()
        line_start = None
    return result


def commands_from_prompts(
    output: OutputView, starts: list[int], times: list[float]
) -> list[CommandLine]:
    """The commands on the shell's prompt lines (for recordings without keystrokes). Where
    the shell marks its prompts (bash 5.1+), only marked lines count, so `cat`ted lines
    starting with `# ` are not taken for root prompts."""
    stream, commands = output.stream, []
    marked = PROMPT_MARK in stream
    start = 0
    while (end := stream.find("\n", start)) >= 0:
        segment = stream[start:end]
        if (PROMPT_MARK in segment) if marked else ("$ " in segment or "# " in segment):
            line, prompt_col = render_line(segment, output.width, output.alt_screen(start))
            command = command_after_prompt(line, prompt_col)
            if command and (prompt_col is not None or not marked):
                commands.append(CommandLine(times[bisect_right(starts, end) - 1], command))
        start = end + 1
    return commands
