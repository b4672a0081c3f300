"""``python -m bot.extract.build``: compile the detector with mypyc (see ``bot.extract.native``).

Exits 0 when the build is done or already current, 1 (saying why) when it cannot be made:
mypy, setuptools or a C compiler missing. Nothing depends on it: without a build the
detector runs as plain Python.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.extract.native import (
    COMPILED,
    FOLDER,
    GROUP,
    HERE,
    MANIFEST,
    fingerprint,
    sources,
    suffix,
    usable,
)

__all__ = ["build", "main"]


def build(folder: Path = FOLDER) -> None:
    """Compile ``COMPILED`` into ``folder`` and record what the build is valid for.

    Raises:
        RuntimeError: mypy, setuptools or the compiler is missing, or compiling failed.
    """
    for name in ("mypyc.build", "setuptools"):  # to say what is missing before starting
        try:
            found = importlib.util.find_spec(name)
        except ImportError:
            found = None
        if found is None:
            raise RuntimeError(f"{name} is not installed (pip install mypy setuptools)")
    before = fingerprint()
    with tempfile.TemporaryDirectory(prefix="hotline-mypyc-") as tmp:
        work = Path(tmp)
        package = work / "bot"
        (package / "extract").mkdir(parents=True)
        (package / "__init__.py").write_text("", encoding="utf-8")
        (package / "extract" / "__init__.py").write_text("", encoding="utf-8")
        for path in sources():
            shutil.copy2(path, package / path.relative_to(HERE.parent))
        paths = [f"bot/extract/{name}.py" for name in COMPILED]
        setup = (
            "from setuptools import setup\n"
            "from mypyc.build import mypycify\n"
            f"setup(name='hotline-compiled', ext_modules=mypycify({paths!r}, "
            f"opt_level='3', group_name={GROUP!r}))\n"
        )
        (work / "setup.py").write_text(setup, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "setup.py", "build_ext", "--inplace"],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise RuntimeError(f"mypyc failed (exit {done.returncode}):\n{tail}")
        built = sorted((package / "extract").glob(f"*{suffix()}"))
        if len(built) != len(COMPILED) + 1:
            raise RuntimeError(f"mypyc built {[p.name for p in built]}, not all of {COMPILED}")
        if fingerprint() != before:
            raise RuntimeError("a source changed while it was being compiled; build again")
        # the manifest goes last: a folder without one (a build cut short) is never used
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for path in built:
            shutil.copy2(path, folder / path.name)
        (folder / MANIFEST).write_text(json.dumps(before, indent=1) + "\n", encoding="utf-8")


def main() -> int:
    """``python -m bot.extract.build``: build, unless the build is already current."""
    if usable(environ={}):
        (FOLDER / MANIFEST).touch()  # newer than the sources again, for make
        print(f"compiled extractor: up to date ({FOLDER})")
        return 0
    started = time.monotonic()
    try:
        build()
    except (RuntimeError, OSError) as exc:
        print(f"compiled extractor not built, the pure Python one runs: {exc}", file=sys.stderr)
        return 1
    print(f"compiled extractor: built in {time.monotonic() - started:.0f} s ({FOLDER})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
