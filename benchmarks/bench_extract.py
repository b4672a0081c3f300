"""Throughput of the contact extractor, in process, on one core.

Usage: python benchmarks/bench_extract.py [CASES.jsonl] [--repeat N]

Times ``extract`` (CPU time) on the labelled items, then on ordinary news that names no
official (the same texts with every capitalised word lower-cased away), which must cost far
less. Prints items per second for both.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from bot.extract import default_registry, extract
from bot.extract.jsonl import parse_line
from bot.models import Item

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


def rate(items: list[Item], repeat: int) -> float:
    registry = default_registry()
    start = time.process_time()
    for _ in range(repeat):
        for item in items:
            extract(item, registry)
    return len(items) * repeat / max(time.process_time() - start, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("cases", nargs="?", type=Path, default=DEV)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    lines = [line for line in args.cases.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [parse_line(line)[1] for line in lines]
    plain = [
        Item(i.feed, i.key, None, "weather report", re.sub(r"[A-ZА-Я]\w*", "", i.summary),
             None, i.local_date, "")
        for i in items
    ]  # fmt: skip
    default_registry()
    print(f"items naming officials: {rate(items, args.repeat):,.0f} items/s")
    print(f"ordinary news:          {rate(plain, args.repeat):,.0f} items/s")


if __name__ == "__main__":
    main()
