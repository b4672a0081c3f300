"""The detector compiled to C with mypyc, used only while it matches the sources.

The detector's six modules (``COMPILED``) are plain, fully typed Python.
``python -m bot.extract.build`` compiles them with mypyc into ``bot/extract/_compiled/``
(beside the sources, ignored by git) and writes ``sources.json``: a hash of every source the
build read, and the interpreter's extension suffix. ``bot.extract`` puts that folder first on
its ``__path__`` only when ``usable()`` finds every hash equal to the source as it is now, so
an edited source is never shadowed by an older build: the package runs as plain Python until
the next build (``make`` builds again when a source changes). ``HOTLINE_PURE_PYTHON=1``
turns the compiled modules off.

The compiled modules give the same answers (the tests compare both on real items) about 1.5
times faster. Building needs mypy, setuptools and a C compiler; without them the build says
why and exits 1, and everything still runs.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
import os
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "COMPILED",
    "DEPENDS",
    "FOLDER",
    "GROUP",
    "HERE",
    "MANIFEST",
    "fingerprint",
    "sources",
    "suffix",
    "usable",
]

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "_compiled"
MANIFEST = "sources.json"
GROUP = "bot.extract._native"
"""mypyc's shared library, ``_native__mypyc``, lands in the package like the modules."""

COMPILED = ("text", "cues", "dates", "modality", "mentions", "detect")
DEPENDS = (HERE / "officials.py", HERE.parent / "models.py")
"""Modules the compiled ones import: a change to them calls for a new build too."""


def sources() -> list[Path]:
    return [HERE / f"{name}.py" for name in COMPILED] + list(DEPENDS)


def suffix() -> str:
    return importlib.machinery.EXTENSION_SUFFIXES[0]


def fingerprint() -> dict[str, object]:
    """What a build is valid for: each source's hash, and the interpreter's suffix."""
    hashes = {
        path.name if path.parent == HERE else f"../{path.name}": hashlib.blake2b(
            path.read_bytes(), digest_size=16
        ).hexdigest()
        for path in sources()
    }
    return {"suffix": suffix(), "sources": hashes}


def usable(folder: Path = FOLDER, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``folder`` holds a build of the sources as they are now, for this interpreter."""
    if environ.get("HOTLINE_PURE_PYTHON", "").strip() not in ("", "0"):
        return False
    try:
        recorded = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        present = {p.name for p in folder.iterdir()}
        current = fingerprint()
    except (OSError, ValueError):
        return False
    ext = suffix()
    wanted = [f"{name}{ext}" for name in (*COMPILED, "_native__mypyc")]
    return recorded == current and all(name in present for name in wanted)
