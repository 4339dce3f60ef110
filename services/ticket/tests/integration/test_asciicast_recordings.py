"""Terminal recordings made for real: asciinema (`rec --stdin`, so keystrokes are recorded as
"i" events) records an interactive bash that these tests type into through a
pseudo-terminal, and domain/terminal reads the recording. No database.

asciinema must be installed (CI installs Debian's asciinema 2.2); a missing one fails the
tests rather than skipping them."""

import fcntl
import json
import os
import pty
import select
import shutil
import signal
import struct
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kohub_ticket.domain.terminal import ParsedCast, command_log_text, parse_cast

# The shell's own prompt: bash 5.1+ turns bracketed paste on right before it, so a "$ " in
# some command's output is not taken for it (typing then would be typing ahead).
PROMPT = b"\x1b[?2004h$ "
TIMEOUT = 15.0  # seconds for anything the terminal should show


class Terminal:
    """Our end of the pseudo-terminal asciinema runs in: we type, we read what it shows."""

    def __init__(self, pid: int, fd: int, cast: Path) -> None:
        self.pid, self.fd, self.cast = pid, fd, cast
        self.shown = b""
        self.cursor = 0  # what `expect` has consumed of `shown`
        self.exit_status: int | None = None

    def _read(self, timeout: float) -> bool:
        """Read what is there within `timeout`; False once the other side has closed."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the last process on the terminal is gone
            return False
        self.shown += chunk
        return bool(chunk)

    def expect(self, text: bytes) -> None:
        """Wait until the terminal shows `text` (after what was expected before)."""
        deadline = time.monotonic() + TIMEOUT
        while (at := self.shown.find(text, self.cursor)) < 0:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the terminal did not show {text!r} within {TIMEOUT}s; "
                    f"it showed {self.shown[self.cursor :]!r}"
                )
            self._read(0.05)
        self.cursor = at + len(text)

    def type(self, keys: str) -> None:
        """Type one key per write, as a person does (asciinema then records most keys as
        events of their own)."""
        for key in keys:
            self.send(key)

    def send(self, data: str) -> None:
        """Send at once: an escape sequence, a paste."""
        os.write(self.fd, data.encode())
        self._read(0.01)

    def run(self, line: str) -> None:
        """Type a command line, press Enter, wait for the next prompt."""
        self.type(line + "\r")
        self.expect(PROMPT)

    def wait_for_exit(self) -> None:
        deadline = time.monotonic() + TIMEOUT
        while self._read(0.05) and time.monotonic() < deadline:
            pass
        while self.exit_status is None and time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exit_status = os.waitstatus_to_exitcode(status)
            else:
                time.sleep(0.05)
        assert self.exit_status == 0, f"asciinema ended with {self.exit_status}: {self.shown!r}"

    def close(self) -> None:
        if self.exit_status is None:  # the test failed half-way: stop our recorder
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture(scope="module")
def asciinema() -> str:
    path = shutil.which("asciinema")
    if path is None:
        pytest.fail(
            "asciinema is not installed: these tests record real terminal sessions "
            "(apt-get install asciinema; CI installs it)"
        )
    return path


@contextmanager
def recording(asciinema: str, home: Path, *, keystrokes: bool = True) -> Iterator[Terminal]:
    """Record bash in a 120x30 terminal; yields at the first prompt, types `exit` after."""
    cast = home / "session.cast"
    args = [asciinema, "rec", *(["--stdin"] if keystrokes else []), "-q"]
    args += ["--cols", "120", "--rows", "30", "-c", "bash --norc --noprofile -i", str(cast)]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PS1": "$ ",
        "HISTFILE": "/dev/null",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "SHELL": "/bin/bash",
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: become asciinema
        try:
            os.execve(asciinema, args, env)  # noqa: S606 - asciinema, by its full path
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    terminal = Terminal(pid, fd, cast)
    try:
        terminal.expect(PROMPT)
        yield terminal
        terminal.type("exit\r")
        terminal.wait_for_exit()
    finally:
        terminal.close()


def read(terminal: Terminal) -> tuple[str, ParsedCast]:
    """The recording as asciinema wrote it, and as parsed."""
    recorded = terminal.cast.read_text()
    return recorded, parse_cast(recorded)


def stream(cast: str, code: str) -> str:
    """All the data of one kind of event ("i" or "o") of a recording, joined."""
    return "".join(
        json.loads(line)[2] for line in cast.splitlines()[1:] if json.loads(line)[1] == code
    )


def texts(parsed: ParsedCast) -> list[str]:
    return [command.text for command in parsed.commands]


def test_plain_commands(asciinema: str, tmp_path: Path) -> None:
    with recording(asciinema, tmp_path) as terminal:
        terminal.run("echo hello")
        terminal.run("ls /")
    recorded, parsed = read(terminal)

    assert texts(parsed) == ["echo hello", "ls /", "exit"]
    assert parsed.command_source == "input"
    assert (parsed.width, parsed.height) == (120, 30)
    assert parsed.started_at is not None
    assert abs(datetime.now(UTC) - parsed.started_at) < timedelta(minutes=5)
    offsets = [command.offset for command in parsed.commands]
    assert offsets == sorted(offsets) and 0 < offsets[0] < parsed.duration
    assert "usr" in stream(recorded, "o")  # the recording is real: `ls /` ran
    assert parsed.redactions == 0
    assert [json.loads(line) for line in parsed.redacted_cast.splitlines()[1:]] == [
        json.loads(line) for line in recorded.splitlines()[1:]
    ]
    log = command_log_text(parsed.commands).splitlines()
    assert [line[11:] for line in log] == ["echo hello", "ls /", "exit"]
    assert all(line.startswith("[00:00:") for line in log)


def test_a_typo_corrected_with_backspace(asciinema: str, tmp_path: Path) -> None:
    with recording(asciinema, tmp_path) as terminal:
        terminal.type("ehco")
        terminal.type("\x7f\x7f\x7f")
        terminal.run("cho hi")
    recorded, parsed = read(terminal)

    assert "ehco\x7f\x7f\x7fcho hi" in stream(recorded, "i")
    assert texts(parsed) == ["echo hi", "exit"]


def test_history_recall_and_line_editing(asciinema: str, tmp_path: Path) -> None:
    with recording(asciinema, tmp_path) as terminal:
        terminal.run("echo first")
        terminal.send("\x1b[A")  # Up: the previous command
        terminal.expect(b"echo first")
        terminal.run("")
        terminal.type("rm -rf /tmp/nothing-here")
        terminal.type("\x15")  # Ctrl-U: kill the whole line
        terminal.run("echo cleared")
        terminal.type("echo abc def")
        terminal.type("\x17")  # Ctrl-W: kill the last word
        terminal.run("xyz")
        terminal.type("echo wrld")
        terminal.send("\x1b[D")
        terminal.send("\x1b[D")
        terminal.send("\x1b[D")
        terminal.run("o")
    recorded, parsed = read(terminal)

    assert texts(parsed) == [
        "echo first",
        "echo first",
        "echo cleared",
        "echo abc xyz",
        "echo world",
        "exit",
    ]
    shown = stream(recorded, "o")
    assert "\rfirst\r\n" in shown and "\rcleared\r\n" in shown and "\rabc xyz\r\n" in shown


def test_tab_completion_reverse_search_and_a_pager(asciinema: str, tmp_path: Path) -> None:
    (tmp_path / "nginx-sites").mkdir()
    with recording(asciinema, tmp_path) as terminal:
        terminal.run("echo searched-for")
        terminal.run("cd ~")
        terminal.type("ls -d ngi")
        terminal.type("\t")
        terminal.expect(b"nx-sites/")
        terminal.run("")
        terminal.type("\x12searched")  # Ctrl-R
        terminal.expect(b"d': echo ")  # readline redraws the search from the changed letter
        terminal.run("")
        terminal.type("printf 'one\\ntwo\\n' | less\r")
        terminal.expect(b"(END)")
        terminal.type("q")  # a key for less, not for the shell
        terminal.expect(PROMPT)
        terminal.run("echo after")
    _, parsed = read(terminal)

    assert texts(parsed) == [
        "echo searched-for",
        "cd ~",
        "ls -d nginx-sites/",  # from the shell's echo: Tab's completion is not in the keys
        "echo searched-for",
        "printf 'one\\ntwo\\n' | less",
        "echo after",
        "exit",
    ]


def test_what_is_typed_at_a_password_prompt_is_nowhere(asciinema: str, tmp_path: Path) -> None:
    script = tmp_path / "fake-sudo.sh"
    script.write_text(
        "printf '[sudo] password for op: '\n"
        "stty -echo\n"
        "read -r password\n"
        "stty echo\n"
        "echo\n"
        "echo ok\n"
    )
    with recording(asciinema, tmp_path) as terminal:
        terminal.type(f"sh {script}\r")
        terminal.expect(b"[sudo] password for op: ")
        terminal.type("hunter2-secret\r")
        terminal.expect(b"ok\r\n")
        terminal.expect(PROMPT)
        terminal.run("echo done")
    recorded, parsed = read(terminal)

    assert "hunter2-secret\r" in stream(recorded, "i")  # it was typed, and recorded
    assert texts(parsed) == [f"sh {script}", "echo done", "exit"]
    assert "hunter2" not in command_log_text(parsed.commands)
    assert "hunter2" not in parsed.redacted_cast
    assert "hunter2" not in stream(parsed.redacted_cast, "i")
    assert "[REDACTED]\r" in stream(parsed.redacted_cast, "i")
    assert parsed.redactions == 1
    assert parse_cast(parsed.redacted_cast).redacted_cast == parsed.redacted_cast


def test_tokens_on_the_command_line(asciinema: str, tmp_path: Path) -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcCJ9.c2lnbmF0dXJl"
    lines = [
        "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        f'curl -s -m 2 -H "Authorization: Bearer {jwt}" http://127.0.0.1:9/',
        "mysql --password=s3cr3t --version",
        "echo $AWS_ACCESS_KEY_ID",
    ]
    with recording(asciinema, tmp_path) as terminal:
        for line in lines:
            terminal.run(line)
    recorded, parsed = read(terminal)

    for secret in ("AKIAIOSFODNN7EXAMPLE", jwt, "s3cr3t"):
        assert secret in stream(recorded, "i") and secret in stream(recorded, "o")
        assert secret not in parsed.redacted_cast
    assert texts(parsed) == [
        "export AWS_ACCESS_KEY_ID=[REDACTED]",
        'curl -s -m 2 -H "Authorization: Bearer [REDACTED]" http://127.0.0.1:9/',
        "mysql --password=[REDACTED] --version",
        "echo $AWS_ACCESS_KEY_ID",
        "exit",
    ]
    for code in ("i", "o"):  # what was typed, and bash's echo of it
        redacted = stream(parsed.redacted_cast, code)
        assert "AWS_ACCESS_KEY_ID=[REDACTED]\r" in redacted
        assert '"Authorization: Bearer [REDACTED]" http' in redacted
        assert "--password=[REDACTED] --version" in redacted
    assert "\r[REDACTED]\r\n" in stream(parsed.redacted_cast, "o")  # what echo printed
    assert parsed.redactions == 3


def test_a_bracketed_paste(asciinema: str, tmp_path: Path) -> None:
    with recording(asciinema, tmp_path) as terminal:
        terminal.send("\x1b[200~echo pasted as one\x1b[201~")
        terminal.expect(b"echo pasted as one")
        terminal.run("")
        terminal.send("\x1b[200~echo line one\recho line two\x1b[201~")
        terminal.expect(b"echo line two")
        terminal.type("\r")
        terminal.expect(b"\nline two\r\n")  # the output, not the echo
        terminal.expect(PROMPT)
    recorded, parsed = read(terminal)

    assert "\x1b[200~echo pasted as one\x1b[201~" in stream(recorded, "i")
    assert texts(parsed) == ["echo pasted as one", "echo line one", "echo line two", "exit"]


def test_without_keystrokes_commands_come_from_the_prompt_lines(
    asciinema: str, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("# a heading, not a root prompt\n$ not a prompt either\n")
    with recording(asciinema, tmp_path, keystrokes=False) as terminal:
        terminal.run("echo hello")
        terminal.run("ls /")
        terminal.type("ehco")
        terminal.type("\x7f\x7f\x7f")
        terminal.run("cho hi")
        terminal.run(f"cat {notes}")
        terminal.run("echo " + "x" * 130)  # wraps at 120 columns
    recorded, parsed = read(terminal)

    assert {json.loads(line)[1] for line in recorded.splitlines()[1:]} == {"o"}
    assert "# a heading" in stream(recorded, "o")
    assert parsed.command_source == "output"
    assert texts(parsed) == [
        "echo hello",
        "ls /",
        "echo hi",
        f"cat {notes}",
        "echo " + "x" * 130,
        "exit",
    ]
    # Each command is dated by the output event that ended its line (bash's echo of Enter).
    output_times = {json.loads(line)[0] for line in recorded.splitlines()[1:]}
    offsets = [command.offset for command in parsed.commands]
    assert offsets == sorted(offsets) and set(offsets) <= output_times
