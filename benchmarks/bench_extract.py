"""Throughput of the contact extractor, in process, on one core.

Usage: python -m benchmarks.bench_extract [CASES.jsonl] [--repeat N]

Times ``extract`` (CPU time) on the labelled items, then on ordinary news that names no
official: the same texts with every capitalised word lower-cased away, and the world news of
the generated benchmark feeds (``benchmarks.feedgen``), which must cost far less. Prints items
per second, and microseconds per item for the generated news.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import bot.extract.detect
from benchmarks.feedgen import _CONTACTS, feed_document
from bot.extract import default_registry, extract
from bot.extract.jsonl import parse_line
from bot.feeds import parse_feed
from bot.models import Item

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


def rate(items: list[Item], repeat: int) -> float:
    """Items per second of CPU time (the best of three runs)."""
    registry = default_registry()
    for item in items:
        extract(item, registry)  # warm the caches
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(repeat):
            for item in items:
                extract(item, registry)
        best = min(best, time.process_time() - start)
    return len(items) * repeat / max(best, 1e-9)


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
    contacts = {title for title, _ in _CONTACTS}
    generated = [
        item
        for index in range(20)
        for item in parse_feed(feed_document(index), feed="bench").items
        if item.title not in contacts
    ]
    default_registry()
    loaded = Path(bot.extract.detect.__file__ or "")
    print(f"detector: {'compiled' if loaded.suffix == '.so' else 'plain Python'} ({loaded.name})")
    print(f"items naming officials: {rate(items, args.repeat):,.0f} items/s")
    print(f"ordinary news:          {rate(plain, args.repeat):,.0f} items/s")
    news = rate(generated, max(1, args.repeat // 3))
    print(f"generated world news:   {news:,.0f} items/s ({1e6 / news:.1f} µs an item)")


if __name__ == "__main__":
    main()
