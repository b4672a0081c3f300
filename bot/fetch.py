"""Fetching feed documents: one ``httpx.AsyncClient`` for every feed.

Conditional GET (``If-None-Match`` / ``If-Modified-Since``; a 304 skips parsing), a
descriptive User-Agent, connect/read timeouts plus an overall deadline, a cap on the body
size that also holds after decompression (the body is read raw and inflated here with a
bounded decoder, so a gzip bomb stops at the cap), at most ``MAX_REDIRECTS`` redirects with
loop detection (a chain of permanent redirects reports the new URL), a concurrency limit
overall and per host, ``Retry-After`` and ``Cache-Control: max-age`` read from responses,
and ``file://`` URLs or plain paths for replaying saved feeds.

Every failure is a ``FetchError`` with a ``kind`` (``timeout``, ``connect``, ``http_503``,
``too_large``, ``gone``, ...). This module makes no scheduling decision (see
``bot.schedule.next_poll_after``) and never parses the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from bot import __version__
from bot.clock import Clock, SystemClock
from bot.errors import FetchError
from bot.netcheck import Resolver, system_resolver, url_problem
from bot.reading import Limiter, host_of

__all__ = [
    "DEFAULT_USER_AGENT",
    "MAX_REDIRECTS",
    "FetchResult",
    "Fetcher",
    "PerOriginTransport",
    "parse_max_age",
    "parse_retry_after",
]

MAX_REDIRECTS = 5
DEFAULT_USER_AGENT = (
    f"Hotline/{__version__} (feed reader for newsroom foreign desks; polite polling, "
    "honours ETag, Last-Modified, Retry-After and Cache-Control)"
)
_PERMANENT = frozenset({301, 308})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful exchange.

    Attributes:
        status: ``ok`` (a body came back) or ``not_modified`` (304).
        url: the URL that answered (after redirects).
        moved_to: the new permanent URL when every redirect on the way was permanent
            (301/308); the caller stores it in place of the old one.
        content: the decompressed body (``ok`` only).
        headers: response headers with lower-case names (content-type for the charset).
        etag, last_modified: validators for the next conditional GET.
        max_age: ``Cache-Control: max-age`` in seconds, if given.
    """

    status: Literal["ok", "not_modified"]
    url: str
    moved_to: str | None = None
    content: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    max_age: float | None = None


def parse_retry_after(value: str | None, now_timestamp: float) -> float | None:
    """``Retry-After`` in seconds from now: delta-seconds or an HTTP date. Bad values are
    ignored (``None``)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now_timestamp)


_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)


def parse_max_age(value: str | None) -> float | None:
    """``max-age`` of a ``Cache-Control`` header, in seconds (``no-store``/``no-cache``
    give ``None``)."""
    if not value:
        return None
    lowered = value.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return None
    match = _MAX_AGE.search(lowered)
    return float(match.group(1)) if match else None


class _Inflater:
    """Decompresses gzip/deflate incrementally, never producing more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        encodings = [e.strip().lower() for e in encoding.split(",") if e.strip()]
        encodings = [e for e in encodings if e != "identity"]
        if len(encodings) > 1:
            raise FetchError(f"unsupported stacked Content-Encoding {encoding!r}", kind="decoding")
        self.encoding = encodings[0] if encodings else ""
        if self.encoding in ("gzip", "x-gzip"):
            self._z: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._z = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_deflate_checked = False
        elif not self.encoding:
            self._z = None
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r}", kind="decoding")
        self._chunks: list[bytes] = []

    def _take(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchError(
                f"body larger than {self.limit} bytes after decompression", kind="too_large"
            )
        self._chunks.append(data)

    def feed(self, data: bytes) -> None:
        if self._z is None:
            self._take(data)
            return
        try:
            if self.encoding == "deflate" and not self._raw_deflate_checked:
                self._raw_deflate_checked = True
                # Some servers send raw deflate without the zlib header.
                if data and (data[0] & 0x0F) != 8:
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            while data:
                room = self.limit - self.size + 1
                out = self._z.decompress(data, room)
                self._take(out)
                data = self._z.unconsumed_tail
        except zlib.error as exc:
            raise FetchError(f"cannot decompress the body: {exc}", kind="decoding") from exc

    def finish(self) -> bytes:
        if self._z is not None:
            try:
                self._take(self._z.flush())
            except zlib.error as exc:
                raise FetchError(f"cannot decompress the body: {exc}", kind="decoding") from exc
        return b"".join(self._chunks)


class Fetcher:
    """Fetches feed documents; one instance (one connection pool) for the whole process.

    Args:
        timeout: connect and read timeout of one request.
        max_bytes: largest body accepted (after decompression).
        concurrency: requests in flight at once, overall (``None``: the caller limits).
        per_host: requests in flight at once to one host (``None``: the caller limits).
        user_agent: the ``User-Agent`` header.
        transport: an ``httpx`` transport (tests pass ``httpx.MockTransport``).
        clock: for ``Retry-After`` dates.
        deadline: longest a whole exchange may take (default: three timeouts).
        resolve: host name resolution for ``public_only`` checks (tests pass a fake).
    """

    def __init__(
        self,
        *,
        timeout: timedelta = timedelta(seconds=20),
        max_bytes: int = 10 * 1024 * 1024,
        concurrency: int | None = None,
        per_host: int | None = None,
        user_agent: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        deadline: timedelta | None = None,
        resolve: Resolver = system_resolver,
    ) -> None:
        seconds = timeout.total_seconds()
        self.max_bytes = max_bytes
        self.resolve = resolve
        self.deadline = (deadline or timeout * 3).total_seconds()
        self.clock = clock or SystemClock()
        self.limiter = Limiter(concurrency, per_host)
        if transport is None:
            transport = PerOriginTransport(keepalive=max(per_host or 0, 8))
        self.client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(seconds, pool=None),
            follow_redirects=False,
            headers={
                "User-Agent": user_agent or DEFAULT_USER_AGENT,
                "Accept": (
                    "application/rss+xml, application/atom+xml, application/rdf+xml, "
                    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
                ),
                "Accept-Encoding": "gzip, deflate",
            },
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        public_only: bool = False,
    ) -> FetchResult:
        """Fetch ``url``, conditionally when validators are given. Raises ``FetchError``.

        ``public_only``: refuse files and any hop (redirects included) whose host is or
        resolves to a private, loopback or link-local address (a feed added from chat).
        """
        if public_only:
            problem = await url_problem(url, allow_private=False, resolve=self.resolve)
            if problem is not None:
                raise FetchError(problem, kind="private_address")
        if _is_local(url):
            return await asyncio.to_thread(self._read_file, url)
        try:
            async with asyncio.timeout(self.deadline):
                return await self._fetch(url, etag, last_modified, public_only)
        except TimeoutError:
            raise FetchError(
                f"no complete answer within {self.deadline:.0f}s", kind="timeout"
            ) from None

    async def _fetch(
        self, url: str, etag: str | None, last_modified: str | None, public_only: bool = False
    ) -> FetchResult:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = [url]
        permanent = True
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            host = host_of(current)
            if not host:
                raise FetchError(f"{current!r} is not a usable URL", kind="url")
            async with self.limiter.slot(current):
                result = await self._exchange(current, headers)
            if isinstance(result, FetchResult):
                moved = current if (current != url and permanent) else None
                return _with(result, moved)
            status, location = result
            permanent = permanent and status in _PERMANENT
            target = urljoin(current, location)
            if target in seen:
                raise FetchError(
                    f"redirect loop: {' -> '.join([*seen, target])}", kind="redirect_loop"
                )
            seen.append(target)
            current = target
            if public_only:
                problem = await url_problem(current, allow_private=False, resolve=self.resolve)
                if problem is not None:
                    raise FetchError(f"redirected to {current}: {problem}", kind="private_address")
        raise FetchError(
            f"more than {MAX_REDIRECTS} redirects (last: {current})", kind="too_many_redirects"
        )

    async def _exchange(
        self, url: str, headers: Mapping[str, str]
    ) -> FetchResult | tuple[int, str]:
        """One request. Returns a result, or ``(status, location)`` for a redirect."""
        try:
            request = self.client.build_request("GET", url, headers=headers)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            raise FetchError(f"{url!r} is not a usable URL: {exc}", kind="url") from exc
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({type(exc).__name__})", kind="timeout") from exc
        except httpx.ConnectError as exc:
            raise FetchError(f"cannot connect: {exc or 'refused'}", kind="connect") from exc
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"{url!r}: {exc}", kind="url") from exc
        except httpx.DecodingError as exc:
            raise FetchError(f"cannot decode the body: {exc}", kind="decoding") from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise FetchError(
                f"connection failed: {exc or type(exc).__name__}", kind="connection"
            ) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"request failed: {exc}", kind="http") from exc
        try:
            return await self._answer(url, response)
        finally:
            await response.aclose()

    async def _answer(self, url: str, response: httpx.Response) -> FetchResult | tuple[int, str]:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        if status in _REDIRECTS:
            location = headers.get("location")
            if not location:
                raise FetchError(f"HTTP {status} without a Location header", kind="redirect")
            return status, location
        if status == 304:
            # Read the (empty) body to its end: a response closed before its end closes the
            # connection too, and every 304 would then cost a new connection (and handshake).
            if not response.is_stream_consumed:
                with contextlib.suppress(httpx.HTTPError):
                    async for _chunk in response.aiter_raw():
                        break  # a 304 has no body; a server that sends one loses the connection
            return FetchResult(
                status="not_modified",
                url=url,
                headers=headers,
                etag=headers.get("etag"),
                last_modified=headers.get("last-modified"),
                max_age=parse_max_age(headers.get("cache-control")),
            )
        if status == 410:
            raise FetchError(
                "HTTP 410 Gone: the publisher removed this feed", kind="gone", status=410
            )
        if status >= 400 or status < 200:
            retry_after = parse_retry_after(
                headers.get("retry-after"), self.clock.now().timestamp()
            )
            reason = response.reason_phrase or ""
            raise FetchError(
                f"HTTP {status} {reason}".strip(),
                kind=f"http_{status}",
                status=status,
                retry_after=retry_after,
            )
        declared = headers.get("content-length", "")
        encoding = headers.get("content-encoding", "")
        if declared.isdigit() and not encoding and int(declared) > self.max_bytes:
            raise FetchError(
                f"body of {declared} bytes is larger than the cap of {self.max_bytes}",
                kind="too_large",
            )
        inflater = _Inflater(encoding, self.max_bytes)
        try:
            if response.is_stream_consumed:  # a transport that hands over a read response
                inflater = _Inflater("", self.max_bytes)
                inflater.feed(response.content)
            else:
                async for chunk in response.aiter_raw():
                    inflater.feed(chunk)
        except httpx.TimeoutException as exc:
            raise FetchError("timed out reading the body", kind="timeout") from exc
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise FetchError(
                f"connection failed while reading the body: {exc or type(exc).__name__}",
                kind="connection",
            ) from exc
        content = inflater.finish()
        return FetchResult(
            status="ok",
            url=url,
            content=content,
            headers=headers,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            max_age=parse_max_age(headers.get("cache-control")),
        )

    def _read_file(self, url: str) -> FetchResult:
        path = _local_path(url)
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise FetchError(
                    f"{path} is {size} bytes, larger than the cap of {self.max_bytes}",
                    kind="too_large",
                )
            content = path.read_bytes()
        except FileNotFoundError:
            raise FetchError(f"{path}: no such file", kind="not_found") from None
        except IsADirectoryError:
            raise FetchError(f"{path} is a folder, not a feed file", kind="not_found") from None
        except OSError as exc:
            raise FetchError(f"{path}: {exc.strerror or exc}", kind="io") from exc
        if content[:2] == b"\x1f\x8b":  # a saved gzip file
            inflater = _Inflater("gzip", self.max_bytes)
            inflater.feed(content)
            content = inflater.finish()
        return FetchResult(status="ok", url=url, content=content, headers={})


class PerOriginTransport(httpx.AsyncBaseTransport):
    """The client's transport: one small connection pool per origin (scheme, host, port).

    httpcore's pool looks at every connection it holds on every request (and, for each idle
    one, at all the others again), so a single pool keeping connections to hundreds of feed
    hosts spends more CPU choosing a connection than on the exchange. One pool per origin
    keeps each look to the few connections of that host. In-flight requests are capped by
    the fetcher's limiter; each pool keeps up to ``keepalive`` idle connections for
    ``expiry`` seconds, so that the next poll reuses them. The pools share one TLS context.
    """

    def __init__(self, *, keepalive: int = 8, expiry: float = 300.0) -> None:
        self._tls = httpx.create_ssl_context(trust_env=False)
        self._limits = httpx.Limits(
            max_connections=None, max_keepalive_connections=keepalive, keepalive_expiry=expiry
        )
        self._pools: dict[tuple[bytes, bytes, int | None], httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = httpx.AsyncHTTPTransport(
                verify=self._tls, limits=self._limits, trust_env=False
            )
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        pools = list(self._pools.values())
        self._pools.clear()
        for pool in pools:
            await pool.aclose()


def _with(result: FetchResult, moved_to: str | None) -> FetchResult:
    if moved_to is None:
        return result
    return FetchResult(
        status=result.status,
        url=result.url,
        moved_to=moved_to,
        content=result.content,
        headers=result.headers,
        etag=result.etag,
        last_modified=result.last_modified,
        max_age=result.max_age,
    )


def _is_local(url: str) -> bool:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    return scheme == "file" or not re.match(r"^[a-z][a-z0-9+.-]+://", url, re.IGNORECASE)


def _local_path(url: str) -> Path:
    if url.lower().startswith("file://"):
        parts = urlsplit(url)
        return Path(unquote(parts.path))
    return Path(url).expanduser()
