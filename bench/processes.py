"""Processes of a benchmark run and the CPU they use, read from /proc."""

import os
import re
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(command name, parent pid, CPU ticks used) of a process, None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return comm, int(fields[1]), int(fields[11]) + int(fields[12])  # ppid, utime + stime


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes have used so far."""
    ticks = sum(stat[2] for pid in pids if (stat := _stat(pid)) is not None)
    return ticks / os.sysconf("SC_CLK_TCK")


def _all_stats() -> dict[int, tuple[str, int, int]]:
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = stat
    return stats


def descendants(pid: int, stats: dict[int, tuple[str, int, int]] | None = None) -> list[int]:
    """`pid` and every process below it."""
    stats = stats if stats is not None else _all_stats()
    found, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, (_, ppid, _) in stats.items() if ppid == parent]
        found += children
        frontier += children
    return found


ProcessGroups = dict[str, Callable[[dict[int, tuple[str, int, int]]], list[int]]]


def by_command(*names: str) -> Callable[[dict[int, tuple[str, int, int]]], list[int]]:
    """A process group: every process whose command name is one of `names`."""
    return lambda stats: [pid for pid, (comm, _, _) in stats.items() if comm in names]


def postgres_of(*databases: str) -> Callable[[dict[int, tuple[str, int, int]]], list[int]]:
    """A process group: PostgreSQL's backends serving `databases` and its shared processes
    (WAL writer, checkpointer …); other databases' backends (other runs) left out."""

    def pick(stats: dict[int, tuple[str, int, int]]) -> list[int]:
        pids = []
        for pid, (comm, _, _) in stats.items():
            if comm != "postgres":
                continue
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            client = re.search(r"\(\d+\)|\[local\]", title) is not None
            if not client or any(f" {db} " in title for db in databases):
                pids.append(pid)
        return pids

    return pick


def _machine_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values[:8]) - idle, sum(values[:8])


class CpuMeter:
    """CPU used by groups of processes between `start()` and `stop()`, as % of one core.

    /proc is sampled every `interval` seconds meanwhile, so a process that ends before
    `stop()` (a database connection a pool closed) still counts up to its last sample; one
    started meanwhile counts whole. The load generator's children (wrk) are read from this
    process's rusage of its children; the sampling itself is part of `bench client`."""

    def __init__(self, groups: ProcessGroups, interval: float = 0.5) -> None:
        self._groups = groups
        self._interval = interval
        self._before: dict[int, tuple[str, int, int]] = {}
        self._last: dict[int, tuple[str, int, int]] = {}
        self._member: dict[int, str] = {}
        self._wall = 0.0
        self._self = (0.0, 0.0)
        self._machine = (0, 0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.others: dict[str, float] = {}
        """After `stop()`: the busiest processes outside the groups, % of one core by name."""

    @staticmethod
    def _own() -> tuple[float, float]:
        me, children = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime

    def _sample(self) -> None:
        stats = _all_stats()
        for name, pick in self._groups.items():
            for pid in pick(stats):
                self._member.setdefault(pid, name)
        self._last.update(stats)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def start(self) -> None:
        self._before = _all_stats()
        self._last, self._member = dict(self._before), {}
        self._self = self._own()
        self._machine = _machine_ticks()
        self._wall = time.perf_counter()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="cpu-meter", daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        """% of one core per group, plus `other (processes, kernel)` (everything else on the
        machine, from /proc/stat) and `machine` (all of it: 100% per core)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()
        own, machine = self._own(), _machine_ticks()
        wall = time.perf_counter() - self._wall
        ticks = os.sysconf("SC_CLK_TCK")
        percent = {name: 0.0 for name in self._groups}
        others: dict[str, float] = {}
        for pid, (comm, ppid, used) in self._last.items():
            before = self._before.get(pid)
            share = 100.0 * max(0, used - (before[2] if before else 0)) / ticks / wall
            if pid == os.getpid() or (ppid == os.getpid() and pid not in self._member):
                continue  # this process and its children (wrk) are counted from rusage
            if pid in self._member:
                percent[self._member[pid]] += share
            else:
                others[comm] = others.get(comm, 0.0) + share
        percent["bench client"] = 100.0 * (own[0] - self._self[0]) / wall
        percent["wrk"] = 100.0 * (own[1] - self._self[1]) / wall
        self.others = dict(sorted(others.items(), key=lambda kv: -kv[1])[:4])
        busy, total = machine[0] - self._machine[0], machine[1] - self._machine[1]
        everything = 100.0 * (os.cpu_count() or 1) * busy / total if total else 0.0
        percent["other (processes, kernel)"] = max(0.0, everything - sum(percent.values()))
        percent["machine"] = everything
        return percent

    def line(self, percent: dict[str, float]) -> str:
        """`cpu_line` with the busiest other processes named."""
        names = ", ".join(f"{k} {v:.0f}%" for k, v in self.others.items() if v >= 1.0)
        return cpu_line(percent) + (f" (of which {names})" if names else "")


def cpu_line(percent: dict[str, float]) -> str:
    parts = ", ".join(
        f"{name} {value:.0f}%"
        for name, value in percent.items()
        if value >= 0.5 and name != "machine"
    )
    cores = len(os.sched_getaffinity(0))
    machine = percent.get("machine", 0.0)
    return f"CPU (% of one core; the machine's {cores} cores {machine:.0f}% busy): {parts}"
