"""The mypyc build of the detector: used only when current, and the same answers as Python."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bot.extract.detect
from bot.extract import build, native
from tests.conftest import ROOT, SHARED
from tests.test_extract_rules import NEGATIVE, POSITIVE


def fake_build(folder: Path, *, manifest: dict[str, object] | None = None) -> Path:
    """A folder shaped like a build (empty modules, a manifest) for the guard to judge."""
    folder.mkdir()
    for name in (*native.COMPILED, "_native__mypyc"):
        (folder / f"{name}{native.suffix()}").write_bytes(b"")
    record = native.fingerprint() if manifest is None else manifest
    (folder / native.MANIFEST).write_text(json.dumps(record), encoding="utf-8")
    return folder


def test_a_build_of_the_current_sources_is_used(tmp_path: Path) -> None:
    assert native.usable(fake_build(tmp_path / "b"), environ={})


def test_a_build_of_other_sources_is_not_used(tmp_path: Path) -> None:
    record = native.fingerprint()
    sources = dict(record["sources"])  # type: ignore[call-overload]
    sources["detect.py"] = "0" * 32  # detect.py was edited after the build
    assert not native.usable(fake_build(tmp_path / "b", manifest={**record, "sources": sources}))


def test_a_build_for_another_interpreter_is_not_used(tmp_path: Path) -> None:
    record = {**native.fingerprint(), "suffix": ".cpython-399-x86_64-linux-gnu.so"}
    assert not native.usable(fake_build(tmp_path / "b", manifest=record), environ={})


def test_a_build_missing_a_module_or_its_manifest_is_not_used(tmp_path: Path) -> None:
    folder = fake_build(tmp_path / "b")
    (folder / f"mentions{native.suffix()}").unlink()
    assert not native.usable(folder, environ={})
    other = fake_build(tmp_path / "c")
    (other / native.MANIFEST).unlink()
    assert not native.usable(other, environ={})
    assert not native.usable(tmp_path / "absent", environ={})


def test_hotline_pure_python_turns_a_current_build_off(tmp_path: Path) -> None:
    folder = fake_build(tmp_path / "b")
    assert not native.usable(folder, environ={"HOTLINE_PURE_PYTHON": "1"})
    assert native.usable(folder, environ={"HOTLINE_PURE_PYTHON": "0"})


def test_the_detector_loads_compiled_exactly_when_a_current_build_is_there() -> None:
    loaded = Path(bot.extract.detect.__file__ or "")
    if native.usable():
        assert loaded.parent == native.FOLDER
        assert loaded.name == f"detect{native.suffix()}"
    else:
        assert loaded == native.HERE / "detect.py"


def test_a_build_without_mypyc_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "mypyc.build", None)  # import fails
    monkeypatch.setattr(build, "usable", lambda **_: False)
    assert build.main() == 1
    err = capsys.readouterr().err
    assert "compiled extractor not built, the pure Python one runs" in err
    assert "mypyc" in err


def _items() -> list[str]:
    """Items for both builds: the rule tables' sentences, and the labelled dev items."""
    lines = [
        json.dumps({"id": name, "published": day.isoformat(), "title": "", "summary": text})
        for name, day, text, _ in POSITIVE
    ]
    lines += [
        json.dumps({"id": name, "published": "2023-10-24", "title": "", "summary": text})
        for name, text in NEGATIVE
    ]
    dev = SHARED / "eval" / "dev.jsonl"
    if dev.is_file():
        for raw in dev.read_text(encoding="utf-8").splitlines():
            case = json.loads(raw)
            keep = ("id", "published", "title", "summary")
            lines.append(json.dumps({k: case[k] for k in keep}, ensure_ascii=False))
    return lines


@pytest.mark.skipif(not native.usable(), reason="no current compiled build (make builds it)")
def test_compiled_and_pure_python_give_the_same_answers(tmp_path: Path) -> None:
    hotline = shutil.which("hotline", path=str(Path(sys.executable).parent))
    cmd = [hotline, "extract"] if hotline else [sys.executable, "-m", "bot", "extract"]
    data = "\n".join(_items()) + "\n"
    outputs = []
    for pure in ("0", "1"):
        env = {**os.environ, "HOTLINE_PURE_PYTHON": pure}
        done = subprocess.run(
            cmd, input=data, capture_output=True, text=True, check=True, cwd=tmp_path, env=env
        )
        outputs.append(done.stdout)
    compiled, pure_python = outputs
    assert compiled.count("\n") == data.count("\n")
    assert sum('"kind": "call"' in line for line in compiled.splitlines()) > 20
    assert compiled == pure_python


def test_the_build_is_ignored_by_git() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(native.FOLDER / "detect.so")], cwd=ROOT, check=False
    )
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.returncode == 0
