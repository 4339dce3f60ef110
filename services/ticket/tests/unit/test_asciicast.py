"""Terminal recordings (domain/terminal): the command log and the redaction, on small
hand-made asciicast v2 recordings. Keystrokes go in one "i" event per character, as
asciinema records typing; the real recordings are in
tests/integration/test_asciicast_recordings.py."""

import json
from datetime import UTC, datetime

import pytest

from kohub_ticket.domain.terminal import (
    Command,
    InvalidCast,
    ParsedCast,
    command_log_text,
    parse_cast,
)

PROMPT = "\x1b[?2004h$ "  # what bash 5.1+ prints before its prompt
AFTER_ENTER = "\r\n\x1b[?2004l\r"


class Session:
    """Writes a recording the way asciinema records an interactive bash: keystrokes one
    per event, bash's echo right after each."""

    def __init__(self, width: int = 80) -> None:
        self.header: dict = {"version": 2, "width": width, "height": 24}
        self.events: list[list] = []
        self.time = 0.0

    def out(self, data: str) -> "Session":
        self.time += 0.01
        self.events.append([round(self.time, 6), "o", data])
        return self

    def keys(self, keys: str, echo: bool = False) -> "Session":
        for char in keys:
            self.time += 0.1
            self.events.append([round(self.time, 6), "i", char])
            if echo and char.isprintable():
                self.out(char)
        return self

    def command(self, line: str, output: str = "", then: str = PROMPT) -> "Session":
        """Type `line` at a prompt, bash echoing it, then its output and the next prompt."""
        return self.keys(line, echo=True).keys("\r").out(AFTER_ENTER + output + then)

    def text(self) -> str:
        lines = [json.dumps(self.header), *(json.dumps(event) for event in self.events)]
        return "\n".join(lines) + "\n"

    def parse(self) -> ParsedCast:
        return parse_cast(self.text())


def commands(session: Session) -> list[str]:
    return [command.text for command in session.parse().commands]


def events(parsed: ParsedCast) -> list[tuple[str, str]]:
    """(code, data) of the redacted recording's events."""
    return [tuple(json.loads(line)[1:]) for line in parsed.redacted_cast.splitlines()[1:]]


def shown(parsed: ParsedCast) -> str:
    """All the output of the redacted recording."""
    return "".join(data for code, data in events(parsed) if code == "o")


def typed(keys: str) -> list[str]:
    """The commands of a session where `keys` were typed at a prompt (no echo)."""
    return commands(Session().out(PROMPT).keys(keys))


# --- the format --------------------------------------------------------------------------


def test_header_fields_duration_and_source() -> None:
    session = Session(width=120)
    session.header.update(height=30, timestamp=1_767_225_600)
    parsed = session.out(PROMPT).command("uptime", " 10:00:00 up 1 day\r\n").parse()
    enter = next(event[0] for event in session.events if event[2] == "\r")

    assert (parsed.width, parsed.height) == (120, 30)
    assert parsed.started_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert parsed.duration == session.events[-1][0]
    assert parsed.command_source == "input"
    assert parsed.commands == (Command(offset=enter, text="uptime"),)
    assert parsed.redactions == 0


def test_no_timestamp_and_no_events() -> None:
    parsed = parse_cast('{"version": 2, "width": 80, "height": 24}\n')
    assert (parsed.started_at, parsed.duration, parsed.commands) == (None, 0.0, ())
    assert parsed.command_source == "output"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("not json\n", "line 1: the header is not JSON"),
        ("[2]\n", "line 1: the header is not a JSON object"),
        ('{"version": 1, "width": 80, "height": 24}\n', "version 1, only version 2"),
        ('{"version": 2, "height": 24}\n', "width must be a whole number from 1 to"),
        ('{"version": 2, "width": 80, "height": 0}\n', "height must be a whole number"),
        ('{"version": 2, "width": 999999, "height": 24}\n', "width must be a whole number"),
        ('{"version": 2, "width": 80, "height": 24, "timestamp": "x"}\n', "timestamp"),
        ('{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "a"]\n[0.2, "o"\n', "line 3: "),
        ('{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "a"]\n[0.2, "o"]\n', "line 3: "),
        ('{"version": 2, "width": 80, "height": 24}\n\n[0.1, "x", "a"]\n', "line 3: unknown"),
        ('{"version": 2, "width": 80, "height": 24}\n[-1, "o", "a"]\n', "line 2: the event time"),
        ('{"version": 2, "width": 80, "height": 24}\n[0.1, "o", 5]\n', "line 2: the event data"),
        ('{"version": 2, "width": 80, "height": 24}\n{"t": 1}\n', "line 2: an event must be"),
    ],
)
def test_invalid_recordings_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidCast, match=message):
        parse_cast(text)


def test_a_cursor_sent_far_away_does_not_grow_the_line() -> None:
    """Output comes from the host worked on: `ESC[<huge>C` must cost nothing."""
    session = Session().out(PROMPT + "\x1b[999999999Cx\r\n" + PROMPT)
    session.out("\x1b[" + "9" * 5000 + "Cy\r\n" + PROMPT)
    parsed = session.parse()
    assert [c.text for c in parsed.commands] == ["x", "y"]


def test_too_many_events() -> None:
    text = Session().out("a").out("b").out("c").text()
    assert len(parse_cast(text, max_events=3).redacted_cast.splitlines()) == 4
    with pytest.raises(InvalidCast, match="too big"):
        parse_cast(text, max_events=2)


def test_markers_and_resizes_are_kept_and_are_not_commands() -> None:
    session = Session().out(PROMPT)
    session.events.append([0.5, "m", "before the restart"])
    session.events.append([0.6, "r", "100x40"])
    session.command("ls")
    parsed = session.parse()

    assert [c.text for c in parsed.commands] == ["ls"]
    lines = parsed.redacted_cast.splitlines()
    assert json.loads(lines[0]) == session.header
    assert [json.loads(line) for line in lines[1:]] == session.events


def test_the_redacted_cast_is_the_recording_when_there_is_nothing_secret() -> None:
    session = Session().out(PROMPT).command("echo ünïcode ✓", "ünïcode ✓\r\n")
    assert [json.loads(line) for line in session.parse().redacted_cast.splitlines()[1:]] == (
        session.events
    )


# --- line editing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("echo hello\r", ["echo hello"]),
        ("ls /\n", ["ls /"]),
        ("ehco\x7f\x7f\x7fcho hi\r", ["echo hi"]),
        ("ehco\b\b\bcho hi\r", ["echo hi"]),
        ("echo wrld\x1b[D\x1b[D\x1b[Do\r", ["echo world"]),
        ("echo wrld\x1bOD\x1bOD\x1bODo\r", ["echo world"]),
        ("echo wrld\x1b[D\x1b[D\x1b[D\x1b[D\x1b[Co\x1b[C\x1b[C\x1b[C\x1b[C!\r", ["echo world!"]),
        ("cho x\x01e\x05 y\r", ["echo x y"]),
        ("cho x\x1b[He\x1b[F y\r", ["echo x y"]),
        ("cho x\x1bOHe\x1bOF y\r", ["echo x y"]),
        ("cho x\x1b[1~e\x1b[4~ y\r", ["echo x y"]),
        ("rm -rf /\x15ls\r", ["ls"]),
        ("echo abc def\x17\x17ghi\r", ["echo ghi"]),
        ("echo abc   \x17x\r", ["echo x"]),
        ("echo keep this\x01\x0b\x15\x19\r", ["echo keep this"]),
        ("echo aXb\x1b[D\x1b[D\x1b[3~\r", ["echo ab"]),
        ("echo aXb\x02\x02\x04\r", ["echo ab"]),
        ("echo one two\x1bb\x1bbX\r", ["echo Xone two"]),
        ("echo one two\x01\x1bf\x1bfX\r", ["echo oneX two"]),
        ("echo one two\x01\x1bd\r", ["one two"]),
        ("echo one-two\x1b\x7f\r", ["echo one-"]),
        ("echo one two\x1b[1;5D\x1b[1;5DX\r", ["echo Xone two"]),
        ("echo no\x03echo yes\r", ["echo yes"]),
        ("\r\r   \r\n", []),
        ("\x04", []),
        ("ls\t\r", ["ls"]),  # Tab inserts nothing (and no echo to learn the completion from)
        ("\x1b[200~echo pasted\x1b[201~\r", ["echo pasted"]),
        ("\x1b[200~echo a\recho b\x1b[201~\r", ["echo a", "echo b"]),
        ("\x1b[200~echo\tx\x1b[201~\r", ["echo\tx"]),
    ],
)
def test_keystrokes_replay_into_commands(keys: str, expected: list[str]) -> None:
    assert typed(keys) == expected


def test_a_paste_cut_off_runs_its_complete_lines() -> None:
    # The end marker never came: the rest of the recording is pasted text.
    assert typed("\x1b[200~echo a\recho b") == ["echo a"]


def test_history_recall_with_up_and_down() -> None:
    assert typed("echo one\recho two\r\x1b[A\x1b[A\r") == ["echo one", "echo two", "echo one"]
    assert typed("echo one\recho two\r\x1b[A\x1b[A\x1b[B\r") == [
        "echo one",
        "echo two",
        "echo two",
    ]
    assert typed("echo one\rdraft\x1bOA\x1bOB!\r") == ["echo one", "draft!"]
    assert typed("echo one\x10\x10\r") == ["echo one"]  # Ctrl-P: nothing older on record


def test_history_recall_then_edit() -> None:
    assert typed("ls /tmp\r\x1b[A\x17/var\r") == ["ls /tmp", "ls /var"]


def test_reverse_search_finds_the_latest_match() -> None:
    keys = "echo one\recho two\recho three\r\x12one\r\x12t\x12\r\x12thr\x1b[C!\r"
    assert typed(keys) == [
        "echo one",
        "echo two",
        "echo three",
        "echo one",
        "echo two",  # Ctrl-R again: the next older match
        "echo three!",  # an arrow key ends the search and edits the line found
    ]


def test_reverse_search_abort_restores_the_line() -> None:
    assert typed("echo one\rdraft\x12one\x07!\r") == ["echo one", "draft!"]


def test_uncertain_lines_come_from_the_shells_echo() -> None:
    # Tab completion and history from before the recording: the keys cannot tell, the
    # shell's echo on the prompt line can.
    session = Session().out(PROMPT)
    session.keys("\x1b[A").out("systemctl status nginx").keys("\r").out(AFTER_ENTER + PROMPT)
    session.keys("ls /et", echo=True).keys("\t").out("c/").keys("\r").out(AFTER_ENTER + PROMPT)
    session.keys("\x12dock").out("\r(reverse-i-search)`dock': docker ps -a")
    session.keys("\r").out("\r$ docker ps -a\x1b[K" + AFTER_ENTER + PROMPT)
    session.keys("\x12stat\r")  # found among the commands on record: no echo needed
    assert commands(session) == [
        "systemctl status nginx",
        "ls /etc/",
        "docker ps -a",
        "systemctl status nginx",
    ]


def test_keys_for_full_screen_programs_are_not_commands() -> None:
    session = Session().out(PROMPT).command("vim notes")
    session.out("\x1b[?1049h\x1b[H\x1b[2J# a heading\r\n~\r\n")
    session.keys("ihello\x1b:wq\r").out("\x1b[?1049l" + PROMPT)
    session.command("less /etc/hosts").out("\x1b[?1049h127.0.0.1 localhost\r\n")
    session.keys("q").out("\r\x1b[K\x1b[?1049l" + PROMPT)
    session.command("echo after")
    assert commands(session) == ["vim notes", "less /etc/hosts", "echo after"]


def test_events_are_read_in_time_order() -> None:
    session = Session().out(PROMPT)
    session.command("sudo -k true", then="[sudo] password for op: ")
    session.keys("hunter2-secret\r").out("\r\n" + PROMPT)
    session.events.sort(key=lambda event: event[1])  # all "i" first, then all "o"
    parsed = session.parse()
    assert [c.text for c in parsed.commands] == ["sudo -k true"]
    assert "hunter2" not in parsed.redacted_cast


# --- password prompts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "prompt",
    [
        "\x1b[?2004l\r[sudo] password for op: ",
        "Password: ",
        "op@db1's password: ",
        "Enter passphrase for key '/home/op/.ssh/id_ed25519': ",
        "Enter PIN for 'PIV Card Holder pin (PIV_II)': ",
        "Password for 'https://op@git.example.com':",
        "Enter token: ",
    ],
)
def test_what_is_typed_at_a_password_prompt_is_secret(prompt: str) -> None:
    session = Session().out(PROMPT).command("sudo systemctl restart nginx", then=prompt)
    session.keys("hunter2-secret\r").out("\r\n" + PROMPT).command("whoami", "op\r\n")
    parsed = session.parse()

    assert [c.text for c in parsed.commands] == ["sudo systemctl restart nginx", "whoami"]
    assert "hunter2" not in parsed.redacted_cast
    assert "hunter2" not in command_log_text(parsed.commands)
    assert parsed.redactions == 1
    typed_at_prompt = [data for code, data in events(parsed) if code == "i"]
    assert "[REDACTED]" in typed_at_prompt  # in place of the first key; the others are gone
    assert "".join(typed_at_prompt).count("[REDACTED]") == 1


def test_a_second_try_is_secret_too_and_the_line_after_is_not() -> None:
    session = Session().out(PROMPT).command("sudo -i", then="[sudo] password for op: ")
    session.keys("wrong-guess\r").out("\r\nSorry, try again.\r\n[sudo] password for op: ")
    session.keys("hunter2-secret\r")
    session.keys("id\r")  # typed ahead, before sudo answered: no new prompt yet
    session.out("\r\n" + PROMPT)
    parsed = session.parse()

    assert [c.text for c in parsed.commands] == ["sudo -i", "id"]
    assert "wrong-guess" not in parsed.redacted_cast
    assert "hunter2" not in parsed.redacted_cast
    assert parsed.redactions == 2


def test_a_password_edited_and_then_abandoned_is_still_secret() -> None:
    session = Session().out(PROMPT).command("su -", then="Password: ")
    session.keys("hunter2-sx\x7fecret\x15\x03").out("^C\r\n" + PROMPT).command("ls")
    parsed = session.parse()
    assert [c.text for c in parsed.commands] == ["su -", "ls"]
    assert not any(part in parsed.redacted_cast for part in ("hunter", "ecret"))


def test_a_password_printed_later_is_redacted_there_too() -> None:
    session = Session().out(PROMPT).command("read -s -p 'Password: ' pw", then="Password: ")
    session.keys("hunter2-secret\r").out("\r\n" + PROMPT)
    session.command("echo $pw", "hunter2-secret\r\n")
    parsed = session.parse()
    assert [c.text for c in parsed.commands] == ["read -s -p 'Password: ' pw", "echo $pw"]
    assert "hunter2" not in parsed.redacted_cast
    assert "[REDACTED]\\r\\n" in parsed.redacted_cast


def test_a_command_mentioning_a_password_is_no_prompt() -> None:
    session = Session().out(PROMPT).command("echo password:", "password:\r\n").command("ls")
    assert commands(session) == ["echo password:", "ls"]


# --- tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        (
            "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
            "export AWS_ACCESS_KEY_ID=[REDACTED]",
        ),
        ("aws configure set x ASIAY34FZKBOKMUTVV7A", "aws configure set x [REDACTED]"),
        (
            "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "export AWS_SECRET_ACCESS_KEY=[REDACTED]",
        ),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = [REDACTED]",
        ),
        (
            'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcCJ9.c2ln" https://api',
            'curl -H "Authorization: Bearer [REDACTED]" https://api',
        ),
        (
            "curl -H 'authorization: Basic dXNlcjpwYXNzd29yZA==' https://api",
            "curl -H 'authorization: Basic [REDACTED]' https://api",
        ),
        ("http https://api Authorization:abc123", "http https://api Authorization:[REDACTED]"),
        ("mysql -h db --password=s3cr3t app", "mysql -h db --password=[REDACTED] app"),
        ("mysql -h db --password s3cr3t app", "mysql -h db --password [REDACTED] app"),
        ("mysql -u root -ps3cr3t app", "mysql -u root -p[REDACTED] app"),
        ("mysqldump -uroot -p's3 cr3t' app", "mysqldump -uroot -p'[REDACTED]' app"),
        ("openssl enc -pass pass:s3cr3t", "openssl enc -pass [REDACTED]"),
        ("DB_PASSWORD='my pass' ./migrate", "DB_PASSWORD='[REDACTED]' ./migrate"),
        ("export PGPASSWORD=s3cr3t", "export PGPASSWORD=[REDACTED]"),
        ("vault login token=s.abc123", "vault login token=[REDACTED]"),
        ("curl https://x/hook?secret=abc123", "curl https://x/hook?secret=[REDACTED]"),
        ('{"apiKey":"abc123","user":"op"}', '{"apiKey":"[REDACTED]","user":"op"}'),
        ("api_key: sk-live-abc", "api_key: [REDACTED]"),
        ("passwd=abc123", "passwd=[REDACTED]"),
        ("psql postgresql://app:s3cr3t@db/app", "psql postgresql://app:[REDACTED]@db/app"),
        (
            "git clone https://ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345@github.com/o/r",
            "git clone https://[REDACTED]@github.com/o/r",
        ),
        ("export GH=gho_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345", "export GH=[REDACTED]"),
        (
            "gh auth login --with-token github_pat_11ABCDEFG0_abcdefghijklmnopqrstuvwxyz",
            "gh auth login --with-token [REDACTED]",
        ),
        ("termix login tmx_9f2cA1b2C3d4E5f6", "termix login [REDACTED]"),
        # Not secrets:
        ("ls --password-file /etc/pw", "ls --password-file /etc/pw"),
        ("grep -ri token src | wc -l", "grep -ri token src | wc -l"),
        ("kubectl get secrets -n prod", "kubectl get secrets -n prod"),
        ("mysql -u root -p -h db", "mysql -u root -p -h db"),
        ("echo AKIAIOSFODNN7EXAMPLEX", "echo AKIAIOSFODNN7EXAMPLEX"),
        ("echo [sudo] password for op:", "echo [sudo] password for op:"),
    ],
)
def test_secrets_on_the_command_line(line: str, redacted: str) -> None:
    parsed = Session().out(PROMPT).command(line).parse()
    assert [c.text for c in parsed.commands] == [redacted]
    secrets = line != redacted
    assert parsed.redactions == int(secrets)
    # bash echoed every key: the echo is redacted too, and so are the keystrokes
    assert parsed.redacted_cast.count("[REDACTED]") == (2 if secrets else 0)


def test_a_secret_edited_while_typed() -> None:
    session = Session().out(PROMPT)
    session.keys("export DB_PASSWORD=s3cr3tZZ", echo=True)
    session.keys("\x7f").out("\b\x1b[K").keys("\x7f").out("\b\x1b[K")
    session.keys("QQ", echo=True).keys("\x1b[D").out("\b").keys("W").out("WQ\b")
    session.keys("\r").out(AFTER_ENTER + PROMPT)
    parsed = session.parse()
    assert [c.text for c in parsed.commands] == ["export DB_PASSWORD=[REDACTED]"]
    assert not any(part in parsed.redacted_cast for part in ("s3cr3t", "ZZ", "QQ", "WQ"))


def test_a_secret_split_across_output_events() -> None:
    session = Session().out(PROMPT).command("cat ~/.config/gh/hosts.yml")
    session.out("github.com:\r\n    oauth_token: gho_aBcDeFgHi")
    session.out("JkLmNoPqRsTuVwXyZ012345\r\n    user: op\r\n" + PROMPT)
    parsed = session.parse()
    assert "gho_" not in parsed.redacted_cast
    assert "JkLmNo" not in parsed.redacted_cast
    assert "oauth_token: [REDACTED]\r\n    user: op" in shown(parsed)


def test_a_private_key_keeps_its_armor_lines() -> None:
    key = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\r\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\r\n"
        "QyNTUxOQAAACBzZWNyZXQ\r\n-----END OPENSSH PRIVATE KEY-----\r\n"
    )
    session = Session().out(PROMPT).command("cat ~/.ssh/id_ed25519")
    session.out(key[:60]).out(key[60:] + PROMPT)
    output = shown(session.parse())
    assert (
        "-----BEGIN OPENSSH PRIVATE KEY-----\r\n[REDACTED]\r\n-----END OPENSSH PRIVATE KEY-----"
    ) in output
    assert "b3Blbn" not in output and "QyNTUx" not in output


def test_a_private_key_cut_off_is_redacted_to_the_end() -> None:
    session = Session().out(PROMPT).command("cat key.pem")
    session.out("-----BEGIN RSA PRIVATE KEY-----\r\nMIIEowIBAAKCAQEA")
    assert "MIIE" not in session.parse().redacted_cast


def test_header_and_markers_are_redacted() -> None:
    session = Session().out("ok\r\n")
    session.header.update(command="mysql -uroot -ps3cr3t-pw", title="deploy token=abc123")
    session.events.append([1.0, "m", "used password=abc123"])
    parsed = session.parse()
    header = json.loads(parsed.redacted_cast.splitlines()[0])
    assert header["command"] == "mysql -uroot -p[REDACTED]"
    assert header["title"] == "deploy token=[REDACTED]"
    assert json.loads(parsed.redacted_cast.splitlines()[-1]) == [
        1.0,
        "m",
        "used password=[REDACTED]",
    ]
    assert parsed.redactions == 2


def test_a_secret_from_a_command_is_redacted_where_it_is_printed() -> None:
    session = Session().out(PROMPT).command("export DB_PASSWORD=Tr0ub4dor-3")
    session.command("env | grep DB", "DB_PASSWORD=Tr0ub4dor-3\r\nDB_HOST=db1\r\n")
    session.command("echo $DB_PASSWORD", "Tr0ub4dor-3\r\n")
    parsed = session.parse()
    assert "Tr0ub4dor" not in parsed.redacted_cast
    assert parsed.redactions == 1


def test_redacting_twice_changes_nothing() -> None:
    session = Session().out(PROMPT).command("mysql --password=s3cr3t", "ERROR 2002\r\n")
    session.command("su -", then="Password: ").keys("hunter2-secret\r").out("\r\n" + PROMPT)
    once = session.parse()
    twice = parse_cast(once.redacted_cast)
    assert twice.redacted_cast == once.redacted_cast
    assert twice.redactions == 0
    assert (
        [c.text for c in twice.commands]
        == [c.text for c in once.commands]
        == [
            "mysql --password=[REDACTED]",
            "su -",
        ]
    )


# --- commands from the output -----------------------------------------------------------------


def test_without_keystrokes_commands_come_from_prompt_lines() -> None:
    session = Session()
    session.out(PROMPT + "echo hello" + AFTER_ENTER + "hello\r\n" + PROMPT)
    session.out("ehco").out("\b\x1b[K\b\x1b[K\b\x1b[K").out("cho hi").out(AFTER_ENTER)
    session.out("hi\r\n" + PROMPT + "cat /etc/fstab" + AFTER_ENTER)
    session.out("# /etc/fstab: static file system information.\r\n$ not a prompt\r\n" + PROMPT)
    session.out("echo partial^C\x1b[?2004l\r\x1b[?2004h\x1b[?2004l\r\r\n" + PROMPT)
    session.out("\x1b[7mecho pasted\x1b[27m").out("\r\x1b[C\x1b[Cecho pasted" + AFTER_ENTER)
    session.out("pasted\r\n" + PROMPT)
    session.out("export TOKEN=abc123" + AFTER_ENTER + PROMPT)
    parsed = session.parse()

    assert parsed.command_source == "output"
    assert [c.text for c in parsed.commands] == [
        "echo hello",
        "echo hi",
        "cat /etc/fstab",
        "echo pasted",
        "export TOKEN=[REDACTED]",
    ]
    assert parsed.commands[1].offset == session.events[4][0]  # the event that ended the line


def test_prompt_lines_without_prompt_markers() -> None:
    session = Session()
    session.out("op@web1:~$ ls -l /srv\r\ntotal 0\r\n")
    session.out("\x1b[01;32mroot@web1\x1b[00m:\x1b[01;34m/etc\x1b[00m# systemctl reload nginx\r\n")
    session.out("[op@web1 ~]$ uptime\r\n 10:00:00 up\r\n(venv) op@web1:~/app$ make\r\n")
    session.out("$ \r\n> continuation\r\nplain output\r\n")
    assert commands(session) == ["ls -l /srv", "systemctl reload nginx", "uptime", "make"]


def test_a_wrapped_command_line() -> None:
    # readline writes a space and a carriage return at the right margin.
    long = "echo " + "x" * 100
    session = Session(width=40)
    session.out(PROMPT + long[:38] + " \r" + long[38:78] + " \r" + long[78:] + AFTER_ENTER)
    assert commands(session) == [long]


def test_full_screen_output_is_not_read_for_prompts() -> None:
    session = Session()  # no prompt markers: every "$ " line is a candidate
    session.out("$ less notes\r\n\x1b[?1049h$ not a command\r\n# neither\r\n")
    session.out("\x1b[?1049l$ ls\r\n")
    assert commands(session) == ["less notes", "ls"]


# --- the log and a big recording -----------------------------------------------------------------


def test_command_log_text() -> None:
    log = command_log_text(
        [Command(0.4, "uptime"), Command(65.99, "ls -l"), Command(3725.0, "exit")]
    )
    assert log == "[00:00:00] uptime\n[00:01:05] ls -l\n[01:02:05] exit"
    assert command_log_text([]) == ""


def test_a_big_recording() -> None:
    session = Session().out(PROMPT)
    listing = "".join(f"-rw-r--r-- 1 op op {n:>6} Jan  1 00:00 file{n}.log\r\n" for n in range(60))
    for n in range(2000):
        session.command(f"ls -l /srv/{n}", listing)
    session.command("export API_KEY=k3y-0123456789")
    text = session.text()
    assert len(text) > 5_000_000

    parsed = parse_cast(text)
    assert len(parsed.commands) == 2001
    assert parsed.commands[1234].text == "ls -l /srv/1234"
    assert parsed.commands[-1].text == "export API_KEY=[REDACTED]"
    assert "k3y-0123456789" not in parsed.redacted_cast
    # The key's 14 keystrokes and their 14 echoes became one "[REDACTED]" each.
    assert len(parsed.redacted_cast.splitlines()) == 1 + len(session.events) - 2 * 13
