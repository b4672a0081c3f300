"""A fast loopback feed server for benchmarks (run in its own process).

Serves ``benchmarks.feedgen`` documents from pre-built responses over HTTP/1.1 keep-alive,
on 127.0.0.1 .. 127.0.0.N (all loopback: feeds in the wild live on many hosts, and clients
limit requests per host). Two views of every feed:

- ``/v/{i}.xml`` sends an ``ETag`` and answers a matching ``If-None-Match`` with 304;
- ``/n/{i}.xml`` sends no validators and always the full body.

Usage: ``python -m benchmarks.feedserver --feeds 1000 --hosts 50`` prints the port on its
first line and serves until its standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys

from benchmarks.feedgen import feed_document

__all__ = ["Responses", "serve"]


class Responses:
    """Pre-built responses by path."""

    def __init__(self, feeds: int, items: int) -> None:
        self.full: dict[bytes, bytes] = {}
        self.etags: dict[bytes, bytes] = {}
        for index in range(feeds):
            body = feed_document(index, items)
            etag = f'"feed-{index}-v1"'.encode()
            common = (
                b"Content-Type: application/rss+xml; charset=utf-8\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n"
            )
            self.full[f"/v/{index}.xml".encode()] = (
                b"HTTP/1.1 200 OK\r\n" + common + b"ETag: " + etag + b"\r\n\r\n" + body
            )
            self.etags[f"/v/{index}.xml".encode()] = etag
            self.full[f"/n/{index}.xml".encode()] = b"HTTP/1.1 200 OK\r\n" + common + b"\r\n" + body
        self.not_modified = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n"
        self.missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

    def answer(self, head: bytes) -> bytes:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        path = parts[1] if len(parts) > 1 else b""
        etag = self.etags.get(path)
        if etag is not None:
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"if-none-match" and value.strip() == etag:
                    return self.not_modified + b"ETag: " + etag + b"\r\n\r\n"
        return self.full.get(path, self.missing)


class _Connection(asyncio.Protocol):
    def __init__(self, responses: Responses) -> None:
        self.responses = responses
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            assert self.transport is not None
            self.transport.write(self.responses.answer(head))


async def serve(responses: Responses, hosts: int, ready: asyncio.Future[int] | None = None) -> None:
    loop = asyncio.get_running_loop()
    first = await loop.create_server(lambda: _Connection(responses), "127.0.0.1", 0, backlog=4096)
    port = int(first.sockets[0].getsockname()[1])
    servers = [first]
    for n in range(2, hosts + 1):
        servers.append(
            await loop.create_server(
                lambda: _Connection(responses), f"127.0.0.{n}", port, backlog=4096
            )
        )
    if ready is not None:
        ready.set_result(port)
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=50)
    args = parser.parse_args()
    socket.setdefaulttimeout(None)
    asyncio.run(serve(Responses(args.feeds, args.items), args.hosts))


if __name__ == "__main__":
    main()
