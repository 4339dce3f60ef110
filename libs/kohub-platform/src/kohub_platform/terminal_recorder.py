"""Real terminal sessions for tests: asciinema (`rec --stdin`, so keystrokes are recorded as
"i" events) records an interactive bash that a test types into through a pseudo-terminal.

asciinema must be installed (CI installs Debian's asciinema 2.2); a missing one fails the
test rather than skipping it."""

import fcntl
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
from pathlib import Path

import pytest

from kohub_platform.waiting import wait_for

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

        def reaped() -> bool:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exit_status = os.waitstatus_to_exitcode(status)
            return bool(pid)

        if self.exit_status is None:
            left = max(deadline - time.monotonic(), 0.0)
            wait_for(reaped, timeout=left, message=f"asciinema did not end: {self.shown!r}")
        assert self.exit_status == 0, f"asciinema ended with {self.exit_status}: {self.shown!r}"

    def close(self) -> None:
        if self.exit_status is None:  # the test failed half-way: stop our recorder
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def asciinema_path() -> str:
    path = shutil.which("asciinema")
    if path is None:
        pytest.fail(
            "asciinema is not installed: these tests record real terminal sessions "
            "(apt-get install asciinema; CI installs it)"
        )
    return path


@pytest.fixture(scope="module")
def asciinema() -> str:
    return asciinema_path()


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


SUDO_PROMPT = b"[sudo] password for op: "


def fake_sudo(directory: Path) -> Path:
    """A script that asks for a password as sudo does (echo off while it is typed) and then
    prints `ok`: run it with `sh <path>`, answer at SUDO_PROMPT, expect `ok`."""
    script = directory / "fake-sudo.sh"
    script.write_text(
        f"printf '{SUDO_PROMPT.decode()}'\nstty -echo\nread -r password\nstty echo\necho\necho ok\n"
    )
    return script
