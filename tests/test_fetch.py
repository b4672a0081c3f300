"""The fetcher against httpx.MockTransport: validators, redirects, limits, failures."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.clock import FixedClock
from bot.errors import FetchError
from bot.fetch import DEFAULT_USER_AGENT, Fetcher, FetchResult, parse_max_age, parse_retry_after

FEED = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

Handler = Callable[[httpx.Request], httpx.Response]


def body(data: bytes | list[bytes]) -> httpx.ByteStream | httpx.AsyncByteStream:
    """A response body that arrives as a stream, as over a real connection."""
    if isinstance(data, bytes):
        return httpx.ByteStream(data)

    class Chunks(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            for chunk in data:
                yield chunk

    return Chunks()


def fetcher(handler: Handler, **kw: object) -> Fetcher:
    return Fetcher(
        transport=httpx.MockTransport(handler),
        clock=FixedClock(NOW),
        **kw,  # type: ignore[arg-type]
    )


async def test_a_plain_fetch_sends_our_user_agent_and_returns_the_validators() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            stream=body(FEED),
            headers={
                "ETag": '"v1"',
                "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT",
                "Content-Type": "application/rss+xml; charset=utf-8",
                "Cache-Control": "public, max-age=900",
            },
        )

    async with fetcher(handler) as f:
        result = await f.fetch("https://example.org/feed")
    assert result == FetchResult(
        status="ok",
        url="https://example.org/feed",
        content=FEED,
        headers=result.headers,
        etag='"v1"',
        last_modified="Wed, 01 May 2024 10:00:00 GMT",
        max_age=900.0,
    )
    assert result.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert seen[0].headers["User-Agent"] == DEFAULT_USER_AGENT
    assert "If-None-Match" not in seen[0].headers


async def test_conditional_get_and_304() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            assert request.headers["If-Modified-Since"] == "Wed, 01 May 2024 10:00:00 GMT"
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return httpx.Response(200, content=FEED)

    async with fetcher(handler) as f:
        result = await f.fetch(
            "https://example.org/feed",
            etag='"v1"',
            last_modified="Wed, 01 May 2024 10:00:00 GMT",
        )
    assert result.status == "not_modified"
    assert result.content == b""
    assert result.etag == '"v1"'


@pytest.mark.parametrize(
    ("statuses", "moved"),
    [
        ([301], "https://example.org/step1"),
        ([308, 301], "https://example.org/step2"),
        ([302], None),
        ([301, 307], None),
    ],
    ids=["301", "308-then-301", "302-temporary", "permanent-then-temporary"],
)
async def test_redirects_report_a_permanent_move_only_when_every_hop_is_permanent(
    statuses: list[int], moved: str | None
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        hop = 0 if path == "/feed" else int(path.removeprefix("/step"))
        if hop < len(statuses):
            return httpx.Response(statuses[hop], headers={"Location": f"/step{hop + 1}"})
        return httpx.Response(200, stream=body(FEED))

    async with fetcher(handler) as f:
        result = await f.fetch("https://example.org/feed")
    assert result.status == "ok"
    assert result.url == f"https://example.org/step{len(statuses)}"
    assert result.moved_to == moved


async def test_at_most_five_redirects() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("n", "0"))
        return httpx.Response(302, headers={"Location": f"/feed?n={n + 1}"})

    async with fetcher(handler) as f:
        with pytest.raises(FetchError) as caught:
            await f.fetch("https://example.org/feed?n=0")
    assert caught.value.kind == "too_many_redirects"


async def test_a_redirect_loop_is_named() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        other = "/b" if request.url.path == "/a" else "/a"
        return httpx.Response(301, headers={"Location": other})

    async with fetcher(handler) as f:
        with pytest.raises(FetchError, match="redirect loop") as caught:
            await f.fetch("https://example.org/a")
    assert caught.value.kind == "redirect_loop"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("120", 120.0), ("Wed, 01 May 2024 12:10:00 GMT", 600.0), ("soon", None)],
    ids=["seconds", "http-date", "garbage"],
)
async def test_retry_after_is_read_from_503(header: str, expected: float | None) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": header})

    async with fetcher(handler) as f:
        with pytest.raises(FetchError) as caught:
            await f.fetch("https://example.org/feed")
    assert caught.value.kind == "http_503"
    assert caught.value.status == 503
    assert caught.value.retry_after == expected


async def test_410_gone() -> None:
    async with fetcher(lambda r: httpx.Response(410)) as f:
        with pytest.raises(FetchError, match="410 Gone") as caught:
            await f.fetch("https://example.org/feed")
    assert caught.value.kind == "gone"


async def test_a_declared_oversized_body_is_refused_before_reading() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 5000)

    async with fetcher(handler, max_bytes=4096) as f:
        with pytest.raises(FetchError, match="larger than the cap") as caught:
            await f.fetch("https://example.org/feed")
    assert caught.value.kind == "too_large"


async def test_an_undeclared_oversized_body_stops_at_the_cap() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=body([b"x" * 3000, b"y" * 3000]))

    async with fetcher(handler, max_bytes=4096) as f:
        with pytest.raises(FetchError) as caught:
            await f.fetch("https://example.org/feed")
    assert caught.value.kind == "too_large"


async def test_a_gzip_bomb_stops_at_the_cap_after_decompression() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))  # 64 MiB of zeros, ~64 KiB on the wire
    assert len(bomb) < 100_000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=body(bomb), headers={"Content-Encoding": "gzip"})

    async with fetcher(handler, max_bytes=1024 * 1024) as f:
        with pytest.raises(FetchError, match="after decompression") as caught:
            await f.fetch("https://example.org/feed")
    assert caught.value.kind == "too_large"


@pytest.mark.parametrize(
    ("encoding", "payload"),
    [
        ("gzip", gzip.compress(FEED)),
        ("deflate", zlib.compress(FEED)),
        ("deflate", zlib.compress(FEED)[2:-4]),  # raw deflate, as some servers send it
    ],
    ids=["gzip", "zlib-deflate", "raw-deflate"],
)
async def test_compressed_bodies_are_decoded(encoding: str, payload: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "gzip" in request.headers["Accept-Encoding"]
        return httpx.Response(200, stream=body(payload), headers={"Content-Encoding": encoding})

    async with fetcher(handler) as f:
        result = await f.fetch("https://example.org/feed")
    assert result.content == FEED


async def test_a_corrupt_gzip_body_is_a_decoding_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, stream=body(b"\x1f\x8bnot gzip"), headers={"Content-Encoding": "gzip"}
        )

    async with fetcher(handler) as f:
        with pytest.raises(FetchError) as caught:
            await f.fetch("https://example.org/feed")
    assert caught.value.kind == "decoding"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (httpx.ReadTimeout("slow"), "timeout"),
        (httpx.ConnectTimeout("slow"), "timeout"),
        (httpx.ConnectError("refused"), "connect"),
        (httpx.RemoteProtocolError("peer closed connection"), "connection"),
        (httpx.ReadError("connection reset by peer"), "connection"),
    ],
    ids=["read-timeout", "connect-timeout", "refused", "protocol", "reset"],
)
async def test_transport_failures_have_a_kind(error: Exception, kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    async with fetcher(handler) as f:
        with pytest.raises(FetchError) as caught:
            await f.fetch("https://example.org/feed")
    assert caught.value.kind == kind


async def test_file_urls_and_plain_paths_replay_saved_feeds(tmp_path: Path) -> None:
    saved = tmp_path / "saved feed.xml"
    saved.write_bytes(FEED)
    packed = tmp_path / "packed.xml"
    packed.write_bytes(gzip.compress(FEED))
    async with fetcher(lambda r: httpx.Response(500)) as f:
        assert (await f.fetch(saved.as_uri())).content == FEED
        assert (await f.fetch(str(saved))).content == FEED
        assert (await f.fetch(str(packed))).content == FEED
        with pytest.raises(FetchError) as caught:
            await f.fetch(str(tmp_path / "missing.xml"))
    assert caught.value.kind == "not_found"


def test_cache_control_parsing() -> None:
    assert parse_max_age("public, max-age=300") == 300.0
    assert parse_max_age('s-maxage=10, max-age="60"') == 60.0
    assert parse_max_age("no-cache, max-age=300") is None
    assert parse_max_age(None) is None


def test_retry_after_in_the_past_is_zero() -> None:
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", NOW.timestamp()) == 0.0
    assert parse_retry_after("", NOW.timestamp()) is None
    assert timedelta(seconds=parse_retry_after("5", 0) or 0) == timedelta(seconds=5)


async def test_a_transport_that_hands_over_a_read_body_works_too() -> None:
    async with fetcher(lambda r: httpx.Response(200, content=FEED)) as f:
        assert (await f.fetch("https://example.org/feed")).content == FEED
