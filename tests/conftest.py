"""Shared fixtures. Tests reach only loopback addresses and never sleep on the wall clock."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def data_dir() -> Path:
    return DATA


def shared_path(*parts: str) -> Path:
    """A path under ../shared; tests that need it skip when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is absent)")
    return path
