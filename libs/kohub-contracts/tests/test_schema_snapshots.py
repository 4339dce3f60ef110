"""A contract change must be deliberate: every JSON Schema is compared to its committed snapshot.

Regenerate after an intended change with `KOHUB_UPDATE_SNAPSHOTS=1 make test-contracts`,
and say in the commit why the contract changed.
"""

import json
import os
from pathlib import Path

import pytest

from kohub_contracts.schemas import all_schemas

SNAPSHOTS = Path(__file__).parent / "snapshots"
SCHEMAS = all_schemas()


def _snapshot_path(name: str) -> Path:
    return SNAPSHOTS / f"{name.replace('[', '.').replace(']', '').replace('.', '_')}.json"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_matches_snapshot(name: str) -> None:
    current = json.dumps(SCHEMAS[name], indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    path = _snapshot_path(name)
    if os.environ.get("KOHUB_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(current, encoding="utf-8")
    assert path.exists(), f"no snapshot for {name}: run with KOHUB_UPDATE_SNAPSHOTS=1"
    assert path.read_text(encoding="utf-8") == current, f"contract {name} changed"


def test_no_stale_snapshots() -> None:
    expected = {_snapshot_path(name).name for name in SCHEMAS}
    present = {p.name for p in SNAPSHOTS.glob("*.json")}
    assert present <= expected, f"snapshots without a contract: {sorted(present - expected)}"
