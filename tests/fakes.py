"""Fakes passed into the core by tests: a recording front-end, a loopback feed server, and a
keyword extractor. No mock.patch anywhere."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from email.utils import format_datetime
from xml.sax.saxutils import escape

from aiohttp import web

from bot.errors import FrontendError
from bot.models import Contact, Delivery, Item, Kind, Platform, SilenceClaim, pair


class RecordingFrontend:
    """Records every delivery; can be told to fail the next ones."""

    def __init__(self, platform: Platform = "slack") -> None:
        self.platform = platform
        self.delivered: list[Delivery] = []
        self.failures: list[FrontendError | Exception] = []

    async def deliver(self, delivery: Delivery) -> str | None:
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(delivery)
        return f"m{len(self.delivered)}"

    @property
    def keys(self) -> list[str]:
        return [d.alert.key for d in self.delivered]


@dataclass(frozen=True)
class Said:
    """A contact a fake extractor reports when a title contains ``phrase``."""

    phrase: str
    a: str
    b: str
    kind: Kind = "call"
    day: date | None = None


@dataclass
class KeywordExtractor:
    """Finds the contacts whose phrase appears in an item's title (a stand-in extractor)."""

    said: list[Said] = field(default_factory=list)
    silences: Mapping[str, SilenceClaim] = field(default_factory=dict)

    def __call__(self, item: Item) -> tuple[tuple[Contact, ...], tuple[SilenceClaim, ...]]:
        contacts = []
        for s in self.said:
            if s.phrase in item.title:
                a, b = pair(s.a, s.b)
                contacts.append(Contact(a, b, s.kind, s.day, item.title, 0.9))
        claims = tuple(c for phrase, c in self.silences.items() if phrase in item.title)
        return tuple(contacts), claims


@dataclass
class Entry:
    """One item of a served feed."""

    guid: str
    title: str
    summary: str = ""
    published: str | None = None  # an RFC 822 date, or None for none


def rss(entries: list[Entry], title: str = "Wire") -> bytes:
    items = []
    for e in entries:
        date_tag = f"<pubDate>{e.published}</pubDate>" if e.published else ""
        items.append(
            f"<item><title>{escape(e.title)}</title><guid>{escape(e.guid)}</guid>"
            f"<link>https://news.example/{escape(e.guid)}</link>{date_tag}"
            f"<description>{escape(e.summary)}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{escape(title)}</title>{''.join(items)}</channel></rss>"
    ).encode()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


class FeedServer:
    """An HTTP server on an ephemeral loopback port serving feeds that tests change between
    polls. Answers 304 to a matching ``If-None-Match`` when a route has an ETag."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.hit = asyncio.Event()
        self.holds: dict[str, asyncio.Event] = {}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(
        self,
        path: str,
        body: bytes,
        *,
        etag: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.routes[path] = Route(status, body, dict(headers or {}), etag)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.headers)))
        self.hit.set()
        if request.path in self.holds:  # answer only when the test says so
            await self.holds[request.path].wait()
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404)
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
            if request.headers.get("If-None-Match") == route.etag:
                return web.Response(status=304, headers=headers)
        return web.Response(status=route.status, body=route.body, headers=headers)

    async def __aenter__(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner, self.port = await serve_app(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def serve_app(app: web.Application) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on an ephemeral loopback port; the runner (to clean up) and the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    return runner, int(server.sockets[0].getsockname()[1])  # type: ignore[union-attr]


def rfc822(year: int, month: int, day: int, hour: int = 12) -> str:
    from datetime import UTC, datetime

    return format_datetime(datetime(year, month, day, hour, tzinfo=UTC), usegmt=True)


async def until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Yield to the event loop until ``condition()`` holds (no wall-clock sleeping)."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - a condition with no event to wait on
            await asyncio.sleep(0)


async def settle() -> None:
    """Let tasks scheduled on the loop run (no wall-clock sleep)."""
    for _ in range(5):
        await asyncio.sleep(0)


class FakeDNS:
    """A resolver passed in where host names are checked (no lookup leaves the machine)."""

    PUBLIC = "93.184.216.34"

    def __init__(self, table: Mapping[str, list[str]] | None = None) -> None:
        self.table = dict(
            table
            or {
                "mid.ru": [self.PUBLIC],
                "news.example": [self.PUBLIC],
                "intranet.example": ["10.1.2.3"],
                "metadata.example": ["169.254.169.254"],
                "sneaky.example": [self.PUBLIC, "127.0.0.1"],
            }
        )
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return self.table[host]
