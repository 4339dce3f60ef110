"""Terminal-log benchmark: reading a recording into a command log with its secrets redacted
(the ticket service's `domain/terminal`), the work done for every collected or uploaded
session before it is stored.

Two recordings are built from the demo's real asciinema session (scripts/demo/
nginx-restart.cast): its events repeated to ~5 MB (a long working session: keystrokes one
per event, prompts, output), and one of busy output (a `journalctl`-like stream with a
token on every 50th line, ~5 MB, no keystrokes: commands from the prompt lines). Target: a
5 MB recording read in well under a second (the request stays responsive).
"""

import json
import statistics
import time

from common import ROOT, machine

from kohub_ticket.domain.terminal import parse_cast

TARGET_MB = 5.0
RUNS = 5


def long_session() -> str:
    lines = (ROOT / "scripts" / "demo" / "nginx-restart.cast").read_text().splitlines()
    header, events = lines[0], [json.loads(line) for line in lines[1:]]
    span = events[-1][0] + 1.0
    out, size, shift = [header], len(header), 0.0
    while size < TARGET_MB * 1_000_000:
        for t, code, data in events:
            line = json.dumps([round(t + shift, 6), code, data])
            out.append(line)
            size += len(line) + 1
        shift += span
    return "\n".join(out) + "\n"


def busy_output() -> str:
    header = json.dumps({"version": 2, "width": 160, "height": 40})
    out, size, n = [header, json.dumps([0.0, "o", "$ journalctl -f -u app\r\n"])], 0, 0
    while size < TARGET_MB * 1_000_000:
        n += 1
        text = f"Nov 30 10:{n % 60:02d}:00 app[812]: request {n} served in {n % 97} ms"
        if n % 50 == 0:
            text += " auth=Bearer eyJhbGciOiJSUzI1NiJ9.payload.signature"
        line = json.dumps([n * 0.01, "o", text + "\r\n"])
        out.append(line)
        size += len(line) + 1
    return "\n".join(out) + "\n"


def measure(name: str, cast: str) -> str:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        parsed = parse_cast(cast, max_events=10_000_000)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    megabytes = len(cast.encode()) / 1_000_000
    return (
        f"{name}: {megabytes:.1f} MB, {cast.count(chr(10)) - 1:,} events, "
        f"{len(parsed.commands):,} commands, {parsed.redactions} secrets redacted; "
        f"median {median * 1000:.0f} ms ({megabytes / median:.1f} MB/s) over {RUNS} runs "
        f"(target < 1000 ms: {'met' if median < 1.0 else 'NOT MET'})"
    )


def main() -> None:
    results = machine()
    results.append(measure("long keyboard session", long_session()))
    results.append(measure("busy output, no keystrokes", busy_output()))
    print("\n== terminal-log benchmark ==\n" + "\n".join(results))


if __name__ == "__main__":
    main()
