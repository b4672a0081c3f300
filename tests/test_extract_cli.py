"""``hotline extract`` as a subprocess: JSON lines in, one answer per line, errors inline."""

from __future__ import annotations

import json
import selectors
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA, ROOT

LINES = [
    json.dumps(
        {
            "id": "a1",
            "published": "2023-10-24",
            "title": "Austin, Gallant discuss Gaza by phone",
            "summary": "U.S. Defense Secretary Lloyd Austin spoke by phone with Israeli Defence "
            "Minister Yoav Gallant on Monday. The two have not met since early October.",
        }
    ),
    "this is not json",
    json.dumps(["a", "list"]),
    json.dumps({"id": 7, "title": "no date", "summary": "x"}),
    json.dumps({"id": "bad-date", "published": "yesterday", "title": "t", "summary": "s"}),
    json.dumps({"id": "naive", "published": "2024-05-01T10:00:00", "title": "t", "summary": "s"}),
    "",
    json.dumps(
        {
            "id": "b2",
            "published": "2024-05-01T23:30:00-04:00",
            "title": "Weather",
            "summary": "Rain is expected across the region tomorrow.",
        }
    ),
]


def run(
    lines: list[str], *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> list[dict[str, object]]:
    hotline = shutil.which("hotline", path=str(Path(sys.executable).parent))
    cmd = (
        [hotline, "extract", *args] if hotline else [sys.executable, "-m", "bot", "extract", *args]
    )
    out = subprocess.run(
        cmd,
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=env,
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_one_answer_per_line_in_order_with_errors_inline(tmp_path: Path) -> None:
    out = run(LINES, cwd=tmp_path)
    assert [o.get("id") for o in out] == ["a1", None, None, 7, "bad-date", "naive", "b2"]
    assert out[0]["contacts"] == [
        {
            "a": {"id": "lloyd-austin", "name": "Lloyd Austin"},
            "b": {"id": "yoav-gallant", "name": "Yoav Gallant"},
            "kind": "call",
            "date": "2023-10-23",
            "evidence": "U.S. Defense Secretary Lloyd Austin spoke by phone with Israeli Defence "
            "Minister Yoav Gallant on Monday.",
            "confidence": out[0]["contacts"][0]["confidence"],  # type: ignore[index]
        }
    ]
    assert out[0]["silences"] == [
        {
            "a": {"id": "lloyd-austin", "name": "Lloyd Austin"},
            "b": {"id": "yoav-gallant", "name": "Yoav Gallant"},
            "since": "2023-10-01",
            "kind": "meeting",
            "evidence": "The two have not met since early October.",
        }
    ]
    assert str(out[1]["error"]).startswith("not JSON")
    assert out[2]["error"] == "expected a JSON object"
    assert out[3]["error"] == "missing 'published'"
    assert "'published' must be a date" in str(out[4]["error"])
    assert "has no offset" in str(out[5]["error"])
    assert out[6] == {"id": "b2", "contacts": [], "silences": []}


def test_empty_input_gives_empty_output(tmp_path: Path) -> None:
    assert run([], cwd=tmp_path) == []


def test_extra_registry_files_come_from_the_config(tmp_path: Path) -> None:
    line = json.dumps(
        {
            "id": "mx",
            "published": "2025-02-01",
            "title": "",
            "summary": "Claudia Sheinbaum spoke by phone with Donald Trump on Friday.",
        }
    )
    config = DATA / "extract" / "feeds_officials.yaml"
    (found,) = run([line], "--config", str(config), cwd=tmp_path)
    assert [(c["a"]["id"], c["b"]["id"], c["date"]) for c in found["contacts"]] == [  # type: ignore[index,union-attr]
        ("claudia-sheinbaum", "donald-trump", "2025-01-31")
    ]
    (plain,) = run([line], cwd=tmp_path)
    assert plain["contacts"] == []


def _command() -> list[str]:
    hotline = shutil.which("hotline", path=str(Path(sys.executable).parent))
    return [hotline, "extract"] if hotline else [sys.executable, "-m", "bot", "extract"]


def test_each_line_is_answered_as_it_arrives(tmp_path: Path) -> None:
    """Someone typing (or a feeder waiting for each answer) is not kept waiting for a batch."""
    with subprocess.Popen(
        _command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=tmp_path, bufsize=0
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            for n in range(2):
                proc.stdin.write((LINES[0].replace('"a1"', f'"live{n}"') + "\n").encode())
                assert sel.select(timeout=20), "no answer while the input is still open"
                answer = json.loads(proc.stdout.readline())
                assert answer["id"] == f"live{n}"
                assert answer["contacts"][0]["date"] == "2023-10-23"
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0
        assert proc.stdout.read() == b""


def test_many_lines_long_lines_and_no_final_newline(tmp_path: Path) -> None:
    long_summary = "Officials met to talk about trade. " * 6000  # about 200 kB, past one read
    records = [
        {"id": k, "published": "2024-03-01", "title": f"item {k}", "summary": "Nothing here."}
        for k in range(1500)
    ]
    records[700]["summary"] = long_summary
    data = "\n".join(json.dumps(r) for r in records)  # no newline after the last line
    out = subprocess.run(
        _command(), input=data.encode(), capture_output=True, check=True, cwd=tmp_path
    )
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert [a["id"] for a in answers] == list(range(1500))
    assert all(a["contacts"] == [] and "error" not in a for a in answers)


def test_a_line_that_is_not_utf8_gets_an_error_and_the_run_goes_on(tmp_path: Path) -> None:
    good = json.dumps({"id": "after", "published": "2024-03-01", "title": "t", "summary": "s"})
    data = b'{"id": "bad", "title": "caf\xe9"}\n' + good.encode() + b"\n"
    out = subprocess.run(_command(), input=data, capture_output=True, check=True, cwd=tmp_path)
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first == {"id": None, "error": "not UTF-8: byte 0xe9 at column 28"}
    assert second == {"id": "after", "contacts": [], "silences": []}


def test_a_lone_surrogate_in_an_id_goes_back_escaped(tmp_path: Path) -> None:
    line = '{"id": "x\\ud800", "published": "2024-03-01", "title": "Путин", "summary": "s"}'
    out = subprocess.run(
        _command(), input=(line + "\n").encode(), capture_output=True, check=True, cwd=tmp_path
    )
    assert out.stdout == b'{"id": "x\\ud800", "contacts": [], "silences": []}\n'
