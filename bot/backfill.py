"""Backfill: saved feed documents replayed into the record, without alerts.

``hotline backfill PATH...`` takes files and folders of RSS/Atom/RDF documents as they were
saved from the feeds. Folders are searched recursively for ``*.xml``, ``*.rss``,
``*.atom``, ``*.rdf`` and those names with ``.gz`` (gzip files); a file named on the command
line is read whatever its name. Each document goes through the same pipeline as a poll: a
reader (the worker processes, or this one) reads it, parses it and runs the extractor, and
``bot.poller.record_items`` records its new items, their contacts and silence claims, one
transaction per document. Nothing is announced, and no feed's polling state changes.

The feed a document's items belong to: the configured feed whose ``url`` is that file,
else the one ``feed`` names, else the file's name without its extensions, lower-cased
(``bbc__news-world-rss2.xml`` -> ``bbc__news-world-rss2``). An item is new once per feed, so
a second backfill of the same documents records nothing twice. A contact that neither its
text nor its item dates is left out (counted as undated): an archive's "today" is not
today.

This module decides nothing about alerts and never writes feed state.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.clock import Clock
from bot.models import FeedSpec
from bot.poller import record_items
from bot.reading import FeedReader, ReadJob, ReadResult
from bot.store import Store

__all__ = [
    "SUFFIXES",
    "Backfill",
    "SavedDocument",
    "Unreadable",
    "backfill",
    "derived_name",
    "documents",
    "find_documents",
]

SUFFIXES: tuple[str, ...] = (".xml", ".rss", ".atom", ".rdf")
"""Names of saved feed documents looked for in folders (also with ``.gz``)."""

WINDOW = 8
"""Documents read ahead of the one being recorded (the reader's workers stay busy)."""


@dataclass(frozen=True, slots=True)
class SavedDocument:
    """A saved feed document to replay, and the feed its items belong to."""

    path: Path
    feed: str
    tz: str | None = None


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A path that gave no items, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Backfill:
    """What a backfill did.

    Attributes:
        files: documents read.
        unreadable: paths that could not be read or parsed, with the reasons.
        items: entries in the documents read.
        new_items: entries not seen before.
        contacts: contacts the extractor found in the new entries.
        recorded: of those, the reports that joined the record.
        new_events: of those, the reports that started a contact event.
        undated: contacts left out because nothing dates them.
    """

    files: int = 0
    unreadable: tuple[Unreadable, ...] = ()
    items: int = 0
    new_items: int = 0
    contacts: int = 0
    recorded: int = 0
    new_events: int = 0
    undated: int = 0


def _saved(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith(SUFFIXES)


def find_documents(paths: Iterable[Path]) -> tuple[list[Path], list[Unreadable]]:
    """The documents to replay under ``paths`` (folders recursively, sorted by path, each
    once), and the paths that do not exist or hold none."""
    found: list[Path] = []
    problems: list[Unreadable] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and _saved(p))
            if not inside:
                problems.append(
                    Unreadable(
                        str(path),
                        "no saved feed documents in this folder "
                        f"({', '.join('*' + s for s in SUFFIXES)}, or those gzipped)",
                    )
                )
        elif path.is_file():
            inside = [path]
        else:
            problems.append(Unreadable(str(path), "no such file or folder"))
            continue
        for document in inside:
            key = document.resolve()
            if key not in seen:
                seen.add(key)
                found.append(document)
    return found, problems


def derived_name(path: Path) -> str:
    """A feed name from a file's name: without its extensions, lower-cased, other
    characters than letters, digits, ``.``, ``_`` and ``-`` made ``-``."""
    name = path.name.lower().removesuffix(".gz")
    for suffix in SUFFIXES:
        name = name.removesuffix(suffix)
    name = re.sub(r"[^a-z0-9_.-]+", "-", name).strip("-._")[:64]
    return name or "saved"


def _local(url: str) -> Path | None:
    if url.lower().startswith("file://"):
        return Path(unquote(urlsplit(url).path)).resolve()
    if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        return None
    return Path(url).expanduser().resolve()


def documents(
    paths: Sequence[Path], feeds: Sequence[FeedSpec], feed: str | None = None
) -> tuple[list[SavedDocument], list[Unreadable]]:
    """The documents under ``paths``, each with its feed (see the module's docstring)."""
    configured = {local: spec for spec in feeds if (local := _local(spec.url)) is not None}
    found, problems = find_documents(paths)
    out = []
    for path in found:
        spec = configured.get(path.resolve())
        if spec is not None:
            out.append(SavedDocument(path, spec.name, spec.tz))
        else:
            out.append(SavedDocument(path, feed or derived_name(path)))
    return out, problems


async def backfill(
    paths: Sequence[Path],
    *,
    store: Store,
    reader: FeedReader,
    clock: Clock,
    feeds: Sequence[FeedSpec] = (),
    feed: str | None = None,
    progress: Callable[[int], object] | None = None,
    total: Callable[[int], object] | None = None,
) -> Backfill:
    """Replay the documents under ``paths`` into the record; see the module's docstring.

    ``feed`` names the feed of documents no configured feed claims. ``total`` is told how
    many documents were found, ``progress`` of each one done.
    """
    docs, unreadable = documents(paths, feeds, feed)
    if total is not None:
        total(len(docs))
    parts = [Backfill(unreadable=tuple(unreadable))]
    pending: deque[tuple[SavedDocument, asyncio.Task[ReadResult]]] = deque()
    try:
        for position, doc in enumerate(docs):
            job = ReadJob(feed=doc.feed, url=doc.path.resolve().as_uri(), tz=doc.tz)
            pending.append((doc, asyncio.create_task(reader.read(job, reparse=True))))
            while pending and (len(pending) >= WINDOW or position == len(docs) - 1):
                first, task = pending[0]
                result = await task
                pending.popleft()
                parts.append(_record(store, clock, first, result))
                if progress is not None:
                    progress(1)
    finally:
        for _doc, task in pending:
            task.cancel()
        await asyncio.gather(*(task for _doc, task in pending), return_exceptions=True)
    return _total(parts)


def _record(store: Store, clock: Clock, doc: SavedDocument, result: ReadResult) -> Backfill:
    """Record one document read; what it did."""
    if result.parsed is None:
        reason = result.error.message if result.error else f"nothing to parse ({result.status})"
        return Backfill(unreadable=(Unreadable(str(doc.path), reason),))
    with store.transaction():
        new = record_items(store, result.parsed, clock.now(), undated=None)
    return Backfill(
        files=1,
        items=len(result.parsed.items),
        new_items=len(new),
        contacts=sum(len(n.findings.contacts) for n in new),
        recorded=sum(len(n.recorded) for n in new),
        new_events=sum(r.new for n in new for r in n.recorded),
        undated=sum(n.undated for n in new),
    )


def _total(parts: Sequence[Backfill]) -> Backfill:
    return Backfill(
        files=sum(p.files for p in parts),
        unreadable=tuple(u for p in parts for u in p.unreadable),
        items=sum(p.items for p in parts),
        new_items=sum(p.new_items for p in parts),
        contacts=sum(p.contacts for p in parts),
        recorded=sum(p.recorded for p in parts),
        new_events=sum(p.new_events for p in parts),
        undated=sum(p.undated for p in parts),
    )
