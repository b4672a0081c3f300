"""Reading one feed: a conditional fetch, a skip when the body did not change, a parse with
extraction. The shared step of the in-process reader and the worker processes.

``read_feed`` turns a ``ReadJob`` into a ``ReadResult`` and never raises for a feed's own
failures (they become ``ReadResult.error``). The values here are plain data that cross
process boundaries; this module imports neither the HTTP client nor the parser at load time.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import urlsplit

from bot.errors import FeedError, FeedParseError, FetchError
from bot.models import Contact, Item, SilenceClaim

if TYPE_CHECKING:
    from bot.extract import Registry
    from bot.fetch import Fetcher

Extractor = Callable[[Item], tuple[tuple[Contact, ...], tuple[SilenceClaim, ...]]]
"""Finds contacts and silence claims in one item."""

__all__ = [
    "Extractor",
    "FeedReader",
    "ItemFindings",
    "Limiter",
    "ParseJob",
    "Parsed",
    "ReadError",
    "ReadJob",
    "ReadResult",
    "body_hash",
    "extractor_of",
    "find_in",
    "host_of",
    "read_feed",
]


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


@dataclass(frozen=True, slots=True)
class ReadJob:
    """What the poller asks of a reader for one feed.

    Attributes:
        feed: the feed's name.
        url: where to fetch it now.
        etag, last_modified: validators from the last success.
        body_hash: hash of the last body parsed; an identical body is not parsed again.
        tz: the publication's time zone, for local dates.
        public_only: every address fetched from, redirects included, must be public (a
            feed added from chat; see ``bot.netcheck``).
    """

    feed: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    tz: str | None = None
    public_only: bool = False


@dataclass(frozen=True, slots=True)
class ReadError:
    """A feed's failure as plain data (it crosses process boundaries).

    Attributes:
        kind: ``timeout``, ``http_503``, ``gone``, ``invalid_xml``, ... (see ``FeedError``).
        message: for people.
        parse: whether the body came back but could not be parsed.
        status: the HTTP status, if any.
        retry_after: seconds the server asked to wait, if it said.
    """

    kind: str
    message: str
    parse: bool = False
    status: int | None = None
    retry_after: float | None = None

    @classmethod
    def of(cls, exc: FeedError) -> ReadError:
        if isinstance(exc, FetchError):
            return cls(exc.kind, str(exc), False, exc.status, exc.retry_after)
        return cls(exc.kind, str(exc), isinstance(exc, FeedParseError))

    def exception(self) -> FeedError:
        """The error as an exception again."""
        if self.parse:
            return FeedParseError(self.message, kind=self.kind)
        return FetchError(
            self.message, kind=self.kind, status=self.status, retry_after=self.retry_after
        )


ReadStatus = Literal["parsed", "not_modified", "unchanged", "error"]


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The outcome of reading one feed.

    Attributes:
        status: ``parsed`` (``parsed`` holds the document), ``not_modified`` (304),
            ``unchanged`` (the same body as ``ReadJob.body_hash``), ``error``.
        url: the URL that answered.
        moved_to: a new permanent URL (every redirect on the way was permanent).
        etag, last_modified, max_age: from the response.
        body_hash: hash of the body that came back.
        parsed: the document, for ``parsed``.
        error: the failure, for ``error``.
    """

    status: ReadStatus
    url: str
    moved_to: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    max_age: float | None = None
    body_hash: str | None = None
    parsed: Parsed | None = None
    error: ReadError | None = None


def body_hash(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=16).hexdigest()


async def read_feed(
    job: ReadJob,
    fetcher: Fetcher,
    parse: Callable[[ParseJob], Awaitable[Parsed]],
    *,
    reparse: bool = False,
) -> ReadResult:
    """Fetch ``job``'s feed and parse it unless it did not change (``reparse`` parses an
    identical body anyway: a feed's first poll)."""
    try:
        fetched = await fetcher.fetch(
            job.url, etag=job.etag, last_modified=job.last_modified, public_only=job.public_only
        )
    except FeedError as exc:
        return ReadResult("error", job.url, error=ReadError.of(exc))
    answer = ReadResult(
        "not_modified",
        fetched.url,
        moved_to=fetched.moved_to,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        max_age=fetched.max_age,
    )
    if fetched.status == "not_modified":
        return answer
    digest = body_hash(fetched.content)
    if digest == job.body_hash and not reparse:
        return dataclasses.replace(answer, status="unchanged", body_hash=digest)
    try:
        parsed = await parse(
            ParseJob(job.feed, fetched.content, fetched.url, tuple(fetched.headers.items()), job.tz)
        )
    except FeedError as exc:
        return dataclasses.replace(
            answer, status="error", body_hash=digest, error=ReadError.of(exc)
        )
    return dataclasses.replace(answer, status="parsed", body_hash=digest, parsed=parsed)


class Limiter:
    """Requests in flight at once: overall and per host (``None``: no limit)."""

    def __init__(self, concurrency: int | None, per_host: int | None) -> None:
        self._all = asyncio.Semaphore(concurrency) if concurrency else None
        self.per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}

    @contextlib.asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold one request slot for ``url``'s host (and one overall) while inside."""
        async with contextlib.AsyncExitStack() as stack:
            if self._all is not None:
                await stack.enter_async_context(self._all)
            if self.per_host:
                host = host_of(url)
                sem = self._hosts.get(host)
                if sem is None:
                    sem = self._hosts[host] = asyncio.Semaphore(self.per_host)
                await stack.enter_async_context(sem)
            yield


def host_of(url: str) -> str:
    """The lower-case host of ``url`` (empty when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class FeedReader(Protocol):
    """Reads feeds: in this process (``bot.parsing.LocalReader``) or in worker processes
    (``bot.workers.WorkerPool``)."""

    async def read(self, job: ReadJob, *, reparse: bool = False) -> ReadResult: ...

    async def aclose(self) -> None: ...


def find_in(items: Sequence[Item], extractor: Extractor) -> tuple[ItemFindings, ...]:
    """The extractor's findings for each item, in order; an extractor failure on one item
    is kept as that item's ``error`` (the rest go on)."""
    findings: list[ItemFindings] = []
    for item in items:
        try:
            contacts, silences = extractor(item)
            findings.append(ItemFindings(contacts, silences))
        except Exception as exc:  # one bad item must not cost the others
            findings.append(ItemFindings(error=f"{type(exc).__name__}: {exc}"))
    return tuple(findings)


def extractor_of(registry: Registry) -> Extractor:
    """The real extractor over ``registry``."""
    from bot.extract import extract

    def run(item: Item) -> tuple[tuple[Contact, ...], tuple[SilenceClaim, ...]]:
        found = extract(item, registry)
        return found.contacts, found.silences

    return run
