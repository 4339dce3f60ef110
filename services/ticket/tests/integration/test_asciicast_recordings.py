"""Terminal recordings made for real: asciinema (`rec --stdin`, so keystrokes are recorded as
"i" events) records an interactive bash that these tests type into through a
pseudo-terminal, and domain/terminal reads the recording. No database.

asciinema must be installed (CI installs Debian's asciinema 2.2); a missing one fails the
tests rather than skipping them."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kohub_platform.terminal_recorder import (
    PROMPT,
    SUDO_PROMPT,
    Terminal,
    asciinema,
    fake_sudo,
    recording,
)
from kohub_ticket.domain.terminal import ParsedCast, command_log_text, parse_cast

__all__ = ["asciinema"]  # the fixture


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
    script = fake_sudo(tmp_path)
    with recording(asciinema, tmp_path) as terminal:
        terminal.type(f"sh {script}\r")
        terminal.expect(SUDO_PROMPT)
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
