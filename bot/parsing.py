"""Parsing and extraction of fetched documents, and the in-process feed reader.

``parse_job`` (pure) parses a document with ``bot.feeds.parse_feed`` and runs the extractor
on every item. ``LocalReader`` reads feeds in this process (the fetcher and the parser
passed in): tests use it with ``httpx.MockTransport`` and a stand-in extractor, and small
set-ups with ``polling.workers: 0``. The worker processes (``bot.workers``) fetch and parse
the same way and the pool runs the extractor on what they return (``find_in``). Nothing
here touches the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from bot.feeds import parse_feed
from bot.fetch import Fetcher
from bot.reading import (
    Extractor,
    Parsed,
    ParseJob,
    ReadJob,
    ReadResult,
    extractor_of,
    find_in,
    read_feed,
)

__all__ = [
    "Extractor",
    "InlineParser",
    "LocalReader",
    "Parser",
    "extractor_of",
    "find_in",
    "parse_job",
    "registry_extractor",
]


def parse_job(job: ParseJob, extractor: Extractor | None) -> Parsed:
    """Parse one document and extract from each item (``findings`` stays empty without an
    extractor: the feed workers leave extraction to the main process). Raises
    ``FeedParseError``."""
    parsed = parse_feed(
        job.content, feed=job.feed, url=job.url, headers=dict(job.headers), tz=job.tz
    )
    findings = find_in(parsed.items, extractor) if extractor is not None else ()
    return Parsed(parsed.title, parsed.items, findings, parsed.warning)


def registry_extractor(extra: Sequence[Path] = ()) -> Extractor:
    """The real extractor over the bundled registry plus ``extra`` registry files."""
    from bot.extract import load_registry

    return extractor_of(load_registry(list(extra)))


class Parser(Protocol):
    """Parses fetched documents."""

    async def parse(self, job: ParseJob) -> Parsed: ...


class InlineParser:
    """Parses in the calling thread with the extractor given (none: parse only)."""

    def __init__(self, extractor: Extractor | None) -> None:
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
