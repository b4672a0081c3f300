"""The command benchmark stays runnable: a small record, built and asked the same way as
the full run (python benchmarks/bench_commands.py)."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from benchmarks.bench_commands import build_registry, main


def test_a_small_run_answers_every_command_and_prints_its_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bench.db"
    args = ["--events", "3000", "--asks", "60", "--silences", "5", "--db", str(db)]
    results = main([*args, "--json"])
    assert json.loads(capsys.readouterr().out) == results
    assert list(results) == [
        "lastcontact A B",
        "silences",
        "lastcontact A",
        "lastcontact X Y (board)",
        "contacts A B",
    ]
    for figures in results.values():
        assert 0 < figures["p50"] <= figures["p99"] <= figures["max"]
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3000
    main([*args, "--reuse"])  # asks the same record again without rebuilding it
    assert capsys.readouterr().out.startswith("record: 3,000 contact events")


def test_synthetic_contacts_happen_only_while_both_held_their_roles() -> None:
    record = build_registry(random.Random(3), countries=6)
    officials = record.registry.officials
    for window, weight in record.windows:
        assert weight > 0
        a, b = officials[window.a], officials[window.b]
        assert a.country != b.country
        day = window.start or date(2000, 1, 1)
        assert a.roles_on(day) and b.roles_on(day)
