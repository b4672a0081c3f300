"""The ``hotline`` command as users and scripts run it: subprocesses, exit codes, output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT
from tests.fakes import Entry, rss

HOTLINE = [sys.executable, "-m", "bot"]


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "SLACK_", "MATRIX_"))
    }
    environment["PYTHONPATH"] = str(ROOT)
    environment.update(env or {})
    return subprocess.run(
        [*HOTLINE, *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    feeds = tmp_path / "saved"
    feeds.mkdir()
    (feeds / "wire.xml").write_bytes(rss([Entry("a1", "Markets today"), Entry("a2", "Weather")]))
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n"
        f"  - {{name: wire, url: saved/wire.xml}}\n"
        f"  - {{name: mod, url: '{(DATA / 'feeds' / 'readouts-rss2.xml').as_uri()}'}}\n"
        "  - {name: missing, url: saved/missing.xml}\n",
        encoding="utf-8",
    )
    return path


def test_check_validates_and_summarises(config: Path, tmp_path: Path) -> None:
    result = run(["check", "--config", str(config)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
    assert "feeds:     3" in result.stdout
    assert "chat:      none (console only)" in result.stdout


def test_check_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds:\n  - {name: x}\n  - {name: Y, url: ftp://a}\nextra: 1\n", "utf-8")
    result = run(["check", "--config", str(bad)], tmp_path)
    assert result.returncode == 2
    assert "line 2: feeds[0].url: required key is missing" in result.stderr
    assert "line 3: feeds[1].name" in result.stderr
    assert "line 4: extra: unknown key" in result.stderr


def test_config_comes_from_hotline_config_too(config: Path, tmp_path: Path) -> None:
    result = run(["check"], tmp_path, env={"HOTLINE_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr


def test_poll_once_prints_outcomes_and_exits_0_even_when_a_feed_fails(
    config: Path, tmp_path: Path
) -> None:
    db = tmp_path / "h.db"
    result = run(["poll", "--once", "--config", str(config), "--db", str(db)], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()}
    assert lines == {"wire": "seeded", "mod": "seeded", "missing": "error"}
    assert "[missing]" in result.stderr  # the log line names the feed
    again = run(["poll", "--once", "--config", str(config), "--db", str(db)], tmp_path)
    assert {line.split()[0]: line.split()[1] for line in again.stdout.splitlines()} == {
        "wire": "unchanged",
        "mod": "unchanged",
        "missing": "error",
    }


def test_db_comes_from_hotline_db(config: Path, tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    result = run(["poll", "--once", "--config", str(config)], tmp_path, env={"HOTLINE_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert db.exists()


def test_a_store_error_exits_3(config: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 200)
    result = run(["poll", "--once", "--config", str(config), "--db", str(junk)], tmp_path)
    assert result.returncode == 3
    assert "cannot use the database" in result.stderr


def test_ask_answers_one_command(config: Path, tmp_path: Path) -> None:
    result = run(["ask", "help", "--config", str(config), "--db", str(tmp_path / "h.db")], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Hotline commands")


def test_log_format_json(config: Path, tmp_path: Path) -> None:
    result = run(
        [
            "poll",
            "--once",
            "--log-format",
            "json",
            "--config",
            str(config),
            "--db",
            str(tmp_path / "h.db"),
        ],
        tmp_path,
    )
    import json

    records = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    missing = [r for r in records if r.get("feed") == "missing"]
    assert missing and missing[0]["level"] == "WARNING"


def test_run_keeps_going_without_stdin_and_stops_on_sigterm(config: Path, tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "SLACK_", "MATRIX_"))
    }
    env.update({"PYTHONPATH": str(ROOT), "HOTLINE_HTTP_PORT": "0"})
    with subprocess.Popen(
        [*HOTLINE, "run", "--config", str(config), "--db", str(tmp_path / "h.db")],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stderr is not None
            seen = []
            for line in proc.stderr:  # blocks until the process logs; no sleeping
                seen.append(line)
                if "seeded" in line or "new items" in line:
                    break
            assert proc.poll() is None, "".join(seen)  # still running after stdin closed
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()


def test_python_m_bot_is_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("hotline ")
