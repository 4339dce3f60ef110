"""Run each package's tests in its own pytest process (each has its own `tests` package and
conftest) and print the combined totals as the last line."""

import argparse
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPORTS = Path(".run/test-reports")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--unit", action="store_true", help="only tests that need no services")
    args = parser.parse_args()
    REPORTS.mkdir(parents=True, exist_ok=True)
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    failed_runs = []
    for path in args.paths:
        target = Path(path)
        if args.unit:
            unit = target / "tests" / "unit"
            if unit.is_dir():
                target = unit
            elif "e2e" in path or not (target / "tests").is_dir() or "platform" in path:
                continue
        report = REPORTS / (path.strip("/").replace("/", "_") + ".xml")
        print(f"\n==> {target}", flush=True)
        code = subprocess.call(  # noqa: S603
            [
                sys.executable,
                "-m",
                "pytest",
                str(target),
                "-q",
                "-p",
                "no:cacheprovider",
                f"--junitxml={report}",
            ]
        )
        counts = _counts(report)
        for key in totals:
            totals[key] += counts[key]
        if code != 0:
            failed_runs.append(f"{target} (pytest exit {code})")
    print()
    if failed_runs:
        print("failing runs: " + ", ".join(failed_runs))
    line = f"{totals['passed']} passed, {totals['failed']} failed"
    if totals["skipped"]:
        line += f", {totals['skipped']} skipped"
    print(f"kohub: {line}")
    return 1 if failed_runs or totals["passed"] == 0 else 0


def _counts(report: Path) -> dict[str, int]:
    if not report.exists():
        return {"passed": 0, "failed": 1, "skipped": 0}
    root = ET.parse(report).getroot()  # noqa: S314 - our own pytest's report
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None
    tests, failures = int(suite.get("tests", 0)), int(suite.get("failures", 0))
    errors, skipped = int(suite.get("errors", 0)), int(suite.get("skipped", 0))
    return {
        "passed": tests - failures - errors - skipped,
        "failed": failures + errors,
        "skipped": skipped,
    }


if __name__ == "__main__":
    sys.exit(main())
