"""``hotline extract``: JSON lines in, contacts out (the extractor is not wired in yet)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

__all__ = ["run_extract"]


def run_extract(
    stdin: TextIO, stdout: TextIO, *, config: str | None, environ: Mapping[str, str]
) -> int:
    """Answer every input line with an error until the extractor lands."""
    import json

    for line in stdin:
        if line.strip():
            stdout.write(json.dumps({"id": None, "error": "extractor not available"}) + "\n")
    return 0
