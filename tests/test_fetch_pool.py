"""Connections are kept and reused between polls, 304s included, one pool per origin.

A raw HTTP/1.1 keep-alive server on loopback counts the TCP connections it accepts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.fetch import Fetcher, PerOriginTransport

BODY = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


class CountingServer:
    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0

    def protocol(self) -> asyncio.Protocol:
        server = self

        class Conn(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                assert isinstance(transport, asyncio.Transport)
                self.transport = transport
                self.buffer = b""
                server.connections += 1

            def data_received(self, data: bytes) -> None:
                self.buffer += data
                while b"\r\n\r\n" in self.buffer:
                    head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
                    server.requests += 1
                    if b'if-none-match: "v1"' in head.lower():
                        self.transport.write(
                            b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 0\r\n\r\n'
                        )
                    else:
                        self.transport.write(
                            b'HTTP/1.1 200 OK\r\nETag: "v1"\r\nContent-Type: application/rss+xml'
                            b"\r\nContent-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
                        )

        return Conn()


@pytest.fixture
async def server() -> AsyncIterator[tuple[CountingServer, int]]:
    counting = CountingServer()
    loop = asyncio.get_running_loop()
    first = await loop.create_server(counting.protocol, "127.0.0.1", 0)
    port = first.sockets[0].getsockname()[1]
    second = await loop.create_server(counting.protocol, "127.0.0.2", port)
    try:
        yield counting, port
    finally:
        for s in (first, second):
            s.close()
            await s.wait_closed()


async def test_a_304_leaves_the_connection_open_for_the_next_poll(
    server: tuple[CountingServer, int],
) -> None:
    counting, port = server
    url = f"http://127.0.0.1:{port}/feed.xml"
    async with Fetcher(concurrency=4, per_host=2) as fetcher:
        first = await fetcher.fetch(url)
        assert first.status == "ok" and first.content == BODY
        for _ in range(5):
            again = await fetcher.fetch(url, etag=first.etag)
            assert again.status == "not_modified"
        assert await fetcher.fetch(url) is not None
    assert counting.requests == 7
    assert counting.connections == 1


async def test_each_origin_has_its_own_pool_and_keeps_its_connections(
    server: tuple[CountingServer, int],
) -> None:
    counting, port = server
    urls = [f"http://127.0.0.{h}:{port}/{n}.xml" for h in (1, 2) for n in range(10)]
    async with Fetcher(concurrency=8, per_host=2) as fetcher:
        assert isinstance(fetcher.client._transport, PerOriginTransport)
        for _ in range(3):
            results = await asyncio.gather(*(fetcher.fetch(u, etag='"v1"') for u in urls))
            assert {r.status for r in results} == {"not_modified"}
        assert len(fetcher.client._transport._pools) == 2
    assert counting.requests == 60
    assert counting.connections <= 4  # at most per_host connections to each of two hosts
