"""Parsing and extraction of fetched documents, and the in-process feed reader.

``parse_job`` (pure) parses a document with ``bot.feeds.parse_feed`` and runs the extractor
on every item. ``LocalReader`` reads feeds in this process (the fetcher and the parser
passed in): tests use it with ``httpx.MockTransport`` and a stand-in extractor, and small
set-ups with ``polling.workers: 0``. The worker processes (``bot.workers``) run the same
steps. Nothing here touches the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from bot.feeds import parse_feed
from bot.fetch import Fetcher
from bot.models import Contact, Item, SilenceClaim
from bot.reading import ItemFindings, Parsed, ParseJob, ReadJob, ReadResult, read_feed

__all__ = [
    "Extractor",
    "InlineParser",
    "LocalReader",
    "Parser",
    "parse_job",
    "registry_extractor",
]

Extractor = Callable[[Item], tuple[tuple[Contact, ...], tuple[SilenceClaim, ...]]]
"""Finds contacts and silence claims in one item."""


def parse_job(job: ParseJob, extractor: Extractor) -> Parsed:
    """Parse one document and extract from each item. Raises ``FeedParseError``; an
    extractor failure on one item is kept as that item's ``error`` (the rest go on)."""
    parsed = parse_feed(
        job.content, feed=job.feed, url=job.url, headers=dict(job.headers), tz=job.tz
    )
    findings: list[ItemFindings] = []
    for item in parsed.items:
        try:
            contacts, silences = extractor(item)
            findings.append(ItemFindings(contacts, silences))
        except Exception as exc:  # one bad item must not cost the others
            findings.append(ItemFindings(error=f"{type(exc).__name__}: {exc}"))
    return Parsed(parsed.title, parsed.items, tuple(findings), parsed.warning)


def registry_extractor(extra: Sequence[Path] = ()) -> Extractor:
    """The real extractor over the bundled registry plus ``extra`` registry files."""
    from bot.extract import extract, load_registry

    registry = load_registry(list(extra))

    def run(item: Item) -> tuple[tuple[Contact, ...], tuple[SilenceClaim, ...]]:
        found = extract(item, registry)
        return found.contacts, found.silences

    return run


class Parser(Protocol):
    """Parses fetched documents."""

    async def parse(self, job: ParseJob) -> Parsed: ...


class InlineParser:
    """Parses in the calling thread with the extractor given."""

    def __init__(self, extractor: Extractor) -> None:
        self.extractor = extractor

    async def parse(self, job: ParseJob) -> Parsed:
        return parse_job(job, self.extractor)


class LocalReader:
    """Reads feeds in this process: ``fetcher`` fetches, ``parser`` parses."""

    def __init__(self, fetcher: Fetcher, parser: Parser) -> None:
        self.fetcher = fetcher
        self.parser = parser

    async def read(self, job: ReadJob, *, reparse: bool = False) -> ReadResult:
        return await read_feed(job, self.fetcher, self.parser.parse, reparse=reparse)

    async def aclose(self) -> None:
        await self.fetcher.aclose()
