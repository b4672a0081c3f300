"""Parsing and extraction off the event loop, on every core.

A fetched body becomes a ``ParseJob``; ``parse_job`` (pure, picklable) parses it with
``bot.feeds.parse_feed`` and runs the extractor on every item, returning a ``Parsed``
value. ``ProcessParser`` runs jobs in a process pool whose workers load the officials
registry once; ``InlineParser`` runs them in the calling thread with any extractor passed
in (tests, tiny configurations). Neither touches the store or the network.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.errors import FeedParseError
from bot.feeds import parse_feed
from bot.models import Contact, Item, SilenceClaim

__all__ = [
    "Extractor",
    "InlineParser",
    "ItemFindings",
    "ParseJob",
    "Parsed",
    "Parser",
    "ProcessParser",
    "parse_job",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ParseJob:
    """One fetched document to parse."""

    feed: str
    content: bytes
    url: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    tz: str | None = None


@dataclass(frozen=True, slots=True)
class ItemFindings:
    """What the extractor found in one item (``error`` when it failed on that item)."""

    contacts: tuple[Contact, ...] = ()
    silences: tuple[SilenceClaim, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed document: its items, each with its findings, in document order."""

    title: str
    items: tuple[Item, ...]
    findings: tuple[ItemFindings, ...]
    warning: str | None = None


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


class Parser(Protocol):
    """Runs parse jobs."""

    async def parse(self, job: ParseJob) -> Parsed: ...

    def close(self) -> None: ...


class InlineParser:
    """Parses in the calling thread with the extractor given (no pool)."""

    def __init__(self, extractor: Extractor) -> None:
        self.extractor = extractor

    async def parse(self, job: ParseJob) -> Parsed:
        return parse_job(job, self.extractor)

    def close(self) -> None:
        pass


# --- the process pool -----------------------------------------------------------------------

_worker_extractor: Extractor | None = None


def _registry_extractor(extra: Sequence[str]) -> Extractor:
    from bot.extract import extract, load_registry

    registry = load_registry([Path(p) for p in extra])

    def run(item: Item) -> tuple[tuple[Contact, ...], tuple[SilenceClaim, ...]]:
        found = extract(item, registry)
        return found.contacts, found.silences

    return run


def _init_worker(extra: Sequence[str]) -> None:
    global _worker_extractor  # noqa: PLW0603 - one registry per worker process
    _worker_extractor = _registry_extractor(extra)


def _run_in_worker(job: ParseJob) -> Parsed:
    assert _worker_extractor is not None, "worker not initialised"
    return parse_job(job, _worker_extractor)


class ProcessParser:
    """Parses in worker processes (``workers``; 0 means one per core).

    Workers start with ``forkserver`` (never a fork of a threaded event-loop process) and
    load the registry once. A worker that dies is replaced by a new pool; the job that was
    running fails with ``FeedParseError`` and its feed retries on its next poll.
    """

    def __init__(self, registry_files: Sequence[Path] = (), workers: int = 0) -> None:
        self.extra = tuple(str(p) for p in registry_files)
        self.workers = workers or os.cpu_count() or 1
        self._pool: Executor | None = None

    def _executor(self) -> Executor:
        if self._pool is None:
            method = (
                "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            )
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_init_worker,
                initargs=(self.extra,),
            )
        return self._pool

    async def parse(self, job: ParseJob) -> Parsed:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), _run_in_worker, job)
        except BrokenProcessPool as exc:
            log.error("a parser process died; starting a new pool", extra={"feed": job.feed})
            self.close()
            raise FeedParseError(f"the parser process died: {exc}", kind="parser_crash") from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
