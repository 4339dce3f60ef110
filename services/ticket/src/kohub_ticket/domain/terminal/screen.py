"""The output side of a recording: what one line of the terminal showed, whether the
shell was at a prompt, whether a program asked for a password, and whether a full-screen
program (less, vim, top) had the alternate screen.

This is a one-line terminal, not an emulator: enough for what shells and readline print on
a prompt line (echo, backspace redraws, `\\r` redraws, readline's `" \\r"` at the right
margin), not for full-screen cursor addressing.
"""

import re
from bisect import bisect_left

_TOKEN = re.compile(
    r"\x1b\[(?P<params>[0-?]*)[ -/]*(?P<final>[@-~])"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (window title, hyperlinks)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # other escapes: charset selection, keypad modes
    r"|(?P<text>[^\x00-\x1f\x1b\x7f]+)"
    r"|(?P<ctl>[\x00-\x1f\x7f])"
)
# Bash 5.1+ turns bracketed paste on right before it prints the prompt: a prompt marker.
PROMPT_MARK = "\x1b[?2004h"
_ALT_SCREEN = re.compile(r"\x1b\[\?(?:1049|1047|47)([hl])")
# `$ `, `# `, `user@host:~/dir$ `, `[user@host dir]# `, `(venv) user@host:~$ `. Not PS2 `> `.
_SHELL_PROMPT = re.compile(
    r"(?:\([^()]{1,60}\) )?(?:[\w.-]+@[\w.-]+(?::[^\s$#]*)?|\[[^\]]{1,120}\])?[$#] "
)
_SECRET_PROMPT = re.compile(
    r"(?i)(?:pass(?:word|phrase|code)|\[sudo\]|\bpin\b|\bsecret\b|\btoken\b|\botp\b"
    r"|verification code)[^\n]{0,200}[:?]\s*\Z"
)
_TAIL = 2048
# One logical line spans at most this many rows: a cursor move past it (`ESC[99999999C`,
# printed by whatever runs on the host) must not grow the line without bound.
MAX_ROWS = 64


def render_line(segment: str, width: int, alt_screen: bool = False) -> tuple[str, int | None]:
    """What a line showed once `segment` (the output between two newlines) was printed,
    and the column where the shell's prompt marker came, if it came."""
    cells: list[str] = []
    col, wrap_pending, prompt_col = 0, False, None
    for match in _TOKEN.finditer(segment):
        text, ctl, final = match.group("text", "ctl", "final")
        if final is not None:
            params = match.group("params")
            if final in "hl" and _ALT_SCREEN.fullmatch(match.group()):
                alt_screen = final == "h"
                cells, col, prompt_col = [], 0, None  # leaving restores the cursor's row start
            elif alt_screen:
                pass
            elif params == "?2004" and final == "h":
                prompt_col = col if prompt_col is None else prompt_col
            else:
                n = int(params) if params.isdigit() and len(params) < 10 else 0
                col = min(_csi(cells, col, final, n, width), width * MAX_ROWS)
            wrap_pending = False
        elif alt_screen:
            continue
        elif text is not None:
            if col > len(cells):
                cells += " " * (col - len(cells))
            cells[col : col + len(text)] = text
            col += len(text)
            wrap_pending = col % width == 0
        elif ctl == "\r":
            col = max(col - 1, 0) if wrap_pending else col
            col -= col % width
            wrap_pending = False
        elif ctl == "\b":
            col = max(col - 1, 0) if wrap_pending else col
            col = col - 1 if col % width else col
            wrap_pending = False
        elif ctl == "\t":
            col = (col // 8 + 1) * 8
    return "".join(cells).rstrip(), prompt_col


def _csi(cells: list[str], col: int, final: str, n: int, width: int) -> int:
    """Apply a cursor or erase sequence to the line; returns the new column."""
    steps = min(max(n, 1), width * MAX_ROWS)
    if final in "JK" and n == 0:
        del cells[col:]
    elif final == "K":
        erased = min(col + 1, len(cells)) if n == 1 else len(cells)
        cells[:erased] = " " * erased
    elif final == "C":
        return col + steps
    elif final == "D":
        return max(col - steps, 0)
    elif final == "G":
        return col - col % width + steps - 1
    elif final == "A":
        return col - width * steps if col >= width * steps else col % width
    elif final == "B":
        return col + width * steps
    elif final == "P":
        del cells[col : col + steps]
    elif final == "@":
        cells[col:col] = " " * steps
    elif final == "X":
        cells[col : col + steps] = " " * len(cells[col : col + steps])
    elif final in "Hf":  # cursor addressing: this line is gone (clear, full-screen redraw)
        cells.clear()
        return 0
    return col


def command_after_prompt(line: str, prompt_col: int | None) -> str | None:
    """The command on a shell prompt line; None when there is none or it was abandoned."""
    match = _SHELL_PROMPT.match(line, prompt_col or 0)
    if match is None:
        return None
    command = line[match.end() :].strip()
    if not command or command.endswith("^C"):  # Ctrl-C: readline prints ^C and drops it
        return None
    return command


class OutputView:
    """The output stream of a recording, asked about a position in it (the output that had
    been printed when a key was pressed)."""

    def __init__(self, stream: str, width: int) -> None:
        self.stream = stream
        self.width = width
        self._alt_at: list[int] = []
        self._alt_on: list[bool] = []
        for match in _ALT_SCREEN.finditer(stream):
            self._alt_at.append(match.start())
            self._alt_on.append(match.group(1) == "h")

    def alt_screen(self, pos: int) -> bool:
        k = bisect_left(self._alt_at, pos) - 1
        return k >= 0 and self._alt_on[k]

    def last_line(self, pos: int) -> str:
        start = self.stream.rfind("\n", max(pos - _TAIL, 0), pos) + 1 or max(pos - _TAIL, 0)
        return render_line(self.stream[start:pos], self.width, self.alt_screen(start))[0]

    def asks_for_secret(self, pos: int) -> bool:
        """Whether the last line printed before `pos` is a password (or PIN, token) prompt."""
        return _SECRET_PROMPT.search(self.last_line(pos)) is not None

    def command_on_line(self, end: int) -> str | None:
        """The command on the line ending at the newline at `end`, if it is a prompt line
        (the shell's echo of what it ran)."""
        start = self.stream.rfind("\n", max(end - _TAIL, 0), end) + 1 or max(end - _TAIL, 0)
        line, prompt_col = render_line(self.stream[start:end], self.width, self.alt_screen(start))
        return command_after_prompt(line, prompt_col)
